/**
 * `bourse journal inspect`, `export` and `prune`, for operators. The journal is the one
 * `persistence` selects (SQLite by default, at <engine.dataDir>/bourse.sqlite; `--db` names a
 * SQLite file directly). Inspect replays it (from the latest snapshot) and shows counts by kind,
 * the last seq, snapshots, open orders, positions, cash and the risk limits' equity bases; export
 * writes every record (or a seq range) as JSON lines or CSV, to a file or stdout; prune deletes
 * the records and snapshots that recovery no longer reads (those before the latest snapshot, or
 * before `--before`), so a long-running journal stops growing without bound. Export what you want
 * to keep first.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { InputError } from '../core/errors.js';
import { Money } from '../core/money.js';
import { journalStoreFromConfig } from '../persistence/index.js';
import type { JournalStore } from '../persistence/journal.js';
import { replayJournal } from '../persistence/recovery.js';
import { SqliteJournal } from '../persistence/sqlite-journal.js';
import { nonNegativeInt, parseFlags } from './args.js';
import { configFromFlags } from './config-flags.js';

export const JOURNAL_USAGE = `usage: bourse journal inspect [--db file | --data-dir dir | --config file | --set key=value ...] [--json]
       bourse journal export  [--db file | --data-dir dir | --config file | --set key=value ...]
                              [--format jsonl|csv] [--out file] [--from seq] [--to seq]
       bourse journal prune   [--db file | --data-dir dir | --config file | --set key=value ...]
                              [--before seq] [--json]`;

const COMMON = {
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
  db: { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

const INSPECT = { ...COMMON, json: { type: 'boolean' } } as const;
const EXPORT = { ...COMMON, format: { type: 'string' }, out: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } } as const;
const PRUNE = { ...COMMON, before: { type: 'string' }, json: { type: 'boolean' } } as const;

export async function journalCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'inspect') return inspect(rest);
  if (sub === 'export') return exportJournal(rest);
  if (sub === 'prune') return prune(rest);
  throw new InputError(`journal: unknown subcommand ${JSON.stringify(sub ?? '')}\n${JOURNAL_USAGE}`);
}

/** The configured journal as it exists (nothing is created or migrated), opened read-only unless told otherwise. Throws InputError when there is none. */
async function openStore(flags: { config?: string | undefined; set?: string[] | undefined; db?: string | undefined; 'data-dir'?: string | undefined }, readonly = true): Promise<JournalStore> {
  let store: JournalStore | undefined;
  if (flags.db !== undefined) {
    store = new SqliteJournal({ path: flags.db, readonly, writer: 'sync' });
  } else {
    const cfg = configFromFlags(flags, { 'engine.dataDir': flags['data-dir'] });
    store = journalStoreFromConfig(cfg, { readonly, writer: 'sync', existingOnly: true });
    if (!store) throw new InputError('journal: persistence.kind is "none": there is no journal');
    if (cfg.persistence.kind === 'sqlite' && !existsSync(cfg.persistence.sqlitePath)) throw new InputError(`journal: no journal at ${cfg.persistence.sqlitePath}`);
  }
  if (store instanceof SqliteJournal && !existsSync(store.path)) throw new InputError(`journal: no journal at ${store.path}`);
  await store.open();
  return store;
}

async function inspect(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, INSPECT, 'journal inspect');
  const store = await openStore(flags);
  try {
    const stats = await store.stats();
    const replay = await replayJournal(store);
    const p = replay.portfolio;
    const orders = [...replay.orders.values()].map((o) => ({
      clientOrderId: o.clientOrderId,
      strategyId: o.strategyId,
      instrumentId: o.instrumentId,
      side: o.side,
      type: o.type,
      quantity: o.quantity.toString(),
      price: o.price?.toString(),
      triggerPrice: o.triggerPrice?.toString(),
      status: o.status,
      filledQty: o.filledQty.toString(),
    }));
    const positions = p
      ? [...p.allPositions()]
          .filter((x) => x.qtyRaw !== 0 || x.realizedRaw !== 0n)
          .map((x) => {
            const s = x.snapshot(0);
            return { instrumentId: s.instrumentId, side: s.side, quantity: s.quantity, avgPx: s.avgPx, realized: s.realized.toDecimal(), fees: s.fees.toDecimal() };
          })
      : [];
    const summary = p?.snapshot(0);
    const report = {
      store: store.description,
      lastSeq: stats.lastSeq,
      records: stats.records,
      byKind: stats.byKind,
      snapshots: stats.snapshots,
      lastSnapshotSeq: stats.lastSnapshotSeq,
      venueStateKeys: stats.kvKeys,
      replayedFrom: replay.snapshotSeq ?? 0,
      openOrders: orders,
      positions,
      cash: p ? Money.fromRaw(p.cashRaw, p.currency).toString() : undefined,
      realized: summary?.realized.toDecimal(),
      fees: summary?.fees.toDecimal(),
      risk: replay.risk,
      riskBaselines: replay.riskBaselines,
    };
    if (flags.json) {
      process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      return 0;
    }
    const lines = [
      `journal    ${report.store}`,
      `records    ${report.records} (last seq ${report.lastSeq})`,
      ...Object.entries(stats.byKind)
        .sort((a, b) => b[1] - a[1])
        .map(([kind, n]) => `  ${kind.padEnd(18)} ${n}`),
      `snapshots  ${report.snapshots}${report.lastSnapshotSeq === undefined ? '' : ` (latest at seq ${report.lastSnapshotSeq})`}`,
      `venue state keys ${report.venueStateKeys}`,
      `open orders ${orders.length}`,
      ...orders.map((o) => `  ${o.clientOrderId.padEnd(20)} ${o.side.padEnd(4)} ${o.type.padEnd(11)} ${o.quantity} ${o.instrumentId}${o.price ? ` @ ${o.price}` : ''}${o.triggerPrice ? ` stop ${o.triggerPrice}` : ''}  ${o.status}  filled ${o.filledQty}`),
      `positions  ${positions.filter((x) => x.side !== 'FLAT').length} open`,
      ...positions.map((x) => `  ${x.instrumentId.padEnd(10)} ${x.side.padEnd(5)} ${x.quantity.padStart(12)}  avg ${x.avgPx ?? '-'}  realized ${x.realized}  fees ${x.fees}`),
      `cash       ${report.cash ?? '-'}   realized ${report.realized ?? '-'}   fees ${report.fees ?? '-'}`,
      `risk state ${report.risk ? `${report.risk.state} (${report.risk.reason})` : 'ACTIVE'}`,
      ...(p && report.riskBaselines ? [`risk bases ${report.riskBaselines.day} started at ${money(p, report.riskBaselines.dayStartEquityRaw)}, peak ${money(p, report.riskBaselines.peakEquityRaw)}`] : []),
    ];
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  } finally {
    await store.close();
  }
}

async function exportJournal(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, EXPORT, 'journal export');
  const format = flags.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new InputError(`--format ${JSON.stringify(format)} must be jsonl or csv`);
  const from = nonNegativeInt(flags.from, 'from', 1);
  const to = flags.to === undefined ? Infinity : nonNegativeInt(flags.to, 'to', 0);
  const store = await openStore(flags);
  const out: Writable = flags.out ? createWriteStream(flags.out) : process.stdout;
  let n = 0;
  try {
    if (format === 'csv') await write(out, 'seq,ts,time,kind,data\n');
    for (let after = from - 1; ; ) {
      const page = await store.read(after, 10_000);
      let chunk = '';
      for (const r of page) {
        if (r.seq > to) break;
        n++;
        chunk +=
          format === 'jsonl'
            ? `{"seq":${r.seq},"ts":${r.ts},"kind":${JSON.stringify(r.kind)},"data":${r.data}}\n`
            : `${r.seq},${r.ts},${new Date(r.ts).toISOString()},${csv(r.kind)},${csv(r.data)}\n`;
      }
      if (chunk) await write(out, chunk);
      const last = page[page.length - 1];
      if (page.length < 10_000 || last === undefined || last.seq >= to) break;
      after = last.seq;
    }
  } finally {
    await store.close();
    if (out !== process.stdout) {
      out.end();
      await once(out, 'finish');
    }
  }
  if (flags.out) process.stderr.write(`exported ${n} records to ${flags.out}\n`);
  return 0;
}

async function prune(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, PRUNE, 'journal prune');
  const before = Math.min(nonNegativeInt(flags.before, 'before', Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
  const store = await openStore(flags, false);
  try {
    const snapshot = await store.latestSnapshot();
    const pruned = await store.prune(before);
    const stats = await store.stats();
    const report = { store: store.description, prunedRecords: pruned.records, prunedSnapshots: pruned.snapshots, records: stats.records, lastSeq: stats.lastSeq, latestSnapshotSeq: snapshot?.seq };
    if (flags.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else if (snapshot === undefined) process.stdout.write(`journal ${report.store}: nothing pruned, it has no snapshot yet (recovery reads every record)\n`);
    else {
      process.stdout.write(
        `journal ${report.store}: pruned ${pruned.records} records and ${pruned.snapshots} snapshots; ${stats.records} records remain (last seq ${stats.lastSeq}), recovery starts at the snapshot of seq ${snapshot.seq}\n`,
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}

/** A raw amount of the account currency (decimal string of minor units) as money text. */
function money(p: { currency: Parameters<typeof Money.fromRaw>[1] }, raw: string): string {
  return Money.fromRaw(BigInt(raw), p.currency).toString();
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

function csv(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
