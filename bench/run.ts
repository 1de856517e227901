/**
 * `npm run bench`: runs every benchmark in its own child process (so peak memory is per
 * benchmark) and prints one JSON line per result. `npm run bench -- <prefix>` runs the
 * benchmarks whose file starts with the prefix (e.g. `risk`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BENCHES: Array<[string, string[]]> = [
  ['backtest-throughput.js', ['sparse', '1000000']],
  ['backtest-throughput.js', ['dense', '1000000']],
  ['tick-to-order.js', ['200000']],
  ['risk-check.js', ['200000', '1000000']],
  ['analytics-overhead.js', ['all']],
  ['journal.js', []],
  ['ws-fanout.js', ['1000', '30']],
  ['rest-summary.js', []],
];

const only = process.argv[2];
for (const [file, args] of BENCHES) {
  if (only && !file.startsWith(only)) continue;
  if (!existsSync(join(here, file))) continue;
  const out = execFileSync(process.execPath, [join(here, file), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(out);
}
