/**
 * The plain-data inputs shared by the risk measures (positions, return series, a return model)
 * and their validation, so every measure rejects bad input with the same ValueError messages.
 */
import { ValueError } from '../../core/errors.js';
import type { Matrix } from '../../core/linalg.js';

/** A position's signed market value in account currency (negative for a short). */
export interface Position {
  readonly symbol: string;
  readonly value: number;
}

/** Simple returns per period by symbol; the series used together must be aligned in time. */
export type ReturnSeries = Readonly<Record<string, readonly number[]>>;

/** Per-period mean returns and their covariance, indexed like `symbols`. */
export interface ReturnModel {
  readonly symbols: readonly string[];
  readonly mean: readonly number[];
  readonly covariance: Matrix;
}

/** `record[key]` when it is the record's own property (so a symbol never reads Object.prototype). */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Throws ValueError unless `x` is a finite number. */
export function checkFinite(name: string, x: number): void {
  if (!Number.isFinite(x)) throw new ValueError(`${name} ${x} must be finite`);
}

/** Throws ValueError unless 0 < confidence < 1. */
export function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new ValueError(`confidence ${confidence} must be in (0, 1)`);
}

/** Throws ValueError unless `horizon` (in periods) is a positive integer. */
export function checkHorizon(horizon: number): void {
  if (!(Number.isInteger(horizon) && horizon >= 1)) throw new ValueError(`horizon ${horizon} must be a positive integer`);
}

/** Net value per symbol, in order of first appearance. Throws ValueError for a non-finite value. */
export function netExposures(positions: readonly Position[]): Map<string, number> {
  const net = new Map<string, number>();
  for (const p of positions) {
    checkFinite(`position ${p.symbol} value`, p.value);
    net.set(p.symbol, (net.get(p.symbol) ?? 0) + p.value);
  }
  return net;
}

/**
 * Net position values laid out like `symbols` (0 where nothing is held). Throws ValueError for a
 * position whose symbol is not among `symbols` or whose value is not finite.
 */
export function exposureVector(positions: readonly Position[], symbols: readonly string[]): number[] {
  const index = new Map(symbols.map((s, i) => [s, i]));
  const w = new Array<number>(symbols.length).fill(0);
  for (const [symbol, value] of netExposures(positions)) {
    const i = index.get(symbol);
    if (i === undefined) throw new ValueError(`position ${symbol} has no return data`);
    w[i]! += value;
  }
  return w;
}

/**
 * The series for `symbols`, checked to be present, equally long (at least `minLength`) and finite.
 * Throws ValueError naming the offending symbol.
 */
export function alignedSeries(returns: ReturnSeries, symbols: readonly string[], minLength: number): (readonly number[])[] {
  const out = symbols.map((s) => {
    const series = own(returns, s);
    if (!series) throw new ValueError(`symbol ${s} has no return series`);
    series.forEach((r, t) => checkFinite(`return ${s}[${t}]`, r));
    return series;
  });
  const n = out[0]?.length ?? 0;
  symbols.forEach((s, i) => {
    const len = out[i]!.length;
    if (len !== n) throw new ValueError(`return series ${s} has ${len} periods, expected ${n} like ${symbols[0]}`);
  });
  if (symbols.length > 0 && n < minLength) throw new ValueError(`return series have ${n} periods, need at least ${minLength}`);
  return out;
}

/** Throws ValueError unless `covariance` is a finite square matrix with a row per symbol. */
export function checkCovariance(symbols: readonly string[], covariance: Matrix): void {
  const n = symbols.length;
  if (covariance.length !== n) throw new ValueError(`covariance has ${covariance.length} rows for ${n} symbols`);
  covariance.forEach((row, i) => {
    if (row.length !== n) throw new ValueError(`covariance row ${i} has ${row.length} columns for ${n} symbols`);
    row.forEach((c, j) => checkFinite(`covariance[${i}][${j}]`, c));
  });
}

/** Throws ValueError unless the model's symbols are distinct and its mean and covariance fit them. */
export function checkModel(model: ReturnModel): void {
  const n = model.symbols.length;
  if (new Set(model.symbols).size !== n) throw new ValueError(`return model symbols ${model.symbols.join(', ')} are not distinct`);
  if (model.mean.length !== n) throw new ValueError(`return model mean has ${model.mean.length} entries for ${n} symbols`);
  model.mean.forEach((m, i) => checkFinite(`mean return of ${model.symbols[i]}`, m));
  checkCovariance(model.symbols, model.covariance);
}
