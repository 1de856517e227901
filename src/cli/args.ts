/**
 * Command-line argument parsing shared by the commands: strict flag parsing (unknown flags are
 * errors) and value checks that name the flag and the value in their message.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../core/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses argv strictly. Throws InputError for unknown flags, missing values and stray arguments. */
export function parseFlags<O extends Options>(argv: string[], options: O, command: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0]!.replace(/^TypeError \[[A-Z_]+\]: /, '') : String(err);
    throw new InputError(`${command}: ${message}`);
  }
}

/** Parses repeated `key=value` flags into a record; numbers and booleans are converted. */
export function parseKeyValues(values: string[] | undefined, flag: string): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const item of values ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new InputError(`--${flag} ${JSON.stringify(item)} must look like key=value`);
    const key = item.slice(0, eq).trim();
    const raw = item.slice(eq + 1).trim();
    out[key] = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) && !/^0\d/.test(raw) ? Number(raw) : raw;
  }
  return out;
}

/** A positive decimal given as text (kept as text for exact parsing later). */
export function positiveDecimal(value: string | undefined, flag: string, fallback: string): string {
  const v = value ?? fallback;
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) throw new InputError(`--${flag} ${JSON.stringify(v)} must be a positive decimal number`);
  return v;
}

/** A non-negative integer. */
export function nonNegativeInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new InputError(`--${flag} ${JSON.stringify(value)} must be a non-negative integer`);
  return Number(value);
}

/** `--fees maker,taker` as two decimal rates (negative maker = rebate). */
export function parseFees(value: string | undefined): { maker: string; taker: string } | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((p) => p.trim());
  const rate = /^-?\d+(\.\d+)?$/;
  if (parts.length !== 2 || !rate.test(parts[0]!) || !rate.test(parts[1]!)) {
    throw new InputError(`--fees ${JSON.stringify(value)} must be two rates "maker,taker", e.g. 0.0002,0.0005`);
  }
  return { maker: parts[0]!, taker: parts[1]! };
}
