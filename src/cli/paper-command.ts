/**
 * `bourse paper`: paper trading on the built-in synthetic market in real time, with the live
 * dashboard. Prints the dashboard address (with its token) and fills, position changes and P&L
 * as they happen. Settings come from the config (file, environment, flags). On SIGINT/SIGTERM
 * (or after --duration seconds) every component stops within the configured deadline.
 */
import { randomBytes } from 'node:crypto';
import { PerformanceMonitor } from '../analytics/index.js';
import { LiveClock } from '../core/clock.js';
import { InputError } from '../core/errors.js';
import { retry } from '../infra/retry.js';
import { createLogger, componentLogger } from '../infra/logger.js';
import { Lifecycle, installShutdownHandlers, type Component } from '../infra/lifecycle.js';
import { createPaperSession, openPaperSession, paperPresetFromConfig, paperSessionComponents, type PaperSession } from '../kernel.js';
import { journalStoreFromConfig } from '../persistence/index.js';
import type { RiskStack } from '../risk/attach.js';
import { buildServer } from '../server/app.js';
import { nonNegativeInt, parseFlags, parseKeyValues } from './args.js';
import { configFromFlags } from './config-flags.js';

export const PAPER_USAGE = `usage: bourse paper [--config file] [--strategy <name>] [--param k=v ...] [--capital N] [--seed n]
                    [--port n] [--no-server] [--duration seconds] [--interval ms] [--latency ms]
                    [--risk key=value ...] [--set section.key=value ...] [--quiet]`;

const OPTIONS = {
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
  risk: { type: 'string', multiple: true },
  strategy: { type: 'string' },
  param: { type: 'string', multiple: true },
  capital: { type: 'string' },
  seed: { type: 'string' },
  port: { type: 'string' },
  'no-server': { type: 'boolean' },
  duration: { type: 'string' },
  interval: { type: 'string' },
  latency: { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

/** A paper session, journaled or not, as the command drives it. */
interface Desk {
  readonly session: Omit<PaperSession, 'risk'>;
  readonly risk: RiskStack;
  /** Lifecycle components, in start order: (journal,) trading session. */
  readonly components: Component[];
  readonly recovered: string | undefined;
}

/**
 * Opens the session. With a journal (persistence.kind sqlite or postgres) the engine and the
 * simulated venue are recovered from it first, so a paper session resumes where it stopped.
 */
async function openDesk(cfg: ReturnType<typeof configFromFlags>, preset: ReturnType<typeof paperPresetFromConfig>, cancelOnStop: boolean): Promise<Desk> {
  const store = journalStoreFromConfig(cfg);
  if (!store) {
    const session = createPaperSession(preset);
    const component: Component = { name: 'paper-session', state: 'INITIALIZED', start: async () => session.start(), stop: async () => session.stop() };
    return { session, risk: session.risk, components: [component], recovered: undefined };
  }
  // A database that is briefly unreachable at start-up is retried with backoff and jitter.
  await retry(() => store.open(), { attempts: 6, baseMs: 250, maxMs: 4000, deadlineMs: 20_000, jitter: 'full', clock: new LiveClock() });
  const session = await openPaperSession(preset, { store, snapshotEvery: cfg.persistence.snapshotEvery });
  if (!session.risk) throw new Error('the journaled paper session was opened without its risk stack');
  const r = session.recovery;
  const where = cfg.persistence.kind === 'sqlite' ? cfg.persistence.sqlitePath : 'PostgreSQL';
  const recovered = r.lastSeq === 0 ? `Journal: ${where} (new).` : `Resumed from the journal ${where}: ${r.lastSeq} records, ${r.ordersRestored} orders restored in ${r.durationMs} ms.`;
  return { session, risk: session.risk, components: paperSessionComponents(session, { cancelOrdersOnShutdown: cancelOnStop }), recovered };
}

export async function paperCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, OPTIONS, 'paper');
  const durationS = nonNegativeInt(flags.duration, 'duration', 0);
  const cfg = configFromFlags(flags, {
    'engine.initialCapital': flags.capital,
    'engine.seed': flags.seed,
    'engine.latencyMs': flags.latency,
    'market.quoteIntervalMs': flags.interval,
    'server.port': flags.port,
  });
  const preset = paperPresetFromConfig(cfg);
  const strategies = flags.strategy ? [{ name: flags.strategy, params: { source: 'quote', ...parseKeyValues(flags.param, 'param') } }] : preset.strategies;
  const desk = await openDesk(cfg, { ...preset, strategies }, cfg.shutdown.cancelOrdersOnShutdown);
  const { session, risk } = desk;
  const { engine } = session;
  const logger = createLogger(cfg.logging, cfg.profile);
  const monitor = PerformanceMonitor.attach(engine, { publishIntervalMs: 1000, eventLoopDelay: true, equitySampleMs: 10_000 });
  const lifecycle = new Lifecycle(engine.clock);
  for (const c of desk.components) lifecycle.add(c);

  let dashboard: string | undefined;
  if (!flags['no-server']) {
    const token = cfg.secrets.apiToken ?? developmentToken(cfg.profile);
    const serverLog = componentLogger(logger, 'server');
    // Per-request lines are debug; keep the trader's console readable unless asked for them.
    if (cfg.logging.levels.server === undefined && serverLog.isLevelEnabled('debug')) serverLog.level = 'info';
    const server = buildServer({
      engine,
      risk: risk.risk,
      monitor,
      token,
      logger: serverLog,
      corsOrigins: cfg.server.corsOrigins,
      host: cfg.server.host,
      port: cfg.server.port,
      ws: { writers: cfg.server.wsWriters },
      page: true,
      health: () => {
        const h = lifecycle.health();
        return { healthy: h.status !== 'down', components: Object.fromEntries(h.components.map((c) => [c.name, { state: c.state, ...c.details }])) };
      },
      onAudit: (event) => engine.bus.publish('control.audit', event),
    });
    lifecycle.add(server);
    dashboard = `http://${cfg.server.host}:${cfg.server.port}/?token=${encodeURIComponent(token)}`;
  }

  const out = (line: string) => process.stdout.write(line + '\n');
  if (!flags.quiet) followOnConsole(session, out);
  await lifecycle.start();
  out(`Bourse paper trading: ${strategies.map((s) => s.name).join(', ')} on ${session.feed.instruments.map((i) => i.id).join(', ')} (seed ${cfg.engine.seed}).`);
  if (desk.recovered) out(desk.recovered);
  if (dashboard) out(`Dashboard: ${dashboard}`);
  out('Ctrl-C to stop.');

  const printSummary = () => {
    const s = engine.portfolio.snapshot(engine.clock.now());
    out(`Stopped. equity ${s.equity.toDecimal()} ${s.equity.currency.code}, realized ${s.realized.toDecimal()}, unrealized ${s.unrealized.toDecimal()}, fees ${s.fees.toDecimal()}, round trips ${engine.portfolio.closedCount}`);
  };
  // Stop the market data first, so strategies stop deciding; the session's own stop then
  // cancels working orders if configured and makes everything durable. (Not a trading-state
  // change: a halt would be journaled and the resumed session would start halted.)
  const beforeStop = () => session.feed.stop();
  if (durationS > 0) {
    await new Promise((resolve) => setTimeout(resolve, durationS * 1000));
    beforeStop();
    await lifecycle.stop();
    monitor.detach();
    printSummary();
    return 0;
  }
  installShutdownHandlers({
    lifecycle,
    deadlineMs: cfg.shutdown.deadlineMs,
    logger,
    beforeStop,
    exit: (code) => {
      printSummary();
      process.exit(code);
    },
  });
  return new Promise<number>(() => undefined); // runs until a signal
}

/** Development sessions without a configured token get a fresh one, printed in the dashboard address. */
function developmentToken(profile: string): string {
  if (profile !== 'development') throw new InputError(`profile ${profile} needs BOURSE_API_TOKEN (at least 32 characters)`);
  return randomBytes(24).toString('base64url');
}

function followOnConsole(session: Pick<PaperSession, 'engine'>, out: (line: string) => void): void {
  const { engine } = session;
  const time = () => new Date(engine.clock.now()).toISOString().slice(11, 23);
  engine.bus.subscribe('order.event', (e) => {
    if (e.type === 'OrderFilled') {
      out(`${time()} FILL     ${e.side.padEnd(4)} ${e.lastQty} ${e.instrumentId} @ ${e.lastPx}  fee ${e.fee.toDecimal()}  (${e.clientOrderId})`);
      const p = engine.portfolio.position(e.instrumentId)?.snapshot(e.ts);
      if (p) out(`${time()} POSITION ${p.instrumentId} ${p.side} ${p.quantity} avg ${p.avgPx ?? '-'}  realized ${p.realized.toDecimal()}  unrealized ${p.unrealized.toDecimal()}`);
    } else if (e.type === 'OrderDenied' || e.type === 'OrderRejected') {
      out(`${time()} ${e.type === 'OrderDenied' ? 'DENIED ' : 'REJECTED'} ${e.clientOrderId}: ${e.reason} ${e.message}`);
    }
  });
  engine.bus.subscribe('risk.state', (s) => out(`${time()} RISK     ${s.previous} -> ${s.state}: ${s.reason}`));
  let lastPnlPrint = 0;
  engine.bus.subscribe('portfolio.pnl', (s) => {
    if (s.ts - lastPnlPrint < 5000) return;
    lastPnlPrint = s.ts;
    out(`${time()} P&L      equity ${s.equity.toDecimal()}  realized ${s.realized.toDecimal()}  unrealized ${s.unrealized.toDecimal()}  fees ${s.fees.toDecimal()}  open ${s.openPositions}`);
  });
}
