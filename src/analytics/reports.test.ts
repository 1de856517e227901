import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValueError } from '../core/errors.js';
import { attachPerformanceMonitor, writeBacktestReports } from './backtest-report.js';
import { chartLibrarySource, chartSeries, renderHtmlReport } from './report-html.js';
import { readJsonReport, writeJsonReport } from './report-json.js';
import { HOUR_MS, ScriptedStrategy, T0, bar, drive, rig, testInstrument } from './scenario.fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'bourse-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function monitoredRun(closes: readonly number[]) {
  const inst = testInstrument('REP-USD');
  const script = { 1: { signal: { type: 'go', direction: 'LONG', confidence: 0.6 }, order: { side: 'BUY', qty: 5 } }, 3: { order: { side: 'SELL', qty: 5 } } } as const;
  const r = rig([inst], [new ScriptedStrategy('rep', inst.id, script)]);
  const monitor = attachPerformanceMonitor(r.engine, { equitySampleMs: HOUR_MS });
  drive(r, T0, closes.map((c, k) => bar(inst, T0 + k * HOUR_MS, k === 0 ? c : closes[k - 1]!, c)));
  return { monitor, fills: r.engine.execution.listExecutions() };
}

describe('JSON report', () => {
  it('round-trips the snapshot exactly', () => {
    const { monitor } = monitoredRun([100, 101, 99, 104, 103]);
    const snap = monitor.snapshot();
    const path = join(dir, 'round-trip.json');
    writeJsonReport(snap, path);
    expect(readJsonReport(path)).toStrictEqual(snap);
    expect(snap.trades.count).toBe(1);
  });

  it('refuses a file that is not a snapshot', () => {
    const path = join(dir, 'other.json');
    writeJsonReport({ schema: 'something-else' } as never, path);
    expect(() => readJsonReport(path)).toThrow(ValueError);
  });
});

describe('HTML report', () => {
  const { monitor, fills } = monitoredRun([100, 101, 99, 104, 103, 107]);
  const paths = writeBacktestReports(join(dir, 'out'), monitor, { fills, title: 'Report <test> & "quotes"' });
  const html = readFileSync(paths.html, 'utf8');

  it('inlines the charting library and loads nothing from the network', () => {
    expect(html).toContain(chartLibrarySource().slice(0, 2000));
    expect(html).toContain('window.LightweightCharts=');
    expect(html).not.toMatch(/<(script|link|img|iframe|source|embed)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import/i);
    // Every script element is inline.
    expect(html.match(/<script\b[^>]*>/g)!.every((tag) => !/\bsrc\s*=/.test(tag))).toBe(true);
  });

  it('carries the equity, drawdown, prices and fill markers, and the statistics tables', () => {
    const data = JSON.parse(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!) as {
      equity: Array<{ time: number; value: number }>;
      drawdownPct: Array<{ time: number; value: number }>;
      instruments: Array<{ id: string; prices: unknown[]; markers: Array<{ time: number; shape: string }> }>;
    };
    expect(data.equity.length).toBeGreaterThan(0);
    expect(data.equity[0]).toEqual({ time: T0 / 1000, value: 10000 });
    expect(data.drawdownPct.every((p) => p.value <= 0)).toBe(true);
    expect(data.instruments.map((i) => i.id)).toEqual(['REP-USD']);
    expect(data.instruments[0]!.markers.map((m) => [m.time, m.shape])).toEqual([
      [(T0 + 2 * HOUR_MS) / 1000, 'arrowUp'],
      [(T0 + 4 * HOUR_MS) / 1000, 'arrowDown'],
    ]);
    for (const heading of ['Profit and loss', 'Returns', 'Drawdown', 'Trades (round trips)', 'Signal effectiveness', 'By hour of day (UTC)', 'By day (UTC)', 'Latency (µs of clock time)', 'Market data']) {
      expect(html).toContain(`<h2>${heading}</h2>`);
    }
    expect(html).toContain('<title>Report &#60;test&#62; &#38; &#34;quotes&#34;</title>');
    const json = readJsonReport(paths.json);
    expect(html).toContain(`<th>Equity</th><td>${json.pnl.equity}</td>`);
  });

  it('renders a report with no data', () => {
    const inst = testInstrument('NONE-USD');
    const r = rig([inst], []);
    const m = attachPerformanceMonitor(r.engine);
    expect(m.publishIntervalMs).toBe(0); // backtest default: no periodic publication
    const out = renderHtmlReport({ snapshot: m.snapshot(), equityCurve: [], drawdownCurve: [], fills: [], prices: {} });
    expect(out).toContain('<td colspan="10" class="empty">none</td>');
  });

  it('keeps the chart data parseable JSON when names hold "<!--" or "</script"', () => {
    const inst = testInstrument('TAG-USD');
    const r = rig([inst], []);
    const m = attachPerformanceMonitor(r.engine);
    const prices = { 'A<!--B': [{ ts: T0, value: 1 }], 'C</script>D': [{ ts: T0, value: 2 }] };
    const out = renderHtmlReport({ snapshot: m.snapshot(), equityCurve: [], drawdownCurve: [], fills: [], prices });
    const block = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(out)![1]!;
    expect(block).not.toMatch(/<\/script|<!--/i);
    const data = JSON.parse(block) as { instruments: Array<{ id: string }> };
    expect(data.instruments.map((i) => i.id)).toEqual(['A<!--B', 'C</script>D']);
  });
});

describe('chartSeries', () => {
  it('turns milliseconds into unique ascending seconds, keeping the last value of a second', () => {
    expect(chartSeries([{ ts: 1000, value: 1 }, { ts: 1500, value: 2 }, { ts: 2000, value: NaN }, { ts: 3000, value: 3 }])).toEqual([
      { time: 1, value: 2 },
      { time: 3, value: 3 },
    ]);
  });

  it('thins long series evenly and keeps the last point', () => {
    const points = Array.from({ length: 1001 }, (_, i) => ({ ts: i * 1000, value: i }));
    const out = chartSeries(points, 100);
    expect(out.length).toBeLessThanOrEqual(101);
    expect(out[0]).toEqual({ time: 0, value: 0 });
    expect(out[out.length - 1]).toEqual({ time: 1000, value: 1000 });
  });
});
