/**
 * Read-only views of positions and the portfolio, as published on the bus and served by the API.
 * Amounts are Money (exact); they serialize to decimal strings.
 */
import type { Money } from '../core/money.js';
import type { PositionSide } from '../model/enums.js';

export interface PositionSnapshot {
  readonly instrumentId: string;
  readonly side: PositionSide;
  /** Signed quantity as a decimal string (negative when short). */
  readonly quantity: string;
  readonly avgPx: string | undefined;
  readonly markPx: string | undefined;
  readonly realized: Money;
  readonly unrealized: Money;
  readonly fees: Money;
  readonly marketValue: Money;
  readonly openedAt: number | undefined;
  readonly ts: number;
}

/** One position's life from opening to flat (or to a flip through zero). */
export interface ClosedPosition {
  readonly instrumentId: string;
  readonly strategyId: string;
  readonly side: 'LONG' | 'SHORT';
  readonly openedAt: number;
  readonly closedAt: number;
  readonly durationMs: number;
  readonly maxQuantity: string;
  readonly avgEntryPx: string;
  readonly avgExitPx: string;
  /**
   * The capital committed: avgEntryPx × maxQuantity × the contract multiplier, in the quote
   * currency, as a float (for return statistics, which would otherwise parse the two decimals).
   */
  readonly entryNotional: number;
  /** Realized P&L before fees. */
  readonly realized: Money;
  readonly fees: Money;
  /** Realized P&L after fees. */
  readonly netPnl: Money;
}

export interface PortfolioSnapshot {
  readonly ts: number;
  readonly initialCapital: Money;
  readonly cash: Money;
  readonly equity: Money;
  readonly realized: Money;
  readonly unrealized: Money;
  readonly fees: Money;
  readonly grossExposure: Money;
  readonly netExposure: Money;
  readonly openPositions: number;
}
