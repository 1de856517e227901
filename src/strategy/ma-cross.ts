/**
 * Moving-average crossover: long when the fast average crosses above the slow one, short (flat
 * in long-only mode) when it crosses below. The first reading after warm-up only records which
 * side the fast average is on; orders follow actual crosses. Strength is the gap between the
 * averages relative to the slow one, full at 1%.
 */
import { EMA } from 'trading-signals';
import type { SignalDirection } from '../model/signal.js';
import { type InstrumentState, TargetPositionStrategy, formatValue } from './base.js';
import { RollingSma } from './rolling-sma.js';
import { COMMON_PARAMS, ParamReader, type RawParams, type StrategyInfo, readCommonParams } from './params.js';

export const MA_KINDS = ['sma', 'ema'] as const;
export type MaKind = (typeof MA_KINDS)[number];

/** The relative gap between the averages at which a signal has full strength. */
const FULL_STRENGTH_GAP = 0.01;

export const MA_CROSS: StrategyInfo = {
  name: 'ma_cross',
  summary: 'fast/slow moving-average crossover: long on a cross up, short or flat on a cross down',
  params: [
    { name: 'fast', default: '10', description: 'fast moving-average period, in prices' },
    { name: 'slow', default: '30', description: 'slow moving-average period; more than fast' },
    { name: 'kind', default: 'sma', description: 'moving average: sma (simple) or ema (exponential)' },
    ...COMMON_PARAMS,
  ],
};

/** What the strategy needs of a moving average: trading-signals' EMA, or the O(1) RollingSma. */
interface Average {
  add(price: number): number | null;
  readonly isStable: boolean;
}

interface MaState extends InstrumentState {
  readonly fastMa: Average;
  readonly slowMa: Average;
  fastValue: number;
  slowValue: number;
}

export class MaCrossStrategy extends TargetPositionStrategy<MaState> {
  static readonly info = MA_CROSS;
  readonly fast: number;
  readonly slow: number;
  readonly kind: MaKind;

  /** Throws InputError for an unknown or bad param, or fast ≥ slow. */
  constructor(id: string, params: RawParams = {}, instrumentIds: readonly string[] = []) {
    const r = new ParamReader(MA_CROSS, params);
    super(id, MA_CROSS, readCommonParams(r), instrumentIds);
    this.fast = r.int('fast', 10);
    this.slow = r.int('slow', 30);
    this.kind = r.choice('kind', MA_KINDS, 'sma');
    if (this.fast >= this.slow) r.fail(`fast (${this.fast}) must be less than slow (${this.slow})`);
  }

  protected override createState(base: InstrumentState): MaState {
    const average = (period: number): Average => (this.kind === 'ema' ? new EMA(period) : new RollingSma(period));
    return { ...base, target: undefined, fastMa: average(this.fast), slowMa: average(this.slow), fastValue: NaN, slowValue: NaN };
  }

  protected override onPrice(st: MaState, price: number): void {
    const fast = st.fastMa.add(price);
    const slow = st.slowMa.add(price);
    if (fast === null || slow === null || !st.slowMa.isStable || fast === slow) return;
    st.fastValue = fast;
    st.slowValue = slow;
    const up = fast > slow;
    const gap = Math.abs(fast - slow) / Math.abs(slow);
    this.aim(st, up ? 'LONG' : 'SHORT', price, up ? 'ma_cross_up' : 'ma_cross_down', gap / FULL_STRENGTH_GAP);
  }

  protected override explain(st: MaState, target: SignalDirection): string {
    const kind = this.kind.toUpperCase();
    const dir = st.fastValue > st.slowValue ? 'above' : 'below';
    return `${kind}(${this.fast}) ${formatValue(st.fastValue)} crossed ${dir} ${kind}(${this.slow}) ${formatValue(st.slowValue)}: go ${target.toLowerCase()}`;
  }
}
