import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChurnMap } from './churn-map.js';

type Op = { kind: 'set'; key: number; value: number } | { kind: 'delete'; key: number } | { kind: 'clear' };

const ops: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), key: fc.nat({ max: 40 }), value: fc.integer() }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.nat({ max: 40 }) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
  ),
  { maxLength: 400 },
);

describe('ChurnMap', () => {
  it('behaves as a Map through any sequence of sets, deletes and clears, across rebuilds', () => {
    fc.assert(
      fc.property(ops, fc.integer({ min: 1, max: 8 }), (sequence, interval) => {
        const model = new Map<number, number>();
        const map = new ChurnMap<number, number>(interval);
        for (const op of sequence) {
          if (op.kind === 'set') {
            model.set(op.key, op.value);
            map.set(op.key, op.value);
          } else if (op.kind === 'delete') {
            expect(map.delete(op.key)).toBe(model.delete(op.key));
          } else {
            model.clear();
            map.clear();
          }
          expect(map.size).toBe(model.size);
        }
        expect([...map.keys()]).toEqual([...model.keys()]);
        expect([...map.values()]).toEqual([...model.values()]);
        for (let k = 0; k <= 40; k++) {
          expect(map.has(k)).toBe(model.has(k));
          expect(map.get(k)).toBe(model.get(k));
        }
      }),
    );
  });

  it('keeps insertion order when a rebuild comes between insertions', () => {
    const map = new ChurnMap<string, number>(2);
    for (let i = 0; i < 10; i++) map.set(`k${i}`, i);
    map.delete('k3');
    map.set('k3', 3);
    expect([...map.keys()]).toEqual(['k0', 'k1', 'k2', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9', 'k3']);
  });
});
