/**
 * Property tests for the exact accounting of Portfolio / Position.
 *
 * fast-check generates 1–3 instruments (random tick, size step, precisions, contract multiplier,
 * maker/taker fee rates including negative rebates, quote currency with 0, 2 or 8 decimals) and
 * a random script of steps: fills (random side, size, price, liquidity, sometimes a venue-reported
 * fee), fills that exactly flatten a position, marks to random prices, and replays of fills
 * already applied. After every step a small independent model (plain sums over the fills) is
 * compared with the portfolio, and the invariants below are checked with bigint equality:
 *
 *  I1  equity identity   cash + Σ market value = initial + Σ realized + Σ unrealized − Σ fees
 *                        (from the raw fields and from the published snapshot).
 *  I2  cash ledger       cash = initial − Σ_fills (side × notional(fill) + fee): cash moves only
 *                        by what the fills say, rounded once per fill.
 *  I3  size              each position's signed size = signed sum of its fill sizes.
 *  I4  fees              each position's fees = sum of its fill fees.
 *  I5  conservation      per position, realized − cost basis = −Σ side × notional: a fill's
 *                        notional is split between released basis / realized P&L / new basis
 *                        without creating or losing a minor unit. When flat the cost basis is 0,
 *                        so realized = proceeds − purchases exactly.
 *  I6  lives             total realized = Σ closed-life realized + realized of the open life,
 *                        and likewise for fees; both "open life" parts are 0 when flat. Each
 *                        closed life gets all of the realized P&L of the fill that closes it, and
 *                        of that fill's fee the share closeQty/qty, rounded to the nearest unit.
 *  I7  closed records    side, strategy, open/close time, duration, max size, net = realized −
 *                        fees, and average entry/exit prices within half a price unit of the
 *                        exact size-weighted averages (and inside [min, max] of the fill prices).
 *  I8  avgPx             the open position's avgPx is the average-cost entry price: the exact
 *                        rational Σ price × size of the open quantity (each reduction keeping
 *                        the remaining share) over the size, to within half a price unit plus
 *                        the half unit of price × size each partial reduction may round away;
 *                        and inside [min, max] of the open life's entry prices. (Not cost basis
 *                        / size: the basis is rounded to the currency's minor unit per fill.)
 *  I9  idempotence       a fill whose trade id was already applied changes nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDecimal, parseDecimal } from '../core/decimal.js';
import { Money, currency, currencyOf } from '../core/money.js';
import { Price } from '../core/price.js';
import { Quantity } from '../core/quantity.js';
import type { LiquiditySide, OrderSide } from '../model/enums.js';
import { Instrument, formatFeeRate } from '../model/instrument.js';
import type { OrderFilled } from '../model/order-events.js';
import { Portfolio } from './portfolio.js';
import type { ClosedPosition } from './snapshots.js';

// A test currency without decimals (ISO 4217 "XTS" is reserved for testing), so notionals and
// fees are rounded hard; USD has 2 decimals and USDT 8.
currency('XTS', 0);

const NUM_RUNS = 300;

// ---------------------------------------------------------------------------------------------
// Generators

interface InstrumentParams {
  pricePrecision: number;
  tickUnits: number;
  sizePrecision: number;
  stepUnits: number;
  multiplier: string;
  makerRate: number;
  takerRate: number;
}

const instrumentParams: fc.Arbitrary<InstrumentParams> = fc.record({
  pricePrecision: fc.integer({ min: 0, max: 4 }),
  tickUnits: fc.constantFrom(1, 2, 5, 25, 50), // tick = tickUnits × 10^-pricePrecision (0.05, 0.5, 0.25…)
  sizePrecision: fc.integer({ min: 0, max: 4 }),
  stepUnits: fc.constantFrom(1, 5, 10, 25),
  multiplier: fc.constantFrom('1', '50', '0.1', '0.001', '2.5', '100', '0.25'),
  // Rates in units of 1e-8: maker from −0.05 % (rebate) to 0.2 %, taker from −0.01 % to 1 %;
  // any integer, so odd rates such as 0.00012345 occur.
  makerRate: fc.integer({ min: -50_000, max: 200_000 }),
  takerRate: fc.integer({ min: -10_000, max: 1_000_000 }),
});

type Step =
  | { kind: 'fill'; inst: number; side: OrderSide; qtySteps: number; pxTicks: number; liquidity: LiquiditySide; venueFee: number | null; strategy: string }
  | { kind: 'flatten'; inst: number; pxTicks: number; liquidity: LiquiditySide }
  | { kind: 'mark'; inst: number; pxTicks: number }
  | { kind: 'replay'; pick: number };

/** Prices in ticks: mostly positive, occasionally ≤ 0 (spreads and some futures go negative). */
const pxTicks = fc.integer({ min: -20, max: 3000 });

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('fill' as const),
      inst: fc.nat(2),
      side: fc.constantFrom<OrderSide>('BUY', 'SELL'),
      // Small sizes often, so positions cross zero often; sometimes large ones.
      qtySteps: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 400 })),
      pxTicks,
      liquidity: fc.constantFrom<LiquiditySide>('MAKER', 'TAKER'),
      // A venue-reported fee in minor units (may be a rebate), instead of the instrument's.
      venueFee: fc.option(fc.integer({ min: -99, max: 999 }), { freq: 4 }),
      strategy: fc.constantFrom('S1', 'S2'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flatten' as const), inst: fc.nat(2), pxTicks, liquidity: fc.constantFrom<LiquiditySide>('MAKER', 'TAKER') }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('mark' as const), inst: fc.nat(2), pxTicks }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replay' as const), pick: fc.nat() }) },
);

const scenario = fc.record({
  ccy: fc.constantFrom('USD', 'USDT', 'XTS'),
  instruments: fc.array(instrumentParams, { minLength: 1, maxLength: 3 }),
  steps: fc.array(step, { minLength: 1, maxLength: 60 }),
});

function buildInstrument(p: InstrumentParams, i: number, ccy: string): Instrument {
  return new Instrument({
    symbol: `I${i}`,
    assetClass: 'FUTURE',
    quoteCurrency: ccy,
    tickSize: formatDecimal(p.tickUnits, p.pricePrecision),
    sizeStep: formatDecimal(p.stepUnits, p.sizePrecision),
    multiplier: p.multiplier,
    makerFee: formatFeeRate(BigInt(p.makerRate)),
    takerFee: formatFeeRate(BigInt(p.takerRate)),
  });
}

// ---------------------------------------------------------------------------------------------
// The independent model: plain sums over the fills, and the bookkeeping of the current life.

interface LifeModel {
  side: 'LONG' | 'SHORT';
  strategyId: string;
  openedAt: number;
  maxAbsQty: number;
  entryPxQty: bigint;
  entryQty: bigint;
  entryMin: number;
  entryMax: number;
  exitPxQty: bigint;
  exitQty: bigint;
  exitMin: number;
  exitMax: number;
}

interface InstrumentModel {
  signedQty: number;
  fees: bigint;
  /** Σ side × notional over the fills: purchases minus proceeds. */
  flow: bigint;
  closedRealized: bigint;
  closedFees: bigint;
  life: LifeModel | undefined;
  /** Σ price × size of the open quantity as an exact fraction openNum / openDen (average cost). */
  openNum: bigint;
  openDen: bigint;
  /** Partial reductions since the position was last flat (each may round the open value by ½). */
  partialReductions: number;
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

/** |value − num/den| ≤ ½ in exact integer arithmetic (den > 0): value is a nearest integer to num/den. */
function isNearest(value: bigint, num: bigint, den: bigint): boolean {
  return abs(value * den - num) * 2n <= den;
}

function newLife(side: 'LONG' | 'SHORT', f: OrderFilled): LifeModel {
  return {
    side, strategyId: f.strategyId, openedAt: f.ts, maxAbsQty: 0,
    entryPxQty: 0n, entryQty: 0n, entryMin: Infinity, entryMax: -Infinity,
    exitPxQty: 0n, exitQty: 0n, exitMin: Infinity, exitMax: -Infinity,
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * Runs steps against the portfolio and the model. `pxScale` multiplies every price and
 * `initialCapital` sets the cash: large values carry the portfolio's amounts across 2^53, where
 * its accumulators move between their number and bigint forms (core/exact.ts).
 */
function runScenario(ccyCode: string, params: InstrumentParams[], steps: Step[], opts: { pxScale?: number; initialCapital?: string } = {}): void {
  const ccy = currencyOf(ccyCode);
  const instruments = params.map((p, i) => buildInstrument(p, i, ccyCode));
  const initial = Money.of(opts.initialCapital ?? '1000000', ccy);
  const pxScale = opts.pxScale ?? 1;
  const pf = new Portfolio(initial, instruments);
  const models: InstrumentModel[] = instruments.map(() => ({
    signedQty: 0, fees: 0n, flow: 0n, closedRealized: 0n, closedFees: 0n, life: undefined, openNum: 0n, openDen: 1n, partialReductions: 0,
  }));
  const applied: OrderFilled[] = [];
  let expectedCash = initial.raw;
  let ts = 1_700_000_000_000;
  let seq = 0;

  const makeFill = (i: number, side: OrderSide, qtyRaw: number, pxRaw: number, liquidity: LiquiditySide, venueFee: number | null, strategyId: string): OrderFilled => {
    const inst = instruments[i]!;
    const lastQty = Quantity.fromRaw(qtyRaw, inst.sizePrecision);
    const lastPx = Price.fromRaw(pxRaw, inst.pricePrecision);
    seq++;
    return {
      type: 'OrderFilled', clientOrderId: `C${seq}`, instrumentId: inst.id, strategyId, ts,
      venueOrderId: `V${seq}`, tradeId: `T${seq}`, side, lastQty, lastPx,
      fee: venueFee === null ? inst.fee(lastPx, lastQty, liquidity) : Money.fromRaw(BigInt(venueFee), ccy),
      liquidity,
    };
  };

  const applyAndCheck = (f: OrderFilled, i: number): void => {
    const inst = instruments[i]!;
    const m = models[i]!;
    const position = pf.position(inst.id)!;
    const s = f.side === 'BUY' ? 1 : -1;
    const q = f.lastQty.raw;
    const px = f.lastPx.raw;
    const before = m.signedQty;
    const feesBefore = position.feesRaw;
    const realizedBefore = position.realizedRaw;

    const out = pf.applyFill(f);
    expect(out).toBeDefined();
    applied.push(f);

    // The model: sums over fills.
    const notional = inst.notionalRaw(px, q);
    expectedCash -= BigInt(s) * notional + f.fee.raw;
    m.signedQty += s * q;
    m.fees += f.fee.raw;
    m.flow += BigInt(s) * notional;

    const reducing = before !== 0 && Math.sign(before) !== s;
    const closeQty = reducing ? Math.min(q, Math.abs(before)) : 0;
    const openQty = q - closeQty;
    if (closeQty > 0) {
      const life = m.life!;
      life.exitPxQty += BigInt(px) * BigInt(closeQty);
      life.exitQty += BigInt(closeQty);
      life.exitMin = Math.min(life.exitMin, px);
      life.exitMax = Math.max(life.exitMax, px);
    }
    const closesLife = closeQty > 0 && closeQty === Math.abs(before);
    if (closesLife) {
      m.openNum = 0n;
      m.openDen = 1n;
      m.partialReductions = 0;
    } else if (closeQty > 0) {
      m.openNum *= BigInt(Math.abs(before) - closeQty);
      m.openDen *= BigInt(Math.abs(before));
      m.partialReductions++;
    }
    if (openQty > 0) m.openNum += m.openDen * BigInt(px) * BigInt(openQty);

    if (closesLife) {
      // I6/I7: the fill closes the current life.
      const life = m.life!;
      const c: ClosedPosition | undefined = out!.closed;
      expect(c).toBeDefined();
      expect(pf.closedPositions.at(-1)).toBe(c);
      // All of this fill's realized P&L belongs to the closing life (a new life realizes nothing
      // on the fill that opens it): closed realized = realized since the previous close.
      expect(c!.realized.raw).toBe(position.realizedRaw - m.closedRealized);
      // Fees: the life's fees before this fill, plus this fill's share closeQty/q of its fee,
      // rounded to the nearest minor unit.
      const lifeFeesBefore = feesBefore - m.closedFees;
      const closeShare = c!.fees.raw - lifeFeesBefore;
      if (closeQty === q) expect(closeShare).toBe(f.fee.raw);
      else expect(isNearest(closeShare, f.fee.raw * BigInt(closeQty), BigInt(q))).toBe(true);
      expect(c!.netPnl.raw).toBe(c!.realized.raw - c!.fees.raw);
      expect(c!.realized.currency).toBe(ccy);
      expect(c!.instrumentId).toBe(inst.id);
      expect(c!.side).toBe(life.side);
      expect(c!.strategyId).toBe(life.strategyId);
      expect(c!.openedAt).toBe(life.openedAt);
      expect(c!.closedAt).toBe(f.ts);
      expect(c!.durationMs).toBe(f.ts - life.openedAt);
      expect(c!.maxQuantity).toBe(formatDecimal(life.maxAbsQty, inst.sizePrecision));
      // Average prices: nearest price unit to the exact size-weighted average, within [min, max].
      const avgEntry = parseDecimal(c!.avgEntryPx, inst.pricePrecision, 'avgEntryPx');
      const avgExit = parseDecimal(c!.avgExitPx, inst.pricePrecision, 'avgExitPx');
      expect(isNearest(avgEntry, life.entryPxQty, life.entryQty)).toBe(true);
      expect(isNearest(avgExit, life.exitPxQty, life.exitQty)).toBe(true);
      expect(avgEntry >= BigInt(life.entryMin) && avgEntry <= BigInt(life.entryMax)).toBe(true);
      expect(avgExit >= BigInt(life.exitMin) && avgExit <= BigInt(life.exitMax)).toBe(true);
      m.closedRealized += c!.realized.raw;
      m.closedFees += c!.fees.raw;
      m.life = undefined;
    } else {
      expect(out!.closed).toBeUndefined();
      // A fill that does not close a life realizes P&L only if it reduces the position.
      if (closeQty === 0) expect(position.realizedRaw).toBe(realizedBefore);
    }

    if (openQty > 0) {
      m.life ??= newLife(s > 0 ? 'LONG' : 'SHORT', f);
      const life = m.life;
      life.entryPxQty += BigInt(px) * BigInt(openQty);
      life.entryQty += BigInt(openQty);
      life.entryMin = Math.min(life.entryMin, px);
      life.entryMax = Math.max(life.entryMax, px);
      life.maxAbsQty = Math.max(life.maxAbsQty, Math.abs(m.signedQty));
    }
  };

  const checkInvariants = (): void => {
    let sumMv = 0n;
    let sumAbsMv = 0n;
    let sumRealized = 0n;
    let sumUnrealized = 0n;
    let sumFees = 0n;
    instruments.forEach((inst, i) => {
      const p = pf.position(inst.id)!;
      const m = models[i]!;
      // I3, I4
      expect(p.qtyRaw).toBe(m.signedQty);
      expect(pf.netQtyRaw(inst.id)).toBe(m.signedQty);
      expect(p.feesRaw).toBe(m.fees);
      // I5
      expect(p.realizedRaw - p.costRaw).toBe(-m.flow);
      // I6: open-life parts are what the closed lives do not account for; zero when flat.
      if (p.qtyRaw === 0) {
        expect(p.side).toBe('FLAT');
        expect(p.costRaw).toBe(0n);
        expect(p.realizedRaw).toBe(m.closedRealized);
        expect(p.feesRaw).toBe(m.closedFees);
        expect(p.realizedRaw).toBe(-m.flow);
        expect(p.avgPx()).toBeUndefined();
        expect(m.life).toBeUndefined();
      } else {
        expect(p.side).toBe(p.qtyRaw > 0 ? 'LONG' : 'SHORT');
        expect(m.life?.side).toBe(p.side);
        // I8: |avg − openNum / (openDen × size)| ≤ ½ + partialReductions / (2 × size), in integers.
        const avg = parseDecimal(p.avgPx()!, inst.pricePrecision, 'avgPx');
        const size = BigInt(Math.abs(p.qtyRaw));
        expect(abs(avg * m.openDen * size - m.openNum) * 2n <= m.openDen * (size + BigInt(m.partialReductions))).toBe(true);
        expect(avg >= BigInt(m.life!.entryMin) && avg <= BigInt(m.life!.entryMax)).toBe(true);
      }
      const mv = p.marketValueRaw();
      if (p.qtyRaw !== 0 && p.markRaw !== undefined) expect(mv).toBe(inst.notionalRaw(p.markRaw, p.qtyRaw));
      sumMv += mv;
      sumAbsMv += mv < 0n ? -mv : mv;
      sumRealized += p.realizedRaw;
      sumUnrealized += p.unrealizedRaw();
      sumFees += p.feesRaw;
    });
    // I2
    expect(pf.cashRaw).toBe(expectedCash);
    // I1 from the raw fields
    expect(pf.cashRaw + sumMv).toBe(initial.raw + sumRealized + sumUnrealized - sumFees);
    expect(pf.equityRaw()).toBe(pf.cashRaw + sumMv);
    expect(pf.exposureRaw()).toEqual({ grossRaw: sumAbsMv, netRaw: sumMv });
    // I1 from the published snapshot
    const snap = pf.snapshot(ts);
    expect(snap.cash.raw).toBe(pf.cashRaw);
    expect(snap.equity.raw).toBe(snap.cash.raw + snap.netExposure.raw);
    expect(snap.equity.raw).toBe(initial.raw + snap.realized.raw + snap.unrealized.raw - snap.fees.raw);
    expect(snap.realized.raw).toBe(sumRealized);
    expect(snap.fees.raw).toBe(sumFees);
    expect(snap.openPositions).toBe(models.filter((m) => m.signedQty !== 0).length);
  };

  for (const st of steps) {
    ts += 1000;
    if (st.kind === 'replay') {
      // I9: replaying an applied fill (same trade id) changes nothing.
      if (applied.length === 0) continue;
      const f = applied[st.pick % applied.length]!;
      const before = pf.snapshot(ts);
      const positionsBefore = instruments.map((inst) => pf.position(inst.id)!.snapshot(ts));
      const closedBefore = pf.closedPositions.length;
      expect(pf.applyFill(f)).toBeUndefined();
      expect(pf.applyFill({ ...f, ts })).toBeUndefined();
      expect(pf.snapshot(ts)).toEqual(before);
      expect(instruments.map((inst) => pf.position(inst.id)!.snapshot(ts))).toEqual(positionsBefore);
      expect(pf.closedPositions.length).toBe(closedBefore);
    } else {
      const i = st.inst % instruments.length;
      const inst = instruments[i]!;
      const pxRaw = st.pxTicks * inst.tickSize.raw * pxScale;
      if (st.kind === 'mark') {
        pf.markRaw(inst.id, pxRaw);
      } else if (st.kind === 'flatten') {
        const q = models[i]!.signedQty;
        if (q === 0) continue;
        applyAndCheck(makeFill(i, q > 0 ? 'SELL' : 'BUY', Math.abs(q), pxRaw, st.liquidity, null, 'S1'), i);
      } else {
        applyAndCheck(makeFill(i, st.side, st.qtySteps * inst.sizeStep.raw, pxRaw, st.liquidity, st.venueFee, st.strategy), i);
      }
    }
    checkInvariants();
  }
}

describe('Portfolio accounting (property)', () => {
  it('keeps every accounting invariant exact after every fill, mark and duplicate fill', () => {
    fc.assert(
      fc.property(scenario, ({ ccy, instruments, steps }) => runScenario(ccy, instruments, steps)),
      { numRuns: NUM_RUNS },
    );
  });

  it('keeps the invariants through long back-and-forth sequences on one instrument', () => {
    // Few instruments and many small fills: positions flip through zero and flatten often.
    const oneInstrument = fc.record({
      ccy: fc.constantFrom('USD', 'XTS'),
      instruments: fc.array(instrumentParams, { minLength: 1, maxLength: 1 }),
      steps: fc.array(step, { minLength: 50, maxLength: 150 }),
    });
    fc.assert(
      fc.property(oneInstrument, ({ ccy, instruments, steps }) => runScenario(ccy, instruments, steps)),
      { numRuns: 100 },
    );
  });

  it('keeps the invariants with amounts across 2^53 (cash, cost basis and P&L change form on the way)', () => {
    // Cash starts just below 2^53 minor units; prices up to ~10^14 raw make notionals beyond it.
    const large = fc.record({
      ccy: fc.constantFrom('USD', 'XTS'),
      instruments: fc.array(instrumentParams, { minLength: 1, maxLength: 2 }),
      steps: fc.array(step, { minLength: 10, maxLength: 60 }),
      pxScale: fc.constantFrom(1, 1_000, 1_000_000_000),
    });
    fc.assert(
      fc.property(large, ({ ccy, instruments, steps, pxScale }) => runScenario(ccy, instruments, steps, { pxScale, initialCapital: '90071992547409' })),
      { numRuns: 200 },
    );
  });

  it('closes every life once: after flattening everything, Σ closed net P&L = equity − initial capital', () => {
    fc.assert(
      fc.property(scenario, ({ ccy, instruments, steps }) => {
        const c = currencyOf(ccy);
        const insts = instruments.map((p, i) => buildInstrument(p, i, ccy));
        const initial = Money.of('1000000', c);
        const pf = new Portfolio(initial, insts);
        let seq = 0;
        const fillOf = (inst: Instrument, side: OrderSide, qtyRaw: number, pxRaw: number, liquidity: LiquiditySide): OrderFilled => {
          const lastQty = Quantity.fromRaw(qtyRaw, inst.sizePrecision);
          const lastPx = Price.fromRaw(pxRaw, inst.pricePrecision);
          seq++;
          return {
            type: 'OrderFilled', clientOrderId: `C${seq}`, instrumentId: inst.id, strategyId: 'S', ts: seq,
            venueOrderId: `V${seq}`, tradeId: `T${seq}`, side, lastQty, lastPx, fee: inst.fee(lastPx, lastQty, liquidity), liquidity,
          };
        };
        for (const st of steps) {
          if (st.kind !== 'fill') continue;
          const inst = insts[st.inst % insts.length]!;
          pf.applyFill(fillOf(inst, st.side, st.qtySteps * inst.sizeStep.raw, st.pxTicks * inst.tickSize.raw, st.liquidity));
        }
        for (const inst of insts) {
          const q = pf.netQtyRaw(inst.id);
          if (q !== 0) pf.applyFill(fillOf(inst, q > 0 ? 'SELL' : 'BUY', Math.abs(q), inst.tickSize.raw * 7, 'TAKER'));
        }
        // Flat everywhere: equity is cash, and every minor unit of P&L and fees sits in exactly one
        // closed position record.
        let net = 0n;
        for (const cp of pf.closedPositions) net += cp.netPnl.raw;
        expect(pf.openPositions()).toEqual([]);
        expect(pf.equityRaw()).toBe(pf.cashRaw);
        expect(net).toBe(pf.cashRaw - initial.raw);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
