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
