import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { BollingerBreakoutStrategy } from './bollinger-breakout.js';
import { MaCrossStrategy } from './ma-cross.js';
import { COMMON_PARAMS, type RawParams } from './params.js';
import { STRATEGIES, STRATEGY_NAMES, createStrategy } from './registry.js';
import { RsiReversionStrategy } from './rsi-reversion.js';

const fails = (name: string, params: RawParams, message: string) => () =>
  expect(() => createStrategy(name, 's1', params)).toThrow(new InputError(message));

describe('createStrategy', () => {
  it('builds each built-in strategy with its params, numbers given as text included', () => {
    const ma = createStrategy('ma_cross', 'ma-1', { fast: '5', slow: 20, kind: 'ema' }, ['BTC-USD']);
    expect(ma).toBeInstanceOf(MaCrossStrategy);
    expect(ma).toMatchObject({ id: 'ma-1', instrumentIds: ['BTC-USD'], fast: 5, slow: 20, kind: 'ema' });
    expect(createStrategy('rsi_reversion', 'r', { oversold: '25.5' })).toMatchObject({ period: 14, oversold: 25.5, overbought: 70, exit: 50 });
    expect(createStrategy('bollinger_breakout', 'b', {})).toMatchObject({ period: 20, stddev: 2 });
    expect(createStrategy('rsi_reversion', 'r', {})).toBeInstanceOf(RsiReversionStrategy);
    expect(createStrategy('bollinger_breakout', 'b', {})).toBeInstanceOf(BollingerBreakoutStrategy);
  });

  it('reads the common params with their defaults', () => {
    const s = createStrategy('ma_cross', 'm', {}) as MaCrossStrategy;
    expect(s.common).toEqual({ size: undefined, mode: 'long-only', stopPct: undefined, takeProfitPct: undefined, source: 'bar' });
    const t = createStrategy('ma_cross', 'm', { size: '0.5', mode: 'long-short', stopPct: 0.02, takeProfitPct: '0.04', source: 'trade' }) as MaCrossStrategy;
    expect(t.common).toEqual({ size: '0.5', mode: 'long-short', stopPct: 0.02, takeProfitPct: 0.04, source: 'trade' });
  });

  it('rejects an unknown strategy', fails('macd', {}, 'unknown strategy "macd"; expected one of ma_cross, rsi_reversion, bollinger_breakout'));
  it('rejects an unknown param', fails('ma_cross', { fats: 3 }, 'ma_cross: unknown param fats (value 3); expected one of fast, slow, kind, size, mode, stopPct, takeProfitPct, source'));
  it('rejects a non-integer period', fails('ma_cross', { fast: 'abc' }, 'ma_cross param fast: "abc" is not a positive integer'));
  it('rejects a fractional period', fails('ma_cross', { fast: 2.5 }, 'ma_cross param fast: 2.5 is not a positive integer'));
  it('rejects a zero period', fails('rsi_reversion', { period: 0 }, 'rsi_reversion param period: 0 is not a positive integer'));
  it('rejects a boolean period', fails('ma_cross', { slow: true }, 'ma_cross param slow: true is not a positive integer'));
  it('rejects fast ≥ slow', fails('ma_cross', { fast: 30, slow: 10 }, 'ma_cross: fast (30) must be less than slow (10)'));
  it('rejects an unknown kind', fails('ma_cross', { kind: 'wma' }, 'ma_cross param kind: "wma" is not one of sma, ema'));
  it('rejects an unknown mode', fails('bollinger_breakout', { mode: 'both' }, 'bollinger_breakout param mode: "both" is not one of long-only, long-short'));
  it('rejects an unknown source', fails('ma_cross', { source: 'tick' }, 'ma_cross param source: "tick" is not one of bar, quote, trade'));
  it('rejects a bad size', fails('ma_cross', { size: '-1' }, 'ma_cross param size: "-1" is not a positive decimal'));
  it('rejects a stop given as a percentage', fails('ma_cross', { stopPct: 5, takeProfitPct: 0.1 }, 'ma_cross param stopPct: 5 is not a fraction between 0 and 1 (exclusive)'));
  it('rejects a stop without a take-profit', fails('rsi_reversion', { stopPct: 0.05 }, 'rsi_reversion: stopPct and takeProfitPct must be given together'));
  it('rejects an RSI level out of range', fails('rsi_reversion', { overbought: 100 }, 'rsi_reversion param overbought: 100 is not a number between 0 and 100 (exclusive)'));
  it('rejects oversold ≥ exit', fails('rsi_reversion', { oversold: 60 }, 'rsi_reversion: oversold (60) must be less than exit (50)'));
  it('rejects exit ≥ overbought', fails('rsi_reversion', { exit: 80 }, 'rsi_reversion: exit (80) must be less than overbought (70)'));
  it('rejects a one-price band', fails('bollinger_breakout', { period: 1 }, 'bollinger_breakout param period: 1 is not an integer of at least 2'));
  it('rejects a zero band width', fails('bollinger_breakout', { stddev: '0' }, 'bollinger_breakout param stddev: "0" is not a number between 0 and 10 (exclusive)'));
});

describe('STRATEGIES', () => {
  it('names every strategy and describes each param with its default', () => {
    expect(STRATEGY_NAMES).toEqual(['ma_cross', 'rsi_reversion', 'bollinger_breakout']);
    expect(STRATEGIES.map((s) => [s.name, s.params.map((p) => `${p.name}=${p.default}`)])).toEqual([
      ['ma_cross', ['fast=10', 'slow=30', 'kind=sma', ...COMMON_PARAMS.map((p) => `${p.name}=${p.default}`)]],
      ['rsi_reversion', ['period=14', 'oversold=30', 'overbought=70', 'exit=50', ...COMMON_PARAMS.map((p) => `${p.name}=${p.default}`)]],
      ['bollinger_breakout', ['period=20', 'stddev=2', ...COMMON_PARAMS.map((p) => `${p.name}=${p.default}`)]],
    ]);
    for (const s of STRATEGIES) {
      expect(s.summary.length).toBeGreaterThan(0);
      for (const p of s.params) expect(p.description.length, `${s.name}.${p.name}`).toBeGreaterThan(0);
    }
  });

  it('documents defaults that match what the strategies use', () => {
    for (const info of STRATEGIES) {
      const s = createStrategy(info.name, 'x', {}) as unknown as Record<string, unknown>;
      for (const p of info.params) if (p.name in s) expect(String(s[p.name]), `${info.name}.${p.name}`).toBe(p.default);
    }
  });
});
