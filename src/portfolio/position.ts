/**
 * Position: the netted holding of one instrument, with exact accounting.
 *
 * Cost basis is kept as the exact signed sum of the open quantity's fill notionals (not an
 * average price), so that: cash + market value = initial + realized + unrealized − fees holds
 * to the minor unit after any sequence of fills. A reducing fill releases the closed share of the
 * cost basis (rounded once); a fill larger than the position closes it and opens the other side.
 * The average entry price comes from a second sum kept in price × size units, exact where the
 * cost basis (in minor units of the currency) is rounded to the cent at each fill.
 * Amounts are raw minor units held as Exact (core/exact.ts): numbers while they are safe
 * integers, so that a fill's accounting allocates no bigint in the usual case.
 */
import { divRound, formatDecimal, pow10 } from '../core/decimal.js';
import { type Exact, addExact, exact, mulDivRound, mulExact, negExact, subExact, toBigInt } from '../core/exact.js';
import { Money } from '../core/money.js';
import type { PositionSide } from '../model/enums.js';
import { sideSign } from '../model/enums.js';
import type { Instrument } from '../model/instrument.js';
import type { OrderFilled } from '../model/order-events.js';
import type { MarketValueSums, SummedPosition } from './market-value-sums.js';
import type { ClosedPosition, PositionSnapshot } from './snapshots.js';

/** Bookkeeping for the current life of the position (open to flat), for closed-position history. */
interface Life {
  side: 'LONG' | 'SHORT';
  strategyId: string;
  openedAt: number;
  maxQtyRaw: number;
  /** Σ price.raw × qty.raw of the fills that opened (entry) and closed (exit) it. */
  entryValue: Exact;
  entryQtyRaw: number;
  exitValue: Exact;
  exitQtyRaw: number;
  realized: Exact;
  fees: Exact;
}

/** A position's complete accounting state as plain JSON (bigints as decimal strings of raw units). */
export interface PositionState {
  readonly instrumentId: string;
  readonly qtyRaw: number;
  readonly costRaw: string;
  /**
   * Σ price.raw × qty.raw of the open quantity (see Position.avgPx). Absent in states written
   * before it existed: it is then derived from the cost basis, to the minor unit.
   */
  readonly openValueRaw?: string;
  readonly realizedRaw: string;
  readonly feesRaw: string;
  readonly markRaw: number | undefined;
  readonly life?: {
    readonly side: 'LONG' | 'SHORT';
    readonly strategyId: string;
    readonly openedAt: number;
    readonly maxQtyRaw: number;
    readonly entryValueRaw: string;
    readonly entryQtyRaw: number;
    readonly exitValueRaw: string;
    readonly exitQtyRaw: number;
    readonly realizedRaw: string;
    readonly feesRaw: string;
  };
}

/** What a fill did: the cash change (raw minor units, fees included) and the position life it closed, if any. */
export interface FillEffect {
  readonly cashDelta: Exact;
  readonly closed: ClosedPosition | undefined;
}

export class Position implements SummedPosition {
  /** Signed quantity in raw size units (negative when short). */
  qtyRaw = 0;
  /** Signed cost basis of the open quantity. */
  private cost: Exact = 0;
  /**
   * Σ price.raw × qty.raw of the open quantity, unsigned: a reduction releases its share (rounded
   * once), so the average entry price holds through reductions, as the cost basis does.
   */
  private openValue: Exact = 0;
  private realized: Exact = 0;
  private fees: Exact = 0;
  private mark: number | undefined;
  private life: Life | undefined;
  /**
   * Market value last computed, with the quantity and mark it was computed for (risk checks and
   * equity sums ask often between this instrument's quotes): as a number while safe, and as a
   * bigint once asked for. The mark starts as NaN, equal to no price, rather than undefined: a
   * field that only ever holds numbers lets V8 compare it as a number (with undefined in it, the
   * comparison on every re-valuation was a call to its generic equality).
   */
  private mvQtyRaw = 0;
  private mvMarkRaw = NaN;
  private mvNum: number | undefined;
  private mvBig: bigint | undefined;
  sumQueued = false;
  summedMv = 0;
  summedOpen = false;

  /** `sums`: the owning portfolio's market value sums, told of every change to this position's value. */
  constructor(
    readonly instrument: Instrument,
    private readonly sums?: MarketValueSums<Position>,
  ) {}

  /** The strategy whose fill opened the current position life; undefined while flat. */
  get openedBy(): string | undefined {
    return this.life?.strategyId;
  }

  /** Latest price, raw at the instrument's price precision. */
  get markRaw(): number | undefined {
    return this.mark;
  }

  set markRaw(px: number | undefined) {
    if (px === this.mark) return;
    this.mark = px;
    // A flat position's market value is 0 whatever its mark.
    if (this.qtyRaw !== 0) this.sums?.note(this);
  }

  /** Signed cost basis of the open quantity in raw minor units. */
  get costRaw(): bigint {
    return toBigInt(this.cost);
  }

  get realizedRaw(): bigint {
    return toBigInt(this.realized);
  }

  get feesRaw(): bigint {
    return toBigInt(this.fees);
  }

  /** Realized P&L as an Exact, for readers on the fill path (no bigint made). */
  get realizedExact(): Exact {
    return this.realized;
  }

  /** Fees paid as an Exact, for readers on the fill path (no bigint made). */
  get feesExact(): Exact {
    return this.fees;
  }

  get side(): PositionSide {
    return this.qtyRaw > 0 ? 'LONG' : this.qtyRaw < 0 ? 'SHORT' : 'FLAT';
  }

  get isOpen(): boolean {
    return this.qtyRaw !== 0;
  }

  /** Signed market value of the open quantity at the mark price (0 without a mark). */
  marketValueRaw(): bigint {
    if (this.qtyRaw === 0) return 0n;
    const px = this.mark;
    if (px === undefined) return this.costRaw;
    const num = this.marketValueNum();
    return (this.mvBig ??= num !== undefined ? BigInt(num) : this.instrument.notionalRaw(px, this.qtyRaw));
  }

  /**
   * marketValueRaw() as a number while it is a safe integer (exact), else undefined: sums over
   * positions (exposure, equity) run per order and per fill, and add numbers without allocating.
   */
  marketValueNum(): number | undefined {
    const qty = this.qtyRaw;
    if (qty === 0) return 0;
    const px = this.mark;
    if (px === undefined) return typeof this.cost === 'number' ? this.cost : undefined;
    if (px !== this.mvMarkRaw || qty !== this.mvQtyRaw) {
      this.mvNum = this.instrument.notionalNum(px, qty);
      this.mvBig = undefined;
      this.mvMarkRaw = px;
      this.mvQtyRaw = qty;
    }
    return this.mvNum;
  }

  unrealizedRaw(): bigint {
    return this.marketValueRaw() - this.costRaw;
  }

  /** Applies a fill; returns the cash change and the position life it closed, if any. */
  applyFill(fill: OrderFilled): FillEffect {
    const s = sideSign(fill.side);
    const q = fill.lastQty.raw;
    const px = fill.lastPx.raw;
    const inst = this.instrument;
    const notional: Exact = inst.notionalNum(px, q) ?? exact(inst.notionalRaw(px, q));
    const fee = exact(fill.fee.raw);
    let closed: ClosedPosition | undefined;
    this.fees = addExact(this.fees, fee);
    this.markRaw ??= px;

    const held = Math.abs(this.qtyRaw);
    const reducing = this.qtyRaw !== 0 && Math.sign(this.qtyRaw) !== s;
    const closeQty = reducing ? Math.min(q, held) : 0;
    const openQty = q - closeQty;
    const closeNotional = closeQty === q ? notional : mulDivRound(notional, closeQty, q);
    const closeFee = closeQty === q ? fee : mulDivRound(fee, closeQty, q);

    if (closeQty > 0) {
      const life = this.life!;
      const closedCost = closeQty === held ? this.cost : mulDivRound(this.cost, closeQty, held);
      const realized = subExact(s > 0 ? negExact(closeNotional) : closeNotional, closedCost);
      this.realized = addExact(this.realized, realized);
      this.cost = closeQty === held ? 0 : subExact(this.cost, closedCost);
      this.openValue = closeQty === held ? 0 : subExact(this.openValue, mulDivRound(this.openValue, closeQty, held));
      this.qtyRaw += s * closeQty;
      life.realized = addExact(life.realized, realized);
      life.fees = addExact(life.fees, closeFee);
      life.exitValue = addExact(life.exitValue, mulExact(px, closeQty));
      life.exitQtyRaw += closeQty;
      if (this.qtyRaw === 0) {
        closed = this.closeLife(life, fill.ts);
        this.life = undefined;
      }
    }
    if (openQty > 0) {
      const openNotional = closeQty === 0 ? notional : subExact(notional, closeNotional);
      this.cost = s > 0 ? addExact(this.cost, openNotional) : subExact(this.cost, openNotional);
      this.openValue = addExact(this.openValue, mulExact(px, openQty));
      this.qtyRaw += s * openQty;
      this.life ??= {
        side: s > 0 ? 'LONG' : 'SHORT',
        strategyId: fill.strategyId,
        openedAt: fill.ts,
        maxQtyRaw: 0,
        entryValue: 0,
        entryQtyRaw: 0,
        exitValue: 0,
        exitQtyRaw: 0,
        realized: 0,
        fees: 0,
      };
      const life = this.life;
      life.entryValue = addExact(life.entryValue, mulExact(px, openQty));
      life.entryQtyRaw += openQty;
      life.fees = addExact(life.fees, closeQty === 0 ? fee : subExact(fee, closeFee));
      life.maxQtyRaw = Math.max(life.maxQtyRaw, Math.abs(this.qtyRaw));
    }
    this.sums?.note(this);
    return { cashDelta: subExact(s > 0 ? negExact(notional) : notional, fee), closed };
  }

  /**
   * Average entry price of the open quantity, rounded half away from zero to the price precision:
   * the size-weighted mean of the entry prices, unchanged by reductions (average cost).
   */
  avgPx(): string | undefined {
    if (this.qtyRaw === 0) return undefined;
    return formatDecimal(mulDivRound(this.openValue, 1, Math.abs(this.qtyRaw)), this.instrument.pricePrecision);
  }

  /** Σ price.raw × qty.raw of the open quantity, exact (see avgPx). */
  get openValueRaw(): bigint {
    return toBigInt(this.openValue);
  }

  snapshot(ts: number): PositionSnapshot {
    const ccy = this.instrument.quoteCurrency;
    return {
      instrumentId: this.instrument.id,
      side: this.side,
      quantity: formatDecimal(this.qtyRaw, this.instrument.sizePrecision),
      avgPx: this.avgPx(),
      markPx: this.markRaw === undefined ? undefined : formatDecimal(this.markRaw, this.instrument.pricePrecision),
      realized: Money.fromRaw(this.realizedRaw, ccy),
      unrealized: Money.fromRaw(this.unrealizedRaw(), ccy),
      fees: Money.fromRaw(this.feesRaw, ccy),
      marketValue: Money.fromRaw(this.marketValueRaw(), ccy),
      openedAt: this.life?.openedAt,
      ts,
    };
  }

  /** The accounting state, for journal snapshots (see importState). */
  exportState(): PositionState {
    const l = this.life;
    return {
      instrumentId: this.instrument.id,
      qtyRaw: this.qtyRaw,
      costRaw: String(this.cost),
      openValueRaw: String(this.openValue),
      realizedRaw: String(this.realized),
      feesRaw: String(this.fees),
      markRaw: this.markRaw,
      ...(l && {
        life: {
          side: l.side,
          strategyId: l.strategyId,
          openedAt: l.openedAt,
          maxQtyRaw: l.maxQtyRaw,
          entryValueRaw: String(l.entryValue),
          entryQtyRaw: l.entryQtyRaw,
          exitValueRaw: String(l.exitValue),
          exitQtyRaw: l.exitQtyRaw,
          realizedRaw: String(l.realized),
          feesRaw: String(l.fees),
        },
      }),
    };
  }

  /** Replaces the accounting state with one from exportState (recovery). */
  importState(s: PositionState): void {
    this.qtyRaw = s.qtyRaw;
    this.cost = exact(BigInt(s.costRaw));
    this.openValue = exact(s.openValueRaw === undefined ? openValueFromCost(this.instrument, BigInt(s.costRaw)) : BigInt(s.openValueRaw));
    this.realized = exact(BigInt(s.realizedRaw));
    this.fees = exact(BigInt(s.feesRaw));
    this.markRaw = s.markRaw;
    const l = s.life;
    this.life = l && {
      side: l.side,
      strategyId: l.strategyId,
      openedAt: l.openedAt,
      maxQtyRaw: l.maxQtyRaw,
      entryValue: exact(BigInt(l.entryValueRaw)),
      entryQtyRaw: l.entryQtyRaw,
      exitValue: exact(BigInt(l.exitValueRaw)),
      exitQtyRaw: l.exitQtyRaw,
      realized: exact(BigInt(l.realizedRaw)),
      fees: exact(BigInt(l.feesRaw)),
    };
    this.sums?.note(this);
  }

  private closeLife(life: Life, ts: number): ClosedPosition {
    const ccy = this.instrument.quoteCurrency;
    const pp = this.instrument.pricePrecision;
    const sp = this.instrument.sizePrecision;
    const avgEntryRaw = mulDivRound(life.entryValue, 1, life.entryQtyRaw);
    return {
      instrumentId: this.instrument.id,
      strategyId: life.strategyId,
      side: life.side,
      openedAt: life.openedAt,
      closedAt: ts,
      durationMs: ts - life.openedAt,
      maxQuantity: formatDecimal(life.maxQtyRaw, sp),
      avgEntryPx: formatDecimal(avgEntryRaw, pp),
      entryNotional: (Number(avgEntryRaw) / pow10(pp)) * (life.maxQtyRaw / pow10(sp)) * this.instrument.multiplier,
      avgExitPx: formatDecimal(mulDivRound(life.exitValue, 1, life.exitQtyRaw), pp),
      realized: Money.fromRaw(toBigInt(life.realized), ccy),
      fees: Money.fromRaw(toBigInt(life.fees), ccy),
      netPnl: Money.fromRaw(toBigInt(subExact(life.realized, life.fees)), ccy),
    };
  }
}

/**
 * The open value (price.raw × qty.raw) a cost basis in minor units stands for, rounded: for states
 * saved before the open value was kept. cost = value × multiplier / 10^(price + size + multiplier
 * precision) in currency units, × 10^currency precision in minor units.
 */
function openValueFromCost(inst: Instrument, costRaw: bigint): bigint {
  const num = (costRaw < 0n ? -costRaw : costRaw) * 10n ** BigInt(inst.pricePrecision + inst.sizePrecision + inst.multiplierPrecision);
  return divRound(num, inst.multiplierRaw * 10n ** BigInt(inst.quoteCurrency.precision));
}
