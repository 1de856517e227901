/**
 * CSV replay: one instrument's OHLCV bars, quote ticks or trade ticks loaded from a CSV file as a
 * HistoricalDataSource. This is a boundary: every row is parsed and checked before anything is
 * returned, and any problem in the file throws CsvError naming file, line, column and value.
 *
 * Layout: a header line (names case-insensitive, any order; other columns such as adjclose are
 * ignored), then one record per line, comma-separated, no quoting. Blank lines are skipped; line
 * numbers count physical lines, the header being line 1. Records carry the given instrument's id,
 * and every price and size must sit exactly on its tick and size step: nothing is rounded.
 *
 * Times: an ISO date (2019-01-02 = 00:00 UTC), an ISO datetime (2019-01-02T14:30[:00[.000]],
 * UTC unless it ends in Z or ±hh:mm; a space may replace the T) or integer epoch milliseconds.
 * Times never go backwards.
 *
 * Bars (date|timestamp, open, high, low, close, volume): the time column is the bar's open, and a
 * bar is stamped at its close: ts = open time + intervalMs. A daily bar dated D is therefore
 * stamped D 00:00 UTC plus one day, whatever the market's real closing hour. intervalMs is given,
 * or inferred: one day when the time column holds dates, else the smallest gap between rows.
 * Bars may not overlap (nor repeat a time).
 * Quotes (timestamp, bid, ask, bid_size, ask_size): bid <= ask.
 * Trades (timestamp, price, size[, side][, trade_id]): size > 0; side is buy, sell or none (any
 * case; empty = none); an empty or missing trade_id becomes `<symbol>-<line>`.
 */
import { readFileSync } from 'node:fs';
import { parseDecimal } from '../core/decimal.js';
import { InputError, ValueError } from '../core/errors.js';
import { Price } from '../core/price.js';
import { Quantity } from '../core/quantity.js';
import type { AggressorSide, Bar, MarketData, QuoteTick, TradeTick } from '../model/data.js';
import type { Instrument } from '../model/instrument.js';
import type { HistoricalDataSource } from './ports.js';

export const DAY_MS = 86_400_000;

/** A problem in a CSV file; `line` and `column` are set when the problem has a place. */
export class CsvError extends InputError {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: string,
  ) {
    super(message);
    // InputError declares `name` as the literal 'InputError', so a subclass cannot redeclare it.
    Object.defineProperty(this, 'name', { value: 'CsvError' });
  }
}

/** The fully validated records of one CSV file, for one instrument. */
export class CsvDataSource<T extends MarketData = MarketData> implements HistoricalDataSource {
  readonly instruments: readonly Instrument[];

  constructor(
    readonly path: string,
    instrument: Instrument,
    private readonly data: readonly T[],
  ) {
    this.instruments = [instrument];
  }

  get length(): number {
    return this.data.length;
  }

  /** The records in time order (the same array on every call). */
  records(): readonly T[] {
    return this.data;
  }
}

export interface BarsCsvOptions {
  /** Bar length in ms; inferred when absent (see the module comment). */
  intervalMs?: number;
}

const DECIMAL = /^[+-]?\d+(?:\.\d*)?$/;
const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const SIDES = new Map<string, AggressorSide>([['buy', 'BUY'], ['sell', 'SELL'], ['none', 'NONE'], ['', 'NONE']]);

/** Epoch ms of an ISO date, ISO datetime or epoch-ms string; NaN when it is none of them. */
function parseTime(text: string): number {
  if (/^\d+$/.test(text)) {
    const ms = Number(text);
    return Number.isSafeInteger(ms) ? ms : NaN;
  }
  const m = DATE_TIME.exec(text);
  if (!m) return NaN;
  const field = (i: number): number => Number(m[i] ?? 0);
  const [y, mo, d, h, mi, s] = [field(1), field(2), field(3), field(4), field(5), field(6)];
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, Number((m[7] ?? '').padEnd(3, '0')));
  // Date rolls 2019-02-30 over to March; a real calendar time reads back unchanged.
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || date.getUTCHours() !== h || mi > 59 || s > 59) return NaN;
  const zone = m[8];
  if (zone === undefined || zone === 'Z') return date.getTime();
  const zh = Number(zone.slice(1, 3));
  const zm = Number(zone.slice(-2));
  if (zh > 23 || zm > 59) return NaN;
  return date.getTime() - (zone[0] === '-' ? -1 : 1) * (zh * 60 + zm) * 60_000;
}

/** Decimal places of a decimal string, ignoring trailing zeros. */
function decimalPlaces(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.slice(dot + 1).replace(/0+$/, '').length;
}

/** A cursor over the data lines of one file, with field parsers that throw CsvError. */
class Rows {
  /** Header names as written, for messages. */
  private readonly names: string[];
  private readonly lines: string[];
  private index = 1;
  private cells: string[] = [];
  private prevTs = -Infinity;
  private prevTime = '';
  line = 1;

  constructor(
    readonly file: string,
    readonly instrument: Instrument,
  ) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new CsvError(`${file}: cannot read the file (${e instanceof Error ? e.message : String(e)})`, file);
    }
    this.lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
    const header = this.lines[0]?.trim() ?? '';
    if (header === '') throw new CsvError(`${file} line 1: the header line is missing`, file, 1);
    this.names = header.split(',').map((n) => n.trim());
    const seen = new Set<string>();
    for (const name of this.names) {
      const key = name.toLowerCase();
      if (seen.has(key)) throw new CsvError(`${file} line 1: column "${name}" appears twice`, file, 1, name);
      seen.add(key);
    }
  }

  /** Index of the first of `names` present in the header, or -1. */
  optionalColumn(...names: string[]): number {
    for (const name of names) {
      const i = this.names.findIndex((n) => n.toLowerCase() === name);
      if (i >= 0) return i;
    }
    return -1;
  }

  /** Throws CsvError when none of `names` is in the header. */
  column(...names: string[]): number {
    const i = this.optionalColumn(...names);
    if (i < 0) {
      const wanted = names.map((n) => `"${n}"`).join(' or ');
      throw new CsvError(`${this.file} line 1: missing column ${wanted} (header: ${this.names.join(',')})`, this.file, 1, names[0]);
    }
    return i;
  }

  /** Moves to the next non-blank line; false at the end. Throws CsvError for a wrong column count. */
  next(): boolean {
    while (this.index < this.lines.length) {
      const text = this.lines[this.index++]!;
      this.line = this.index;
      if (text.trim() === '') continue;
      this.cells = text.split(',');
      if (this.cells.length !== this.names.length) {
        const msg = `${this.file} line ${this.line}: ${this.cells.length} columns, expected ${this.names.length} (${this.names.join(',')})`;
        throw new CsvError(msg, this.file, this.line);
      }
      return true;
    }
    return false;
  }

  cell(col: number): string {
    return this.cells[col]!.trim();
  }

  /** Throws the CsvError for column `col` of the current line: `"<value>" <problem>`. */
  fail(col: number, problem: string, line = this.line, value = this.cell(col)): never {
    const name = this.names[col]!;
    throw new CsvError(`${this.file} line ${line}, column "${name}": ${JSON.stringify(value)} ${problem}`, this.file, line, name);
  }

  /** A time never earlier than the previous row's; with `strict`, never equal either. */
  time(col: number, strict: boolean): number {
    const text = this.cell(col);
    const ts = parseTime(text);
    if (Number.isNaN(ts)) this.fail(col, 'is not an ISO date, ISO datetime or epoch milliseconds');
    if (ts < this.prevTs) this.fail(col, `is earlier than the previous row's ${JSON.stringify(this.prevTime)}`);
    if (strict && ts === this.prevTs) this.fail(col, `repeats the previous row's time ${JSON.stringify(this.prevTime)}`);
    this.prevTs = ts;
    this.prevTime = text;
    return ts;
  }

  price(col: number): Price {
    const inst = this.instrument;
    const offTick = `is not a multiple of tick ${inst.spec.tickSize} for ${inst.symbol}`;
    const raw = this.raw(col, inst.pricePrecision, offTick);
    if (raw % inst.tickSize.raw !== 0) this.fail(col, offTick);
    return Price.fromRaw(raw, inst.pricePrecision);
  }

  quantity(col: number): Quantity {
    const inst = this.instrument;
    const step = `size step ${inst.spec.sizeStep} for ${inst.symbol}`;
    const raw = this.raw(col, inst.sizePrecision, `has more decimals than the ${step} allows (sizes are never rounded)`);
    if (raw < 0) this.fail(col, 'is negative');
    if (raw % inst.sizeStep.raw !== 0) this.fail(col, `is not a multiple of the ${step}`);
    return Quantity.fromRaw(raw, inst.sizePrecision);
  }

  /** The raw integer of a decimal cell at `precision`; `tooFine` is the problem of extra decimals. */
  private raw(col: number, precision: number, tooFine: string): number {
    const text = this.cell(col);
    if (!DECIMAL.test(text)) this.fail(col, NON_FINITE.test(text) ? 'is not a finite number' : 'is not a decimal number');
    if (decimalPlaces(text) > precision) this.fail(col, tooFine);
    const raw = Number(parseDecimal(text, precision, 'value'));
    if (!Number.isSafeInteger(raw)) this.fail(col, 'is too large');
    return raw === 0 ? 0 : raw; // no -0
  }
}

interface ParsedBar {
  readonly line: number;
  readonly time: string;
  readonly start: number;
  readonly open: Price;
  readonly high: Price;
  readonly low: Price;
  readonly close: Price;
  readonly volume: Quantity;
}

/**
 * Loads OHLCV bars. Throws CsvError for any problem in the file, ValueError for a bad intervalMs.
 */
export function loadBarsCsv(path: string, instrument: Instrument, opts: BarsCsvOptions = {}): CsvDataSource<Bar> {
  if (opts.intervalMs !== undefined && (!Number.isSafeInteger(opts.intervalMs) || opts.intervalMs <= 0)) {
    throw new ValueError(`intervalMs ${opts.intervalMs} must be a positive integer`);
  }
  const rows = new Rows(path, instrument);
  const t = rows.column('date', 'timestamp');
  const o = rows.column('open');
  const h = rows.column('high');
  const l = rows.column('low');
  const c = rows.column('close');
  const v = rows.column('volume');
  const parsed: ParsedBar[] = [];
  let datesOnly = true;
  let minGap = Infinity;
  while (rows.next()) {
    const time = rows.cell(t);
    const start = rows.time(t, true);
    datesOnly &&= DATE_ONLY.test(time);
    const prev = parsed[parsed.length - 1];
    if (prev) minGap = Math.min(minGap, start - prev.start);
    const open = rows.price(o);
    const high = rows.price(h);
    const low = rows.price(l);
    const close = rows.price(c);
    const top = open.raw >= close.raw ? open : close;
    const bottom = open.raw <= close.raw ? open : close;
    if (high.raw < top.raw) rows.fail(h, `is below max(open, close) = ${top}`);
    if (low.raw > bottom.raw) rows.fail(l, `is above min(open, close) = ${bottom}`);
    parsed.push({ line: rows.line, time, start, open, high, low, close, volume: rows.quantity(v) });
  }
  const intervalMs = opts.intervalMs ?? (datesOnly ? DAY_MS : minGap);
  if (!Number.isFinite(intervalMs)) {
    throw new CsvError(`${path}: cannot infer the bar interval from ${parsed.length} row(s); pass intervalMs`, path);
  }
  const bars = parsed.map((p, i): Bar => {
    const prev = parsed[i - 1];
    if (prev && p.start < prev.start + intervalMs) {
      rows.fail(t, `opens before the bar opened at ${JSON.stringify(prev.time)} closes (interval ${intervalMs} ms)`, p.line, p.time);
    }
    const { open, high, low, close, volume } = p;
    return { kind: 'bar', instrumentId: instrument.id, intervalMs, open, high, low, close, volume, ts: p.start + intervalMs };
  });
  return new CsvDataSource(path, instrument, bars);
}

/** Loads top-of-book quotes. Throws CsvError for any problem in the file. */
export function loadQuotesCsv(path: string, instrument: Instrument): CsvDataSource<QuoteTick> {
  const rows = new Rows(path, instrument);
  const t = rows.column('timestamp');
  const b = rows.column('bid');
  const a = rows.column('ask');
  const bs = rows.column('bid_size');
  const as = rows.column('ask_size');
  const quotes: QuoteTick[] = [];
  while (rows.next()) {
    const ts = rows.time(t, false);
    const bid = rows.price(b);
    const ask = rows.price(a);
    if (bid.raw > ask.raw) rows.fail(b, `is above the ask ${ask}`);
    quotes.push({ kind: 'quote', instrumentId: instrument.id, bid, ask, bidSize: rows.quantity(bs), askSize: rows.quantity(as), ts });
  }
  return new CsvDataSource(path, instrument, quotes);
}

/** Loads trades. Throws CsvError for any problem in the file. */
export function loadTradesCsv(path: string, instrument: Instrument): CsvDataSource<TradeTick> {
  const rows = new Rows(path, instrument);
  const t = rows.column('timestamp');
  const p = rows.column('price');
  const s = rows.column('size');
  const sideCol = rows.optionalColumn('side');
  const idCol = rows.optionalColumn('trade_id');
  const trades: TradeTick[] = [];
  while (rows.next()) {
    const ts = rows.time(t, false);
    const price = rows.price(p);
    const size = rows.quantity(s);
    if (size.isZero) rows.fail(s, 'is not positive');
    const aggressor = sideCol < 0 ? 'NONE' : (SIDES.get(rows.cell(sideCol).toLowerCase()) ?? rows.fail(sideCol, 'is not buy, sell or none'));
    const tradeId = (idCol < 0 ? '' : rows.cell(idCol)) || `${instrument.symbol}-${rows.line}`;
    trades.push({ kind: 'trade', instrumentId: instrument.id, price, size, aggressor, tradeId, ts });
  }
  return new CsvDataSource(path, instrument, trades);
}
