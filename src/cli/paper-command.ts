/**
 * `bourse paper`: paper trading on the built-in synthetic market in real time, printing fills,
 * position changes and P&L as they happen. Stops on Ctrl-C (or after --duration seconds) with a
 * final summary. Settings come from the config (file, environment, flags).
 */
import { paperPresetFromConfig, createPaperSession } from '../kernel.js';
import { nonNegativeInt, parseFlags, parseKeyValues } from './args.js';
import { configFromFlags } from './config-flags.js';

export const PAPER_USAGE = `usage: bourse paper [--config file] [--strategy <name>] [--param k=v ...] [--capital N] [--seed n]
                    [--duration seconds] [--interval ms] [--latency ms] [--risk key=value ...]
                    [--set section.key=value ...] [--quiet]`;

const OPTIONS = {
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
  risk: { type: 'string', multiple: true },
  strategy: { type: 'string' },
  param: { type: 'string', multiple: true },
  capital: { type: 'string' },
  seed: { type: 'string' },
  duration: { type: 'string' },
  interval: { type: 'string' },
  latency: { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

export async function paperCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, OPTIONS, 'paper');
  const durationS = nonNegativeInt(flags.duration, 'duration', 0);
  const cfg = configFromFlags(flags, {
    'engine.initialCapital': flags.capital,
    'engine.seed': flags.seed,
    'engine.latencyMs': flags.latency,
    'market.quoteIntervalMs': flags.interval,
  });
  const preset = paperPresetFromConfig(cfg);
  const strategies = flags.strategy ? [{ name: flags.strategy, params: { source: 'quote', ...parseKeyValues(flags.param, 'param') } }] : preset.strategies;
  const session = createPaperSession({ ...preset, strategies });
  const { engine } = session;
  const out = (line: string) => process.stdout.write(line + '\n');
  const time = () => new Date(engine.clock.now()).toISOString().slice(11, 23);

  out(`Bourse paper trading: ${strategies.map((s) => s.name).join(', ')} on ${session.feed.instruments.map((i) => i.id).join(', ')} (seed ${cfg.engine.seed}); Ctrl-C to stop.`);
  engine.bus.subscribe('order.event', (e) => {
    if (e.type === 'OrderFilled') out(`${time()} FILL     ${e.side.padEnd(4)} ${e.lastQty} ${e.instrumentId} @ ${e.lastPx}  fee ${e.fee.toDecimal()}  (${e.clientOrderId})`);
    else if (e.type === 'OrderDenied' || e.type === 'OrderRejected') out(`${time()} ${e.type === 'OrderDenied' ? 'DENIED ' : 'REJECTED'} ${e.clientOrderId}: ${e.reason} ${e.message}`);
  });
  engine.bus.subscribe('position.changed', (p) => {
    out(`${time()} POSITION ${p.instrumentId} ${p.side} ${p.quantity} avg ${p.avgPx ?? '-'}  realized ${p.realized.toDecimal()}  unrealized ${p.unrealized.toDecimal()}`);
  });
  engine.bus.subscribe('risk.state', (s) => out(`${time()} RISK     ${s.previous} -> ${s.state}: ${s.reason}`));
  let lastPnlPrint = 0;
  engine.bus.subscribe('portfolio.pnl', (s) => {
    if (flags.quiet || s.ts - lastPnlPrint < 5000) return;
    lastPnlPrint = s.ts;
    out(`${time()} P&L      equity ${s.equity.toDecimal()}  realized ${s.realized.toDecimal()}  unrealized ${s.unrealized.toDecimal()}  fees ${s.fees.toDecimal()}  open ${s.openPositions}`);
  });

  session.start();
  await new Promise<void>((resolve) => {
    const finish = () => resolve();
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    if (durationS > 0) setTimeout(finish, durationS * 1000).unref();
  });
  session.stop();
  const s = engine.portfolio.snapshot(engine.clock.now());
  out(`Stopped. equity ${s.equity.toDecimal()} ${s.equity.currency.code}, realized ${s.realized.toDecimal()}, unrealized ${s.unrealized.toDecimal()}, fees ${s.fees.toDecimal()}, round trips ${engine.portfolio.closedCount}`);
  return 0;
}
