/**
 * `bourse backtest`: runs a strategy over a CSV file (or the synthetic market) on the simulated
 * exchange and prints a summary; `--out dir` also writes the event log, fills, equity curve and
 * closed positions; `--json` prints the summary as one JSON object for scripts.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { Money, USD } from '../core/money.js';
import { loadBarsCsv, mergeSources, SyntheticMarket, defaultSyntheticConfig, type HistoricalDataSource } from '../data/index.js';
import { runBacktest, type BacktestResult } from '../engine/backtest.js';
import { fixedLatency, fixedTickSlippage, participationFillModel } from '../execution/models.js';
import { createStrategy } from '../strategy/registry.js';
import { nonNegativeInt, parseFees, parseFlags, parseKeyValues, positiveDecimal } from './args.js';
import { resolveInstrument } from './instruments.js';
import { progressBar } from './progress.js';
import { configFromFlags } from './config-flags.js';
import { attachRiskStack } from '../risk/attach.js';
import { attachPerformanceMonitor, writeBacktestReports, type PerformanceMonitor } from '../analytics/index.js';
import { DAY_MS } from '../data/index.js';

export const BACKTEST_USAGE = `usage: bourse backtest --data <file.csv> [--data <file2.csv> ...] --strategy <name> [--param k=v ...]
                       [--capital N] [--fees maker,taker] [--out dir] [--json]
                       [--symbol S] [--tick 0.01] [--step 1] [--latency ms] [--slippage-ticks n]
                       [--participation 0..1] [--leverage x] [--risk key=value ...] [--config file]
       bourse backtest --synthetic <quotes> --strategy <name> [--seed n] ...`;

const OPTIONS = {
  data: { type: 'string', multiple: true },
  synthetic: { type: 'string' },
  seed: { type: 'string' },
  strategy: { type: 'string' },
  param: { type: 'string', multiple: true },
  capital: { type: 'string' },
  fees: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  symbol: { type: 'string' },
  tick: { type: 'string' },
  step: { type: 'string' },
  latency: { type: 'string' },
  'slippage-ticks': { type: 'string' },
  participation: { type: 'string' },
  leverage: { type: 'string' },
  risk: { type: 'string', multiple: true },
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
} as const;

export function backtestCommand(argv: string[]): number {
  const flags = parseFlags(argv, OPTIONS, 'backtest');
  if (!flags.strategy) throw new InputError(`backtest: --strategy is required\n${BACKTEST_USAGE}`);
  if (!flags.data && !flags.synthetic) throw new InputError(`backtest: --data <file> or --synthetic <quotes> is required\n${BACKTEST_USAGE}`);
  if (flags.data && flags.synthetic) throw new InputError('backtest: use either --data or --synthetic, not both');
  const fees = parseFees(flags.fees);
  const capital = Money.of(positiveDecimal(flags.capital, 'capital', '100000'), USD);
  const participation = flags.participation === undefined ? undefined : Number(flags.participation);
  if (participation !== undefined && !(participation > 0 && participation <= 1)) {
    throw new InputError(`--participation ${JSON.stringify(flags.participation)} must be a number in (0, 1]`);
  }
  const leverage = flags.leverage === undefined ? 1 : Number(positiveDecimal(flags.leverage, 'leverage', '1'));
  const cfg = configFromFlags(flags);

  const source = flags.synthetic ? syntheticSource(flags.synthetic, flags.seed) : csvSource(flags.data ?? [], { ...flags, fees });
  // The synthetic market quotes and trades but makes no bars: its strategies read quote mids unless told otherwise (as in paper mode).
  const params = { ...(flags.synthetic ? { source: 'quote' } : {}), ...parseKeyValues(flags.param, 'param') };
  const strategy = createStrategy(flags.strategy, `${flags.strategy}-1`, params, source.instruments.map((i) => i.id));

  const bar = flags.json ? progressBar('', 0) : progressBar('backtest', flags.synthetic ? Number(flags.synthetic) * source.instruments.length : undefined);
  let out: string | undefined;
  if (flags.out) {
    out = flags.out;
    if (!existsSync(out)) mkdirSync(out, { recursive: true });
  }
  let monitor: PerformanceMonitor | undefined;
  const result = runBacktest({
    source,
    strategies: [strategy],
    initialCapital: capital,
    exchange: {
      latencyModel: fixedLatency(nonNegativeInt(flags.latency, 'latency', 0)),
      slippageModel: fixedTickSlippage(nonNegativeInt(flags['slippage-ticks'], 'slippage-ticks', 0)),
      ...(participation !== undefined ? { fillModel: participationFillModel(participation) } : {}),
      leverage,
    },
    ...(out ? { eventLogPath: join(out, 'events.jsonl') } : {}),
    attach: (engine) => {
      attachRiskStack(engine, { ...cfg.risk, leverage });
      // Daily bar files sample equity once a day on a 252-day year; the 24/7 synthetic market every minute.
      monitor = attachPerformanceMonitor(engine, flags.synthetic ? {} : { equitySampleMs: DAY_MS, periodsPerYear: 252 });
    },
    onProgress: (n) => bar.update(n),
    progressEvery: 10_000,
  });
  bar.done();
  if (out) {
    writeOutputs(out, result);
    if (monitor) writeBacktestReports(out, monitor, { fills: result.fills, title: `Backtest ${strategy.id} on ${source.instruments.map((i) => i.id).join(', ')}` });
  }
  if (flags.json) process.stdout.write(JSON.stringify(result.summary) + '\n');
  else process.stdout.write(formatSummary(result, out));
  return 0;
}

function csvSource(files: string[], flags: Parameters<typeof resolveInstrument>[1] & { symbol?: string | undefined }): HistoricalDataSource {
  if (files.length > 1 && flags.symbol) throw new InputError('backtest: --symbol applies to a single --data file');
  const sources = files.map((file) => {
    if (!existsSync(file)) throw new InputError(`backtest: data file ${file} does not exist`);
    return loadBarsCsv(file, resolveInstrument(file, flags));
  });
  return sources.length === 1 ? sources[0]! : mergeSources(sources);
}

function syntheticSource(count: string, seed: string | undefined): HistoricalDataSource {
  const steps = nonNegativeInt(count, 'synthetic', 0);
  if (steps === 0) throw new InputError('--synthetic must be a positive number of quotes per instrument');
  const config = defaultSyntheticConfig(Date.UTC(2026, 0, 1), nonNegativeInt(seed, 'seed', 42));
  return new SyntheticMarket(config, steps);
}

function writeOutputs(dir: string, r: BacktestResult): void {
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(r.summary, null, 2) + '\n');
  const fills = ['ts,time,client_order_id,trade_id,instrument,side,quantity,price,fee,liquidity'];
  for (const f of r.fills) {
    fills.push([f.ts, new Date(f.ts).toISOString(), f.clientOrderId, f.tradeId, f.instrumentId, f.side, f.lastQty, f.lastPx, f.fee.toDecimal(), f.liquidity].join(','));
  }
  writeFileSync(join(dir, 'fills.csv'), fills.join('\n') + '\n');
  const equity = ['ts,time,equity', ...r.equityCurve.map((p) => `${p.ts},${new Date(p.ts).toISOString()},${p.equity}`)];
  writeFileSync(join(dir, 'equity.csv'), equity.join('\n') + '\n');
  const trips = ['instrument,strategy,side,opened,closed,duration_ms,max_quantity,avg_entry,avg_exit,realized,fees,net_pnl'];
  for (const c of r.closedPositions) {
    trips.push([c.instrumentId, c.strategyId, c.side, new Date(c.openedAt).toISOString(), new Date(c.closedAt).toISOString(), c.durationMs, c.maxQuantity, c.avgEntryPx, c.avgExitPx, c.realized.toDecimal(), c.fees.toDecimal(), c.netPnl.toDecimal()].join(','));
  }
  writeFileSync(join(dir, 'round-trips.csv'), trips.join('\n') + '\n');
}

function formatSummary(r: BacktestResult, out: string | undefined): string {
  const s = r.summary;
  const denials = Object.entries(s.denials).map(([k, v]) => `${k}=${v}`).join(', ') || 'none';
  const lines = [
    `Backtest ${s.strategies.join(', ')} on ${s.instruments.join(', ')}: ${s.records.toLocaleString('en-US')} records, ${s.start ?? '-'} .. ${s.end ?? '-'}`,
    `  orders ${s.orders}, fills ${s.fills}, denials ${denials}`,
    `  round trips ${s.roundTrips} (won ${s.winningTrips}, lost ${s.losingTrips})`,
    `  initial capital ${s.initialCapital} ${s.currency}`,
    `  final equity    ${s.finalEquity} ${s.currency}  (return ${s.totalReturnPct.toFixed(2)}%)`,
    `  realized ${s.realizedPnl}, unrealized ${s.unrealizedPnl}, fees ${s.fees}`,
    `  max drawdown    ${s.maxDrawdown} ${s.currency} (${s.maxDrawdownPct.toFixed(2)}%)`,
  ];
  if (out) lines.push(`  wrote ${join(out, 'report.html')}, report.json, events.jsonl, fills.csv, equity.csv, round-trips.csv, summary.json`);
  return lines.join('\n') + '\n';
}
