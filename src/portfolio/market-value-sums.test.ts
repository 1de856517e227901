import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toBigInt } from '../core/exact.js';
import { Money, USD } from '../core/money.js';
import { Instrument } from '../model/instrument.js';
import type { OrderFilled } from '../model/order-events.js';
import { Portfolio } from './portfolio.js';

// Price and size precisions differ, and one multiplier scales values up, so market values are
// rounded per position and can leave the safe-integer range with large prices.
const INSTRUMENTS = [
  new Instrument({ symbol: 'A', assetClass: 'CRYPTO', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '0.001' }),
  new Instrument({ symbol: 'B', assetClass: 'FUTURE', quoteCurrency: 'USD', tickSize: '0.25', sizeStep: '1', multiplier: '50' }),
  new Instrument({ symbol: 'C', assetClass: 'FX', quoteCurrency: 'USD', tickSize: '0.00001', sizeStep: '0.01', multiplier: '0.1' }),
];

const step = fc.record({
  kind: fc.constantFrom('fill' as const, 'mark' as const, 'read' as const, 'peek' as const),
  inst: fc.integer({ min: 0, max: INSTRUMENTS.length - 1 }),
  // Mostly ordinary prices, sometimes ones that push a market value or the gross past 2^53.
  ticks: fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 2 ** 47 })),
  steps: fc.integer({ min: 1, max: 5_000 }),
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
});

/** Net, gross and open count summed from scratch in bigints. */
function bruteForce(portfolio: Portfolio): { net: bigint; gross: bigint; open: number } {
  let net = 0n;
  let gross = 0n;
  let open = 0;
  for (const p of portfolio.allPositions()) {
    if (p.qtyRaw === 0) continue;
    open++;
    const mv = p.marketValueRaw();
    net += mv;
    gross += mv < 0n ? -mv : mv;
  }
  return { net, gross, open };
}

describe('Portfolio market value sums (kept incrementally)', () => {
  it('equal a from-scratch bigint sum after any fills, marks, reads and peeks, across 2^53 and back (property)', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const portfolio = new Portfolio(Money.of('1000000', USD), INSTRUMENTS);
        steps.forEach((s, n) => {
          const inst = INSTRUMENTS[s.inst]!;
          const priceRaw = s.ticks * inst.tickSize.raw;
          if (s.kind === 'fill') {
            const fill: OrderFilled = {
              type: 'OrderFilled', clientOrderId: `o${n}`, instrumentId: inst.id, strategyId: 's', ts: n, venueOrderId: `v${n}`, tradeId: `t${n}`,
              side: s.side, lastQty: sizeOf(inst, s.steps), lastPx: priceOf(inst, priceRaw), fee: Money.of('0', USD), liquidity: 'TAKER',
            };
            portfolio.applyFill(fill);
          } else if (s.kind === 'mark') {
            portfolio.markRaw(inst.id, priceRaw);
          } else if (s.kind === 'peek') {
            // A peek reads the same equity and leaves the pending changes for the next read.
            expect(toBigInt(portfolio.peekEquityExact())).toBe(portfolio.cashRaw + bruteForce(portfolio).net);
          }
          // Reads are interleaved at random, so a refresh may find several changes queued.
          if (s.kind === 'read' || n === steps.length - 1) {
            const want = bruteForce(portfolio);
            expect(portfolio.exposureRaw()).toEqual({ grossRaw: want.gross, netRaw: want.net });
            expect(portfolio.equityRaw()).toBe(portfolio.cashRaw + want.net);
            expect(portfolio.openCount()).toBe(want.open);
            const num = portfolio.exposureNum();
            if (num !== undefined) expect({ gross: BigInt(num.gross), net: BigInt(num.net) }).toEqual({ gross: want.gross, net: want.net });
            else expect(want.gross > BigInt(Number.MAX_SAFE_INTEGER) || [...portfolio.allPositions()].some((p) => p.marketValueNum() === undefined)).toBe(true);
          }
        });
      }),
      { numRuns: 500, seed: 20_261_124 },
    );
  });

  it('leave the number path when safe market values add up past 2^53, exactly, and come back below it', () => {
    const specs = { assetClass: 'EQUITY', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '1' } as const;
    const [x, y] = [new Instrument({ symbol: 'X', ...specs }), new Instrument({ symbol: 'Y', ...specs })];
    const portfolio = new Portfolio(Money.of('1000000', USD), [x, y]);
    for (const inst of [x, y]) {
      portfolio.applyFill({
        type: 'OrderFilled', clientOrderId: `o-${inst.id}`, instrumentId: inst.id, strategyId: 's', ts: 1, venueOrderId: `v-${inst.id}`, tradeId: `t-${inst.id}`,
        side: 'BUY', lastQty: inst.quantity('1'), lastPx: inst.price('100.00'), fee: Money.of('0', USD), liquidity: 'TAKER',
      });
    }
    expect(portfolio.exposureNum()).toMatchObject({ gross: 20_000, net: 20_000 });
    // One unit at these prices is worth its raw price in cents: each value is safe, their sum (odd) is not.
    portfolio.markRaw(x.id, 5_404_319_552_844_595);
    expect(portfolio.exposureNum()).toMatchObject({ gross: 5_404_319_552_854_595 });
    portfolio.markRaw(y.id, 5_404_319_552_844_594);
    expect(portfolio.exposureNum()).toBeUndefined();
    expect(portfolio.exposureRaw()).toEqual({ grossRaw: 10_808_639_105_689_189n, netRaw: 10_808_639_105_689_189n });
    portfolio.markRaw(y.id, 10_001);
    expect(portfolio.exposureNum()).toMatchObject({ gross: 5_404_319_552_854_596, net: 5_404_319_552_854_596 });
  });

  it('tell value-change listeners nothing at a peek, and everything at the next read', () => {
    const portfolio = new Portfolio(Money.of('1000000', USD), INSTRUMENTS);
    const heard: string[] = [];
    portfolio.onValueChange((p) => heard.push(p.instrument.id));
    portfolio.equityExact();
    heard.length = 0;
    const a = INSTRUMENTS[0]!;
    portfolio.applyFill({
      type: 'OrderFilled', clientOrderId: 'o1', instrumentId: a.id, strategyId: 's', ts: 1, venueOrderId: 'v1', tradeId: 't1',
      side: 'BUY', lastQty: a.quantity('2'), lastPx: a.price('100.00'), fee: Money.of('0', USD), liquidity: 'TAKER',
    });
    portfolio.markRaw(a.id, a.price('110.00').raw);
    expect(toBigInt(portfolio.peekEquityExact())).toBe(100_002_000n);
    expect(heard).toEqual([]);
    expect(portfolio.equityRaw()).toBe(100_002_000n);
    expect(heard).toEqual([a.id]);
  });

  it('start over from an imported state', () => {
    const source = new Portfolio(Money.of('1000000', USD), INSTRUMENTS);
    const a = INSTRUMENTS[0]!;
    source.applyFill({
      type: 'OrderFilled', clientOrderId: 'o1', instrumentId: a.id, strategyId: 's', ts: 1, venueOrderId: 'v1', tradeId: 't1',
      side: 'BUY', lastQty: a.quantity('2'), lastPx: a.price('100.00'), fee: Money.of('0', USD), liquidity: 'TAKER',
    });
    source.markRaw(a.id, a.price('110.00').raw);
    const target = new Portfolio(Money.of('1000000', USD), INSTRUMENTS);
    expect(target.exposureRaw()).toEqual({ grossRaw: 0n, netRaw: 0n });
    target.importState(source.exportState());
    expect(target.exposureRaw()).toEqual({ grossRaw: 22_000n, netRaw: 22_000n });
    expect(target.openCount()).toBe(1);
    expect(target.equityRaw()).toBe(source.equityRaw());
  });
});

function priceOf(inst: Instrument, raw: number) {
  return inst.price((raw / 10 ** inst.pricePrecision).toFixed(inst.pricePrecision));
}

function sizeOf(inst: Instrument, steps: number) {
  return inst.quantity(((steps * inst.sizeStep.raw) / 10 ** inst.sizePrecision).toFixed(inst.sizePrecision));
}
