// Builds data/sp500-2019-2020.csv from vega-datasets' data/sp500-2000.csv (run once; see data/README.md).
// Keeps rows dated 2019-01-01..2020-12-31 and the columns date,open,high,low,close,volume, and
// rounds prices half-up to 2 decimals with integer arithmetic (no binary floating point).
// Usage: node data/make-sp500.mjs <path to sp500-2000.csv> > data/sp500-2019-2020.csv
import { readFileSync } from 'node:fs';

const [source] = process.argv.slice(2);
if (!source) throw new Error('usage: node data/make-sp500.mjs <sp500-2000.csv>');

/** "1455.219971" -> "1455.22": half-up to 2 decimals; values with <= 2 decimals are unchanged. */
function cents(text) {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) throw new Error(`unexpected price ${JSON.stringify(text)}`);
  const frac = (m[2] ?? '').padEnd(3, '0');
  let c = BigInt(m[1] + frac.slice(0, 2));
  if (frac[2] >= '5') c += 1n;
  const s = c.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

const lines = readFileSync(source, 'utf8').trim().split(/\r?\n/);
const header = lines[0].split(',');
const col = (name) => {
  const i = header.indexOf(name);
  if (i < 0) throw new Error(`missing column ${name}`);
  return i;
};
const [d, o, h, l, c, v] = ['date', 'open', 'high', 'low', 'close', 'volume'].map(col);
const out = ['date,open,high,low,close,volume'];
for (const line of lines.slice(1)) {
  const f = line.split(',');
  if (f[d] < '2019-01-01' || f[d] > '2020-12-31') continue;
  if (!/^\d+$/.test(f[v])) throw new Error(`unexpected volume ${f[v]} on ${f[d]}`);
  out.push([f[d], cents(f[o]), cents(f[h]), cents(f[l]), cents(f[c]), f[v]].join(','));
}
process.stdout.write(out.join('\n') + '\n');
