/**
 * Position: the netted holding of one instrument, with exact accounting.
 *
 * Cost basis is kept as the exact signed sum of the open quantity's fill notionals (not an
 * average price), so that: cash + market value = initial + realized + unrealized − fees holds
 * to the minor unit after any sequence of fills. A reducing fill releases the closed share of the
 * cost basis (rounded once); a fill larger than the position closes it and opens the other side.
 */
import { divRound, divRoundToNumber, formatDecimal } from '../core/decimal.js';
import { Money } from '../core/money.js';
import type { PositionSide } from '../model/enums.js';
import { sideSign } from '../model/enums.js';
import type { Instrument } from '../model/instrument.js';
import type { OrderFilled } from '../model/order-events.js';
import type { ClosedPosition, PositionSnapshot } from './snapshots.js';

/** Bookkeeping for the current life of the position (open to flat), for closed-position history. */
interface Life {
  side: 'LONG' | 'SHORT';
  strategyId: string;
  openedAt: number;
  maxQtyRaw: number;
  entryValueRaw: bigint;
  entryQtyRaw: number;
  exitValueRaw: bigint;
  exitQtyRaw: number;
  realizedRaw: bigint;
  feesRaw: bigint;
}

/** A position's complete accounting state as plain JSON (bigints as decimal strings of raw units). */
export interface PositionState {
  readonly instrumentId: string;
  readonly qtyRaw: number;
  readonly costRaw: string;
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

/** acc + a × b, exactly, with one bigint product when a × b is a safe integer. */
function addProduct(acc: bigint, a: number, b: number): bigint {
  const product = a * b;
  return acc + (Number.isSafeInteger(product) ? BigInt(product) : BigInt(a) * BigInt(b));
}

export class Position {
  /** Signed quantity in raw size units (negative when short). */
  qtyRaw = 0;
  /** Signed cost basis of the open quantity in raw minor units. */
  costRaw = 0n;
  realizedRaw = 0n;
  feesRaw = 0n;
  /** Latest price, raw at the instrument's price precision. */
  markRaw: number | undefined;
  private life: Life | undefined;
  /** Market value last computed, with the quantity and mark it was computed for (risk checks ask often between quotes). */
  private mvQtyRaw = 0;
  private mvMarkRaw: number | undefined;
  private mvRaw = 0n;

  constructor(readonly instrument: Instrument) {}

  get side(): PositionSide {
    return this.qtyRaw > 0 ? 'LONG' : this.qtyRaw < 0 ? 'SHORT' : 'FLAT';
  }

  get isOpen(): boolean {
    return this.qtyRaw !== 0;
  }

  /** Signed market value of the open quantity at the mark price (0 without a mark). */
  marketValueRaw(): bigint {
    if (this.qtyRaw === 0) return 0n;
    const px = this.markRaw;
    if (px === undefined) return this.costRaw;
    if (px !== this.mvMarkRaw || this.qtyRaw !== this.mvQtyRaw) {
      this.mvRaw = this.instrument.notionalRaw(px, this.qtyRaw);
      this.mvMarkRaw = px;
      this.mvQtyRaw = this.qtyRaw;
    }
    return this.mvRaw;
  }

  /**
   * marketValueRaw() as a number while it is a safe integer (exact), else undefined: sums over
   * positions (exposure, equity) run per order and per fill, and add numbers without allocating.
   */
  marketValueNum(): number | undefined {
    if (this.qtyRaw === 0) return 0;
    const px = this.markRaw;
    if (px === undefined) {
      const cost = Number(this.costRaw);
      return Number.isSafeInteger(cost) ? cost : undefined;
    }
    return this.instrument.notionalNum(px, this.qtyRaw);
  }

  unrealizedRaw(): bigint {
    return this.marketValueRaw() - this.costRaw;
  }

  /**
   * Applies a fill; returns the cash change (raw, fees included) and the position life it
   * closed, if any. `notionalRaw` is the fill's rounded notional.
   */
  applyFill(fill: OrderFilled): { cashDeltaRaw: bigint; closed: ClosedPosition | undefined } {
    const s = sideSign(fill.side);
    const q = fill.lastQty.raw;
    const px = fill.lastPx.raw;
    const notional = this.instrument.notionalRaw(px, q);
    const fee = fill.fee.raw;
    let closed: ClosedPosition | undefined;
    this.feesRaw += fee;
    this.markRaw ??= px;

    // Signed amounts are written as conditional negations: each bigint operation allocates.
    const held = Math.abs(this.qtyRaw);
    const reducing = this.qtyRaw !== 0 && Math.sign(this.qtyRaw) !== s;
    const closeQty = reducing ? Math.min(q, held) : 0;
    const openQty = q - closeQty;
    const closeNotional = closeQty === q ? notional : divRound(notional * BigInt(closeQty), BigInt(q));
    const closeFee = closeQty === q ? fee : divRound(fee * BigInt(closeQty), BigInt(q));

    if (closeQty > 0) {
      const life = this.life!;
      const closedCost = closeQty === held ? this.costRaw : divRound(this.costRaw * BigInt(closeQty), BigInt(held));
      const realized = (s > 0 ? -closeNotional : closeNotional) - closedCost;
      this.realizedRaw += realized;
      this.costRaw = closeQty === held ? 0n : this.costRaw - closedCost;
      this.qtyRaw += s * closeQty;
      life.realizedRaw += realized;
      life.feesRaw += closeFee;
      life.exitValueRaw = addProduct(life.exitValueRaw, px, closeQty);
      life.exitQtyRaw += closeQty;
      if (this.qtyRaw === 0) {
        closed = this.closeLife(life, fill.ts);
        this.life = undefined;
      }
    }
    if (openQty > 0) {
      const openNotional = closeQty === 0 ? notional : notional - closeNotional;
      this.costRaw = s > 0 ? this.costRaw + openNotional : this.costRaw - openNotional;
      this.qtyRaw += s * openQty;
      this.life ??= {
        side: s > 0 ? 'LONG' : 'SHORT',
        strategyId: fill.strategyId,
        openedAt: fill.ts,
        maxQtyRaw: 0,
        entryValueRaw: 0n,
        entryQtyRaw: 0,
        exitValueRaw: 0n,
        exitQtyRaw: 0,
        realizedRaw: 0n,
        feesRaw: 0n,
      };
      const life = this.life;
      life.entryValueRaw = addProduct(life.entryValueRaw, px, openQty);
      life.entryQtyRaw += openQty;
      life.feesRaw += closeQty === 0 ? fee : fee - closeFee;
      life.maxQtyRaw = Math.max(life.maxQtyRaw, Math.abs(this.qtyRaw));
    }
    return { cashDeltaRaw: (s > 0 ? -notional : notional) - fee, closed };
  }

  /** Average entry price of the open quantity (cost basis / quantity), as a decimal string. */
  avgPx(): string | undefined {
    if (this.qtyRaw === 0) return undefined;
    const inst = this.instrument;
    // cost [ccy precision] / (qty [size precision] × multiplier) -> price precision
    const num = this.costRaw * 10n ** BigInt(inst.pricePrecision + inst.sizePrecision + inst.multiplierPrecision);
    const den = BigInt(this.qtyRaw) * inst.multiplierRaw * 10n ** BigInt(inst.quoteCurrency.precision);
    return formatDecimal(divRound(num * (den < 0n ? -1n : 1n), den < 0n ? -den : den), inst.pricePrecision);
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
      costRaw: this.costRaw.toString(),
      realizedRaw: this.realizedRaw.toString(),
      feesRaw: this.feesRaw.toString(),
      markRaw: this.markRaw,
      ...(l && {
        life: {
          side: l.side,
          strategyId: l.strategyId,
          openedAt: l.openedAt,
          maxQtyRaw: l.maxQtyRaw,
          entryValueRaw: l.entryValueRaw.toString(),
          entryQtyRaw: l.entryQtyRaw,
          exitValueRaw: l.exitValueRaw.toString(),
          exitQtyRaw: l.exitQtyRaw,
          realizedRaw: l.realizedRaw.toString(),
          feesRaw: l.feesRaw.toString(),
        },
      }),
    };
  }

  /** Replaces the accounting state with one from exportState (recovery). */
  importState(s: PositionState): void {
    this.qtyRaw = s.qtyRaw;
    this.costRaw = BigInt(s.costRaw);
    this.realizedRaw = BigInt(s.realizedRaw);
    this.feesRaw = BigInt(s.feesRaw);
    this.markRaw = s.markRaw;
    const l = s.life;
    this.life = l && {
      side: l.side,
      strategyId: l.strategyId,
      openedAt: l.openedAt,
      maxQtyRaw: l.maxQtyRaw,
      entryValueRaw: BigInt(l.entryValueRaw),
      entryQtyRaw: l.entryQtyRaw,
      exitValueRaw: BigInt(l.exitValueRaw),
      exitQtyRaw: l.exitQtyRaw,
      realizedRaw: BigInt(l.realizedRaw),
      feesRaw: BigInt(l.feesRaw),
    };
  }

  private closeLife(life: Life, ts: number): ClosedPosition {
    const ccy = this.instrument.quoteCurrency;
    const pp = this.instrument.pricePrecision;
    return {
      instrumentId: this.instrument.id,
      strategyId: life.strategyId,
      side: life.side,
      openedAt: life.openedAt,
      closedAt: ts,
      durationMs: ts - life.openedAt,
      maxQuantity: formatDecimal(life.maxQtyRaw, this.instrument.sizePrecision),
      avgEntryPx: formatDecimal(divRoundToNumber(life.entryValueRaw, life.entryQtyRaw), pp),
      avgExitPx: formatDecimal(divRoundToNumber(life.exitValueRaw, life.exitQtyRaw), pp),
      realized: Money.fromRaw(life.realizedRaw, ccy),
      fees: Money.fromRaw(life.feesRaw, ccy),
      netPnl: Money.fromRaw(life.realizedRaw - life.feesRaw, ccy),
    };
  }
}
