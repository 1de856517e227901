import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../core/clock.js';
import { InvariantError } from '../core/errors.js';
import { configSchema } from './config.js';
import {
  installShutdownHandlers,
  Lifecycle,
  LifecycleError,
  ResourceManager,
  type Component,
  type ComponentState,
  type StateChange,
} from './lifecycle.js';
import { createLogger } from './logger.js';

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A manually released promise. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Fake component: records calls in a shared log and fails or waits on demand. */
class Fake implements Component {
  state: ComponentState = 'INITIALIZED';
  constructor(
    readonly name: string,
    private readonly log: string[],
    private readonly behaviour: { failStart?: boolean; failStop?: boolean; stopWaitsFor?: Promise<void>; health?: () => Record<string, unknown> } = {},
  ) {}
  async start(): Promise<void> {
    this.log.push(`start ${this.name}`);
    if (this.behaviour.failStart) throw new Error(`${this.name} cannot bind`);
  }
  async stop(): Promise<void> {
    this.log.push(`stop ${this.name}`);
    await this.behaviour.stopWaitsFor;
    if (this.behaviour.failStop) throw new Error(`${this.name} stuck`);
  }
  health(): Record<string, unknown> {
    return this.behaviour.health?.() ?? { ok: true };
  }
}

describe('Lifecycle', () => {
  it('starts in order, stops in reverse and records every change with the clock time', async () => {
    const clock = new SimulatedClock(5_000);
    const log: string[] = [];
    const lifecycle = new Lifecycle(clock).add(new Fake('journal', log)).add(new Fake('engine', log)).add(new Fake('server', log));
    const seen: StateChange[] = [];
    const unsubscribe = lifecycle.onStateChange((c) => seen.push(c));

    await lifecycle.start();
    expect(lifecycle.health().status).toBe('ok');
    clock.advanceTo(6_000);
    await lifecycle.stop();

    expect(log).toEqual(['start journal', 'start engine', 'start server', 'stop server', 'stop engine', 'stop journal']);
    expect(seen).toEqual(lifecycle.history);
    expect(seen.filter((c) => c.component === 'engine')).toEqual([
      { component: 'engine', from: 'INITIALIZED', to: 'STARTING', at: 5_000 },
      { component: 'engine', from: 'STARTING', to: 'RUNNING', at: 5_000 },
      { component: 'engine', from: 'RUNNING', to: 'STOPPING', at: 6_000 },
      { component: 'engine', from: 'STOPPING', to: 'STOPPED', at: 6_000 },
    ]);
    unsubscribe();
    await lifecycle.start();
    expect(seen).toHaveLength(12);
    expect(lifecycle.history).toHaveLength(18);
  });

  it('a failed start faults that component, stops the started ones in reverse and throws', async () => {
    const log: string[] = [];
    const late = new Fake('server', log);
    const lifecycle = new Lifecycle(new SimulatedClock())
      .add(new Fake('journal', log))
      .add(new Fake('engine', log))
      .add(new Fake('feed', log, { failStart: true }))
      .add(late);
    const err: unknown = await lifecycle.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LifecycleError);
    expect((err as Error).message).toBe('component "feed" failed to start: feed cannot bind');
    expect(log).toEqual(['start journal', 'start engine', 'start feed', 'stop feed', 'stop engine', 'stop journal']);
    expect(late.state).toBe('INITIALIZED');
    expect(lifecycle.history.find((c) => c.to === 'FAULTED')).toMatchObject({ component: 'feed', reason: 'feed cannot bind' });
  });

  it('stop keeps going past a failing component and reports it', async () => {
    const log: string[] = [];
    const stuck = new Fake('engine', log, { failStop: true });
    const lifecycle = new Lifecycle(new SimulatedClock()).add(new Fake('journal', log)).add(stuck).add(new Fake('server', log));
    await lifecycle.start();
    const err: unknown = await lifecycle.stop().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LifecycleError);
    expect((err as LifecycleError).failures.map((f) => f.component)).toEqual(['engine']);
    expect((err as Error).message).toBe('failed to stop "engine" (engine stuck)');
    expect(log.slice(3)).toEqual(['stop server', 'stop engine', 'stop journal']);
    expect(stuck.state).toBe('FAULTED');
    expect(lifecycle.health().status).toBe('down');
  });

  it('reports health per component and degrades on request', async () => {
    const lifecycle = new Lifecycle(new SimulatedClock())
      .add(new Fake('feed', [], { health: () => ({ lagMs: 12 }) }))
      .add(new Fake('broken', [], { health: () => { throw new Error('probe failed'); } }));
    expect(lifecycle.health().status).toBe('down');
    await lifecycle.start();
    lifecycle.setState('feed', 'DEGRADED', 'feed disconnected');
    expect(lifecycle.health()).toEqual({
      status: 'degraded',
      components: [
        { name: 'feed', state: 'DEGRADED', details: { lagMs: 12 } },
        { name: 'broken', state: 'RUNNING', details: { error: 'probe failed' } },
      ],
    });
    lifecycle.setState('feed', 'RUNNING');
    expect(lifecycle.health().status).toBe('ok');
  });

  it('refuses unknown transitions, unknown names and duplicate names', () => {
    const lifecycle = new Lifecycle(new SimulatedClock()).add(new Fake('feed', []));
    expect(() => lifecycle.setState('feed', 'RUNNING')).toThrow('component "feed" cannot go from INITIALIZED to RUNNING');
    expect(() => lifecycle.setState('nope', 'RUNNING')).toThrow(InvariantError);
    expect(() => lifecycle.add(new Fake('feed', []))).toThrow('component "feed" is already registered');
  });
});

describe('ResourceManager', () => {
  it('tracks background tasks until they settle and reports failures with their label', async () => {
    const errors: [string, string][] = [];
    const resources = new ResourceManager({
      clock: new SimulatedClock(),
      onError: (err, label) => errors.push([label, (err as Error).message]),
    });
    const slow = gate();
    resources.track('flush journal', slow.promise);
    resources.track('reconnect', Promise.reject(new Error('refused')));
    expect(resources.pending.tasks).toBe(2);
    await settle();
    expect(resources.pending.tasks).toBe(1);
    expect(errors).toEqual([['reconnect', 'refused']]);

    let drained = false;
    const draining = resources.drain().then(() => (drained = true));
    await settle();
    expect(drained).toBe(false);
    slow.open();
    await draining;
    expect(resources.pending.tasks).toBe(0);
  });

  it('owns timers: forgets fired ones and cancels the rest on close', async () => {
    const clock = new SimulatedClock(0);
    const resources = new ResourceManager({ clock, onError: () => undefined });
    const fired: string[] = [];
    resources.setTimer(100, () => fired.push('a'));
    resources.setTimer(200, () => fired.push('b'));
    const c = resources.setTimer(300, () => fired.push('c'));
    resources.cancelTimer(c);
    clock.advanceTo(100);
    expect(resources.pending.timers).toBe(1);
    await resources.close();
    clock.advanceTo(1_000);
    expect(fired).toEqual(['a']);
    expect(resources.pending).toEqual({ tasks: 0, timers: 0 });
  });
});

describe('installShutdownHandlers', () => {
  function setup(components: (log: string[]) => Component[], deadlineMs = 10_000) {
    const clock = new SimulatedClock(0);
    const log: string[] = [];
    const lifecycle = new Lifecycle(clock);
    for (const c of components(log)) lifecycle.add(c);
    const emitter = new EventEmitter();
    const exits: number[] = [];
    const lines: string[] = [];
    const logger = createLogger(configSchema.parse({}).logging, 'development', {
      destination: new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    const dispose = installShutdownHandlers({
      lifecycle,
      deadlineMs,
      logger,
      clock,
      emitter,
      exit: (code) => exits.push(code),
      beforeStop: (reason) => void log.push(`beforeStop ${reason}`),
    });
    return { clock, log, lifecycle, emitter, exits, lines, dispose };
  }
  const two = (log: string[]) => [new Fake('journal', log), new Fake('engine', log)];

  it('SIGTERM: stops taking orders, stops components in reverse, exits 0', async () => {
    const { log, lifecycle, emitter, exits, lines } = setup(two);
    await lifecycle.start();
    emitter.emit('SIGTERM', 'SIGTERM');
    await settle();
    expect(log.slice(2)).toEqual(['beforeStop SIGTERM', 'stop engine', 'stop journal']);
    expect(exits).toEqual([0]);
    expect(lines.join('')).toContain('shutdown complete');
  });

  it('exits 1 when a component fails to stop', async () => {
    const { lifecycle, emitter, exits } = setup((log) => [new Fake('journal', log, { failStop: true })]);
    await lifecycle.start();
    emitter.emit('SIGINT', 'SIGINT');
    await settle();
    expect(exits).toEqual([1]);
  });

  it('exits 1 when the deadline passes, and only once', async () => {
    const hang = gate();
    const { clock, lifecycle, emitter, exits, lines } = setup((log) => [new Fake('feed', log, { stopWaitsFor: hang.promise })], 3_000);
    await lifecycle.start();
    emitter.emit('SIGTERM', 'SIGTERM');
    await settle();
    clock.advanceTo(2_999);
    expect(exits).toEqual([]);
    clock.advanceTo(3_000);
    expect(exits).toEqual([1]);
    expect(lines.join('')).toContain('shutdown deadline passed');
    hang.open();
    await settle();
    expect(exits).toEqual([1]);
  });

  it('a second signal exits 1 at once', async () => {
    const hang = gate();
    const { lifecycle, emitter, exits } = setup((log) => [new Fake('feed', log, { stopWaitsFor: hang.promise })]);
    await lifecycle.start();
    emitter.emit('SIGTERM', 'SIGTERM');
    await settle();
    emitter.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([1]);
  });

  it.each(['uncaughtException', 'unhandledRejection'])('%s is logged and shuts down with exit 1', async (event) => {
    const { log, lifecycle, emitter, exits, lines } = setup(two);
    await lifecycle.start();
    emitter.emit(event, new Error('kaboom'));
    await settle();
    expect(log.slice(2)).toEqual([`beforeStop ${event}`, 'stop engine', 'stop journal']);
    expect(exits).toEqual([1]);
    const fatal = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.level === 60);
    expect(fatal).toMatchObject({ msg: event, err: { message: 'kaboom' } });
  });

  it('the disposer removes every listener', () => {
    const { emitter, dispose } = setup(two);
    const events = ['SIGTERM', 'SIGINT', 'uncaughtException', 'unhandledRejection'];
    expect(events.map((e) => emitter.listenerCount(e))).toEqual([1, 1, 1, 1]);
    dispose();
    expect(events.map((e) => emitter.listenerCount(e))).toEqual([0, 0, 0, 0]);
  });
});
