/**
 * Self instruction counts per function from a callgrind profile of Node, with V8's generated code
 * named (a diagnostic, not part of `npm run bench`). callgrind names code it finds in no ELF file
 * `???`; Node's `--perf-basic-prof` writes /tmp/perf-<pid>.map with the address range and name of
 * every piece of generated code (`JS:*f` TurboFan, `JS:^f` Sparkplug, `JS:~f` the interpreter's
 * entry), so each instruction address of a `--dump-instr=yes` profile can be charged to its JS
 * function. With two profiles it prints the per-function difference: which functions a change
 * (the monitor attached, a patched build) made run more or fewer instructions.
 *
 * Profile with:
 *   valgrind --tool=callgrind --dump-instr=yes --compress-pos=no --compress-strings=no \
 *     --callgrind-out-file=base.out node --single-threaded --perf-basic-prof <script> ...
 * (the pid in callgrind.out's `pid:` line names the map file). Usage:
 *   node dist/bench/callgrind-js.js <base.out> [<other.out>] [top=40]
 */
import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../src/core/errors.js';
import { runTool } from './tool-main.js';

interface CodeRange {
  readonly start: number;
  readonly size: number;
  readonly name: string;
}

/** The perf map's code ranges, sorted by start address. */
function readPerfMap(path: string): CodeRange[] {
  if (!existsSync(path)) throw new InputError(`${path} is missing: profile node with --perf-basic-prof`);
  const ranges: CodeRange[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (m) ranges.push({ start: parseInt(m[1]!, 16), size: parseInt(m[2]!, 16), name: m[3]!.replace(/file:\/\/\S*?\/(src|bench)\//, '$1/') });
  }
  return ranges.sort((a, b) => a.start - b.start);
}

/** The generated code holding `address` (the last range logged at or below it), if any. */
function codeAt(ranges: readonly CodeRange[], address: number): string | undefined {
  let lo = 0;
  let hi = ranges.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]!.start <= address) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const r = ranges[found];
  return r !== undefined && address < r.start + r.size ? r.name : undefined;
}

/**
 * Self instructions per function of a callgrind profile (positions "instr line", one event: Ir).
 * A cost line right after `calls=` is the call's inclusive cost and is skipped.
 */
function selfCosts(profile: string): Map<string, number> {
  const text = readFileSync(profile, 'utf8');
  const pid = /^pid: (\d+)$/m.exec(text)?.[1];
  if (!/^positions: instr line$/m.test(text) || pid === undefined) {
    throw new InputError(`${profile} is not a callgrind profile made with --dump-instr=yes --compress-pos=no (no "positions: instr line" or "pid:" line)`);
  }
  const ranges = readPerfMap(`/tmp/perf-${pid}.map`);
  const totals = new Map<string, number>();
  let fn = '?';
  let afterCall = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('fn=')) fn = line.slice(3);
    else if (line.startsWith('calls=')) afterCall = true;
    else if (line.startsWith('0x')) {
      if (afterCall) {
        afterCall = false;
        continue;
      }
      const [address, , cost] = line.split(' ');
      const generated = fn === '???' || fn.startsWith('0x');
      const name = generated ? (codeAt(ranges, parseInt(address!, 16)) ?? '[generated code not in the map]') : fn;
      totals.set(name, (totals.get(name) ?? 0) + Number(cost ?? 0));
    }
  }
  return totals;
}

function main(argv: readonly string[]): void {
  const files = argv.filter((a) => !/^\d+$/.test(a));
  const top = Number(argv.find((a) => /^\d+$/.test(a)) ?? 40);
  if (files.length < 1 || files.length > 2) throw new InputError('give one callgrind profile, or two to compare, and optionally how many rows to print');
  const base = selfCosts(files[0]!);
  const other = files[1] === undefined ? undefined : selfCosts(files[1]);
  const millions = (n: number) => (n / 1e6).toFixed(2).padStart(9);
  const names = new Set([...base.keys(), ...(other?.keys() ?? [])]);
  const rows = [...names].map((name) => {
    const a = base.get(name) ?? 0;
    const b = other?.get(name) ?? 0;
    return { name, a, b, key: other === undefined ? a : Math.abs(b - a) };
  });
  rows.sort((x, y) => y.key - x.key);
  process.stdout.write(other === undefined ? 'M instructions (self)\n' : 'M instructions (self): base, other, difference\n');
  for (const r of rows.slice(0, top)) {
    const figures = other === undefined ? millions(r.a) : `${millions(r.a)} ${millions(r.b)} ${millions(r.b - r.a)}`;
    process.stdout.write(`${figures}  ${r.name}\n`);
  }
}

runTool('callgrind-js', main);
