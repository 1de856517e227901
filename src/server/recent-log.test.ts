/**
 * RecentLog and the pagination rule: sequence numbers survive wrap-around, pages partition the
 * kept items exactly (no item twice, none skipped) for any page size and filter, and items
 * appended between pages do not shift later pages.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentLog, pageArray } from './recent-log.js';

interface Item {
  n: number;
  ts: number;
  sym: string;
}
const fields = { ts: (i: Item) => i.ts, symbol: (i: Item) => i.sym };
const item = (n: number): Item => ({ n, ts: 1000 + Math.floor(n / 3), sym: n % 3 === 0 ? 'A' : 'B' });

function allPages(log: RecentLog<Item>, limit: number, symbol?: string, from?: number, to?: number): Item[][] {
  const pages: Item[][] = [];
  let cursor: number | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const p = log.page({ limit, cursor, symbol, from, to });
    pages.push(p.items);
    if (p.nextCursor === null) return pages;
    cursor = Number(p.nextCursor);
  }
  throw new Error('pagination did not end');
}

describe('RecentLog', () => {
  it('keeps the last `capacity` items with their sequence numbers across wrap-around', () => {
    const log = new RecentLog<Item>(5, fields);
    for (let n = 1; n <= 12; n++) log.push(item(n));
    expect(log.size).toBe(5);
    expect(log.lastSeq).toBe(12);
    expect(log.at(7)).toBeUndefined();
    expect([8, 9, 10, 11, 12].map((s) => log.at(s)!.n)).toEqual([8, 9, 10, 11, 12]);
    expect(log.latest(3).map((i) => i.n)).toEqual([10, 11, 12]);
    expect(log.latest(99).map((i) => i.n)).toEqual([8, 9, 10, 11, 12]);
  });

  it('pages partition the kept, filtered items newest first, for any sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 80 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom(undefined, 'A', 'B'), fc.option(fc.integer({ min: 1000, max: 1030 }), { nil: undefined }), (capacity, count, limit, symbol, from) => {
        const log = new RecentLog<Item>(capacity, fields);
        for (let n = 1; n <= count; n++) log.push(item(n));
        const pages = allPages(log, limit, symbol, from);
        const seen = pages.flat().map((i) => i.n);
        const expected: number[] = [];
        for (let n = count; n > Math.max(0, count - capacity); n--) {
          const it = item(n);
          if ((symbol === undefined || it.sym === symbol) && (from === undefined || it.ts >= from)) expected.push(n);
        }
        expect(seen).toEqual(expected);
        for (const p of pages.slice(0, -1)) expect(p).toHaveLength(limit);
        expect(pages.at(-1)!.length).toBeGreaterThan(pages.length === 1 ? -1 : 0);
      }),
    );
  });

  it('items appended between pages do not shift the next page', () => {
    const log = new RecentLog<Item>(100, fields);
    for (let n = 1; n <= 10; n++) log.push(item(n));
    const first = log.page({ limit: 4 });
    for (let n = 11; n <= 15; n++) log.push(item(n));
    const second = log.page({ limit: 4, cursor: Number(first.nextCursor) });
    expect(first.items.map((i) => i.n)).toEqual([10, 9, 8, 7]);
    expect(second.items.map((i) => i.n)).toEqual([6, 5, 4, 3]);
  });

  it('pageArray numbers a fixed list and honours from', () => {
    const list = [1, 2, 3, 4, 5].map(item);
    expect(pageArray(list, fields, { limit: 2 }).items.map((i) => i.n)).toEqual([5, 4]);
    expect(pageArray(list, fields, { limit: 10, from: 1001 }).items.map((i) => i.n)).toEqual([5, 4, 3]);
  });
});
