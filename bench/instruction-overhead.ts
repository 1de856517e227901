/**
 * The performance monitor's cost in instructions, a diagnostic for the overhead target (not part
 * of `npm run bench`): callgrind counts the instructions of the core benchmark's run without and
 * with the monitor (analytics-overhead.js --run), and of the same run at 1,000 quotes (Node's
 * start-up and module loading), all with `--single-threaded --hash-seed=2` so that repeated runs
 * of one build mostly agree within a few million instructions (now and then one run is 150–270 M
 * high, probably a time-based V8 heuristic: repeat a count that surprises). The monitor's share is
 * (with − without) / (without − start-up). Wall-clock pairs on a 2-vCPU VM move by about 2
 * points from one set to the next; this count does not, so it compares two builds reliably. It
 * leaves out what the wall clock adds: the main thread waiting while compiler threads run.
 *
 * Needs valgrind (Debian package `valgrind`). Each 1 M-quote run takes about 40 s (dense: 2.5 min).
 * Usage: node dist/bench/instruction-overhead.js [sparse|dense] [quotes=1000000]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../src/core/errors.js';
import { BENCH_SEED } from './fixtures.js';
import { runTool } from './tool-main.js';

const overheadScript = fileURLToPath(new URL('./analytics-overhead.js', import.meta.url));

/** The instruction count in a callgrind profile's `summary:` line. */
export function summaryInstructions(profile: string): number {
  const m = /^summary: (\d+)$/m.exec(profile);
  if (!m) throw new InputError('the callgrind profile has no "summary:" line');
  return Number(m[1]);
}

/** Instructions of one benchmark run under callgrind. */
function countRun(variant: string, quotes: number, monitors: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'bourse-callgrind-'));
  const out = join(dir, 'callgrind.out');
  try {
    const nodeArgs = ['--single-threaded', '--hash-seed=2', overheadScript, '--run', variant, String(quotes), String(monitors)];
    execFileSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, ...nodeArgs], { stdio: 'ignore' });
    return summaryInstructions(readFileSync(out, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError('valgrind is not installed (Debian package: valgrind)');
    throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(argv: readonly string[]): void {
  const variant = argv[0] ?? 'sparse';
  if (variant !== 'sparse' && variant !== 'dense') throw new InputError(`variant ${variant} is not sparse or dense`);
  const quotes = Number(argv[1] ?? 1_000_000);
  if (!Number.isSafeInteger(quotes) || quotes < 10_000) throw new InputError(`quotes ${argv[1]} is not an integer of at least 10000`);
  const startup = countRun(variant, 1_000, 0);
  const without = countRun(variant, quotes, 0);
  const withMonitor = countRun(variant, quotes, 1);
  const monitor = withMonitor - without;
  const share = Math.round((monitor / (without - startup)) * 1000) / 10;
  process.stdout.write(JSON.stringify({ bench: 'instruction-overhead', seed: BENCH_SEED, variant, quotes, startup, without, with: withMonitor, monitor, monitorSharePct: share }) + '\n');
}

if (process.argv[1]?.endsWith('instruction-overhead.js')) runTool('instruction-overhead', main);
