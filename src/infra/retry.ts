/**
 * Failure handling for calls to things outside the process (venues, feeds, databases): error
 * classification (retryable / non-retryable / fatal), retry with capped exponential backoff and
 * an overall deadline, and a circuit breaker. All waiting and cool-downs run on the injected Clock,
 * so tests drive them with a SimulatedClock and never sleep.
 */
import type { Clock } from '../core/clock.js';
import { InvariantError } from '../core/errors.js';

export type ErrorClass = 'retryable' | 'non-retryable' | 'fatal';

/** A transient failure: the same call may succeed later (timeouts, disconnects, rate limits). */
export class RetryableError extends Error {
  override readonly name = 'RetryableError';
}

/** The call itself is wrong (rejected order, bad request); repeating it cannot help. */
export class NonRetryableError extends Error {
  override readonly name = 'NonRetryableError';
}

/** The process cannot go on safely (corrupt state, lost credentials, disk full): shut down. */
export class FatalError extends Error {
  override readonly name = 'FatalError';
}

/** Thrown by a retry that ran out of attempts or of time; `cause` is the last failure. */
export class RetryExhaustedError extends Error {
  override readonly name = 'RetryExhaustedError';
  constructor(
    message: string,
    readonly attempts: number,
    options: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The breaker is open: the call was not made. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  constructor(
    readonly circuit: string,
    /** Clock time from which a trial call is allowed. */
    readonly retryAt: number,
  ) {
    super(`circuit "${circuit}" is open until ${new Date(retryAt).toISOString()}`);
  }
}

/** Socket, DNS, PostgreSQL and SQLite codes that mean "try again". */
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000', // connection_exception
  '08003', // connection_does_not_exist
  '08006', // connection_failure
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '53300', // too_many_connections
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
]);
const FATAL_CODES = new Set(['ENOSPC', 'EROFS', 'SQLITE_CORRUPT', 'SQLITE_FULL', 'SQLITE_READONLY']);
const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * Decides what a failure means. Named classes win; then broken invariants (bugs) are fatal; then
 * `code` and HTTP `status`/`statusCode` are looked up; then the `cause` chain. Anything else is
 * non-retryable: retrying an unknown failure hides bugs.
 */
export function classifyError(err: unknown): ErrorClass {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof FatalError || e instanceof InvariantError) return 'fatal';
    if (e instanceof RetryableError || e instanceof CircuitOpenError) return 'retryable';
    if (e instanceof NonRetryableError) return 'non-retryable';
    const { code, status, statusCode } = e as { code?: unknown; status?: unknown; statusCode?: unknown };
    if (typeof code === 'string' && FATAL_CODES.has(code)) return 'fatal';
    if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return 'retryable';
    const http = typeof status === 'number' ? status : statusCode;
    if (typeof http === 'number') return RETRYABLE_STATUS.has(http) ? 'retryable' : 'non-retryable';
    if (e.name === 'TimeoutError') return 'retryable';
  }
  return 'non-retryable';
}

/** Errors seen by `recordError`, by class. Plain counts for the metrics module to read. */
export const ErrorCounters: Record<ErrorClass, number> = { retryable: 0, 'non-retryable': 0, fatal: 0 };

/** Classifies `err` and counts it in ErrorCounters. */
export function recordError(err: unknown): ErrorClass {
  const kind = classifyError(err);
  ErrorCounters[kind] += 1;
  return kind;
}

export interface RetryOptions {
  /** Total attempts, the first included (≥ 1). */
  attempts: number;
  /** Backoff before retry n (1-based) is at most min(maxMs, baseMs·2^(n-1)). */
  baseMs: number;
  maxMs: number;
  /** No attempt starts and no wait ends later than this many ms after the first attempt. */
  deadlineMs?: number;
  /** 'full' waits a uniform random time in [0, backoff); 'none' waits the whole backoff. */
  jitter?: 'full' | 'none';
  clock: Clock;
  /** Uniform in [0, 1); defaults to Math.random. */
  random?: () => number;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/**
 * Calls `fn` until it succeeds, backing off between failures. Every failure is counted in
 * ErrorCounters. Throws the error itself when it is non-retryable or fatal, and
 * RetryExhaustedError (cause: the last error) when attempts or the deadline run out.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { attempts, baseMs, maxMs, clock, deadlineMs = Infinity, jitter = 'full', random = Math.random } = options;
  if (!Number.isInteger(attempts) || attempts < 1) throw new InvariantError(`retry attempts ${attempts} must be an integer ≥ 1`);
  const deadline = clock.now() + deadlineMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (recordError(error) !== 'retryable') throw error;
      const backoff = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
      const delayMs = jitter === 'full' ? Math.floor(random() * backoff) : backoff;
      const why = attempt >= attempts ? `${attempts} attempts` : clock.now() + delayMs > deadline ? `deadline ${deadlineMs}ms` : undefined;
      if (why !== undefined) {
        const message = error instanceof Error ? error.message : String(error);
        throw new RetryExhaustedError(`gave up after ${why}: ${message}`, attempt, { cause: error });
      }
      options.onRetry?.({ attempt, delayMs, error });
      if (delayMs > 0) await sleep(clock, delayMs);
    }
  }
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((wake) => clock.setTimer(clock.now() + ms, wake));
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  name: string;
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** Time the circuit stays open before one trial call is let through. */
  coolDownMs: number;
  clock: Clock;
  onStateChange?: (state: CircuitState, previous: CircuitState) => void;
}

/**
 * closed → open after `failureThreshold` consecutive failures → half-open once `coolDownMs` has
 * passed on the clock (one trial call at a time) → closed on success, open again on failure.
 * Only retryable and fatal errors count as failures: a non-retryable answer (a rejected request)
 * proves the remote side is up.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;

  constructor(private readonly options: CircuitBreakerOptions) {}

  get state(): CircuitState {
    if (this.current === 'open' && this.options.clock.now() >= this.retryAt) this.moveTo('half-open');
    return this.current;
  }

  private get retryAt(): number {
    return this.openedAt + this.options.coolDownMs;
  }

  /** Runs `fn` through the breaker. Throws CircuitOpenError without calling `fn` while open. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.trialInFlight)) {
      throw new CircuitOpenError(this.options.name, this.retryAt);
    }
    const trial = state === 'half-open';
    if (trial) this.trialInFlight = true;
    try {
      const result = await fn();
      this.succeeded();
      return result;
    } catch (error) {
      if (classifyError(error) === 'non-retryable') this.succeeded();
      else this.failed();
      throw error;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  private succeeded(): void {
    this.failures = 0;
    if (this.current !== 'closed') this.moveTo('closed');
  }

  private failed(): void {
    this.failures += 1;
    if (this.current === 'half-open' || this.failures >= this.options.failureThreshold) {
      this.openedAt = this.options.clock.now();
      if (this.current !== 'open') this.moveTo('open');
    }
  }

  private moveTo(next: CircuitState): void {
    const previous = this.current;
    this.current = next;
    this.options.onStateChange?.(next, previous);
  }
}
