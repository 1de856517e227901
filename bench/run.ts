/**
 * `npm run bench`: runs every benchmark in its own child process (so peak memory is per
 * benchmark) and prints one JSON line per result.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BENCHES: Array<[string, string[]]> = [
  ['backtest-throughput.js', ['sparse', '1000000']],
  ['backtest-throughput.js', ['dense', '1000000']],
  ['tick-to-order.js', ['200000']],
];

const only = process.argv[2];
for (const [file, args] of BENCHES) {
  if (only && !file.startsWith(only)) continue;
  const out = execFileSync(process.execPath, [join(here, file), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(out);
}
