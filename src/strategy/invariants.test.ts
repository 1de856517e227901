import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TradingMode } from './params.js';
import { createStrategy } from './registry.js';
import { barsFromCloses, run } from './testkit.js';

const SIZE = 10;

/** Every built-in strategy with short periods, so random series trade often. */
const configs = (mode: TradingMode, brackets: boolean) => {
  const common = { mode, size: SIZE, ...(brackets ? { stopPct: 0.03, takeProfitPct: 0.05 } : {}) };
  return [
    createStrategy('ma_cross', 'ma', { ...common, fast: 2, slow: 4 }),
    createStrategy('rsi_reversion', 'rsi', { ...common, period: 3 }),
    createStrategy('bollinger_breakout', 'bb', { ...common, period: 4, stddev: 1 }),
  ];
};

const series = fc.array(fc.integer({ min: 80, max: 120 }), { minLength: 5, maxLength: 60 });

describe('built-in strategies on random series', () => {
  for (const mode of ['long-only', 'long-short'] as const) {
    it(`${mode}: position stays within one size (never stacks; long-only never short), with clean orders`, () => {
      fc.assert(
        fc.property(series, fc.boolean(), fc.integer({ min: 0, max: 2 }), (closes, brackets, which) => {
          const r = run([configs(mode, brackets)[which]!], barsFromCloses(closes, 0.25));
          expect(r.problems).toEqual([]);
          for (const net of r.positions.get('TEST')!) {
            expect(net).toBeLessThanOrEqual(SIZE);
            expect(net).toBeGreaterThanOrEqual(mode === 'long-only' ? 0 : -SIZE);
          }
          // One signal before each entry or exit order, in the same step.
          const entries = r.orders.filter((o) => o.order.parentId === undefined);
          expect(entries.map((o) => o.at)).toEqual(r.signals.map((s) => s.at));
        }),
        { numRuns: 150 },
      );
    });
  }
});
