/**
 * The child process of the crash and shutdown tests: a journaled paper session (SQLite journal
 * with its writer thread, the simulated venue persisting its own state in the journal) trading at
 * a high order rate on a fast synthetic feed (a quote per instrument every millisecond, one churn
 * command per quote). It recovers from the journal at start and prints one JSON line:
 *
 *   {"event":"recovered","seq":<seq of recovery.done>,"report":{...},"state":<stateSummary>,"account":{...}}
 *
 * then trades until killed. SIGTERM/SIGINT go through installShutdownHandlers: the session stops
 * taking orders, cancels its working orders, waits until everything is durable, the journal is
 * closed, `{"event":"stopped","lastSeq":n}` is printed and the process exits 0 (1 past the deadline).
 *
 * usage: node paper-child.js --db <file> --seed <n> [--mode run|check] [--interval ms] [--per-quote n] [--deadline ms]
 *                            [--venue-orders-kept n]
 *   check: recover, print, shut down at once.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../../src/infra/config.js';
import { Lifecycle, installShutdownHandlers } from '../../src/infra/lifecycle.js';
import { openPaperSession, paperPresetFromConfig, paperSessionComponents } from '../../src/kernel.js';
import { RecordKind } from '../../src/persistence/journal.js';
import { SqliteJournal } from '../../src/persistence/sqlite-journal.js';
import { stateSummary } from '../../src/persistence/testkit.js';
import { ChurnStrategy } from './churn-strategy.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    seed: { type: 'string', default: '1' },
    mode: { type: 'string', default: 'run' },
    interval: { type: 'string', default: '1' },
    'per-quote': { type: 'string', default: '1' },
    deadline: { type: 'string', default: '10000' },
    'venue-orders-kept': { type: 'string', default: '1000000' },
  },
});
if (!values.db) throw new Error('--db is required');
const seed = Number(values.seed);
const out = (obj: unknown): void => void process.stdout.write(JSON.stringify(obj, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) + '\n');

const cfg = loadConfig({ env: {}, overrides: [`engine.seed=${seed}`, `market.quoteIntervalMs=${values.interval}`] });
const preset = paperPresetFromConfig(cfg);
const store = new SqliteJournal({ path: values.db, writer: 'worker' });
const session = await openPaperSession(preset, {
  store,
  strategies: [new ChurnStrategy('churn', { seed, ordersPerQuote: Number(values['per-quote']) })],
  snapshotEvery: 250,
  onMismatch: 'halt',
  risk: false,
  // The tests audit every order the venue ever received: keep them all (up to this many).
  venueOrdersKept: Number(values['venue-orders-kept']),
});
const marks = session.venue.marks();
const account = session.venue.queryAccount();
out({
  event: 'recovered',
  seq: session.journal.lastSeq,
  report: session.recovery,
  state: stateSummary(session.engine.portfolio, session.engine.execution.allOrders(), marks),
  account: { cashRaw: account.cash.raw.toString(), netQtyRaw: Object.fromEntries(account.netQtyRaw) },
  lastRecordKind: RecordKind.recovered,
});

const logger = pino({ level: 'warn' }, pino.destination({ fd: 2, sync: true }));
const lifecycle = new Lifecycle(session.clock);
for (const c of paperSessionComponents(session, { cancelOrdersOnShutdown: true })) lifecycle.add(c);
installShutdownHandlers({
  lifecycle,
  deadlineMs: Number(values.deadline),
  logger,
  beforeStop: () => session.feed.stop(),
  exit: (code) => {
    out({ event: 'stopped', code, lastSeq: session.journal.lastSeq, durableSeq: session.journal.durableSeq });
    process.exit(code);
  },
});
await lifecycle.start();
if (values.mode === 'check') process.kill(process.pid, 'SIGTERM');
