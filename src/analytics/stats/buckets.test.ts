import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../../core/errors.js';
import { TimeBuckets, type BucketedTrade, type BucketTotals } from './buckets.js';

/*
 * Expected values from python3 with zoneinfo (the IANA database, independent of Intl):
 *   # New York DST starts 2024-03-10 02:00 local (07:00 UTC): offset -5h before, -4h after.
 *   trades = [("2024-03-09T23:30:00Z", 50, 2), ("2024-03-10T04:59:00Z", -20, 1), ("2024-03-10T05:00:00Z", 30, 3),
 *             ("2024-03-10T06:45:00Z", 10, 1), ("2024-03-10T07:00:00Z", -5, 2), ("2024-03-10T07:10:00Z", 0, 1),
 *             ("2024-03-11T03:59:00Z", 40, 4), ("2024-03-11T04:00:00Z", 15, 1)]   # (utc, pnl, volume)
 *   for each trade: t = datetime.fromisoformat(iso).astimezone(ZoneInfo(tz)); add [pnl, 1, pnl > 0, volume]
 *   to hours[t.hour] and days[t.strftime("%Y-%m-%d")]; buckets print as [pnl, trades, wins, volume]:
 *   America/New_York hours {0: [45, 2, 2, 4], 1: [10, 1, 1, 1], 3: [-5, 2, 0, 3], 18: [50, 1, 1, 2], 23: [20, 2, 1, 5]}
 *   America/New_York days  {'2024-03-09': [30, 2, 1, 3], '2024-03-10': [75, 5, 3, 11], '2024-03-11': [15, 1, 1, 1]}
 *   UTC hours {3: [40, 1, 1, 4], 4: [-5, 2, 1, 2], 5: [30, 1, 1, 3], 6: [10, 1, 1, 1], 7: [-5, 2, 0, 3], 23: [50, 1, 1, 2]}
 *   UTC days  {'2024-03-09': [50, 1, 1, 2], '2024-03-10': [15, 5, 2, 8], '2024-03-11': [55, 2, 2, 5]}
 *   epoch ms: [1710027000000, 1710046740000, 1710046800000, 1710053100000, 1710054000000, 1710054600000,
 *              1710129540000, 1710129600000]
 *   Asia/Kathmandu (+05:45): 1717265699999 -> 2024-06-01 23:59:59.999, 1717265700000 -> 2024-06-02 00:00
 */
const TS = [1710027000000, 1710046740000, 1710046800000, 1710053100000, 1710054000000, 1710054600000, 1710129540000, 1710129600000];
const PNL = [50, -20, 30, 10, -5, 0, 40, 15];
const VOLUME = [2, 1, 3, 1, 2, 1, 4, 1];
const TRADES: BucketedTrade[] = TS.map((ts, i) => ({ ts, pnl: PNL[i]!, volume: VOLUME[i]! }));

const totals = ([pnl, trades, wins, volume]: [number, number, number, number]): BucketTotals => ({ pnl, trades, wins, volume });

function fed(trades: BucketedTrade[], options?: ConstructorParameters<typeof TimeBuckets>[0]): TimeBuckets {
  const b = new TimeBuckets(options);
  for (const t of trades) b.add(t);
  return b;
}

function nonEmptyHours(b: TimeBuckets): Record<number, BucketTotals> {
  return Object.fromEntries(b.byHour().filter((h) => h.trades > 0).map(({ hour, ...t }) => [hour, t]));
}

describe('TimeBuckets', () => {
  it('buckets by local hour and day across a DST change', () => {
    const b = fed(TRADES, { timeZone: 'America/New_York' });
    expect(b.byHour()).toHaveLength(24);
    expect(nonEmptyHours(b)).toEqual({ 0: totals([45, 2, 2, 4]), 1: totals([10, 1, 1, 1]), 3: totals([-5, 2, 0, 3]), 18: totals([50, 1, 1, 2]), 23: totals([20, 2, 1, 5]) });
    expect(b.byDay()).toEqual([
      { day: '2024-03-09', ...totals([30, 2, 1, 3]) },
      { day: '2024-03-10', ...totals([75, 5, 3, 11]) },
      { day: '2024-03-11', ...totals([15, 1, 1, 1]) },
    ]);
  });

  it('defaults to UTC', () => {
    const b = fed(TRADES);
    expect(b.timeZone).toBe('UTC');
    expect(nonEmptyHours(b)).toEqual({ 3: totals([40, 1, 1, 4]), 4: totals([-5, 2, 1, 2]), 5: totals([30, 1, 1, 3]), 6: totals([10, 1, 1, 1]), 7: totals([-5, 2, 0, 3]), 23: totals([50, 1, 1, 2]) });
    expect(b.byDay().map((d) => d.day)).toEqual(['2024-03-09', '2024-03-10', '2024-03-11']);
    expect(b.byDay()[1]).toEqual({ day: '2024-03-10', ...totals([15, 5, 2, 8]) });
  });

  it('puts each trade in its UTC hour and day, before 1970 and at day boundaries too', () => {
    const day = 86_400_000;
    const instant = fc.oneof(
      fc.integer({ min: -2 * 10 ** 12, max: 4 * 10 ** 12 }),
      fc.integer({ min: -20_000, max: 40_000 }).chain((d) => fc.constantFrom(d * day - 1, d * day, d * day + 3_599_999, d * day + 3_600_000)),
    );
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 20 }), (times) => {
        const b = fed(times.map((ts) => ({ ts, pnl: 1, volume: 0 })), { maxDays: 100_000 });
        const hours = new Array<number>(24).fill(0);
        const days = new Map<string, number>();
        for (const ts of times) {
          const d = new Date(ts);
          hours[d.getUTCHours()]!++;
          const text = d.toISOString().slice(0, 10);
          days.set(text, (days.get(text) ?? 0) + 1);
        }
        expect(b.byHour().map((h) => h.trades)).toEqual(hours);
        expect(Object.fromEntries(b.byDay().map((d) => [d.day, d.trades]))).toEqual(Object.fromEntries(days));
      }),
    );
  });

  it('splits a quarter-hour offset zone at local midnight', () => {
    const b = fed([{ ts: 1717265699999, pnl: 1, volume: 1 }, { ts: 1717265700000, pnl: 2, volume: 1 }], { timeZone: 'Asia/Kathmandu' });
    expect(b.byDay().map((d) => [d.day, d.pnl])).toEqual([['2024-06-01', 1], ['2024-06-02', 2]]);
    expect(nonEmptyHours(b)).toMatchObject({ 0: { pnl: 2 }, 23: { pnl: 1 } });
  });

  it('keeps only the most recent days, even when a late trade opens an older day', () => {
    const b = fed(TRADES, { maxDays: 2 });
    expect(b.byDay().map((d) => d.day)).toEqual(['2024-03-10', '2024-03-11']);
    b.add({ ts: TS[0]!, pnl: 7, volume: 1 }); // 2024-03-09, older than both retained days: dropped from the days
    expect(b.byDay().map((d) => d.day)).toEqual(['2024-03-10', '2024-03-11']);
    b.add({ ts: TS[0]! + 1, pnl: 7, volume: 1 }); // the same quarter hour again: dropped again
    expect(b.byDay().map((d) => d.day)).toEqual(['2024-03-10', '2024-03-11']);
    expect(b.byHour()[23]!.trades).toBe(3); // hours keep all history
    const late = fed([TRADES[7]!, TRADES[0]!], { maxDays: 3 }); // 03-11 first, then 03-09
    expect(late.byDay().map((d) => d.day)).toEqual(['2024-03-09', '2024-03-11']);
  });

  it('books totals of several trades as those trades one by one', () => {
    const one = fed(TRADES, { timeZone: 'America/New_York' });
    const many = new TimeBuckets({ timeZone: 'America/New_York' });
    // Each trade booked as totals at its own time, the two trades of 03:10 UTC on 2024-03-10 together.
    for (const t of TRADES) many.addTotals(t.ts, { pnl: t.pnl, trades: 1, wins: t.pnl > 0 ? 1 : 0, volume: t.volume });
    expect(many.byHour()).toEqual(one.byHour());
    expect(many.byDay()).toEqual(one.byDay());
    const b = new TimeBuckets();
    b.addTotals(Date.UTC(2024, 2, 10, 3, 10), { pnl: 12.5, trades: 3, wins: 2, volume: 7 });
    b.add({ ts: Date.UTC(2024, 2, 10, 3, 50), pnl: -2.5, volume: 1 });
    expect(nonEmptyHours(b)).toEqual({ 3: totals([10, 4, 2, 8]) });
  });

  it('is empty before any trade', () => {
    const b = new TimeBuckets();
    expect(b.byDay()).toEqual([]);
    expect(b.byHour().every((h) => h.trades === 0 && h.pnl === 0)).toBe(true);
  });

  it('rejects an unknown time zone, a bad maxDays and non-finite values', () => {
    expect(() => new TimeBuckets({ timeZone: 'Mars/Olympus' })).toThrow(ValueError);
    expect(() => new TimeBuckets({ maxDays: 0 })).toThrow(ValueError);
    expect(() => new TimeBuckets().add({ ts: 0, pnl: NaN, volume: 1 })).toThrow(ValueError);
    for (const bad of [{ trades: -1 }, { trades: 1.5 }, { wins: -1 }, { volume: Infinity }]) {
      expect(() => new TimeBuckets().addTotals(0, { pnl: 1, trades: 1, wins: 0, volume: 1, ...bad })).toThrow(ValueError);
    }
  });
});
