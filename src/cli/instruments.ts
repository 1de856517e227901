/**
 * Resolves the instrument a data file is about: a built-in symbol (SPX, BTC-USD, ...) or a
 * generic instrument described by flags, with optional fee overrides from `--fees`.
 */
import { basename } from 'node:path';
import { BUILTIN_INSTRUMENTS } from '../data/index.js';
import { Instrument, type InstrumentSpec } from '../model/instrument.js';

export interface InstrumentFlags {
  symbol?: string | undefined;
  tick?: string | undefined;
  step?: string | undefined;
  fees?: { maker: string; taker: string } | undefined;
}

const FILE_ALIASES: Record<string, string> = { sp500: 'SPX', spx: 'SPX' };

/** The symbol implied by a data file name: "sp500-2019-2020.csv" -> "SPX", "BTC-USD.csv" -> "BTC-USD". */
export function symbolFromFile(path: string): string {
  const stem = basename(path).replace(/\.[^.]+$/, '');
  const alias = FILE_ALIASES[stem.split(/[-_.]/)[0]!.toLowerCase()];
  if (alias) return alias;
  const builtin = BUILTIN_INSTRUMENTS.find((i) => stem.toUpperCase().startsWith(i.id));
  return builtin?.id ?? stem.toUpperCase();
}

/** Throws ValueError (naming the field) when the flags describe an invalid instrument. */
export function resolveInstrument(dataPath: string, flags: InstrumentFlags): Instrument {
  const symbol = flags.symbol ?? symbolFromFile(dataPath);
  const builtin = BUILTIN_INSTRUMENTS.find((i) => i.id === symbol);
  const base: InstrumentSpec = builtin
    ? { ...builtin.spec }
    : { symbol, assetClass: 'EQUITY', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '1', minSize: '1', multiplier: '1', makerFee: '0', takerFee: '0' };
  const spec: InstrumentSpec = {
    ...base,
    ...(flags.tick ? { tickSize: flags.tick } : {}),
    ...(flags.step ? { sizeStep: flags.step, minSize: flags.step } : {}),
    ...(flags.fees ? { makerFee: flags.fees.maker, takerFee: flags.fees.taker } : {}),
  };
  return builtin && spec === base ? builtin : new Instrument(spec);
}
