/**
 * MarketCache: the latest market state of each instrument, updated by the kernel as it
 * dispatches each record (before the bus and strategies hear of it). Components that need the
 * current touch or last price (the risk engine's checks) read it here instead of each following
 * every quote on the bus, and the performance monitor takes each instrument's record count and
 * last data time from it.
 */
import type { MarketData } from '../model/data.js';

export interface MarketState {
  /** Touch of the latest quote; undefined before one and after a bar (a bar carries no book). */
  bidRaw: number | undefined;
  askRaw: number | undefined;
  /** Latest price: a quote's mid (may be a half unit), a trade's price or a bar's close; NaN before any data. */
  lastRaw: number;
  /** Time of the latest record; -Infinity before any data. */
  lastTs: number;
  /** Records applied so far. */
  records: number;
}

export class MarketCache {
  private readonly states = new Map<string, MarketState>();

  constructor(instrumentIds: Iterable<string>) {
    for (const id of instrumentIds) this.states.set(id, { bidRaw: undefined, askRaw: undefined, lastRaw: NaN, lastTs: -Infinity, records: 0 });
  }

  /** The state of a known instrument, undefined for an unknown one. Only the kernel writes it (see record). */
  get(instrumentId: string): MarketState | undefined {
    return this.states.get(instrumentId);
  }

  /** Applies one record to its instrument's state. */
  static record(state: MarketState, r: MarketData): void {
    if (r.kind === 'quote') {
      state.bidRaw = r.bid.raw;
      state.askRaw = r.ask.raw;
      state.lastRaw = (r.bid.raw + r.ask.raw) / 2;
    } else if (r.kind === 'trade') {
      state.lastRaw = r.price.raw;
    } else {
      state.lastRaw = r.close.raw;
      state.bidRaw = undefined;
      state.askRaw = undefined;
    }
    state.lastTs = r.ts;
    state.records++;
  }
}
