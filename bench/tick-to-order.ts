/**
 * Paper-mode tick-to-order latency: the time from a quote entering the kernel (dispatch) to the
 * order arriving at the execution client, on the live clock with the every-tick strategy.
 * Prints p50/p90/p99/max in microseconds over N quotes (after a warm-up).
 *
 * Usage: node dist/bench/tick-to-order.js [quotes=200000]
 */
import { LiveClock } from '../src/core/clock.js';
import { Money, USD } from '../src/core/money.js';
import { SyntheticMarket } from '../src/data/index.js';
import { TradingEngine } from '../src/engine/trading-engine.js';
import { SimulatedExchange } from '../src/execution/simulated-exchange.js';
import type { Order } from '../src/model/order.js';
import { BENCH_SEED, EveryTickStrategy, benchInstruments, benchMarket } from './fixtures.js';

/** The simulated exchange, stamping the moment each order reaches the port. */
class StampingExchange extends SimulatedExchange {
  lastSubmitAt = 0n;
  override submit(order: Readonly<Order>): void {
    this.lastSubmitAt = process.hrtime.bigint();
    super.submit(order);
  }
}

export function measureTickToOrder(quotes: number, warmup = 20_000): { samples: number; p50: number; p90: number; p99: number; max: number } {
  const instruments = benchInstruments(10);
  const clock = new LiveClock();
  const venue = new StampingExchange({ clock, instruments, startingCash: Money.of('1000000000', USD) });
  const engine = new TradingEngine({ clock, instruments, initialCapital: Money.of('1000000000', USD), venue, strategies: [new EveryTickStrategy('every_tick-1')] });
  engine.start();
  const source = new SyntheticMarket(benchMarket(instruments), Math.ceil((quotes + warmup) / instruments.length));
  const latencies = new Float64Array(quotes);
  let i = 0;
  for (const record of source.records()) {
    const t0 = process.hrtime.bigint();
    engine.dispatch(record);
    const dt = Number(venue.lastSubmitAt - t0) / 1000;
    if (i >= warmup && i - warmup < quotes) latencies[i - warmup] = dt;
    i++;
  }
  engine.stop();
  clock.cancelAll();
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const pct = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 100) / 100;
  return { samples: sorted.length, p50: pct(50), p90: pct(90), p99: pct(99), max: Math.round(sorted[sorted.length - 1]! * 100) / 100 };
}

if (process.argv[1]?.endsWith('tick-to-order.js')) {
  const quotes = Number(process.argv[2] ?? 200_000);
  process.stdout.write(JSON.stringify({ bench: 'paper-tick-to-order-us', seed: BENCH_SEED, ...measureTickToOrder(quotes) }) + '\n');
}
