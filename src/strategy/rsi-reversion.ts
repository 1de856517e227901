/**
 * RSI mean reversion: long when RSI falls to the oversold level, short (flat in long-only mode)
 * when it rises to the overbought level, and back to flat when it crosses the exit level from
 * the side of the position. RSI is Wilder's (trading-signals RSI with its default smoothing).
 * Strength is RSI's distance from 50, full at 0 or 100.
 */
import { RSI } from 'trading-signals';
import type { SignalDirection } from '../model/signal.js';
import { type InstrumentState, TargetPositionStrategy, formatValue } from './base.js';
import { COMMON_PARAMS, ParamReader, type RawParams, type StrategyInfo, readCommonParams } from './params.js';

export const RSI_REVERSION: StrategyInfo = {
  name: 'rsi_reversion',
  summary: 'RSI mean reversion: long when oversold, short or flat when overbought, flat at the exit level',
  params: [
    { name: 'period', default: '14', description: 'RSI period, in prices' },
    { name: 'oversold', default: '30', description: 'RSI at or below which to go long' },
    { name: 'overbought', default: '70', description: 'RSI at or above which to go short (flat in long-only)' },
    { name: 'exit', default: '50', description: 'RSI at which a long (RSI ≥ exit) or short (RSI ≤ exit) goes flat' },
    ...COMMON_PARAMS,
  ],
};

interface RsiState extends InstrumentState {
  readonly rsi: RSI;
  value: number;
}

export class RsiReversionStrategy extends TargetPositionStrategy<RsiState> {
  static readonly info = RSI_REVERSION;
  readonly period: number;
  readonly oversold: number;
  readonly overbought: number;
  readonly exit: number;

  /** Throws InputError for an unknown or bad param, or levels not ordered oversold < exit < overbought. */
  constructor(id: string, params: RawParams = {}, instrumentIds: readonly string[] = []) {
    const r = new ParamReader(RSI_REVERSION, params);
    super(id, RSI_REVERSION, readCommonParams(r), instrumentIds);
    this.period = r.int('period', 14);
    this.oversold = r.number('oversold', 30, 0, 100);
    this.overbought = r.number('overbought', 70, 0, 100);
    this.exit = r.number('exit', 50, 0, 100);
    if (this.oversold >= this.exit) r.fail(`oversold (${this.oversold}) must be less than exit (${this.exit})`);
    if (this.exit >= this.overbought) r.fail(`exit (${this.exit}) must be less than overbought (${this.overbought})`);
  }

  protected override createState(base: InstrumentState): RsiState {
    return { ...base, rsi: new RSI(this.period), value: NaN };
  }

  protected override onPrice(st: RsiState, price: number): void {
    const rsi = st.rsi.add(price);
    if (rsi === null) return;
    st.value = rsi;
    const strength = Math.abs(rsi - 50) / 50;
    if (rsi <= this.oversold) this.aim(st, 'LONG', price, 'rsi_oversold', strength);
    else if (rsi >= this.overbought) this.aim(st, 'SHORT', price, 'rsi_overbought', strength);
    else if (st.target === 'LONG' && rsi >= this.exit) this.aim(st, 'FLAT', price, 'rsi_exit_long', strength);
    else if (st.target === 'SHORT' && rsi <= this.exit) this.aim(st, 'FLAT', price, 'rsi_exit_short', strength);
  }

  protected override explain(st: RsiState, target: SignalDirection): string {
    const v = st.value;
    const level = v <= this.oversold ? `oversold ${this.oversold}` : v >= this.overbought ? `overbought ${this.overbought}` : `exit ${this.exit}`;
    return `RSI(${this.period}) ${formatValue(v)} reached ${level}: go ${target.toLowerCase()}`;
  }
}
