import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LiveClock, SimulatedClock, repeatEvery } from './clock.js';

describe('SimulatedClock', () => {
  it('fires timers in time order, ties in the order set, with now() at each timer time', () => {
    const clock = new SimulatedClock(0);
    const seen: Array<[string, number]> = [];
    clock.setTimer(30, () => seen.push(['c', clock.now()]));
    clock.setTimer(10, () => seen.push(['a', clock.now()]));
    clock.setTimer(10, () => seen.push(['b', clock.now()]));
    const canceled = clock.setTimer(20, () => seen.push(['x', clock.now()]));
    clock.cancelTimer(canceled);
    clock.advanceTo(25);
    expect(seen).toEqual([
      ['a', 10],
      ['b', 10],
    ]);
    expect(clock.now()).toBe(25);
    clock.advanceTo(5); // time never goes back
    expect(clock.now()).toBe(25);
    clock.advanceTo(30);
    expect(seen.at(-1)).toEqual(['c', 30]);
  });

  it('runs a timer set in the past as soon as the clock advances', () => {
    const clock = new SimulatedClock(100);
    let at = -1;
    clock.setTimer(50, () => (at = clock.now()));
    clock.advanceTo(100);
    expect(at).toBe(100);
  });
  it('fires like a sorted list of timers: random sets, cancels (also from inside a callback) and advances', () => {
    type Step = { kind: 'set'; at: number; cancelOther: number | null } | { kind: 'cancel'; which: number } | { kind: 'advance'; by: number };
    const step = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), at: fc.integer({ min: 0, max: 60 }), cancelOther: fc.option(fc.nat(40), { nil: null }) }),
      fc.record({ kind: fc.constant('cancel' as const), which: fc.nat(40) }),
      fc.record({ kind: fc.constant('advance' as const), by: fc.integer({ min: 0, max: 15 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps: Step[]) => {
        const clock = new SimulatedClock(0);
        // The model: every timer set, with its due time, in the order set; fired in (due, order) order.
        const model: Array<{ at: number; canceled: boolean; fired: boolean }> = [];
        const handles: ReturnType<SimulatedClock['setTimer']>[] = [];
        const fired: Array<[number, number]> = [];
        const expected: Array<[number, number]> = [];
        const cancel = (k: number) => {
          if (k >= handles.length) return;
          clock.cancelTimer(handles[k]!);
          model[k]!.canceled = true;
        };
        let now = 0;
        for (const s of steps) {
          if (s.kind === 'set') {
            const k = handles.length;
            model.push({ at: Math.max(s.at, clock.now()), canceled: false, fired: false });
            handles.push(
              clock.setTimer(s.at, () => {
                fired.push([k, clock.now()]);
                if (s.cancelOther !== null) cancel(s.cancelOther);
              }),
            );
          } else if (s.kind === 'cancel') cancel(s.which);
          else {
            now += s.by;
            // Model: repeatedly fire the earliest due, uncanceled, unfired timer (ties by order set).
            for (;;) {
              let next = -1;
              for (let k = 0; k < model.length; k++) {
                const t = model[k]!;
                if (t.fired || t.canceled || t.at > now) continue;
                if (next < 0 || t.at < model[next]!.at) next = k;
              }
              if (next < 0) break;
              model[next]!.fired = true;
              expected.push([next, Math.max(model[next]!.at, expected.at(-1)?.[1] ?? 0)]);
              const cancelOther = (steps.filter((x) => x.kind === 'set')[next] as { cancelOther: number | null }).cancelOther;
              if (cancelOther !== null && cancelOther < model.length) model[cancelOther]!.canceled = true;
            }
            clock.advanceTo(now);
          }
        }
        expect(fired).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('SimulatedClock.afterInstant', () => {
  it('runs once the clock moves past the instant, in the order set, with now() still at that instant', () => {
    const clock = new SimulatedClock(10);
    const seen: Array<[string, number]> = [];
    clock.afterInstant(() => seen.push(['a', clock.now()]));
    clock.afterInstant(() => seen.push(['b', clock.now()]));
    clock.advanceTo(10); // same instant: more events may come
    expect(seen).toEqual([]);
    clock.advanceTo(11);
    expect(seen).toEqual([
      ['a', 10],
      ['b', 10],
    ]);
    clock.advanceTo(12); // once only
    expect(seen).toHaveLength(2);
  });

  it('ends the instant before any timer of a later time fires', () => {
    const clock = new SimulatedClock(10);
    const seen: string[] = [];
    clock.setTimer(11, () => seen.push(`timer ${clock.now()}`));
    clock.setTimer(10, () => seen.push(`timer ${clock.now()}`));
    clock.afterInstant(() => seen.push(`end ${clock.now()}`));
    clock.advanceTo(20);
    // The timer due at 10 belongs to the instant, so the instant ends after it.
    expect(seen).toEqual(['timer 10', 'end 10', 'timer 11']);
  });

  it("ends a timer's instant when that timer asked for it, before a later timer and before the advance returns", () => {
    const clock = new SimulatedClock(0);
    const seen: string[] = [];
    clock.setTimer(5, () => clock.afterInstant(() => seen.push(`end of 5 at ${clock.now()}`)));
    clock.setTimer(7, () => {
      seen.push('timer 7');
      clock.afterInstant(() => seen.push(`end of 7 at ${clock.now()}`));
    });
    clock.advanceTo(9);
    expect(seen).toEqual(['end of 5 at 5', 'timer 7', 'end of 7 at 7']);
    expect(clock.now()).toBe(9);
  });

  it('fires a timer that an ending instant set for itself before the next instant starts', () => {
    const clock = new SimulatedClock(0);
    const seen: string[] = [];
    clock.setTimer(8, () => seen.push(`timer 8 at ${clock.now()}`));
    clock.afterInstant(() => clock.setTimer(clock.now(), () => seen.push(`late timer at ${clock.now()}`)));
    clock.advanceTo(9);
    expect(seen).toEqual(['late timer at 0', 'timer 8 at 8']);
  });

  it('runs a callback set by another callback of the same instant in the same ending', () => {
    const clock = new SimulatedClock(3);
    const seen: string[] = [];
    clock.afterInstant(() => clock.afterInstant(() => seen.push(`second ${clock.now()}`)));
    clock.advanceTo(4);
    expect(seen).toEqual(['second 3']);
    clock.advanceTo(5);
    expect(seen).toHaveLength(1);
  });
});

describe('LiveClock.afterInstant', () => {
  it('runs later (a timer for the next millisecond), and not at all once every timer is canceled', async () => {
    const clock = new LiveClock();
    let ran = false;
    clock.afterInstant(() => (ran = true));
    expect(ran).toBe(false);
    await new Promise((r) => setTimeout(r, 30));
    expect(ran).toBe(true);
    let late = false;
    clock.afterInstant(() => (late = true));
    clock.cancelAll();
    await new Promise((r) => setTimeout(r, 30));
    expect(late).toBe(false);
  });
});

describe('repeatEvery', () => {
  it('fires every interval while the clock moves in small steps', () => {
    const clock = new SimulatedClock(0);
    const times: number[] = [];
    repeatEvery(clock, 1000, () => times.push(clock.now()));
    for (let t = 0; t <= 3500; t += 100) clock.advanceTo(t);
    expect(times).toEqual([1000, 2000, 3000]);
  });

  it('costs at most two calls when the clock jumps a day (no replay of every missed second)', () => {
    const clock = new SimulatedClock(0);
    const times: number[] = [];
    repeatEvery(clock, 1000, () => times.push(clock.now()));
    clock.advanceTo(86_400_000);
    expect(times).toEqual([1000, 86_400_000]);
    clock.advanceTo(86_401_000);
    expect(times).toEqual([1000, 86_400_000, 86_401_000]);
  });

  it('stops when canceled', () => {
    const clock = new SimulatedClock(0);
    let calls = 0;
    const timer = repeatEvery(clock, 10, () => calls++);
    clock.advanceTo(10);
    timer.cancel();
    clock.advanceTo(100);
    expect(calls).toBe(1);
  });

  it('works on the live clock', async () => {
    const clock = new LiveClock();
    let calls = 0;
    const timer = repeatEvery(clock, 5, () => calls++);
    await new Promise((r) => setTimeout(r, 60));
    timer.cancel();
    clock.cancelAll();
    expect(calls).toBeGreaterThan(0);
  });
});
