/**
 * Merging historical sources: several time-ordered record streams become one, ordered by `ts`,
 * records with equal `ts` taken in source order (a stable merge), each source read lazily.
 */
import type { MarketData } from '../model/data.js';
import type { Instrument } from '../model/instrument.js';
import type { HistoricalDataSource } from './ports.js';

/** One source of every source's records; instruments are de-duplicated by id, first wins. */
export function mergeSources(sources: readonly HistoricalDataSource[]): HistoricalDataSource {
  const byId = new Map<string, Instrument>();
  for (const s of sources) for (const i of s.instruments) if (!byId.has(i.id)) byId.set(i.id, i);
  return { instruments: [...byId.values()], records: () => mergeRecords(sources) };
}

function* mergeRecords(sources: readonly HistoricalDataSource[]): Generator<MarketData, void, undefined> {
  const iterators = sources.map((s) => s.records()[Symbol.iterator]());
  const heads = iterators.map((it) => headOf(it));
  for (;;) {
    // A linear scan: the number of sources is small, and it keeps ties in source order.
    let best = -1;
    let bestTs = Infinity;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i];
      if (head !== undefined && (best < 0 || head.ts < bestTs)) {
        best = i;
        bestTs = head.ts;
      }
    }
    if (best < 0) return;
    yield heads[best]!;
    heads[best] = headOf(iterators[best]!);
  }
}

function headOf(it: Iterator<MarketData>): MarketData | undefined {
  const r = it.next();
  return r.done ? undefined : r.value;
}
