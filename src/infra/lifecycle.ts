/**
 * Process lifecycle: the Component contract, the Lifecycle registry that starts components in
 * order, stops them in reverse and records every state change, the ResourceManager that owns
 * background tasks and timers, and the signal/crash handlers that turn SIGTERM, SIGINT and
 * uncaught errors into one controlled shutdown bounded by a deadline.
 */
import { LiveClock, type Clock, type TimerHandle } from '../core/clock.js';
import { InvariantError } from '../core/errors.js';
import type { Logger } from './logger.js';

export type ComponentState = 'INITIALIZED' | 'STARTING' | 'RUNNING' | 'DEGRADED' | 'STOPPING' | 'STOPPED' | 'FAULTED';
export type HealthDetails = Record<string, unknown>;

/**
 * A long-lived part of the process (engine, feed, journal, server). The Lifecycle writes `state`;
 * a component reports losing or regaining a dependency through `Lifecycle.setState`. `stop()` must
 * be safe to call after a failed `start()`.
 */
export interface Component {
  readonly name: string;
  state: ComponentState;
  start(): Promise<void>;
  stop(): Promise<void>;
  health?(): HealthDetails;
}

export interface StateChange {
  component: string;
  from: ComponentState;
  to: ComponentState;
  /** Clock time of the change. */
  at: number;
  reason?: string;
}

export interface HealthReport {
  /** ok: everything RUNNING; degraded: some DEGRADED, none down; down: anything else. */
  status: 'ok' | 'degraded' | 'down';
  components: { name: string; state: ComponentState; details?: HealthDetails }[];
}

/** The allowed state changes; any other is a bug (InvariantError). */
const TRANSITIONS: Record<ComponentState, readonly ComponentState[]> = {
  INITIALIZED: ['STARTING'],
  STARTING: ['RUNNING', 'FAULTED'],
  RUNNING: ['DEGRADED', 'STOPPING', 'FAULTED'],
  DEGRADED: ['RUNNING', 'STOPPING', 'FAULTED'],
  STOPPING: ['STOPPED', 'FAULTED'],
  STOPPED: ['STARTING'],
  // A faulted component is still stopped, to release what it holds, or started again.
  FAULTED: ['STOPPING', 'STARTING'],
};
const STOPPABLE: ReadonlySet<ComponentState> = new Set(['RUNNING', 'DEGRADED', 'FAULTED']);

/** One or more components failed to start or stop; `failures` names each with its error. */
export class LifecycleError extends Error {
  override readonly name = 'LifecycleError';
  constructor(
    message: string,
    readonly failures: readonly { component: string; error: unknown }[],
  ) {
    super(message, { cause: failures[0]?.error });
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Starts components in the order they were added and stops them in reverse. */
export class Lifecycle {
  private readonly components: Component[] = [];
  private readonly listeners = new Set<(change: StateChange) => void>();
  private readonly changes: StateChange[] = [];

  constructor(private readonly clock: Clock) {}

  /** Registers a component. Throws InvariantError on a duplicate name. */
  add(component: Component): this {
    if (this.components.some((c) => c.name === component.name)) {
      throw new InvariantError(`component "${component.name}" is already registered`);
    }
    this.components.push(component);
    return this;
  }

  /** Calls `listener` on every state change (listeners must not throw); returns the unsubscriber. */
  onStateChange(listener: (change: StateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every state change so far, oldest first. */
  get history(): readonly StateChange[] {
    return this.changes;
  }

  /** Moves a component to `to` (e.g. RUNNING ↔ DEGRADED). Throws InvariantError on an unknown name or a transition the table forbids. */
  setState(name: string, to: ComponentState, reason?: string): void {
    const component = this.components.find((c) => c.name === name);
    if (!component) throw new InvariantError(`no component named "${name}"`);
    this.transition(component, to, reason);
  }

  /**
   * Starts every component not yet running, in order. When one fails it is marked FAULTED, the
   * ones started so far (and it) are stopped in reverse, and LifecycleError is thrown.
   */
  async start(): Promise<void> {
    const started: Component[] = [];
    for (const component of this.components) {
      if (component.state === 'RUNNING' || component.state === 'DEGRADED') continue;
      this.transition(component, 'STARTING');
      try {
        await component.start();
        this.transition(component, 'RUNNING');
        started.push(component);
      } catch (error) {
        this.transition(component, 'FAULTED', messageOf(error));
        await this.stopEach([component, ...started.reverse()]);
        throw new LifecycleError(`component "${component.name}" failed to start: ${messageOf(error)}`, [
          { component: component.name, error },
        ]);
      }
    }
  }

  /** Stops every running, degraded or faulted component in reverse order, all of them even if some fail; then throws LifecycleError if any did. */
  async stop(): Promise<void> {
    const failures = await this.stopEach([...this.components].reverse());
    if (failures.length > 0) {
      const names = failures.map((f) => `"${f.component}" (${messageOf(f.error)})`).join(', ');
      throw new LifecycleError(`failed to stop ${names}`, failures);
    }
  }

  health(): HealthReport {
    const components = this.components.map((c) => {
      let details: HealthDetails | undefined;
      try {
        details = c.health?.();
      } catch (error) {
        details = { error: messageOf(error) };
      }
      return { name: c.name, state: c.state, ...(details && { details }) };
    });
    const states = components.map((c) => c.state);
    const status = states.every((s) => s === 'RUNNING')
      ? 'ok'
      : states.every((s) => s === 'RUNNING' || s === 'DEGRADED')
        ? 'degraded'
        : 'down';
    return { status, components };
  }

  private async stopEach(components: readonly Component[]): Promise<{ component: string; error: unknown }[]> {
    const failures: { component: string; error: unknown }[] = [];
    for (const component of components) {
      if (!STOPPABLE.has(component.state)) continue;
      this.transition(component, 'STOPPING');
      try {
        await component.stop();
        this.transition(component, 'STOPPED');
      } catch (error) {
        this.transition(component, 'FAULTED', messageOf(error));
        failures.push({ component: component.name, error });
      }
    }
    return failures;
  }

  private transition(component: Component, to: ComponentState, reason?: string): void {
    const from = component.state;
    if (!TRANSITIONS[from].includes(to)) {
      throw new InvariantError(`component "${component.name}" cannot go from ${from} to ${to}`);
    }
    component.state = to;
    const change: StateChange = { component: component.name, from, to, at: this.clock.now(), ...(reason !== undefined && { reason }) };
    this.changes.push(change);
    for (const listener of this.listeners) listener(change);
  }
}

/** Owns a component's background tasks and timers so that stopping it leaves nothing behind. */
export class ResourceManager {
  private readonly tasks = new Set<Promise<void>>();
  private readonly timers = new Map<number, TimerHandle>();

  /** `onError` receives every failed background task with its label. */
  constructor(private readonly options: { clock: Clock; onError: (error: unknown, label: string) => void }) {}

  /** Tracks `task` until it settles; a rejection goes to `onError`, never unhandled. */
  track(label: string, task: Promise<unknown>): void {
    const tracked: Promise<void> = task
      .then(
        () => undefined,
        (error: unknown) => this.options.onError(error, label),
      )
      .finally(() => this.tasks.delete(tracked));
    this.tasks.add(tracked);
  }

  /** Like `clock.setTimer`, but remembered until it fires or is cleared. */
  setTimer(at: number, callback: () => void): TimerHandle {
    const handle = this.options.clock.setTimer(at, () => {
      this.timers.delete(handle.id);
      callback();
    });
    this.timers.set(handle.id, handle);
    return handle;
  }

  cancelTimer(handle: TimerHandle): void {
    this.options.clock.cancelTimer(handle);
    this.timers.delete(handle.id);
  }

  get pending(): { tasks: number; timers: number } {
    return { tasks: this.tasks.size, timers: this.timers.size };
  }

  clearTimers(): void {
    for (const handle of this.timers.values()) this.options.clock.cancelTimer(handle);
    this.timers.clear();
  }

  /** Resolves once every tracked task, including ones started meanwhile, has settled. */
  async drain(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  /** Cancels the timers, then waits for the tasks. */
  async close(): Promise<void> {
    this.clearTimers();
    await this.drain();
  }
}

export interface ShutdownOptions {
  lifecycle: Lifecycle;
  /** The whole shutdown (beforeStop and every stop) must finish within this, or the exit code is 1. */
  deadlineMs: number;
  logger: Logger;
  /** Runs first: stop taking orders, and cancel open orders if configured. */
  beforeStop?: (reason: string) => Promise<void> | void;
  exit?: (code: number) => void;
  /** Measures the deadline; a LiveClock by default. */
  clock?: Clock;
  /** Where signals and crash events arrive; the real process by default. */
  emitter?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
}

/**
 * On SIGTERM/SIGINT: beforeStop, stop all components, exit 0 — or 1 if a step failed or the
 * deadline passed first. A second signal exits 1 at once. uncaughtException and
 * unhandledRejection are logged and start the same shutdown with exit code 1.
 * Returns a disposer that removes the listeners.
 */
export function installShutdownHandlers(options: ShutdownOptions): () => void {
  const { lifecycle, deadlineMs, logger, beforeStop, exit = (code) => process.exit(code) } = options;
  const clock = options.clock ?? new LiveClock();
  const emitter = options.emitter ?? process;
  let shuttingDown = false;
  let exited = false;
  let exitCode = 0;

  const finish = (code: number): void => {
    if (exited) return;
    exited = true;
    logger.flush();
    exit(code);
  };

  const shutdown = async (reason: string): Promise<void> => {
    shuttingDown = true;
    logger.info({ reason, deadlineMs }, 'shutting down');
    const deadline = clock.setTimer(clock.now() + deadlineMs, () => {
      logger.error({ deadlineMs }, 'shutdown deadline passed; exiting');
      finish(1);
    });
    const steps: [string, () => Promise<void> | void][] = [
      ['beforeStop', () => beforeStop?.(reason)],
      ['stop components', () => lifecycle.stop()],
    ];
    for (const [step, run] of steps) {
      try {
        await run();
      } catch (err) {
        logger.error({ err, step }, 'shutdown step failed');
        exitCode = 1;
      }
    }
    clock.cancelTimer(deadline);
    if (!exited) logger.info({ exitCode }, 'shutdown complete');
    finish(exitCode);
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting now');
      finish(1);
    } else {
      void shutdown(signal);
    }
  };
  const onCrash = (event: string) => (err: unknown) => {
    logger.fatal({ err }, event);
    exitCode = 1;
    if (!shuttingDown) void shutdown(event);
  };

  // One list for both kinds: a crash handler takes an `unknown`, so it accepts a signal name too.
  const handlers: [string, (arg: NodeJS.Signals) => void][] = [
    ['SIGTERM', onSignal],
    ['SIGINT', onSignal],
    ['uncaughtException', onCrash('uncaughtException')],
    ['unhandledRejection', onCrash('unhandledRejection')],
  ];
  for (const [event, handler] of handlers) emitter.on(event, handler);
  return () => {
    for (const [event, handler] of handlers) emitter.off(event, handler);
  };
}
