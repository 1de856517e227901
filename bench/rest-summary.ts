/**
 * REST under load: autocannon (programmatic API, 100 connections) against GET /api/live/summary
 * of a live dashboard server and against a bare Fastify route returning a small JSON object, both
 * served by one child process in the same run (the engine trades a 10-instrument synthetic market
 * there, paced at 100 quotes/s, for both measurements). Prints requests/s, latency percentiles and
 * the ratio summary/bare (the target: at least 0.5), with two diagnostics: the server's
 * open /healthz route, and a bare route answering a body as large as the summary.
 *
 * The load generator runs in this process and the servers in a child, so autocannon does not
 * compete with the servers for their event loop.
 *
 * Usage: node dist/bench/rest-summary.js [secondsPerRun=5] [connections=100]
 * Three rounds of summary and bare runs (alternating which goes first); the ratio is their median.
 * Listens on 127.0.0.1 only; bounded in time (about 45 s; aborts after 120 s).
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { QuoteTick } from '../src/model/data.js';

const TOKEN = 'bench-token-0123456789abcdef0123456789';
const ROUNDS = 3;

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
  // Diagnostic: a bare route answering a body as large as the summary (a fixed copy of one).
  const summaryBody = (await server.app.inject({ url: '/api/live/summary', headers: { authorization: `Bearer ${TOKEN}` } })).body;
  bare.get('/bare-sized', async (_req, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(summaryBody));
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const address = bare.server.address();
  const barePort = typeof address === 'object' && address !== null ? address.port : 0;
  process.on('message', () => process.exit(0));
  process.send!({ kind: 'ready', summaryUrl: `${server.url()!}/api/live/summary`, bareUrl: `http://127.0.0.1:${barePort}/bare` } satisfies FromServer);
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 5);
  const connections = Number(process.argv[3] ?? 100);
  const abort = setTimeout(() => {
    process.stderr.write('rest-summary: aborted after 120 s\n');
    process.exit(2);
  }, 120_000);
  abort.unref();
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<FromServer>((resolve) => child.on('message', (m: FromServer) => resolve(m)));
  // Let the market run (positions, P&L, alerts) before measuring.
  await new Promise((r) => setTimeout(r, 3000));

  const run = (url: string, seconds: number, headers?: Record<string, string>) => autocannon({ url, connections, duration: seconds, ...(headers ? { headers } : {}) });
  const summaryRun = (s: number) => run(ready.summaryUrl, s, { authorization: `Bearer ${TOKEN}` });
  const bareRun = (s: number) => run(ready.bareUrl, s);
  // Warm both up, then alternate (summary first, then bare first) so that JIT warm-up and the
  // machine's other load weigh on both alike; the ratio reported is the median of the rounds.
  await summaryRun(2);
  await bareRun(2);
  const rounds: { summary: CannonResult; bare: CannonResult }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    if (i % 2 === 0) {
      const summary = await summaryRun(seconds);
      rounds.push({ summary, bare: await bareRun(seconds) });
    } else {
      const bare = await bareRun(seconds);
      rounds.push({ summary: await summaryRun(seconds), bare });
    }
  }
  // Diagnostics: the dashboard server's stack on its open /healthz route (tiny body, no token), and
  // a bare route whose body is as large as the summary.
  const healthz = await run(ready.summaryUrl.replace('/api/live/summary', '/healthz'), seconds);
  const bareSized = await run(ready.bareUrl.replace('/bare', '/bare-sized'), seconds);
  child.send('stop');

  const view = (r: CannonResult) => ({ requestsPerS: Math.round(r.requests.average), latencyMs: { p50: r.latency.p50, p99: r.latency.p99 }, non2xx: r.non2xx, errors: r.errors + r.timeouts });
  const ratios = rounds.map((r) => Math.round((r.summary.requests.average / r.bare.requests.average) * 100) / 100);
  const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
  const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
  process.stdout.write(
    JSON.stringify({
      bench: 'rest-summary',
      connections,
      secondsPerRun: seconds,
      summaryRequestsPerS: mean(rounds.map((r) => r.summary.requests.average)),
      bareRequestsPerS: mean(rounds.map((r) => r.bare.requests.average)),
      ratio: median,
      rounds: rounds.map((r, i) => ({ summary: view(r.summary), bare: view(r.bare), ratio: ratios[i] })),
      diagnostics: { healthzSameServer: view(healthz), bareSameBodySize: view(bareSized) },
    }) + '\n',
  );
  process.exit(0);
}

if (process.argv[2] === '--serve') void serve();
else if (process.argv[1]?.endsWith('rest-summary.js')) void main();
