/**
 * The HTML report: one self-contained file (report.html of a backtest) with the equity curve,
 * the drawdown, a price chart per instrument with buy/sell markers at the fills, and the
 * statistics tables of a PerformanceSnapshot. The charting library (TradingView Lightweight
 * Charts, Apache-2.0, whose attribution logo stays on each chart) is inlined from node_modules
 * with the chart data and a small script, so the file opens offline and loads nothing.
 * Tables are rendered here, escaped; the browser script only draws charts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OrderFilled } from '../model/order-events.js';
import type { SeriesPoint } from './decimated-series.js';
import type { LatencySummary, PerformanceSnapshot } from './snapshot.js';

/** A fill as the report draws it. */
export interface ReportFill {
  readonly ts: number;
  readonly instrumentId: string;
  readonly side: 'BUY' | 'SELL';
  readonly price: number;
  readonly quantity: number;
}

export interface HtmlReportInput {
  readonly snapshot: PerformanceSnapshot;
  /** Equity in the account currency over time. */
  readonly equityCurve: readonly SeriesPoint[];
  /** Drawdown as a fraction of the high-water mark (0.1 = 10% below the peak). */
  readonly drawdownCurve: readonly SeriesPoint[];
  readonly fills: readonly ReportFill[];
  /** Price series per instrument id. */
  readonly prices: Readonly<Record<string, readonly SeriesPoint[]>>;
  readonly title?: string;
  /** Most points drawn per series (default 20,000; longer series are thinned evenly, keeping the last point). */
  readonly maxPoints?: number;
  /** Most fill markers drawn per instrument (default 2,000; the most recent are kept). */
  readonly maxMarkers?: number;
}

/** A point on a chart: time in whole seconds (the library's UTCTimestamp). */
export interface ChartPoint {
  readonly time: number;
  readonly value: number;
}

interface ChartMarker {
  readonly time: number;
  readonly position: 'belowBar' | 'aboveBar';
  readonly shape: 'arrowUp' | 'arrowDown';
  readonly color: string;
}

interface ChartData {
  readonly equity: ChartPoint[];
  readonly drawdownPct: ChartPoint[];
  readonly instruments: Array<{ id: string; prices: ChartPoint[]; markers: ChartMarker[]; fillsShown: number; fillsTotal: number }>;
}

const BUY_COLOR = '#1e8e3e';
const SELL_COLOR = '#d93025';

let chartLibrary: string | undefined;

/** The standalone build of lightweight-charts. Throws the file system's error when it is not installed. */
export function chartLibrarySource(): string {
  if (chartLibrary === undefined) {
    const pkg = createRequire(import.meta.url).resolve('lightweight-charts/package.json');
    chartLibrary = readFileSync(join(dirname(pkg), 'dist', 'lightweight-charts.standalone.production.js'), 'utf8');
  }
  return chartLibrary;
}

/** Converts order fills to report fills (prices and quantities as numbers, for drawing only). */
export function reportFills(fills: readonly OrderFilled[]): ReportFill[] {
  return fills.map((f) => ({ ts: f.ts, instrumentId: f.instrumentId, side: f.side, price: f.lastPx.toNumber(), quantity: f.lastQty.toNumber() }));
}

/**
 * Turns a series into chart points: whole seconds, strictly increasing (the last value of a second
 * wins), non-finite values dropped, thinned to at most `maxPoints` with the last point kept.
 */
export function chartSeries(points: readonly SeriesPoint[], maxPoints = 20_000, scale = 1): ChartPoint[] {
  const dedup: ChartPoint[] = [];
  for (const p of points) {
    if (!Number.isFinite(p.value) || !Number.isFinite(p.ts)) continue;
    const time = Math.floor(p.ts / 1000);
    const last = dedup[dedup.length - 1];
    if (last !== undefined && time <= last.time) dedup[dedup.length - 1] = { time: last.time, value: p.value * scale };
    else dedup.push({ time, value: p.value * scale });
  }
  if (dedup.length <= maxPoints) return dedup;
  const stride = Math.ceil(dedup.length / maxPoints);
  const out: ChartPoint[] = [];
  for (let i = 0; i < dedup.length; i += stride) out.push(dedup[i]!);
  if (out[out.length - 1] !== dedup[dedup.length - 1]) out.push(dedup[dedup.length - 1]!);
  return out;
}

/** Renders the report as one HTML document. Throws when the charting library is not installed. */
export function renderHtmlReport(input: HtmlReportInput): string {
  const s = input.snapshot;
  const maxPoints = input.maxPoints ?? 20_000;
  const maxMarkers = input.maxMarkers ?? 2_000;
  const ids = new Set<string>([...Object.keys(input.prices), ...input.fills.map((f) => f.instrumentId)]);
  const data: ChartData = {
    equity: chartSeries(input.equityCurve, maxPoints),
    drawdownPct: chartSeries(input.drawdownCurve, maxPoints, -100),
    instruments: [...ids].sort().map((id) => {
      const fills = input.fills.filter((f) => f.instrumentId === id).sort((a, b) => a.ts - b.ts);
      const sampled = input.prices[id] ?? [];
      const prices = chartSeries(sampled.length > 0 ? sampled : fills.map((f) => ({ ts: f.ts, value: f.price })), maxPoints);
      const shown = fills.slice(Math.max(0, fills.length - maxMarkers));
      const markers = shown.map((f): ChartMarker =>
        f.side === 'BUY'
          ? { time: Math.floor(f.ts / 1000), position: 'belowBar', shape: 'arrowUp', color: BUY_COLOR }
          : { time: Math.floor(f.ts / 1000), position: 'aboveBar', shape: 'arrowDown', color: SELL_COLOR },
      );
      return { id, prices, markers, fillsShown: shown.length, fillsTotal: fills.length };
    }),
  };
  const title = input.title ?? 'Bourse performance report';
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body>',
    `<h1>${esc(title)}</h1>`,
    `<p class="meta">${esc(period(s))} · currency ${esc(s.pnl.currency)} · snapshot at ${esc(iso(s.ts))}</p>`,
    '<h2>Equity</h2><div id="chart-equity" class="chart tall"></div>',
    '<h2>Drawdown (% below the high-water mark)</h2><div id="chart-drawdown" class="chart"></div>',
    '<h2>Prices and fills</h2><div id="chart-prices"></div>',
    tables(s),
    `<script>${scriptSafe(chartLibrarySource())}</script>`,
    `<script type="application/json" id="report-data">${jsonScriptSafe(JSON.stringify(data))}</script>`,
    `<script>${CHART_SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

/** Writes the report to `path`. Throws the file system's error when it cannot be written. */
export function writeHtmlReport(input: HtmlReportInput, path: string): void {
  writeFileSync(path, renderHtmlReport(input));
}

// --- tables -----------------------------------------------------------------------------

type Cell = string | number | null;

function tables(s: PerformanceSnapshot): string {
  const p = s.pnl;
  const e = s.equity;
  const r = s.returns;
  const t = s.trades;
  const o = s.orders;
  const h = s.health;
  const parts: string[] = [];
  parts.push('<div class="grid">');
  parts.push(
    keyValues('Profit and loss', [
      ['Initial capital', p.initialCapital],
      ['Equity', p.equity],
      ['Total P&L (net of fees)', p.total],
      ['Total return', pct(p.totalReturn)],
      ['Realized (before fees)', p.realized],
      ['Unrealized', p.unrealized],
      ['Fees', p.fees],
      ['Cash', p.cash],
      ['Gross / net exposure', `${p.grossExposure} / ${p.netExposure}`],
      ['Open positions', p.openPositions],
      ['Today', p.today === null ? '—' : `${p.today.day}: ${p.today.pnl} (${pct(p.today.return)}) from ${p.today.startEquity}`],
    ]),
  );
  parts.push(
    keyValues('Returns', [
      ['Periods', r.periods],
      ['Sharpe', num(r.sharpe)],
      ['Sortino', num(r.sortino)],
      ['Calmar', num(r.calmar)],
      ['Volatility (annualized)', pct(r.volatility)],
      ['Mean per period', pct(r.mean, 4)],
      ['Best period', pct(r.best)],
      ['Worst period', pct(r.worst)],
      ['Compounded return', pct(r.totalReturn)],
      ['Annualized return', pct(r.annualizedReturn)],
      ['Periods per year', `${num(s.conventions.periodsPerYear)} (${s.conventions.periodsPerYearSource})`],
      ['Risk-free rate', pct(s.conventions.riskFreeRate)],
    ]),
  );
  parts.push(
    keyValues('Drawdown', [
      ['High-water mark', e.highWaterMark],
      ['Current drawdown', `${e.drawdown} (${pct(e.drawdownFraction)})`],
      ['Current duration', duration(e.drawdownDurationMs)],
      ['Max drawdown', e.maxDrawdown === null ? '—' : `${e.maxDrawdown.amount} (${pct(e.maxDrawdown.fraction)})`],
      ['Max drawdown peak → trough', e.maxDrawdown === null ? '—' : `${iso(e.maxDrawdown.peakTs)} → ${iso(e.maxDrawdown.troughTs)}`],
      ['Time to recovery', e.maxDrawdown === null ? '—' : e.maxDrawdown.timeToRecoveryMs === null ? 'not recovered' : duration(e.maxDrawdown.timeToRecoveryMs)],
      ['Longest drawdown', duration(e.longestDrawdownDurationMs)],
      ['Equity points', `${e.points} (${e.pointsRetained} kept)`],
    ]),
  );
  parts.push(
    keyValues('Trades (round trips)', [
      ['Count', t.count],
      ['Won / lost / even', `${t.wins} / ${t.losses} / ${t.breakeven}`],
      ['Win rate', pct(t.winRate)],
      ['Net P&L', t.netPnl],
      ['Average win / loss', `${t.averageWin ?? '—'} / ${t.averageLoss ?? '—'}`],
      ['Largest win / loss', `${t.largestWin ?? '—'} / ${t.largestLoss ?? '—'}`],
      ['Profit factor', num(t.profitFactor)],
      ['Expectancy', t.expectancy],
      ['Average return', pct(t.averageReturn)],
      ['Max consecutive wins / losses', `${t.maxConsecutiveWins} / ${t.maxConsecutiveLosses}`],
      [`Average / median holding (median of the last ${s.conventions.medianHoldingWindow})`, `${duration(t.averageHoldingMs)} / ${duration(t.medianHoldingMs)}`],
      ['Trades per hour / day', `${num(t.tradesPerHour)} / ${num(t.tradesPerDay)}`],
    ]),
  );
  parts.push(
    keyValues('Orders', [
      ['Created', o.created],
      ['Fills', o.fills],
      ['Denied', `${o.denied}${reasons(o.deniedByReason)}`],
      ['Rejected', `${o.rejected}${reasons(o.rejectedByReason)}`],
      ['Canceled', o.canceled],
      ['Expired', o.expired],
    ]),
  );
  parts.push(
    keyValues('System health', [
      ['Events', `${h.events.total} (data ${h.events.marketData}, signals ${h.events.signals}, orders ${h.events.ordersCreated}, order events ${h.events.orderEvents})`],
      [`Events per second (market time, last ${h.eventRateWindowMs / 1000} s in ${h.eventRateSlotMs / 1000} s slots)`, num(h.eventsPerSecond)],
      ['Errors', `${h.errors.total} (order ${h.errors.orderErrors}, commands rejected ${h.errors.commandsRejected}, venue rejections ${h.errors.ordersRejected}, invalid signals ${h.errors.invalidSignals})`],
    ]),
  );
  parts.push('</div>');
  parts.push(
    table(
      'By instrument',
      ['Instrument', 'Quantity', 'Mark', 'Realized', 'Unrealized', 'Fees', 'Total', 'Fills', 'Volume', 'Trades'],
      p.byInstrument.map((i) => [i.instrumentId, i.quantity, i.markPx, i.realized, i.unrealized, i.fees, i.total, i.fills, i.volume, i.trades]),
    ),
  );
  parts.push(
    table(
      'By strategy',
      ['Strategy', 'Realized', 'Unrealized', 'Fees', 'Total', 'Closed net', 'Trades', 'Wins', 'Fills', 'Volume', 'Signals', 'Orders', 'Without signal', 'Denied'],
      p.byStrategy.map((x) => [x.strategyId, x.realized, x.unrealized, x.fees, x.total, x.closedNetPnl, x.trades, x.wins, x.fills, x.volume, x.signals, x.ordersCreated, x.ordersWithoutSignal, x.ordersDenied]),
    ),
  );
  parts.push(
    table(
      'Signal effectiveness',
      ['Strategy', 'Signal type', 'Signals', 'Orders', 'Denied', 'Won', 'Lost', 'Hit rate', 'Avg return / signal', 'Hit rate by confidence'],
      s.signals.map((x) => [
        x.strategy,
        x.signalType,
        x.signals,
        x.ordersCreated,
        `${x.ordersDenied}${reasons(x.deniedByReason)}`,
        x.won,
        x.lost,
        pct(x.hitRate),
        pct(x.averageReturnPerSignal, 3),
        x.byConfidence
          .filter((b) => b.signals > 0 || b.outcomes > 0)
          .map((b) => `[${b.lower}, ${b.upper}${b.upper === 1 ? ']' : ')'}: ${pct(b.hitRate, 0)} of ${b.outcomes}`)
          .join('; ') || '—',
      ]),
    ),
  );
  const buckets = (rows: ReadonlyArray<{ pnl: string; trades: number; wins: number; winRate: number | null; fills: number; volume: string }>, key: (i: number) => Cell): Cell[][] =>
    rows.map((b, i) => [key(i), b.pnl, b.trades, b.wins, pct(b.winRate), b.fills, b.volume]);
  parts.push(
    table(
      `By hour of day (${s.buckets.timeZone})`,
      ['Hour', 'P&L', 'Trades', 'Wins', 'Win rate', 'Fills', 'Volume'],
      buckets(s.buckets.byHour, (i) => `${String(s.buckets.byHour[i]!.hour).padStart(2, '0')}:00`),
    ),
  );
  parts.push(table(`By day (${s.buckets.timeZone})`, ['Day', 'P&L', 'Trades', 'Wins', 'Win rate', 'Fills', 'Volume'], buckets(s.buckets.byDay, (i) => s.buckets.byDay[i]!.day)));
  const lat = (name: string, l: LatencySummary | null): Cell[] =>
    l === null ? [name, 'off', null, null, null, null, null] : [name, l.count, num(l.p50), num(l.p90), num(l.p99), num(l.max), num(l.mean)];
  parts.push(
    table(
      'Latency (µs of clock time)',
      ['Measure', 'Count', 'p50', 'p90', 'p99', 'Max', 'Mean'],
      [lat('Tick to order', h.tickToOrderUs), lat('Order to fill', h.orderToFillUs), lat('Event-loop delay', h.eventLoopDelayUs)],
    ),
  );
  parts.push(
    table(
      'Market data',
      ['Instrument', 'Records', 'Last record', 'Staleness'],
      h.marketData.map((m) => [m.instrumentId, m.records, m.lastDataAt === null ? null : iso(m.lastDataAt), duration(m.stalenessMs)]),
    ),
  );
  parts.push(`<h2>Conventions</h2><ul class="notes">${s.conventions.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  parts.push(
    `<p class="meta">Equity sampled every ${esc(duration(s.conventions.equitySampleMs))} of clock time; trading days and buckets in ${esc(s.conventions.timeZone)}. ` +
      'Charts: TradingView Lightweight Charts™ (Apache-2.0), inlined.</p>',
  );
  return parts.join('\n');
}

function keyValues(title: string, rows: ReadonlyArray<readonly [string, Cell]>): string {
  const body = rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${cell(v)}</td></tr>`).join('');
  return `<section><h2>${esc(title)}</h2><table class="kv">${body}</table></section>`;
}

function table(title: string, head: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const thead = `<tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const tbody = rows.length === 0 ? `<tr><td colspan="${head.length}" class="empty">none</td></tr>` : rows.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`).join('');
  return `<section class="wide"><h2>${esc(title)}</h2><table>${thead}${tbody}</table></section>`;
}

function cell(v: Cell): string {
  return v === null ? '—' : esc(String(v));
}

function reasons(byReason: Readonly<Record<string, number>>): string {
  const entries = Object.entries(byReason);
  return entries.length === 0 ? '' : ` (${entries.map(([k, v]) => `${k} ${v}`).join(', ')})`;
}

function pct(x: number | null, digits = 2): string {
  return x === null ? '—' : `${(x * 100).toFixed(digits)}%`;
}

function num(x: number | null): string {
  if (x === null) return '—';
  const a = Math.abs(x);
  return a !== 0 && (a >= 1e6 || a < 1e-3) ? x.toExponential(3) : String(Math.round(x * 1000) / 1000);
}

function duration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 120) return `${Math.round(s * 10) / 10} s`;
  if (s < 7200) return `${Math.round(s / 6) / 10} min`;
  if (s < 172_800) return `${Math.round(s / 360) / 10} h`;
  return `${Math.round(s / 8640) / 10} d`;
}

/** UTC time, shortened when it falls on a whole minute: 2020-02-21 00:00Z. */
function iso(ts: number): string {
  if (!Number.isFinite(ts)) return String(ts);
  const full = new Date(ts).toISOString();
  return ts % 60_000 === 0 ? `${full.slice(0, 10)} ${full.slice(11, 16)}Z` : full;
}

function period(s: PerformanceSnapshot): string {
  return s.startedAt === null ? 'not started' : `${iso(s.startedAt)} → ${iso(s.ts)}`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Keeps inlined text from closing its script element early. */
function scriptSafe(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/**
 * JSON kept from closing its script element, and still JSON: every '<' as the escape \u003c
 * (scriptSafe's '<\!--' is not a JSON escape, and the page's JSON.parse would throw).
 */
function jsonScriptSafe(json: string): string {
  return json.replace(/</g, '\\u003c');
}

const STYLE = `
body{font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#202124}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 8px}
.meta{color:#5f6368;margin:4px 0 12px}
.chart{height:200px;border:1px solid #dadce0;border-radius:4px}.chart.tall{height:320px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:0 24px}
.grid section{min-width:0;overflow-x:auto}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:3px 8px;border-bottom:1px solid #eceff1;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
table.kv th{font-weight:normal;color:#5f6368;text-align:left;white-space:normal}
table.kv td{white-space:normal;overflow-wrap:anywhere}
section.wide{overflow-x:auto}
td.empty{text-align:center;color:#9aa0a6}
.instrument h3{font-size:14px;margin:12px 0 4px}
.notes{color:#5f6368}
`;

/** Draws the charts from the inlined data; runs in the browser, no network access. */
const CHART_SCRIPT = `
(function () {
  var LC = window.LightweightCharts;
  var data = JSON.parse(document.getElementById('report-data').textContent);
  function chart(el) {
    var c = LC.createChart(el, { autoSize: true, layout: { background: { color: '#ffffff' }, textColor: '#202124' },
      grid: { vertLines: { color: '#f1f3f4' }, horzLines: { color: '#f1f3f4' } },
      timeScale: { timeVisible: true, secondsVisible: false }, rightPriceScale: { borderVisible: false } });
    charts.push(c);
    return c;
  }
  var charts = [];
  function empty(el, text) { el.textContent = text; el.style.padding = '12px'; el.style.color = '#9aa0a6'; }
  var eqEl = document.getElementById('chart-equity');
  if (data.equity.length > 0) {
    chart(eqEl).addSeries(LC.AreaSeries, { lineColor: '#1a73e8', topColor: 'rgba(26,115,232,0.25)', bottomColor: 'rgba(26,115,232,0.02)', lineWidth: 2 }).setData(data.equity);
  } else empty(eqEl, 'No equity samples.');
  var ddEl = document.getElementById('chart-drawdown');
  if (data.drawdownPct.length > 0) {
    chart(ddEl).addSeries(LC.AreaSeries, { lineColor: '#d93025', topColor: 'rgba(217,48,37,0.02)', bottomColor: 'rgba(217,48,37,0.3)', lineWidth: 1,
      priceFormat: { type: 'custom', formatter: function (v) { return v.toFixed(2) + '%'; } } }).setData(data.drawdownPct);
  } else empty(ddEl, 'No equity samples.');
  var box = document.getElementById('chart-prices');
  if (data.instruments.length === 0) empty(box, 'No prices or fills.');
  data.instruments.forEach(function (inst) {
    var wrap = document.createElement('div'); wrap.className = 'instrument';
    var h = document.createElement('h3');
    h.textContent = inst.id + ' — ' + inst.fillsTotal + ' fills' + (inst.fillsShown < inst.fillsTotal ? ' (last ' + inst.fillsShown + ' marked)' : '');
    var el = document.createElement('div'); el.className = 'chart tall';
    wrap.appendChild(h); wrap.appendChild(el); box.appendChild(wrap);
    if (inst.prices.length === 0) { empty(el, 'No prices.'); return; }
    var series = chart(el).addSeries(LC.LineSeries, { color: '#5f6368', lineWidth: 1 });
    series.setData(inst.prices);
    if (inst.markers.length > 0) LC.createSeriesMarkers(series, inst.markers);
  });
  charts.forEach(function (c) { c.timeScale().fitContent(); });
})();
`;
