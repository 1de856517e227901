/**
 * The dashboard's figure panels: the headline portfolio figures, the risk panel (trading state,
 * gauges of limits usage — portfolio heat, daily loss and drawdown always shown, other limits
 * when configured — denials and recent risk events), the performance statistics read from the
 * analytics snapshot, and the strategies with their pause state.
 */
import type { RiskSummaryJson } from '../src/server/protocol';
import { byTestId, el, replaceRows, setText } from './dom';
import { duration, fixed, groupDecimal, groupMoneyText, micros, moneyNumber, percent, pnlClass, shortTime, signedDecimal } from './format';
import type { DashboardState } from './state';

function setFigure(id: string, value: string | undefined, text: string, colour = false): void {
  const node = byTestId(id);
  setText(node, text);
  if (value !== undefined) node.dataset['value'] = value;
  if (colour) node.className = pnlClass(value);
}

export function renderFigures(state: DashboardState): void {
  const p = state.portfolio;
  if (!p) return;
  setFigure('equity', p.equity, groupDecimal(p.equity));
  setFigure('equity-currency', undefined, p.currency);
  setFigure('unrealized', p.unrealized, signedDecimal(p.unrealized), true);
  setFigure('realized', p.realized, signedDecimal(p.realized), true);
  setFigure('fees', p.fees, groupDecimal(p.fees));
  setFigure('cash', p.cash, groupDecimal(p.cash));
  setFigure('gross-exposure', p.grossExposure, groupDecimal(p.grossExposure));
  setFigure('net-exposure', p.netExposure, signedDecimal(p.netExposure));
  setFigure('open-positions', String(p.openPositions), String(p.openPositions));
  const dayStart = state.risk ? moneyNumber(state.risk.dayStartEquity) : Number.NaN;
  if (Number.isFinite(dayStart)) {
    const day = Number(p.equity) - dayStart;
    const text = `${day > 0 ? '+' : ''}${fixed(day, 2)}`;
    setFigure('day-pnl', day.toFixed(2), text);
    byTestId('day-pnl').className = pnlClass(day);
  }
}

/** Gauges always shown (named as in the risk summary's limits), then any other configured limit. */
const GAUGES: readonly { name: string; label: string }[] = [
  { name: 'portfolioHeat', label: 'Portfolio heat' },
  { name: 'dailyLoss', label: 'Daily loss' },
  { name: 'drawdown', label: 'Drawdown' },
];
const OTHER_LABELS: Record<string, string> = { grossExposure: 'Gross exposure', netExposure: 'Net exposure', openPositions: 'Open positions' };

function gauge(name: string, label: string, limit: RiskSummaryJson['limits'][number] | undefined): HTMLElement {
  const usage = limit?.usage ?? 0;
  const level = !limit ? 'none' : usage >= 0.8 ? 'high' : usage >= 0.5 ? 'mid' : 'low';
  const fill = el('div', { class: 'gauge-fill' });
  fill.style.width = `${Math.max(0, Math.min(1, usage)) * 100}%`;
  return el(
    'div',
    { class: `gauge ${level}`, 'data-testid': 'gauge', 'data-limit': name, 'data-usage': limit ? String(usage) : '' },
    el('div', { class: 'gauge-head' }, el('span', { class: 'gauge-label' }, label), el('span', { class: 'gauge-pct', 'data-testid': 'gauge-usage' }, limit ? percent(usage, 1) : 'no limit')),
    el('div', { class: 'gauge-track' }, fill),
    el('div', { class: 'gauge-foot dim' }, limit ? `${groupMoneyText(limit.current)} of ${groupMoneyText(limit.limit)}` : 'not configured'),
  );
}

export function renderRisk(state: DashboardState): void {
  const r = state.risk;
  if (!r) return;
  const badge = byTestId('trading-state');
  setText(badge, r.state);
  badge.dataset['state'] = r.state;
  badge.title = r.stateReason;
  setText(byTestId('trading-state-reason'), r.stateReason || '—');
  const risk = byTestId('risk-state');
  setText(risk, r.state);
  risk.dataset['state'] = r.state;

  const kill = byTestId<HTMLButtonElement>('kill-switch');
  const halted = r.state === 'HALTED';
  setText(kill, halted ? 'Release kill switch' : 'Kill switch');
  kill.dataset['on'] = String(halted);
  kill.classList.toggle('danger', !halted);
  kill.classList.toggle('ok', halted);

  const byName = new Map(r.limits.map((l) => [l.name, l]));
  const gauges = GAUGES.map((g) => gauge(g.name, g.label, byName.get(g.name)));
  for (const l of r.limits) if (!GAUGES.some((g) => g.name === l.name)) gauges.push(gauge(l.name, OTHER_LABELS[l.name] ?? l.name, l));
  replaceRows(byTestId('gauges'), gauges);

  const denials = Object.entries(r.denials).sort((a, b) => b[1] - a[1]);
  replaceRows(
    byTestId('denials'),
    denials.length > 0 ? denials.map(([reason, n]) => el('li', { 'data-testid': 'denial', 'data-reason': reason }, el('span', {}, reason), el('span', { class: 'num' }, String(n)))) : [el('li', { class: 'dim' }, 'No denials')],
  );
  replaceRows(
    byTestId('risk-events'),
    state.riskEvents.slice(0, 20).map((e) =>
      e.kind === 'state'
        ? el('li', { 'data-testid': 'risk-event' }, el('span', { class: 'time' }, shortTime(e.change.ts)), el('span', { class: `st-${e.change.state.toLowerCase()}` }, `${e.change.previous} → ${e.change.state}`), el('span', { class: 'msg', title: e.change.reason }, e.change.reason))
        : el('li', { 'data-testid': 'risk-event' }, el('span', { class: 'time' }, shortTime(e.action.ts)), el('span', {}, e.action.action), el('span', { class: 'msg', title: e.action.reason }, e.action.reason)),
    ),
  );
}

// ---- performance: a defensive reader of the analytics snapshot (its own JSON, passed through) ----

function at(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}
const numAt = (o: unknown, path: string): number | null => {
  const v = at(o, path);
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};
const strAt = (o: unknown, path: string): string | null => {
  const v = at(o, path);
  return typeof v === 'string' ? v : null;
};
const dec = (v: string | null): string => (v === null ? '—' : signedDecimal(v));

interface Stat {
  id: string;
  label: string;
  text: string;
  colour?: string | number | null;
}

function stats(s: unknown): Stat[] {
  const total = strAt(s, 'pnl.total');
  const today = strAt(s, 'pnl.today.pnl');
  const net = strAt(s, 'trades.netPnl');
  return [
    { id: 'total-pnl', label: 'Total P&L', text: dec(total), colour: total },
    { id: 'total-return', label: 'Return', text: percent(numAt(s, 'pnl.totalReturn')), colour: numAt(s, 'pnl.totalReturn') },
    { id: 'today-pnl', label: 'Today', text: dec(today), colour: today },
    { id: 'sharpe', label: 'Sharpe', text: fixed(numAt(s, 'returns.sharpe')) },
    { id: 'sortino', label: 'Sortino', text: fixed(numAt(s, 'returns.sortino')) },
    { id: 'volatility', label: 'Volatility', text: percent(numAt(s, 'returns.volatility')) },
    { id: 'max-drawdown', label: 'Max DD', text: percent(numAt(s, 'equity.maxDrawdown.fraction')) },
    { id: 'drawdown', label: 'Drawdown', text: percent(numAt(s, 'equity.drawdownFraction')) },
    { id: 'trades', label: 'Round trips', text: String(numAt(s, 'trades.count') ?? '—') },
    { id: 'win-rate', label: 'Win rate', text: percent(numAt(s, 'trades.winRate'), 1) },
    { id: 'profit-factor', label: 'Profit factor', text: fixed(numAt(s, 'trades.profitFactor')) },
    { id: 'net-pnl', label: 'Trades net', text: dec(net), colour: net },
    { id: 'expectancy', label: 'Expectancy', text: dec(strAt(s, 'trades.expectancy')) },
    { id: 'avg-hold', label: 'Avg hold', text: duration(numAt(s, 'trades.averageHoldingMs')) },
    { id: 'fills', label: 'Fills', text: String(numAt(s, 'orders.fills') ?? '—') },
    { id: 'denied', label: 'Denied', text: String(numAt(s, 'orders.denied') ?? '—') },
    { id: 'tick-to-order', label: 'Tick→order p99', text: micros(numAt(s, 'health.tickToOrderUs.p99')) },
    { id: 'events-per-second', label: 'Events/s', text: fixed(numAt(s, 'health.eventsPerSecond'), 0) },
  ];
}

export function renderPerformance(state: DashboardState): void {
  const s = state.performance;
  const container = byTestId('perf-stats');
  if (s === null || typeof s !== 'object') {
    container.dataset['available'] = 'false';
    replaceRows(container, [el('div', { class: 'dim empty' }, 'No performance monitor attached')]);
    return;
  }
  container.dataset['available'] = 'true';
  replaceRows(
    container,
    stats(s).map((x) => el('div', { class: 'stat', 'data-testid': 'perf-stat', 'data-stat': x.id }, el('span', { class: 'stat-label' }, x.label), el('span', { class: `stat-value ${pnlClass(x.colour)}` }, x.text))),
  );
}

export function renderStrategies(state: DashboardState): void {
  replaceRows(
    byTestId('strategies'),
    state.strategies.length > 0
      ? state.strategies.map((s) =>
          el(
            'li',
            { 'data-testid': 'strategy-row', 'data-strategy-id': s.id, 'data-paused': String(s.paused) },
            el('span', { class: 'sym' }, s.id),
            el('span', { class: s.paused ? 'paused' : 'running' }, s.paused ? 'paused' : 'running'),
            el('button', { class: 'btn small', type: 'button', 'data-action': s.paused ? 'resume' : 'pause', 'data-strategy-id': s.id, 'data-testid': 'pause-button' }, s.paused ? 'Resume' : 'Pause'),
          ),
        )
      : [el('li', { class: 'dim' }, 'No strategies')],
  );
}
