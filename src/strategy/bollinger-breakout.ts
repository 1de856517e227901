/**
 * Bollinger breakout: long when the price closes above the upper band, short (flat in long-only
 * mode) when it closes below the lower band, and back to flat when it returns to the middle band.
 * Strength is the price's distance from the middle in half-band widths, halved: 0.5 at a band,
 * full at twice the band distance.
 */
import { BollingerBands } from 'trading-signals';
import type { SignalDirection } from '../model/signal.js';
import { type InstrumentState, TargetPositionStrategy, formatValue } from './base.js';
import { COMMON_PARAMS, ParamReader, type RawParams, type StrategyInfo, readCommonParams } from './params.js';

export const BOLLINGER_BREAKOUT: StrategyInfo = {
  name: 'bollinger_breakout',
  summary: 'Bollinger band breakout: long above the upper band, short or flat below the lower, flat at the middle',
  params: [
    { name: 'period', default: '20', description: 'band period (simple moving average), in prices; at least 2' },
    { name: 'stddev', default: '2', description: 'band half-width in population standard deviations, above 0 and below 10' },
    ...COMMON_PARAMS,
  ],
};

interface BandsState extends InstrumentState {
  readonly bands: BollingerBands;
  lower: number;
  middle: number;
  upper: number;
}

export class BollingerBreakoutStrategy extends TargetPositionStrategy<BandsState> {
  static readonly info = BOLLINGER_BREAKOUT;
  readonly period: number;
  readonly stddev: number;

  /** Throws InputError for an unknown or bad param. */
  constructor(id: string, params: RawParams = {}, instrumentIds: readonly string[] = []) {
    const r = new ParamReader(BOLLINGER_BREAKOUT, params);
    super(id, BOLLINGER_BREAKOUT, readCommonParams(r), instrumentIds);
    this.period = r.int('period', 20, 2);
    this.stddev = r.number('stddev', 2, 0, 10);
  }

  protected override createState(base: InstrumentState): BandsState {
    return { ...base, bands: new BollingerBands(this.period, this.stddev), lower: NaN, middle: NaN, upper: NaN };
  }

  protected override onPrice(st: BandsState, price: number): void {
    const b = st.bands.add(price);
    if (b === null) return;
    st.lower = b.lower;
    st.middle = b.middle;
    st.upper = b.upper;
    const half = b.upper - b.middle;
    const strength = half > 0 ? Math.abs(price - b.middle) / (2 * half) : 0;
    if (price > b.upper) this.aim(st, 'LONG', price, 'bb_breakout_up', strength);
    else if (price < b.lower) this.aim(st, 'SHORT', price, 'bb_breakout_down', strength);
    else if (st.target === 'LONG' && price <= b.middle) this.aim(st, 'FLAT', price, 'bb_exit_long', strength);
    else if (st.target === 'SHORT' && price >= b.middle) this.aim(st, 'FLAT', price, 'bb_exit_short', strength);
  }

  protected override explain(st: BandsState, target: SignalDirection, p: number): string {
    const where = p > st.upper ? `above upper band ${formatValue(st.upper)}` : p < st.lower ? `below lower band ${formatValue(st.lower)}` : `back to middle band ${formatValue(st.middle)}`;
    return `price ${formatValue(p)} ${where} (BB ${this.period}, ${this.stddev}σ): go ${target.toLowerCase()}`;
  }
}
