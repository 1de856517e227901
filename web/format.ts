/**
 * Number and time formatting for the dashboard. Decimal strings from the server are formatted
 * as text (digit grouping only), never through floating point, so the page shows exactly what the
 * engine computed. Times are epoch milliseconds shown in the browser's time zone.
 */

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Groups the integer digits of a decimal string: "-1234567.50" → "-1,234,567.50". Other text is returned unchanged. */
export function groupDecimal(value: string): string {
  const m = DECIMAL.exec(value);
  if (!m) return value;
  const [, sign, int, frac] = m;
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}

/** A decimal string with an explicit sign: "+12.50", "-3.00", "0.00". */
export function signedDecimal(value: string): string {
  const g = groupDecimal(value);
  return isPositive(value) ? `+${g}` : g;
}

export function isNegative(value: string): boolean {
  return /^-\d*\.?\d*[1-9]/.test(value);
}

export function isPositive(value: string): boolean {
  return !value.startsWith('-') && /[1-9]/.test(value);
}

/** 'pos' / 'neg' / '' for colouring a P&L figure. */
export function pnlClass(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return value > 0 ? 'pos' : value < 0 ? 'neg' : '';
  return isNegative(value) ? 'neg' : isPositive(value) ? 'pos' : '';
}

/** The number in money text the risk engine formats, e.g. "100000.00 USD" → 100000. NaN when there is none. */
export function moneyNumber(text: string): number {
  const m = /-?\d+(?:\.\d+)?/.exec(text);
  return m ? Number(m[0]) : Number.NaN;
}

/** Money text "100000.00 USD" with digit grouping: "100,000.00 USD". */
export function groupMoneyText(text: string): string {
  return text.replace(/-?\d+(?:\.\d+)?/, (n) => groupDecimal(n));
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** HH:MM:SS.mmm in local time. */
export function timeOfDay(ts: number): string {
  const d = new Date(ts);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** HH:MM:SS in local time. */
export function shortTime(ts: number): string {
  const d = new Date(ts);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A fraction as a percentage: 0.0123 → "1.23%"; null → "—". */
export function percent(fraction: number | null | undefined, digits = 2): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  return `${noNegativeZero((fraction * 100).toFixed(digits))}%`;
}

/** A plain number with fixed digits; null → "—". */
export function fixed(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return noNegativeZero(value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
}

/** "-0.00" → "0.00": a figure that rounds to zero has no sign. */
function noNegativeZero(text: string): string {
  return /^-[0.,]*$/.test(text) ? text.slice(1) : text;
}

/** A duration in ms as "1h 02m", "3m 05s", "850 ms"; null → "—". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${pad(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${pad(m % 60)}m`;
  return `${Math.floor(h / 24)}d ${pad(h % 24)}h`;
}

/** Microseconds as "850 µs" or "1.25 ms"; null → "—". */
export function micros(us: number | null | undefined): string {
  if (us === null || us === undefined || !Number.isFinite(us)) return '—';
  return us < 1000 ? `${Math.round(us)} µs` : `${(us / 1000).toFixed(2)} ms`;
}
