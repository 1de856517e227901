import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../core/clock.js';
import { InvariantError } from '../core/errors.js';
import {
  CircuitBreaker,
  CircuitOpenError,
  classifyError,
  ErrorCounters,
  FatalError,
  NonRetryableError,
  retry,
  RetryableError,
  RetryExhaustedError,
  type CircuitState,
} from './retry.js';

/** Lets every pending promise callback run (no time passes on any clock). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Fires the simulated clock's timers one by one until `promise` settles. */
async function drive<T>(clock: SimulatedClock, promise: Promise<T>): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await settle();
  while (!done) {
    const next = clock.nextTimerAt();
    if (next === undefined) throw new Error('stuck: no timer pending and the promise has not settled');
    clock.advanceTo(next);
    await settle();
  }
  return promise;
}

const withCode = (code: string) => Object.assign(new Error(`socket ${code}`), { code });

/** A function failing `failures` times with `error`, then returning 'ok'; records clock times of calls. */
function flaky(clock: SimulatedClock, failures: number, error: () => unknown = () => new RetryableError('busy')) {
  const calls: number[] = [];
  const fn = async () => {
    calls.push(clock.now());
    if (calls.length <= failures) throw error();
    return 'ok';
  };
  return { fn, calls };
}

describe('classifyError', () => {
  it.each([
    [new RetryableError('x'), 'retryable'],
    [new NonRetryableError('x'), 'non-retryable'],
    [new FatalError('x'), 'fatal'],
    [new InvariantError('bug'), 'fatal'],
    [new CircuitOpenError('venue', 0), 'retryable'],
    [withCode('ECONNRESET'), 'retryable'],
    [withCode('ECONNREFUSED'), 'retryable'],
    [withCode('ETIMEDOUT'), 'retryable'],
    [withCode('EPIPE'), 'retryable'],
    [withCode('57P01'), 'retryable'],
    [withCode('SQLITE_BUSY'), 'retryable'],
    [withCode('ENOSPC'), 'fatal'],
    [withCode('ENOENT'), 'non-retryable'],
    [Object.assign(new Error('rate limited'), { status: 429 }), 'retryable'],
    [Object.assign(new Error('unavailable'), { statusCode: 503 }), 'retryable'],
    [Object.assign(new Error('bad request'), { status: 400 }), 'non-retryable'],
    [new Error('wrapped', { cause: withCode('ECONNRESET') }), 'retryable'],
    [new Error('plain'), 'non-retryable'],
    ['a string', 'non-retryable'],
    [undefined, 'non-retryable'],
  ] as const)('%s → %s', (err, expected) => {
    expect(classifyError(err)).toBe(expected);
  });
});

describe('retry', () => {
  it('backs off exponentially up to the cap (no jitter)', async () => {
    const clock = new SimulatedClock(0);
    const { fn, calls } = flaky(clock, 3);
    const delays: number[] = [];
    const result = retry(fn, {
      attempts: 5,
      baseMs: 100,
      maxMs: 250,
      jitter: 'none',
      clock,
      onRetry: ({ delayMs }) => delays.push(delayMs),
    });
    await expect(drive(clock, result)).resolves.toBe('ok');
    expect(delays).toEqual([100, 200, 250]);
    expect(calls).toEqual([0, 100, 300, 550]);
  });

  it('full jitter waits random·backoff, with the random source injected', async () => {
    const clock = new SimulatedClock(1_000);
    const { fn, calls } = flaky(clock, 3);
    const result = retry(fn, { attempts: 4, baseMs: 100, maxMs: 250, jitter: 'full', random: () => 0.5, clock });
    await expect(drive(clock, result)).resolves.toBe('ok');
    expect(calls).toEqual([1_000, 1_050, 1_150, 1_275]);
  });

  it('gives up after the last attempt with the last error as cause, counting every failure', async () => {
    const clock = new SimulatedClock(0);
    const before = ErrorCounters.retryable;
    const { fn, calls } = flaky(clock, Infinity, () => withCode('ECONNRESET'));
    const result = retry(fn, { attempts: 3, baseMs: 10, maxMs: 1_000, jitter: 'none', clock });
    const err: unknown = await drive(clock, result).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryExhaustedError);
    expect((err as RetryExhaustedError).attempts).toBe(3);
    expect((err as RetryExhaustedError).message).toBe('gave up after 3 attempts: socket ECONNRESET');
    expect((err as Error).cause).toMatchObject({ code: 'ECONNRESET' });
    expect(calls).toEqual([0, 10, 30]);
    expect(ErrorCounters.retryable - before).toBe(3);
  });

  it('stops before a wait would end past the deadline', async () => {
    const clock = new SimulatedClock(0);
    const { fn, calls } = flaky(clock, Infinity);
    const result = retry(fn, { attempts: 10, baseMs: 100, maxMs: 10_000, deadlineMs: 350, jitter: 'none', clock });
    const err: unknown = await drive(clock, result).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryExhaustedError);
    expect((err as Error).message).toBe('gave up after deadline 350ms: busy');
    // Waits of 100 and 200 fit (t=300); the next one (400) would end at 700 > 350.
    expect(calls).toEqual([0, 100, 300]);
    expect(clock.now()).toBe(300);
  });

  it.each([
    ['non-retryable', () => new NonRetryableError('order rejected')],
    ['fatal', () => new FatalError('ledger corrupt')],
    ['unknown', () => new Error('who knows')],
  ])('never retries a %s error and rethrows it unchanged', async (kind, make) => {
    const clock = new SimulatedClock(0);
    const error = make();
    const { fn, calls } = flaky(clock, Infinity, () => error);
    const klass = classifyError(error);
    const before = ErrorCounters[klass];
    await expect(retry(fn, { attempts: 5, baseMs: 10, maxMs: 100, clock })).rejects.toBe(error);
    expect(calls).toHaveLength(1);
    expect(ErrorCounters[klass] - before).toBe(1);
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('rejects a non-positive attempt count', async () => {
    await expect(retry(async () => 1, { attempts: 0, baseMs: 1, maxMs: 1, clock: new SimulatedClock() })).rejects.toThrow(InvariantError);
  });
});

describe('CircuitBreaker', () => {
  function setup() {
    const clock = new SimulatedClock(0);
    const changes: [CircuitState, CircuitState][] = [];
    const breaker = new CircuitBreaker({
      name: 'venue',
      failureThreshold: 3,
      coolDownMs: 1_000,
      clock,
      onStateChange: (to, from) => changes.push([from, to]),
    });
    const fail = () => breaker.run(() => Promise.reject(new RetryableError('timeout')));
    return { clock, breaker, changes, fail };
  }

  it('opens after N consecutive failures and then fails fast without calling', async () => {
    const { breaker, fail } = setup();
    await expect(fail()).rejects.toThrow(RetryableError);
    await expect(fail()).rejects.toThrow(RetryableError);
    expect(breaker.state).toBe('closed');
    await expect(fail()).rejects.toThrow(RetryableError);
    expect(breaker.state).toBe('open');
    let called = false;
    const err: unknown = await breaker.run(async () => (called = true)).catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect(err).toMatchObject({ circuit: 'venue', retryAt: 1_000 });
  });

  it('a success in between resets the count; non-retryable answers do not count', async () => {
    const { breaker, fail } = setup();
    await fail().catch(() => undefined);
    await fail().catch(() => undefined);
    await breaker.run(async () => 'fine');
    await fail().catch(() => undefined);
    await fail().catch(() => undefined);
    for (let i = 0; i < 5; i++) {
      await breaker.run(() => Promise.reject(new NonRetryableError('rejected'))).catch(() => undefined);
    }
    expect(breaker.state).toBe('closed');
  });

  it('half-opens after the cool-down on the clock, lets one trial through, closes on success', async () => {
    const { clock, breaker, changes, fail } = setup();
    for (let i = 0; i < 3; i++) await fail().catch(() => undefined);
    clock.advanceTo(999);
    expect(breaker.state).toBe('open');
    clock.advanceTo(1_000);
    expect(breaker.state).toBe('half-open');

    let release: (v: string) => void = () => undefined;
    const trial = breaker.run(() => new Promise<string>((resolve) => (release = resolve)));
    await expect(breaker.run(async () => 'second')).rejects.toThrow(CircuitOpenError);
    release('done');
    await expect(trial).resolves.toBe('done');
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual([
      ['closed', 'open'],
      ['open', 'half-open'],
      ['half-open', 'closed'],
    ]);
  });

  it('a failed trial opens the circuit again for a full cool-down', async () => {
    const { clock, breaker, fail } = setup();
    for (let i = 0; i < 3; i++) await fail().catch(() => undefined);
    clock.advanceTo(1_500);
    await expect(fail()).rejects.toThrow(RetryableError);
    expect(breaker.state).toBe('open');
    clock.advanceTo(2_499);
    expect(breaker.state).toBe('open');
    clock.advanceTo(2_500);
    expect(breaker.state).toBe('half-open');
  });
});
