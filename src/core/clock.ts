/**
 * Clock: the only source of time for domain code. Timestamps are integer milliseconds since the
 * Unix epoch. The simulated clock is advanced by the data (backtests are deterministic); the live
 * clock reads the wall clock (paper and live). Timers go through the clock in both cases.
 */

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number;
  /** Calls `callback` once at time `at` (or as soon as possible if `at` has passed). */
  setTimer(at: number, callback: () => void): TimerHandle;
  cancelTimer(handle: TimerHandle): void;
}

interface PendingTimer {
  id: number;
  at: number;
  callback: () => void;
}

/**
 * A clock that only moves when told to. Timers fire in time order (ties in the order they were
 * set) while the clock advances, with `now()` equal to each timer's time as it fires.
 */
export class SimulatedClock implements Clock {
  private current: number;
  private nextId = 1;
  private heap: PendingTimer[] = [];
  private canceled = new Set<number>();

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(at: number, callback: () => void): TimerHandle {
    const timer = { id: this.nextId++, at: Math.max(at, this.current), callback };
    this.push(timer);
    return { id: timer.id };
  }

  cancelTimer(handle: TimerHandle): void {
    this.canceled.add(handle.id);
  }

  /** Time of the earliest pending timer, or undefined. */
  nextTimerAt(): number | undefined {
    return this.heap[0]?.at;
  }

  /** Moves time forward to `ts`, firing every timer due at or before it. Time never goes back. */
  advanceTo(ts: number): void {
    this.target = Math.max(this.target, ts);
    while (this.heap.length > 0 && this.heap[0]!.at <= ts) {
      const timer = this.pop()!;
      if (this.canceled.delete(timer.id)) continue;
      if (timer.at > this.current) this.current = timer.at;
      timer.callback();
    }
    if (ts > this.current) this.current = ts;
  }

  /** The time the clock is advancing to (now, when not advancing). */
  horizon(): number {
    return Math.max(this.current, this.target);
  }

  private target = -Infinity;

  private less(a: PendingTimer, b: PendingTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.id < b.id);
  }

  private push(t: PendingTimer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): PendingTimer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * The time a clock is moving to: a simulated clock's advance target (the time of the record that
 * made it advance, while its timers fire), otherwise now. A timer that re-arms itself past this
 * time skips a gap in the data in one step instead of firing through it.
 */
export function clockHorizon(clock: Clock): number {
  return clock instanceof SimulatedClock ? clock.horizon() : clock.now();
}

/**
 * Calls `callback` every `intervalMs` of clock time until canceled. On a simulated clock that
 * jumps far ahead (daily bars), missed periods are not replayed one by one: after firing, the
 * next call is at the later of one interval on and the time the clock is advancing to, so a
 * jump costs at most two calls (the first period due, and the end of the jump).
 */
export function repeatEvery(clock: Clock, intervalMs: number, callback: () => void): { cancel(): void } {
  if (!(intervalMs > 0)) throw new RangeError(`interval ${intervalMs} ms must be positive`);
  let handle: TimerHandle | undefined;
  let canceled = false;
  const fire = () => {
    handle = undefined;
    if (canceled) return;
    callback();
    if (!canceled) handle = clock.setTimer(Math.max(clock.now() + intervalMs, clockHorizon(clock)), fire);
  };
  handle = clock.setTimer(clock.now() + intervalMs, fire);
  return {
    cancel() {
      canceled = true;
      if (handle) clock.cancelTimer(handle);
    },
  };
}

/** Wall-clock time with Node timers, for paper and live trading. */
export class LiveClock implements Clock {
  private nextId = 1;
  private timers = new Map<number, NodeJS.Timeout>();

  now(): number {
    return Date.now();
  }

  setTimer(at: number, callback: () => void): TimerHandle {
    const id = this.nextId++;
    const t = setTimeout(() => {
      this.timers.delete(id);
      callback();
    }, Math.max(0, at - Date.now()));
    this.timers.set(id, t);
    return { id };
  }

  cancelTimer(handle: TimerHandle): void {
    const t = this.timers.get(handle.id);
    if (t) clearTimeout(t);
    this.timers.delete(handle.id);
  }

  /** Cancels every pending timer (used at shutdown). */
  cancelAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
