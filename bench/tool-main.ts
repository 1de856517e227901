/**
 * Entry point of the bench diagnostics that take arguments (interleaved-builds, callgrind-js): a
 * bad argument (InputError) is printed with the tool's name and exit code 2, without a stack; any
 * other error is thrown as it is.
 */
import { InputError } from '../src/core/errors.js';

export function runTool(name: string, main: (argv: readonly string[]) => void): void {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    process.stderr.write(`${name}: ${e.message}\n`);
    process.exitCode = 2;
  }
}
