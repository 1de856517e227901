/**
 * `bourse config print`: the effective configuration after every source (profile defaults,
 * file, secrets file, .env, environment, flags), with secrets redacted.
 */
import { InputError } from '../core/errors.js';
import { formatConfig } from '../infra/config.js';
import { parseFlags } from './args.js';
import { configFromFlags } from './config-flags.js';

export const CONFIG_USAGE = 'usage: bourse config print [--config file] [--set section.key=value ...]';

const OPTIONS = { config: { type: 'string' }, set: { type: 'string', multiple: true } } as const;

export function configCommand(argv: string[]): number {
  const [sub, ...rest] = argv;
  if (sub !== 'print') throw new InputError(`config: unknown subcommand ${JSON.stringify(sub ?? '')}\n${CONFIG_USAGE}`);
  const flags = parseFlags(rest, OPTIONS, 'config print');
  process.stdout.write(formatConfig(configFromFlags(flags)));
  return 0;
}
