/**
 * Trading days in an IANA time zone: the local calendar day (YYYY-MM-DD) of a timestamp and the
 * epoch millisecond at which the next local day begins. The performance monitor uses it to reset
 * "today's P&L" at local midnight. Daylight-saving changes are handled, including zones whose
 * clocks skip midnight itself (the day then begins at the first local time that exists).
 * Not on the hot path: it is consulted about once per trading day.
 */
import { ValueError } from '../core/errors.js';

const QUARTER_HOUR_MS = 900_000;
/** Creating a zoned Intl.DateTimeFormat costs tens of milliseconds: one per zone per process. */
const formatters = new Map<string, Intl.DateTimeFormat>();

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export class TradingDayCalendar {
  readonly timeZone: string;
  /** Undefined for UTC, whose local time the Date UTC getters give without Intl. */
  private readonly format: Intl.DateTimeFormat | undefined;

  /** Throws ValueError for a time zone Intl does not know. */
  constructor(timeZone = 'UTC') {
    if (timeZone === 'UTC') {
      this.format = undefined;
      this.timeZone = timeZone;
      return;
    }
    const cached = formatters.get(timeZone);
    if (cached !== undefined) {
      this.format = cached;
      this.timeZone = timeZone;
      return;
    }
    try {
      this.format = new Intl.DateTimeFormat('en-CA', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      throw new ValueError(`time zone '${timeZone}' is not a known IANA time zone`);
    }
    formatters.set(timeZone, this.format);
    this.timeZone = timeZone;
  }

  /** The local calendar day of `ts`, as YYYY-MM-DD. */
  dayOf(ts: number): string {
    return dayText(this.local(ts));
  }

  /** The first epoch millisecond of the local day after the one containing `ts`. */
  nextDayStart(ts: number): number {
    const today = this.dayOf(ts);
    const t = this.local(ts);
    // Local midnight of the next day, read as if it were UTC, shifted by the zone's offset.
    const wall = Date.UTC(t.year, t.month - 1, t.day + 1);
    let guess = wall - this.offsetAt(ts);
    guess = wall - this.offsetAt(guess);
    // Offsets change by whole quarter hours: step until guess is the first instant of a new day.
    while (this.dayOf(guess) === today) guess += QUARTER_HOUR_MS;
    while (this.dayOf(guess - QUARTER_HOUR_MS) !== today) guess -= QUARTER_HOUR_MS;
    // guess is now within the first quarter hour of the new day; find its exact first minute.
    let lo = guess - QUARTER_HOUR_MS;
    let hi = guess;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (this.dayOf(mid) === today) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  /** Local time minus UTC at `ts`, in milliseconds (whole seconds). */
  offsetAt(ts: number): number {
    const t = this.local(ts);
    const wall = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
    return wall - Math.floor(ts / 1000) * 1000;
  }

  /** The local wall-clock time of `ts`. */
  local(ts: number): LocalTime {
    if (this.format === undefined) {
      const d = new Date(ts);
      return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
    }
    const out: LocalTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    for (const part of this.format.formatToParts(ts)) {
      if (part.type === 'literal') continue;
      if (part.type in out) out[part.type as keyof LocalTime] = Number(part.value);
    }
    return out;
  }
}

/** A local time's calendar day as YYYY-MM-DD. */
export function dayText(t: LocalTime): string {
  return `${t.year}-${pad(t.month)}-${pad(t.day)}`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
