/**
 * Trading states of the risk engine: ACTIVE (everything allowed by the limits), REDUCING (only
 * orders that reduce exposure pass) and HALTED (nothing passes but the engine's own flattening
 * orders). Every change is an event with a reason.
 */

export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';

export interface TradingStateChanged {
  readonly state: TradingState;
  readonly previous: TradingState;
  readonly reason: string;
  readonly ts: number;
}

/** An automated action the risk engine took (halt, cancel all, flatten, reduce). */
export interface RiskAction {
  readonly action: 'HALT_TRADING' | 'REDUCE_ONLY' | 'RESUME_TRADING' | 'CANCEL_ALL_ORDERS' | 'CLOSE_POSITION' | 'REDUCE_POSITION' | 'AMEND_STOP' | 'PLACE_STOP';
  readonly reason: string;
  readonly symbol?: string | undefined;
  readonly detail?: string | undefined;
  readonly ts: number;
}
