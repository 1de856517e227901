/**
 * `bourse paper`: paper trading on the built-in synthetic market in real time, printing fills,
 * position changes and P&L as they happen. Stops on Ctrl-C (or after --duration seconds) with a
 * final summary.
 */
import { Money, USD } from '../core/money.js';
import { defaultSyntheticConfig } from '../data/index.js';
import { createPaperSession } from '../kernel.js';
import { nonNegativeInt, parseFlags, parseKeyValues, positiveDecimal } from './args.js';
import { InputError } from '../core/errors.js';

export const PAPER_USAGE = `usage: bourse paper [--strategy <name>] [--param k=v ...] [--capital N] [--seed n]
                    [--duration seconds] [--interval ms] [--latency ms] [--quiet]`;

const OPTIONS = {
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
  const capital = Money.of(positiveDecimal(flags.capital, 'capital', '100000'), USD);
  const seed = nonNegativeInt(flags.seed, 'seed', Date.now() % 1_000_000);
  const durationS = nonNegativeInt(flags.duration, 'duration', 0);
  const intervalMs = nonNegativeInt(flags.interval, 'interval', 250);
  if (intervalMs === 0) throw new InputError('--interval must be at least 1 ms');
  const market = { ...defaultSyntheticConfig(0, seed), intervalMs };
  const strategyName = flags.strategy ?? 'ma_cross';
  const params = flags.param ? parseKeyValues(flags.param, 'param') : strategyName === 'ma_cross' ? { fast: 5, slow: 20, mode: 'long-short', source: 'quote' } : {};
  const session = createPaperSession({ market, strategies: [{ name: strategyName, params }], capital, latencyMs: nonNegativeInt(flags.latency, 'latency', 0) });
  const { engine } = session;
  const out = (line: string) => process.stdout.write(line + '\n');
  const time = () => new Date(engine.clock.now()).toISOString().slice(11, 23);

  out(`Bourse paper trading: ${strategyName} on ${session.feed.instruments.map((i) => i.id).join(', ')} (seed ${seed}); Ctrl-C to stop.`);
  engine.bus.subscribe('order.event', (e) => {
    if (e.type === 'OrderFilled') out(`${time()} FILL     ${e.side.padEnd(4)} ${e.lastQty} ${e.instrumentId} @ ${e.lastPx}  fee ${e.fee.toDecimal()}  (${e.clientOrderId})`);
    else if (e.type === 'OrderDenied' || e.type === 'OrderRejected') out(`${time()} ${e.type === 'OrderDenied' ? 'DENIED ' : 'REJECTED'} ${e.clientOrderId}: ${e.reason} ${e.message}`);
  });
  engine.bus.subscribe('position.changed', (p) => {
    out(`${time()} POSITION ${p.instrumentId} ${p.side} ${p.quantity} avg ${p.avgPx ?? '-'}  realized ${p.realized.toDecimal()}  unrealized ${p.unrealized.toDecimal()}`);
  });
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
  out(`Stopped. equity ${s.equity.toDecimal()} USD, realized ${s.realized.toDecimal()}, unrealized ${s.unrealized.toDecimal()}, fees ${s.fees.toDecimal()}, round trips ${engine.portfolio.closedPositions.length}`);
  return 0;
}
