#!/usr/bin/env node
/**
 * The `bourse` command line. Bad input (unknown flags, missing files, bad values, malformed
 * CSV rows) prints one clear line and exits non-zero, without a stack trace.
 */
import { BACKTEST_USAGE, backtestCommand } from './cli/backtest-command.js';
import { PAPER_USAGE, paperCommand } from './cli/paper-command.js';
import { STRATEGIES } from './strategy/registry.js';
import { CurrencyMismatchError, InputError, ValueError } from './core/errors.js';
import { ConfigError } from './infra/config.js';
import { JournalFormatError } from './persistence/codec.js';
import { ReconciliationError } from './persistence/recovery.js';
import { configCommand, CONFIG_USAGE } from './cli/config-command.js';
import { journalCommand, JOURNAL_USAGE } from './cli/journal-command.js';

const USAGE = `Bourse: algorithmic trading platform

commands:
  bourse paper       paper trading on the built-in synthetic market
  bourse backtest    run a strategy over historical data
  bourse config      show the effective configuration (secrets redacted)
  bourse journal     inspect, export or prune the persistent journal

${PAPER_USAGE}
${BACKTEST_USAGE}
${CONFIG_USAGE}
${JOURNAL_USAGE}

strategies (--strategy NAME --param key=value):
${strategyHelp()}`;

function strategyHelp(): string {
  return STRATEGIES.map((s) => `  ${s.name}: ${s.summary}\n${s.params.map((p) => `      ${p.name} (default ${p.default}): ${p.description}`).join('\n')}`).join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'backtest':
      return backtestCommand(rest);
    case 'paper':
      return paperCommand(rest);
    case 'config':
      return configCommand(rest);
    case 'journal':
      return journalCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return command === undefined ? 2 : 0;
    default:
      throw new InputError(`unknown command ${JSON.stringify(command)} (try: bourse help)`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof InputError || err instanceof ValueError || err instanceof CurrencyMismatchError || err instanceof ConfigError || err instanceof ReconciliationError || err instanceof JournalFormatError) {
      process.stderr.write(`bourse: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`bourse: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
