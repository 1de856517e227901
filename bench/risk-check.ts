/**
 * Pre-trade check cost: the RiskEngine's check() with every limit enabled, 10 instruments with
 * open positions and 40 working orders (50 open items), on orders of random side, type and size.
 * Prints p50/p90/p99/max in microseconds. Also the backtest throughput with and without the risk
 * engine, and with the whole risk stack, on the same synthetic data, measured in pairs of fresh
 * processes as bench/paired.ts describes: both variants of the core benchmark (sparse MA crossover
 * over `quotes`; dense, an order on every quote, over the same count, as the core benchmark).
 *
 * Usage: node dist/bench/risk-check.js [checks=200000] [quotes=1000000] [repeats=7]
 */
import { fileURLToPath } from 'node:url';
import { SimulatedClock } from '../src/core/clock.js';
import { Money, USD } from '../src/core/money.js';
import { Random } from '../src/core/random.js';
import { SyntheticMarket } from '../src/data/index.js';
import { runBacktest } from '../src/engine/backtest.js';
import { TradingEngine } from '../src/engine/trading-engine.js';
import { SimulatedExchange } from '../src/execution/simulated-exchange.js';
import { Order } from '../src/model/order.js';
import { attachRiskEngine, attachRiskStack } from '../src/risk/attach.js';
import { BENCH_RISK_LIMITS, BENCH_SEED, type BenchVariant, benchInstruments, benchMarket, benchStrategy } from './fixtures.js';
import { type TimedRun, comparePaired, reportRun, runInChild, timeRun } from './paired.js';

function checkLatency(checks: number) {
  const instruments = benchInstruments(10);
  const clock = new SimulatedClock(Date.UTC(2026, 0, 1));
  const capital = Money.of('1000000000', USD);
  const venue = new SimulatedExchange({ clock, instruments, startingCash: capital, leverage: 100 });
  const engine = new TradingEngine({ clock, instruments, initialCapital: capital, venue });
  const risk = attachRiskEngine(engine, BENCH_RISK_LIMITS);
  engine.start();
  const market = new SyntheticMarket(benchMarket(instruments), 50);
  for (const r of market.records()) {
    clock.advanceTo(r.ts);
    engine.dispatch(r);
  }
  // 10 open positions and 40 resting limit orders far from the market.
  for (const inst of instruments) {
    engine.run(() => engine.execution.submit('bench', { instrumentId: inst.id, side: 'BUY', type: 'MARKET', quantity: inst.quantity('1') }));
    for (let k = 0; k < 4; k++) {
      engine.run(() => engine.execution.submit('bench', { instrumentId: inst.id, side: 'BUY', type: 'LIMIT', quantity: inst.quantity('0.5'), price: inst.price('1') }));
    }
  }
  const rnd = new Random(BENCH_SEED);
  const orders: Order[] = [];
  for (let i = 0; i < 1000; i++) {
    const inst = instruments[rnd.int(0, 9)]!;
    const limit = rnd.next() < 0.5;
    orders.push(
      new Order({
        clientOrderId: `probe-${i}`,
        strategyId: 'bench',
        ts: clock.now(),
        request: { instrumentId: inst.id, side: rnd.next() < 0.5 ? 'BUY' : 'SELL', type: limit ? 'LIMIT' : 'MARKET', quantity: inst.quantity((rnd.int(1, 20) / 10).toFixed(1)), price: limit ? inst.price('100') : undefined },
      }),
    );
  }
  const samples = new Float64Array(checks);
  for (let i = 0; i < checks + 20_000; i++) {
    const order = orders[i % orders.length]!;
    const t0 = process.hrtime.bigint();
    risk.check(order);
    const dt = Number(process.hrtime.bigint() - t0) / 1000;
    if (i >= 20_000) samples[i - 20_000] = dt;
  }
  const sorted = Array.from(samples).sort((a, b) => a - b);
  const pct = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 100) / 100;
  return { checks, openPositions: engine.portfolio.openPositions().length, workingOrders: engine.execution.workingOrders().length, p50: pct(50), p90: pct(90), p99: pct(99), max: pct(100) };
}

function throughput(quotes: number, withRisk: Mode, variant: Variant): TimedRun {
  const instruments = benchInstruments(10);
  const source = new SyntheticMarket(benchMarket(instruments), Math.ceil(quotes / 10));
  const strategy = benchStrategy(variant);
  return timeRun(
    () =>
      runBacktest({
        source,
        strategies: [strategy],
        initialCapital: Money.of('100000000', USD),
        equitySampleMs: 60_000,
        keepHistory: false,
        ...(withRisk === 'gate' ? { attach: (engine: TradingEngine) => void attachRiskEngine(engine, BENCH_RISK_LIMITS) } : {}),
        ...(withRisk === 'stack' ? { attach: (engine: TradingEngine) => void attachRiskStack(engine, { ...BENCH_RISK_LIMITS, measures: { intervalMs: 3_600_000, window: 120, confidences: [0.95, 0.99], monteCarloPaths: 2000 } }) } : {}),
      }).summary.records,
  );
}

type Mode = 'none' | 'gate' | 'stack';
/** The two variants of bench/backtest-throughput.ts: the MA crossover, and an order on every quote. */
type Variant = Exclude<BenchVariant, 'idle'>;
const here = fileURLToPath(import.meta.url);

if (process.argv[2] === '--run') {
  reportRun(throughput(Number(process.argv[4]), process.argv[3] as Mode, process.argv[5] as Variant));
} else {
  const checks = Number(process.argv[2] ?? 200_000);
  const quotes = Number(process.argv[3] ?? 1_000_000);
  const repeats = Number(process.argv[4] ?? 7);
  process.stdout.write(JSON.stringify({ bench: 'risk-pre-trade-check-us', seed: BENCH_SEED, ...checkLatency(checks) }) + '\n');
  const inChild = (mode: Mode, variant: Variant, n: number) => () => runInChild(here, ['--run', mode, String(n), variant]);
  for (const mode of ['gate', 'stack'] as const) {
    const paired = comparePaired(inChild('none', 'sparse', quotes), inChild(mode, 'sparse', quotes), repeats);
    process.stdout.write(JSON.stringify({ bench: 'backtest-with-risk', seed: BENCH_SEED, variant: 'sparse', quotes, risk: mode === 'gate' ? 'RiskEngine' : 'RiskEngine+RiskMonitor (hourly measures)', ...paired }) + '\n');
  }
  // Dense: every order is checked and every fill re-evaluates the equity limits.
  const dense = comparePaired(inChild('none', 'dense', quotes), inChild('gate', 'dense', quotes), repeats);
  process.stdout.write(JSON.stringify({ bench: 'backtest-with-risk', seed: BENCH_SEED, variant: 'dense', quotes, risk: 'RiskEngine', ...dense }) + '\n');
}
