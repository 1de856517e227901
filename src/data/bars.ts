/**
 * Time-bar aggregation: turns one instrument's trades (price, size) or quotes (mid, no volume)
 * into OHLCV bars on epoch-aligned intervals [k·intervalMs, (k+1)·intervalMs), stamped at their
 * close (k+1)·intervalMs. A bar is emitted when a record of a later interval arrives, or by
 * flush(); intervals without records produce no bar.
 */
import { ValueError } from '../core/errors.js';
import { Price } from '../core/price.js';
import { Quantity } from '../core/quantity.js';
import type { Bar, QuoteTick, TradeTick } from '../model/data.js';
import type { Instrument } from '../model/instrument.js';

export class BarAggregator {
  private open = false;
  private start = 0;
  private o = 0;
  private h = 0;
  private l = 0;
  private c = 0;
  private v = 0;

  /** Throws ValueError when intervalMs is not a positive integer. */
  constructor(
    readonly instrument: Instrument,
    readonly intervalMs: number,
    private readonly onBar: (bar: Bar) => void,
  ) {
    if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0) throw new ValueError(`bar intervalMs ${intervalMs} must be a positive integer`);
  }

  /**
   * Adds a trade, or a quote's mid rounded to the nearest tick (half up). Throws ValueError for
   * another instrument's record or one older than the current bar.
   */
  update(record: TradeTick | QuoteTick): void {
    if (record.instrumentId !== this.instrument.id) {
      throw new ValueError(`${record.kind} for ${record.instrumentId} sent to the ${this.instrument.id} bar aggregator`);
    }
    if (record.kind === 'trade') {
      this.add(record.ts, record.price.raw, record.size.raw);
    } else {
      const tick = this.instrument.tickSize.raw;
      this.add(record.ts, Math.round((record.bid.raw + record.ask.raw) / (2 * tick)) * tick, 0);
    }
  }

  /** Emits the bar in progress, if any (e.g. at the end of a backtest). */
  flush(): void {
    if (!this.open) return;
    this.open = false;
    const p = this.instrument.pricePrecision;
    this.onBar({
      kind: 'bar',
      instrumentId: this.instrument.id,
      intervalMs: this.intervalMs,
      open: Price.fromRaw(this.o, p),
      high: Price.fromRaw(this.h, p),
      low: Price.fromRaw(this.l, p),
      close: Price.fromRaw(this.c, p),
      volume: Quantity.fromRaw(this.v, this.instrument.sizePrecision),
      ts: this.start + this.intervalMs,
    });
  }

  private add(ts: number, priceRaw: number, sizeRaw: number): void {
    const start = Math.floor(ts / this.intervalMs) * this.intervalMs;
    if (this.open && start !== this.start) {
      if (start < this.start) throw new ValueError(`record at ${ts} is older than the current ${this.instrument.id} bar opened at ${this.start}`);
      this.flush();
    }
    if (!this.open) {
      this.open = true;
      this.start = start;
      this.o = this.h = this.l = priceRaw;
      this.v = 0;
    }
    if (priceRaw > this.h) this.h = priceRaw;
    if (priceRaw < this.l) this.l = priceRaw;
    this.c = priceRaw;
    this.v += sizeRaw;
  }
}
