import { describe, expect, it } from 'vitest';
import { ValueError } from '../core/errors.js';
import { TradingDayCalendar } from './trading-day.js';

// Expected boundaries from the IANA rules (checked with `TZ=... date -d @...`):
// New York switches to EDT at 2026-03-08 02:00 local; Santiago skipped 2024-09-08 00:00-01:00.
describe('TradingDayCalendar', () => {
  it('gives UTC days and midnights by default', () => {
    const c = new TradingDayCalendar();
    expect(c.dayOf(Date.UTC(2026, 0, 5, 23, 59, 59, 999))).toBe('2026-01-05');
    expect(c.nextDayStart(Date.UTC(2026, 0, 5, 12))).toBe(Date.UTC(2026, 0, 6));
    expect(c.nextDayStart(Date.UTC(2026, 0, 5))).toBe(Date.UTC(2026, 0, 6));
    expect(c.nextDayStart(Date.UTC(2026, 11, 31, 23, 59))).toBe(Date.UTC(2027, 0, 1));
  });

  it('follows daylight saving in America/New_York', () => {
    const c = new TradingDayCalendar('America/New_York');
    expect(c.dayOf(Date.UTC(2026, 0, 5, 4, 59))).toBe('2026-01-04');
    expect(c.nextDayStart(Date.UTC(2026, 2, 7, 12))).toBe(Date.UTC(2026, 2, 8, 5)); // EST midnight
    expect(c.nextDayStart(Date.UTC(2026, 2, 8, 12))).toBe(Date.UTC(2026, 2, 9, 4)); // EDT midnight: a 23 h day
    expect(c.offsetAt(Date.UTC(2026, 6, 1))).toBe(-4 * 3_600_000);
  });

  it('handles half-hour offsets and zones whose clocks skip midnight', () => {
    expect(new TradingDayCalendar('Asia/Kolkata').nextDayStart(Date.UTC(2026, 0, 5, 12))).toBe(Date.UTC(2026, 0, 5, 18, 30));
    const santiago = new TradingDayCalendar('America/Santiago');
    // 2024-09-08 began at 01:00 local (-03:00) = 04:00Z: midnight did not exist.
    expect(santiago.nextDayStart(Date.UTC(2024, 8, 7, 12))).toBe(Date.UTC(2024, 8, 8, 4));
    expect(santiago.dayOf(Date.UTC(2024, 8, 8, 4) - 1)).toBe('2024-09-07');
  });

  it('rejects unknown zones', () => {
    expect(() => new TradingDayCalendar('Nowhere/Land')).toThrow(ValueError);
  });
});
