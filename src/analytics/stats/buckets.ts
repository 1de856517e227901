/**
 * Trade P&L, count, wins and volume bucketed by local hour of day (0-23, over all history) and by
 * local calendar day (YYYY-MM-DD, only the most recent `maxDays` days) in an IANA time zone.
 * In other zones than UTC, local time comes from the zone's TradingDayCalendar, memoised per UTC
 * quarter hour (every zone offset in use since 1972 is a whole number of quarter hours, so a
 * quarter hour never straddles a local hour or day boundary). In UTC, the default, the hour is
 * arithmetic within the memoised day. `addTotals` books many trades at once (the performance
 * monitor books each quarter hour's fills and round trips together).
 */
import { ValueError } from '../../core/errors.js';
import { TradingDayCalendar, dayText } from '../trading-day.js';

export interface BucketTotals {
  pnl: number;
  trades: number;
  wins: number;
  volume: number;
}

export interface HourBucket extends BucketTotals {
  readonly hour: number;
}

export interface DayBucket extends BucketTotals {
  /** Local calendar day, YYYY-MM-DD. */
  readonly day: string;
}

export interface BucketedTrade {
  /** Epoch milliseconds the trade is booked at (usually its exit). */
  ts: number;
  pnl: number;
  /** Traded notional or quantity, in whatever unit the caller reports. */
  volume: number;
}

const QUARTER_HOUR_MS = 900_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
function emptyTotals(): BucketTotals {
  return { pnl: 0, trades: 0, wins: 0, volume: 0 };
}

function addTo(totals: BucketTotals, more: BucketTotals): void {
  totals.pnl += more.pnl;
  totals.trades += more.trades;
  totals.wins += more.wins;
  totals.volume += more.volume;
}

export class TimeBuckets {
  readonly timeZone: string;
  readonly maxDays: number;
  private readonly calendar: TradingDayCalendar;
  private readonly utc: boolean;
  private readonly hours: BucketTotals[] = Array.from({ length: 24 }, emptyTotals);
  private days = new Map<string, BucketTotals>();
  private newestDay = '';
  /** The period of the memoised local day: in UTC the day's first millisecond, else the UTC quarter hour number. */
  private memoPeriod = NaN;
  private memoHour = 0;
  private memoDay = '';
  /** The retained totals of memoDay, once looked up. */
  private memoTotals: BucketTotals | undefined;
  private readonly scratch: BucketTotals = emptyTotals();

  /** Throws ValueError for an unknown time zone or a maxDays that is not a positive integer. */
  constructor(options: { timeZone?: string; maxDays?: number } = {}) {
    const { timeZone = 'UTC', maxDays = 90 } = options;
    if (!Number.isInteger(maxDays) || maxDays < 1) throw new ValueError(`maxDays ${maxDays} is not a positive integer`);
    this.calendar = new TradingDayCalendar(timeZone);
    this.utc = timeZone === 'UTC';
    this.timeZone = timeZone;
    this.maxDays = maxDays;
  }

  /** Adds a trade. Throws ValueError on non-finite values. */
  add(trade: BucketedTrade): void {
    const { ts, pnl, volume } = trade;
    if (!Number.isFinite(ts) || !Number.isFinite(pnl) || !Number.isFinite(volume)) {
      throw new ValueError(`bucketed trade (ts ${ts}, pnl ${pnl}, volume ${volume}) has a non-finite value`);
    }
    const one = this.scratch;
    one.pnl = pnl;
    one.trades = 1;
    one.wins = pnl > 0 ? 1 : 0;
    one.volume = volume;
    this.book(ts, one);
  }

  /**
   * Adds totals (several trades at once, e.g. those of a quarter hour) to the hour and day of
   * `ts`. Throws ValueError on a non-finite value or counts that are not non-negative integers.
   */
  addTotals(ts: number, totals: BucketTotals): void {
    const { pnl, trades, wins, volume } = totals;
    if (!Number.isFinite(ts) || !Number.isFinite(pnl) || !Number.isFinite(volume) || !(Number.isInteger(trades) && trades >= 0 && Number.isInteger(wins) && wins >= 0)) {
      throw new ValueError(`bucket totals (ts ${ts}, pnl ${pnl}, trades ${trades}, wins ${wins}, volume ${volume}) are not finite non-negative counts and amounts`);
    }
    this.book(ts, totals);
  }

  private book(ts: number, totals: BucketTotals): void {
    this.localize(ts);
    addTo(this.hours[this.memoHour]!, totals);
    let day = this.memoTotals;
    if (day === undefined) {
      day = this.days.get(this.memoDay);
      if (day === undefined) {
        day = emptyTotals();
        this.days.set(this.memoDay, day);
        if (this.memoDay > this.newestDay) this.newestDay = this.memoDay;
        // A late trade opening an older day: restore chronological order (rare, O(maxDays log maxDays)).
        else this.days = new Map([...this.days].sort(([a], [b]) => (a < b ? -1 : 1)));
        // Map order is chronological, so the first key is the oldest day.
        if (this.days.size > this.maxDays) this.days.delete(this.days.keys().next().value!);
      }
      // Kept for the rest of the memoised period, unless the day was dropped at once (older than every day kept).
      this.memoTotals = this.days.get(this.memoDay) === day ? day : undefined;
    }
    addTo(day, totals);
  }

  /** The 24 local hours of day, 0 to 23, over all trades added. */
  byHour(): HourBucket[] {
    return this.hours.map((t, hour) => ({ hour, ...t }));
  }

  /** The retained local days, oldest first. */
  byDay(): DayBucket[] {
    return [...this.days].map(([day, t]) => ({ day, ...t }));
  }

  /** Sets memoHour and memoDay to the local hour and day of `ts`. */
  private localize(ts: number): void {
    if (this.utc) {
      const intoDay = ts - this.memoPeriod;
      if (intoDay >= 0 && intoDay < DAY_MS) {
        this.memoHour = Math.floor(intoDay / HOUR_MS);
        return;
      }
      const dayStart = Math.floor(ts / DAY_MS) * DAY_MS;
      this.memoHour = Math.floor((ts - dayStart) / HOUR_MS);
      this.memoDay = dayText(this.calendar.local(ts));
      this.memoTotals = undefined;
      this.memoPeriod = dayStart;
      return;
    }
    const quarter = Math.floor(ts / QUARTER_HOUR_MS);
    if (quarter === this.memoPeriod) return;
    const local = this.calendar.local(ts);
    this.memoHour = local.hour;
    this.memoDay = dayText(local);
    this.memoTotals = undefined;
    this.memoPeriod = quarter;
  }
}
