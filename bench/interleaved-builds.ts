/**
 * Interleaved comparison of builds (a diagnostic, not part of `npm run bench`): runs a benchmark's
 * child mode for each configuration in turn, round after round (every other round in reverse
 * order), each run in a fresh process with BENCH_NODE_FLAGS, and prints each configuration's
 * median and fastest wall-clock time against the first's. Two builds measured half an hour apart
 * do not compare on a shared VM (the same paired benchmark moved by 3 points between such runs);
 * interleaved runs see the same machine.
 *
 * Usage: node dist/bench/interleaved-builds.js <rounds> <name>=<dist dir>:<bench script>[:<arg>...] ...
 * The first configuration is the reference. To compare another commit, build it in a git worktree
 * with this checkout's node_modules linked (`ln -s`) and `npx tsc -p tsconfig.json`. Example, the
 * risk engine's dense overhead in the current build and in one at ../old:
 *   node dist/bench/interleaved-builds.js 9 base=dist:bench/risk-check.js:--run:none:1000000:dense \
 *     old=../old/dist:bench/risk-check.js:--run:gate:1000000:dense new=dist:bench/risk-check.js:--run:gate:1000000:dense
 */
import { resolve } from 'node:path';
import { InputError } from '../src/core/errors.js';
import { runTool } from './tool-main.js';
import { median, runInChild } from './paired.js';

interface Config {
  readonly name: string;
  readonly script: string;
  readonly args: readonly string[];
}

/** Parses `name=dir:script[:arg...]`. Throws InputError naming the argument when it is malformed. */
function parseConfig(text: string): Config {
  const eq = text.indexOf('=');
  const [dir, script, ...args] = text.slice(eq + 1).split(':');
  if (eq <= 0 || !dir || !script) throw new InputError(`configuration "${text}" is not name=<dist dir>:<bench script>[:<arg>...]`);
  return { name: text.slice(0, eq), script: resolve(dir, script), args };
}

function main(argv: readonly string[]): void {
  const rounds = Number(argv[0]);
  if (!Number.isInteger(rounds) || rounds < 1) throw new InputError(`rounds "${argv[0]}" is not a positive integer`);
  const configs = argv.slice(1).map(parseConfig);
  if (configs.length < 2) throw new InputError('give at least two configurations: the reference first');
  const seconds = new Map<string, number[]>(configs.map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const c of round % 2 === 0 ? configs : [...configs].reverse()) seconds.get(c.name)!.push(runInChild(c.script, c.args).seconds);
  }
  const reference = seconds.get(configs[0]!.name)!;
  const [refMedian, refFastest] = [median(reference), Math.min(...reference)];
  for (const c of configs) {
    const times = seconds.get(c.name)!;
    const [m, fastest] = [median(times), Math.min(...times)];
    const vs = (x: number, ref: number) => `${((x / ref - 1) * 100).toFixed(1)} %`;
    process.stdout.write(JSON.stringify({ config: c.name, rounds, medianSeconds: m, vsReferenceMedian: vs(m, refMedian), fastestSeconds: fastest, vsReferenceFastest: vs(fastest, refFastest) }) + '\n');
  }
}

runTool('interleaved-builds', main);
