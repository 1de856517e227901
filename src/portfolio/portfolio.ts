/**
 * Portfolio (the PositionManager): one netted Position per instrument, the cash account in the
 * base currency, exposure and P&L. It applies fills exactly once (duplicate trade ids are
 * ignored), marks positions to the latest prices, and keeps the history of closed positions.
 */
import { type Exact, addExact, exact, toBigInt } from '../core/exact.js';
import { Money, type Currency } from '../core/money.js';
import { ValueError } from '../core/errors.js';
import { RecentList } from '../core/recent-list.js';
import { RecentSet } from '../core/recent-set.js';
import type { Instrument } from '../model/instrument.js';
import type { OrderFilled } from '../model/order-events.js';
import { MarketValueSums } from './market-value-sums.js';
import { Position, type PositionState } from './position.js';
import type { ClosedPosition, PortfolioSnapshot } from './snapshots.js';

export interface FillOutcome {
  readonly position: Position;
  readonly closed: ClosedPosition | undefined;
}

/** The portfolio's accounting state as plain JSON, for journal snapshots (see Portfolio.importState). */
export interface PortfolioState {
  readonly currency: string;
  readonly initialCapital: string;
  readonly cashRaw: string;
  readonly closedCount: number;
  /** Every position that was ever touched (open, or with realized P&L or fees). */
  readonly positions: readonly PositionState[];
}

export class Portfolio {
  readonly currency: Currency;
  readonly initialCapital: Money;
  /** Cash in raw minor units (an Exact: a number while safe, so fills add without bigints). */
  private cash: Exact;
  private positions = new Map<string, Position>();
  /** Net and gross market value and the open count, kept up to date as positions change. */
  private readonly sums = new MarketValueSums<Position>();
  private readonly seenTradeIds = new RecentSet<string>(10_000);
  private readonly closed: RecentList<ClosedPosition>;
  /** Positions closed since the start of the run (the history list keeps the latest ones). */
  closedCount = 0;

  /** Throws ValueError if an instrument is quoted in another currency than the account. */
  constructor(initialCapital: Money, instruments: Iterable<Instrument>, closedKept = 10_000) {
    this.closed = new RecentList(closedKept);
    this.currency = initialCapital.currency;
    this.initialCapital = initialCapital;
    this.cash = exact(initialCapital.raw);
    for (const inst of instruments) this.addInstrument(inst);
  }

  get cashRaw(): bigint {
    return toBigInt(this.cash);
  }

  /** Cash as an Exact, for readers on the fill path (no bigint made). */
  get cashExact(): Exact {
    return this.cash;
  }

  addInstrument(inst: Instrument): void {
    if (inst.quoteCurrency !== this.currency) {
      throw new ValueError(`instrument ${inst.id} is quoted in ${inst.quoteCurrency.code}, the account is in ${this.currency.code}`);
    }
    if (!this.positions.has(inst.id)) this.positions.set(inst.id, new Position(inst, this.sums));
  }

  /** The most recent closed positions, oldest first. */
  get closedPositions(): readonly ClosedPosition[] {
    return this.closed.toArray();
  }

  position(instrumentId: string): Position | undefined {
    return this.positions.get(instrumentId);
  }

  /** Signed raw quantity held in an instrument (0 when flat or unknown). */
  netQtyRaw(instrumentId: string): number {
    return this.positions.get(instrumentId)?.qtyRaw ?? 0;
  }

  allPositions(): IterableIterator<Position> {
    return this.positions.values();
  }

  /**
   * Calls `listener` with each position whose market value may have changed (mark, size, cost),
   * when equity or exposure is next read or flushValueChanges() is called (for the portfolio's life).
   */
  onValueChange(listener: (position: Position) => void): void {
    this.sums.listen(listener);
  }

  /** Delivers pending value changes to the onValueChange listeners now. */
  flushValueChanges(): void {
    this.sums.refresh(this.positions);
  }

  /** How many positions are open (openPositions().length without the array). */
  openCount(): number {
    this.sums.refresh(this.positions);
    return this.sums.open;
  }

  openPositions(): Position[] {
    const out: Position[] = [];
    for (const p of this.positions.values()) if (p.isOpen) out.push(p);
    return out;
  }

  /** Applies a fill once; returns undefined for a trade id already applied. */
  applyFill(fill: OrderFilled): FillOutcome | undefined {
    if (this.seenTradeIds.has(fill.tradeId)) return undefined;
    const outcome = this.applyUniqueFill(fill);
    this.seenTradeIds.add(fill.tradeId);
    return outcome;
  }

  /**
   * Applies a fill its caller guarantees is new: the kernel's fills come from the execution
   * engine, which already drops a fill reported twice, so they skip the trade-id check.
   */
  applyUniqueFill(fill: OrderFilled): FillOutcome {
    const position = this.positions.get(fill.instrumentId);
    if (!position) throw new ValueError(`fill for unknown instrument ${fill.instrumentId}`);
    const { cashDelta, closed } = position.applyFill(fill);
    this.cash = addExact(this.cash, cashDelta);
    if (closed) {
      this.closed.push(closed);
      this.closedCount++;
    }
    return { position, closed };
  }

  /** Marks an instrument to a new price, given as a raw integer at the instrument's precision. */
  markRaw(instrumentId: string, priceRaw: number): void {
    const p = this.positions.get(instrumentId);
    if (p) p.markRaw = priceRaw;
  }

  equityRaw(): bigint {
    return toBigInt(this.equityExact());
  }

  /**
   * Cash plus the positions' market value, as an Exact: summed in safe integers (the risk engine
   * evaluates it on every fill) while they stay exact, else in bigints.
   */
  equityExact(): Exact {
    return this.sums.refresh(this.positions) ? addExact(this.cash, this.sums.net) : exact(this.cashRaw + this.bigExposure().netRaw);
  }

  /**
   * equityExact() without delivering pending value changes to the onValueChange listeners: they
   * hear of them at the next equityExact(), exposure read or flush, as if this read had not
   * happened. For frequent readers that need equity alone.
   */
  peekEquityExact(): Exact {
    const net = this.sums.peekNet();
    return net === undefined ? this.equityExact() : addExact(this.cash, net);
  }

  /**
   * Gross and net exposure as numbers while every market value and the gross are safe integers
   * (exact), else undefined: the risk engine's per-order checks use this before exposureRaw().
   * The object is reused: read it before the next call.
   */
  exposureNum(): Readonly<{ gross: number; net: number }> | undefined {
    return this.sums.refresh(this.positions) ? this.sums : undefined;
  }

  exposureRaw(): { grossRaw: bigint; netRaw: bigint } {
    return this.sums.refresh(this.positions) ? { grossRaw: BigInt(this.sums.gross), netRaw: BigInt(this.sums.net) } : this.bigExposure();
  }

  /** exposureRaw() in bigints, for market values beyond the safe range. */
  private bigExposure(): { grossRaw: bigint; netRaw: bigint } {
    let gross = 0n;
    let net = 0n;
    for (const p of this.positions.values()) {
      if (p.qtyRaw === 0) continue;
      const mv = p.marketValueRaw();
      net += mv;
      gross += mv < 0n ? -mv : mv;
    }
    return { grossRaw: gross, netRaw: net };
  }

  /** The accounting state (cash, positions, marks), for journal snapshots. */
  exportState(): PortfolioState {
    const positions: PositionState[] = [];
    for (const p of this.positions.values()) {
      if (p.qtyRaw !== 0 || p.realizedRaw !== 0n || p.feesRaw !== 0n || p.markRaw !== undefined) positions.push(p.exportState());
    }
    return { currency: this.currency.code, initialCapital: this.initialCapital.toDecimal(), cashRaw: String(this.cash), closedCount: this.closedCount, positions };
  }

  /**
   * Replaces cash and positions with a state from exportState (recovery); positions absent from
   * it are reset to flat. `tradeIds` are fills already applied (so their re-delivery is ignored).
   * Throws ValueError for another currency or an unknown instrument. The closed-position history
   * is not part of the state: it restarts empty (closedCount carries on).
   */
  importState(state: PortfolioState, tradeIds: Iterable<string> = []): void {
    if (state.currency !== this.currency.code) throw new ValueError(`portfolio state is in ${state.currency}, the account is in ${this.currency.code}`);
    for (const s of state.positions) {
      if (!this.positions.has(s.instrumentId)) throw new ValueError(`portfolio state holds unknown instrument ${s.instrumentId}`);
    }
    // Position objects are updated in place: other components may hold references to them.
    const flat = (id: string): PositionState => ({ instrumentId: id, qtyRaw: 0, costRaw: '0', openValueRaw: '0', realizedRaw: '0', feesRaw: '0', markRaw: undefined });
    for (const [id, p] of this.positions) p.importState(flat(id));
    for (const s of state.positions) this.positions.get(s.instrumentId)!.importState(s);
    this.cash = exact(BigInt(state.cashRaw));
    this.sums.invalidate();
    this.closedCount = state.closedCount;
    for (const id of tradeIds) this.seenTradeIds.add(id);
  }

  snapshot(ts: number): PortfolioSnapshot {
    let realized = 0n;
    let unrealized = 0n;
    let fees = 0n;
    let gross = 0n;
    let net = 0n;
    let open = 0;
    for (const p of this.positions.values()) {
      realized += p.realizedRaw;
      fees += p.feesRaw;
      if (p.qtyRaw === 0) continue;
      open++;
      const mv = p.marketValueRaw();
      unrealized += mv - p.costRaw;
      gross += mv < 0n ? -mv : mv;
      net += mv;
    }
    const m = (raw: bigint): Money => Money.fromRaw(raw, this.currency);
    return {
      ts,
      initialCapital: this.initialCapital,
      cash: m(this.cashRaw),
      equity: m(this.cashRaw + net),
      realized: m(realized),
      unrealized: m(unrealized),
      fees: m(fees),
      grossExposure: m(gross),
      netExposure: m(net),
      openPositions: open,
    };
  }
}
