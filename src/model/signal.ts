/**
 * Signal: a strategy's view that it wants a position, published on the bus before any order
 * is placed so analytics can measure how signals turn into orders and trades.
 */

export type SignalDirection = 'LONG' | 'SHORT' | 'FLAT';

export interface Signal {
  readonly id: string;
  readonly strategyId: string;
  readonly instrumentId: string;
  /** The kind of signal within the strategy (e.g. "ma_cross_up"). */
  readonly signalType: string;
  readonly direction: SignalDirection;
  /** Magnitude of the signal, strategy-defined, typically 0..1. */
  readonly strength: number;
  /** Confidence in the signal, 0..1; used for sizing and effectiveness buckets. */
  readonly confidence: number;
  readonly entry?: string | undefined;
  readonly stopLoss?: string | undefined;
  readonly takeProfit?: string | undefined;
  readonly reason: string;
  readonly ts: number;
}
