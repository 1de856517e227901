/**
 * Wiring of the performance monitor into backtests: `attachPerformanceMonitor` fits runBacktest's
 * `attach` hook (backtest defaults: no periodic snapshot publication, no event-loop measurement),
 * and `writeBacktestReports` writes report.json and report.html into the output directory.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { OrderFilled } from '../model/order-events.js';
import { PerformanceMonitor, type MonitoredEngine, type PerformanceMonitorOptions } from './performance-monitor.js';
import { reportFills, writeHtmlReport } from './report-html.js';
import { writeJsonReport } from './report-json.js';

/**
 * Attaches a PerformanceMonitor to an engine before it starts. Backtest defaults apply unless
 * overridden:
 * - publishIntervalMs 0: nobody listens, and a clock interval would fire through every gap in the data;
 * - eventLoopDelay false: the event loop of a backtest says nothing about the market;
 * - the event rate over the last 10 minutes of market time in 1-minute slots (paper and live:
 *   10 s in 1 s slots, for the dashboard): a replay covers hours of market time a second, and a
 *   slot timer each market second (one per 100 records of the benchmark market) was most of
 *   what the monitor cost a backtest that never trades;
 * - no recent fills: the runner keeps every fill and the reports take them from it (pass
 *   `maxRecentFills` to report from the monitor's own); a copy kept here outlives the young
 *   generation where fills are sparse (a sparse benchmark run promoted 0.7 MB more with 256).
 *   A report written without the runner's fills then lists none.
 * Throws ValueError for invalid options.
 */
export function attachPerformanceMonitor(engine: MonitoredEngine, options: PerformanceMonitorOptions = {}): PerformanceMonitor {
  return PerformanceMonitor.attach(engine, { publishIntervalMs: 0, eventLoopDelay: false, eventRateWindowMs: 600_000, eventRateSlotMs: 60_000, maxRecentFills: 0, ...options });
}

export interface BacktestReportOptions {
  /** Every fill of the run (BacktestResult.fills); default: the monitor's recent fills. */
  fills?: readonly OrderFilled[];
  title?: string;
}

export interface BacktestReportPaths {
  readonly json: string;
  readonly html: string;
}

/**
 * Writes `report.json` (the snapshot) and `report.html` (charts and tables) into `dir`, creating
 * it if needed; returns their paths. Throws the file system's error when a file cannot be written.
 */
export function writeBacktestReports(dir: string, monitor: PerformanceMonitor, options: BacktestReportOptions = {}): BacktestReportPaths {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const snapshot = monitor.snapshot();
  const paths = { json: join(dir, 'report.json'), html: join(dir, 'report.html') };
  writeJsonReport(snapshot, paths.json);
  writeHtmlReport(
    {
      snapshot,
      equityCurve: monitor.equityPoints(),
      drawdownCurve: monitor.drawdownPoints(),
      fills: reportFills(options.fills ?? monitor.recentFills()),
      prices: monitor.pricePoints(),
      ...(options.title !== undefined ? { title: options.title } : {}),
    },
    paths.html,
  );
  return paths;
}
