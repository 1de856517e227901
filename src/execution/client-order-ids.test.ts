/**
 * The client order id space: generated ids are never stored yet never reused, given ids are
 * remembered, and a given id that a generated one may have been is refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientOrderIds } from './client-order-ids.js';

describe('ClientOrderIds', () => {
  it('generates <strategy>-<n> from one counter across strategies', () => {
    const ids = new ClientOrderIds();
    expect([ids.generate('a'), ids.generate('b'), ids.generate('a')]).toEqual(['a-1', 'b-2', 'a-3']);
    expect(ids.counter).toBe(4);
  });

  it('refuses a given id used before, and any id a generated one may have been (exits included)', () => {
    const ids = new ClientOrderIds();
    expect(ids.isUsed('X')).toBe(false);
    ids.take('X');
    expect(ids.isUsed('X')).toBe(true);
    ids.generate('ma-cross');
    ids.generate('ma-cross');
    for (const id of ['ma-cross-1', 'ma-cross-2', 'ma-cross-2-SL', 'ma-cross-1-TP']) expect(ids.isUsed(id)).toBe(true);
    // Not generated: beyond the counter, another prefix, a number written differently, a non-number.
    for (const id of ['ma-cross-3', 'other-1', 'ma-cross-01', 'ma-cross-1e0', 'ma-cross-x', 'ma-cross-1-XX', '-1']) expect(ids.isUsed(id)).toBe(false);
  });

  it('skips a number whose id or bracket exit id a caller took in advance', () => {
    const ids = new ClientOrderIds();
    ids.take('s-1');
    ids.take('s-2-TP');
    expect(ids.generate('s')).toBe('s-3');
  });

  it('continues after a restore: restored ids stay used and the counter never goes back', () => {
    const ids = new ClientOrderIds();
    ids.restore([{ clientOrderId: 'given', strategyId: 's' }, { clientOrderId: 's-7', strategyId: 's' }], 9);
    expect(ids.isUsed('given')).toBe(true);
    // s-3 was generated before the restart (below the counter, s generated ids) though not restored.
    expect(ids.isUsed('s-3')).toBe(true);
    expect(ids.generate('s')).toBe('s-9');
    ids.restore([], 2);
    expect(ids.counter).toBe(10);
  });
});

describe('ClientOrderIds against a model that remembers every id (property)', () => {
  it('never hands out or accepts an id twice, and refuses a given id only when it may have been generated', () => {
    const strategies = ['s', 's-1', 'ma'];
    const step = fc.oneof(
      fc.record({ kind: fc.constant('generate' as const), strategy: fc.constantFrom(...strategies) }),
      fc.record({
        kind: fc.constant('give' as const),
        id: fc.oneof(
          fc.constantFrom(...strategies).chain((p) => fc.tuple(fc.constant(p), fc.integer({ min: 0, max: 12 }), fc.constantFrom('', '-SL', '-TP')).map(([a, n, x]) => `${a}-${n}${x}`)),
          fc.constantFrom('x', 'y', 's-01', 's-1-1'),
        ),
      }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const ids = new ClientOrderIds();
        const used = new Set<string>();
        for (const st of steps) {
          if (st.kind === 'generate') {
            const id = ids.generate(st.strategy);
            for (const x of [id, `${id}-SL`, `${id}-TP`]) expect(used.has(x)).toBe(false);
            used.add(id);
            used.add(`${id}-SL`);
            used.add(`${id}-TP`);
          } else if (ids.isUsed(st.id)) {
            // A refusal is either a real reuse or an id in a generating strategy's space below the counter.
            expect(used.has(st.id) || /-\d+(-SL|-TP)?$/.test(st.id)).toBe(true);
          } else {
            expect(used.has(st.id)).toBe(false);
            ids.take(st.id);
            used.add(st.id);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
