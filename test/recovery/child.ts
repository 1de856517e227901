/**
 * Running paper-child.ts as a real process: compiling it (and what it imports, and the `bourse`
 * command line for the journal CLI checks) once with the
 * project's tsc into node_modules/.cache/bourse-recovery-child (incremental, so a run after a
 * small change takes seconds; a directory lock keeps concurrent test runs from writing the same
 * files), spawning it, reading its JSON lines, and auditing its journal afterwards. Shared by the
 * crash tests and scripts/crash-soak.ts.
 *
 * Why not dist/: `npx vitest run` alone does not build, and a stale dist/ would test old code.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadVenueState } from '../../src/persistence/venue-state.js';
import { RecordKind } from '../../src/persistence/journal.js';
import { replayJournal, type JournalReplay } from '../../src/persistence/recovery.js';
import { SqliteJournal } from '../../src/persistence/sqlite-journal.js';
import { stateSummary } from '../../src/persistence/testkit.js';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const OUT = join(ROOT, 'node_modules', '.cache', 'bourse-recovery-child');
export const CHILD = join(OUT, 'test', 'recovery', 'paper-child.js');
/** The `bourse` command line, compiled with the child. */
export const CLI = join(OUT, 'src', 'cli.js');

/** Compiles the child program. Throws with the compiler's output when it fails. */
export async function compileChild(): Promise<void> {
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  const lock = `${OUT}.lock`;
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A stale lock (a run killed while compiling) is taken over after two minutes.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (waited > 120_000 || (held !== undefined && Date.now() - held.mtimeMs > 120_000)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', 'test/recovery/tsconfig.child.json', '--outDir', OUT, '--incremental', '--tsBuildInfoFile', join(OUT, 'child.tsbuildinfo')], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`compiling the child failed:\n${r.stdout}${r.stderr}`);
    // Outside the project's package scope (under node_modules), .js needs its own "type": "module".
    writeFileSync(join(OUT, 'package.json'), '{"type":"module"}\n');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface ChildLine {
  readonly event: string;
  readonly [key: string]: unknown;
}

export interface Recovered extends ChildLine {
  readonly seq: number;
  readonly report: {
    readonly lastSeq: number;
    readonly snapshotSeq?: number;
    readonly ordersRestored: number;
    readonly venueStateRestored: boolean;
    readonly reconcile: { resent: { submit: number; cancel: number; modify: number }; fillsApplied: number; eventsApplied: number; differences: string[] };
  };
  readonly state: { cash: string; positions: { instrumentId: string; qtyRaw: number }[] };
  readonly account: { cashRaw: string; netQtyRaw: Record<string, number> };
}

/** A running child: its JSON lines as they come, and its exit. */
export class Child {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly proc: ChildProcess;
  private readonly lines: ChildLine[] = [];
  private readonly waiters: { event: string; resolve: (l: ChildLine) => void; reject: (e: Error) => void }[] = [];
  private stderr = '';
  private done = false;

  constructor(args: readonly string[]) {
    this.proc = spawn(process.execPath, [CHILD, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    this.proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const text = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (text.trim() === '') continue;
        const line = JSON.parse(text) as ChildLine;
        this.lines.push(line);
        for (const w of this.waiters.filter((x) => x.event === line.event)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
    this.proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((done) => {
      this.proc.on('exit', (code, signal) => {
        this.done = true;
        for (const w of this.waiters.splice(0)) w.reject(new Error(`child exited (code ${code}, signal ${signal}) before printing "${w.event}":\n${this.stderr}`));
        done({ code, signal });
      });
    });
  }

  /** The first line with this event (already printed or to come); rejects if the child exits first. */
  waitFor<T extends ChildLine = ChildLine>(event: string): Promise<T> {
    const seen = this.lines.find((l) => l.event === event);
    if (seen) return Promise.resolve(seen as T);
    if (this.done) return Promise.reject(new Error(`child exited before printing "${event}":\n${this.stderr}`));
    return new Promise<T>((resolve, reject) => this.waiters.push({ event, resolve: resolve as (l: ChildLine) => void, reject }));
  }

  kill(signal: NodeJS.Signals): void {
    this.proc.kill(signal);
  }

  get errors(): string {
    return this.stderr;
  }
}

export interface CrashAudit {
  /** The state a full replay (no snapshot) reaches at the child's recovery.done, in stateSummary form. */
  readonly replayedState: unknown;
  /** Submits journaled up to recovery.done that the venue does not have (should be none). */
  readonly lostBeforeRecovery: string[];
  /** Orders at the venue the journal never submitted (should be none). */
  readonly unjournaled: string[];
  /** Submits the venue received twice for one client order id (should be 0). */
  readonly duplicates: number;
  /** Every journaled submit the venue does not have (only commands in flight at the kill). */
  readonly missing: string[];
  readonly records: number;
  readonly venueOrders: number;
  readonly venueCashRaw: string;
  readonly venueNetRaw: Record<string, number>;
  readonly replay: JournalReplay;
}

/**
 * Audits a journal file after its process died: replays it in full up to `recoveredSeq` (the
 * child's recovery.done) and compares with the simulated venue's persisted state.
 */
export async function auditJournal(path: string, recoveredSeq: number): Promise<CrashAudit> {
  const store = new SqliteJournal({ path });
  await store.open();
  try {
    const replay = await replayJournal(store, { ignoreSnapshots: true, untilSeq: recoveredSeq, collectSubmits: true });
    const beforeRecovery = replay.submitted!;
    const all = new Set<string>();
    for (let after = 0; ; ) {
      const page = store.readSync(after, 50_000);
      for (const r of page) if (r.kind === RecordKind.submit) all.add((JSON.parse(r.data) as { clientOrderId: string }).clientOrderId);
      if (page.length < 50_000) break;
      after = page[page.length - 1]!.seq;
    }
    const venue = await loadVenueState(store, 'SIM');
    const atVenue = new Set((venue?.orders ?? []).map((o) => o.clientOrderId));
    const marks = new Map(Object.entries(replay.lastRecoveryMarks ?? {}));
    const netRaw: Record<string, number> = {};
    for (const b of venue?.meta.books ?? []) if (b.netRaw !== 0) netRaw[b.instrumentId] = b.netRaw;
    return {
      replayedState: replay.portfolio ? stateSummary(replay.portfolio, replay.orders.values(), marks) : undefined,
      lostBeforeRecovery: [...beforeRecovery].filter((id) => !atVenue.has(id)),
      unjournaled: [...atVenue].filter((id) => !all.has(id)),
      duplicates: venue ? venue.meta.nextOrderNo - 1 - venue.orders.length : 0,
      missing: [...all].filter((id) => !atVenue.has(id)),
      records: await store.lastSeq(),
      venueOrders: atVenue.size,
      venueCashRaw: venue?.meta.cashRaw ?? '',
      venueNetRaw: netRaw,
      replay,
    };
  } finally {
    await store.close();
  }
}
