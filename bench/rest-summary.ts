/**
 * REST under load: autocannon (programmatic API, 100 connections) against GET /api/live/summary
 * of a live dashboard server and against a bare Fastify route returning a small JSON object, both
 * served by one child process in the same run (the engine trades a 10-instrument synthetic market
 * there, paced at 100 quotes/s, for both measurements). Prints requests/s, latency percentiles and
 * the ratio summary/bare (the target: at least 0.5).
 *
 * The load generator runs in this process and the servers in a child, so autocannon does not
 * compete with the servers for their event loop.
 *
 * Usage: node dist/bench/rest-summary.js [seconds=10] [connections=100]
 * Listens on 127.0.0.1 only; bounded in time (aborts after 90 s).
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { QuoteTick } from '../src/model/data.js';

const TOKEN = 'bench-token-0123456789abcdef0123456789';

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  throughput: { average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (opts: { url: string; connections: number; duration: number; headers?: Record<string, string> }) => Promise<CannonResult>;

type FromServer = { kind: 'ready'; summaryUrl: string; bareUrl: string };

/** The child: engine + dashboard server, and a bare Fastify instance. */
async function serve(): Promise<void> {
  const [{ default: Fastify }, { LiveClock }, { Money, USD }, { SyntheticMarket }, { TradingEngine }, { SimulatedExchange }, { attachRiskEngine }, { buildServer }, { Strategy }, { benchInstruments, benchMarket }] = await Promise.all([
    import('fastify'),
    import('../src/core/clock.js'),
    import('../src/core/money.js'),
    import('../src/data/index.js'),
    import('../src/engine/trading-engine.js'),
    import('../src/execution/simulated-exchange.js'),
    import('../src/risk/attach.js'),
    import('../src/server/app.js'),
    import('../src/strategy/strategy.js'),
    import('./fixtures.js'),
  ]);

  /** Buys on every 25th quote of an instrument, sells on the next: keeps positions and P&L moving. */
  class Churn extends Strategy {
    private n = 0;
    override onQuote(q: QuoteTick): void {
      if (++this.n % 25 !== 0) return;
      const long = this.positionRaw(q.instrumentId) > 0;
      this.market(q.instrumentId, long ? 'SELL' : 'BUY', this.instrument(q.instrumentId).quantity('0.5'));
    }
  }

  const instruments = benchInstruments(10);
  const clock = new LiveClock();
  const capital = Money.of('10000000', USD);
  const venue = new SimulatedExchange({ clock, instruments, startingCash: capital });
  const engine = new TradingEngine({ clock, instruments, initialCapital: capital, venue, strategies: [new Churn('churn-1')], pnlIntervalMs: 1000 });
  // Limits so that the summary carries limit usage (gross/net exposure, daily loss, drawdown, open positions).
  const risk = attachRiskEngine(engine, { maxGrossExposure: '5000000', maxNetExposure: '5000000', dailyLossLimit: 0.1, maxDrawdown: 0.2, maxOpenPositions: 20, maxOrdersPerSecond: 1000 });
  const server = buildServer({ engine, risk, token: TOKEN });
  await server.start({ host: '127.0.0.1', port: 0 });
  engine.start();
  const records = new SyntheticMarket({ ...benchMarket(instruments), intervalMs: 100, tradeProbability: 0 }, 1_000_000).records();
  setInterval(() => {
    const ts = clock.now();
    for (let i = 0; i < instruments.length; i++) engine.dispatch({ ...(records.next().value as QuoteTick), ts });
  }, 100);

  const bare = Fastify();
  bare.get('/bare', async () => ({ ok: true, ts: Date.now() }));
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const address = bare.server.address();
  const barePort = typeof address === 'object' && address !== null ? address.port : 0;
  process.on('message', () => process.exit(0));
  process.send!({ kind: 'ready', summaryUrl: `${server.url()!}/api/live/summary`, bareUrl: `http://127.0.0.1:${barePort}/bare` } satisfies FromServer);
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 10);
  const connections = Number(process.argv[3] ?? 100);
  const abort = setTimeout(() => {
    process.stderr.write('rest-summary: aborted after 90 s\n');
    process.exit(2);
  }, 90_000);
  abort.unref();
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<FromServer>((resolve) => child.on('message', (m: FromServer) => resolve(m)));
  // Let the market run (positions, P&L, alerts) before measuring.
  await new Promise((r) => setTimeout(r, 3000));

  const run = (url: string, headers?: Record<string, string>) => autocannon({ url, connections, duration: seconds, ...(headers ? { headers } : {}) });
  const summary = await run(ready.summaryUrl, { authorization: `Bearer ${TOKEN}` });
  const bare = await run(ready.bareUrl);
  child.send('stop');

  const view = (r: CannonResult) => ({ requestsPerS: Math.round(r.requests.average), latencyMs: { p50: r.latency.p50, p99: r.latency.p99 }, non2xx: r.non2xx, errors: r.errors + r.timeouts });
  const ratio = Math.round((summary.requests.average / bare.requests.average) * 100) / 100;
  process.stdout.write(JSON.stringify({ bench: 'rest-summary', connections, seconds, summary: view(summary), bare: view(bare), ratio }) + '\n');
  process.exit(0);
}

if (process.argv[2] === '--serve') void serve();
else if (process.argv[1]?.endsWith('rest-summary.js')) void main();
