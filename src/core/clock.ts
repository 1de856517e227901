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
  /**
   * Calls `callback` once every event stamped with the current time has been handled: a simulated
   * clock as it moves past now (before any timer of a later time fires), the live clock a
   * millisecond later. It cannot be canceled: a caller that may no longer need it keeps a flag.
   * Cheaper than a timer for work done once per instant (the monitor's sample after fills).
   */
  afterInstant(callback: () => void): void;
}

/** A timer in the simulated clock's queue; it is also the handle returned for it. */
class PendingTimer implements TimerHandle {
  canceled = false;
  constructor(
    readonly id: number,
    readonly at: number,
    readonly callback: () => void,
  ) {}
}

/**
 * A clock that only moves when told to. Timers fire in time order (ties in the order they were
 * set) while the clock advances, with `now()` equal to each timer's time as it fires.
 */
export class SimulatedClock implements Clock {
  private current: number;
  private target = -Infinity;
  private nextId = 1;
  /** A binary min-heap on (at, id). Canceled timers stay in it, flagged, until their time. */
  private readonly heap: PendingTimer[] = [];
  /** The earliest pending timer's time (Infinity when none), so that a record's advance reads one field. */
  private nextDueAt = Infinity;
  /**
   * afterInstant callbacks of the current instant, in the order set: the first `instantEndCount`
   * slots (counted rather than truncated: setting an array's length is a runtime call, and
   * shrinking it made the next push grow it again).
   */
  private readonly instantEnd: Array<(() => void) | undefined> = [];
  private instantEndCount = 0;

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(at: number, callback: () => void): TimerHandle {
    const timer = new PendingTimer(this.nextId++, Math.max(at, this.current), callback);
    this.push(timer);
    return timer;
  }

  afterInstant(callback: () => void): void {
    this.instantEnd[this.instantEndCount++] = callback;
  }

  /** Cancels a timer of this clock (a handle from another clock is ignored). */
  cancelTimer(handle: TimerHandle): void {
    if (handle instanceof PendingTimer) handle.canceled = true;
  }

  /** Time of the earliest pending timer, or undefined. */
  nextTimerAt(): number | undefined {
    return this.heap[0]?.at;
  }

  /**
   * Moves time forward to `ts`, firing every timer due at or before it and ending each instant it
   * leaves (its afterInstant callbacks run after its last timer). Time never goes back. Called
   * for every record of a backtest: when nothing is due it is a few comparisons, and the firing
   * loops are functions of their own, so the record path does not carry them.
   */
  advanceTo(ts: number): void {
    if (ts > this.target) this.target = ts;
    if (ts >= this.nextDueAt) this.fireDue(ts);
    else if (ts > this.current && this.instantEndCount > 0) this.endInstant();
    if (ts > this.current) this.current = ts;
  }

  /** The time the clock is advancing to (now, when not advancing). */
  horizon(): number {
    return Math.max(this.current, this.target);
  }

  private fireDue(ts: number): void {
    while (ts >= this.nextDueAt) {
      const timer = this.heap[0]!;
      if (timer.canceled) {
        this.pop();
        continue;
      }
      if (timer.at > this.current) {
        if (this.instantEndCount > 0) {
          // Its callbacks may set timers for the instant they end: look at the queue again.
          this.endInstant();
          continue;
        }
        this.current = timer.at;
      }
      this.pop();
      timer.callback();
    }
    // A timer's work may have asked for the end of its instant, which ends before `ts`.
    if (ts > this.current && this.instantEndCount > 0) this.endInstant();
  }

  /** Runs the current instant's afterInstant callbacks, including any they set. */
  private endInstant(): void {
    const callbacks = this.instantEnd;
    for (let i = 0; i < this.instantEndCount; i++) {
      const callback = callbacks[i]!;
      callbacks[i] = undefined;
      callback();
    }
    this.instantEndCount = 0;
  }

  private push(timer: PendingTimer): void {
    const h = this.heap;
    let i = h.length;
    h.push(timer);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (!before(timer, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = timer;
    if (timer.at < this.nextDueAt) this.nextDueAt = timer.at;
  }

  /** Removes and returns the earliest timer; the heap is not empty. */
  private pop(): PendingTimer {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    const n = h.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const child = r < n && before(h[r]!, h[l]!) ? r : l;
        if (!before(h[child]!, last)) break;
        h[i] = h[child]!;
        i = child;
      }
      h[i] = last;
    }
    this.nextDueAt = n > 0 ? h[0]!.at : Infinity;
    return top;
  }
}

/** Heap order: earlier time first, ties in the order set. */
function before(a: PendingTimer, b: PendingTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.id < b.id);
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

  afterInstant(callback: () => void): void {
    this.setTimer(Date.now() + 1, callback);
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
