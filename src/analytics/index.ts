/** Public API of the analytics area: the performance monitor, its snapshot, and the reports. */
export { MS_PER_YEAR, PerformanceMonitor, type MonitoredEngine, type PerformanceMonitorDeps, type PerformanceMonitorOptions } from './performance-monitor.js';
export type * from './snapshot.js';
export { SNAPSHOT_SCHEMA } from './snapshot.js';
export { renderJsonReport, readJsonReport, writeJsonReport } from './report-json.js';
export { chartSeries, renderHtmlReport, reportFills, writeHtmlReport, type ChartPoint, type HtmlReportInput, type ReportFill } from './report-html.js';
export { attachPerformanceMonitor, writeBacktestReports, type BacktestReportOptions, type BacktestReportPaths } from './backtest-report.js';
export { TradingDayCalendar } from './trading-day.js';
export { DecimatedSeries, type SeriesPoint } from './decimated-series.js';
export { EventRate } from './event-rate.js';
