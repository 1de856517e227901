/**
 * The dashboard page: reads the API token, opens the channel connection, keeps the state, and
 * renders it. Tables and panels are redrawn at most once per animation frame for the sections
 * that changed; charts draw incrementally. REST fills in what the channels do not carry: the
 * strategies and server health (summary, every few seconds) and fresh marks of open positions
 * (positions, every second while some are open — the portfolio channel moves on fills only).
 */
import { Api, ApiError, takeToken } from './api';
import { Charts } from './charts';
import { Connection, type ConnectionStatus, type ProbeResult } from './connection';
import { installControls } from './controls';
import { byTestId, setText } from './dom';
import { shortTime } from './format';
import { renderFigures, renderPerformance, renderRisk, renderStrategies } from './panels';
import { DashboardState, type Section } from './state';
import { renderAlerts, renderOrders, renderPositions, renderSignals, renderTrades } from './tables';

const SUMMARY_EVERY_MS = 3000;
const POSITIONS_EVERY_MS = 1000;

function showBanner(text: string): void {
  const banner = byTestId('banner');
  setText(banner, text);
  banner.hidden = false;
}

function setStatus(status: ConnectionStatus, detail: string): void {
  const node = byTestId('connection-status');
  node.dataset['status'] = status;
  node.title = detail;
  setText(byTestId('connection-label'), status);
  setText(byTestId('connection-detail'), detail);
  document.body.dataset['connection'] = status;
}

function showConnectionStats(connection: Connection): void {
  const { connects, gaps, invalid, lastDisconnectReason } = connection.stats;
  const node = byTestId('conn-stats');
  setText(node, `connects ${connects} · gaps ${gaps}${invalid > 0 ? ` · invalid ${invalid}` : ''}${lastDisconnectReason ? ` · last drop: ${lastDisconnectReason}` : ''}`);
  node.dataset['connects'] = String(connects);
  node.dataset['gaps'] = String(gaps);
  node.dataset['invalid'] = String(invalid);
}

function main(): void {
  const token = takeToken();
  if (!token) {
    setStatus('offline', 'no API token');
    showBanner('No API token. Open the dashboard address printed by the server (it ends with ?token=…), or set BOURSE_API_TOKEN and add ?token=<token> to this address.');
    return;
  }
  const api = new Api(token);
  const state = new DashboardState();
  new Charts(byTestId('equity-chart'), byTestId('price-charts'), state);

  const dirty = new Set<Section>();
  let frame = 0;
  const render = (): void => {
    frame = 0;
    const d = new Set(dirty);
    dirty.clear();
    if (d.has('portfolio')) renderPositions(byTestId('positions-body'), state);
    if (d.has('pnl') || d.has('portfolio') || d.has('risk')) renderFigures(state);
    if (d.has('orders')) renderOrders(byTestId('orders-body'), state);
    if (d.has('trades')) renderTrades(byTestId('trades-body'), state);
    if (d.has('signals')) renderSignals(byTestId('signals-body'), state);
    if (d.has('alerts')) renderAlerts(byTestId('alerts-active'), byTestId('alerts-recent'), state);
    if (d.has('risk')) renderRisk(state);
    if (d.has('performance')) renderPerformance(state);
    if (d.has('strategies')) renderStrategies(state);
    if (d.size > 0) {
      const now = Date.now();
      setText(byTestId('last-update'), shortTime(now));
      document.body.dataset['lastUpdate'] = String(now);
    }
  };
  state.onChange((section) => {
    dirty.add(section);
    if (frame === 0) frame = requestAnimationFrame(render);
  });

  const probe = async (): Promise<ProbeResult> => {
    try {
      await api.summary();
      return 'reachable';
    } catch (err) {
      return err instanceof ApiError && err.status === 401 ? 'unauthorized' : 'unreachable';
    }
  };

  const refreshSummary = async (): Promise<void> => {
    try {
      const s = await api.summary();
      state.setStrategies(s.strategies);
      const h = s.health;
      setText(byTestId('health'), `engine ${h.engineRunning ? 'running' : 'stopped'} · data ${h.dataFresh ? 'fresh' : h.lastDataAgeMs === null ? 'none yet' : `stale (${Math.round(h.lastDataAgeMs / 1000)} s)`} · ${h.wsClients} client(s)`);
      byTestId('health').dataset['dataFresh'] = String(h.dataFresh);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) showBanner('The server refused the API token. Open the dashboard address the server printed.');
    }
  };

  const refreshPositions = async (): Promise<void> => {
    try {
      const page = await api.positions();
      state.setPositions(page.items);
    } catch {
      // The connection status already says when the server is away.
    }
  };

  const connection = new Connection({
    url: () => api.wsUrl(),
    onMessage: (m) => state.apply(m),
    onStatus: (status, detail) => {
      setStatus(status, detail);
      if (status === 'connected') void refreshSummary();
      if (status === 'offline' && detail.includes('token')) showBanner('The server refused the API token. Open the dashboard address the server printed (it ends with ?token=…).');
      showConnectionStats(connection);
    },
    onStats: () => showConnectionStats(connection),
    probe,
  });

  installControls(api, state, () => {
    void refreshSummary();
    void refreshPositions();
  });

  window.setInterval(() => {
    if (connection.currentStatus === 'connected') void refreshSummary();
  }, SUMMARY_EVERY_MS);
  window.setInterval(() => {
    if (connection.currentStatus !== 'connected') return;
    for (const p of state.positions.values()) {
      if (p.side !== 'FLAT') {
        void refreshPositions();
        return;
      }
    }
  }, POSITIONS_EVERY_MS);

  // Empty tables say so until their snapshot arrives.
  for (const s of ['portfolio', 'orders', 'trades', 'signals', 'alerts', 'performance', 'strategies'] as const) dirty.add(s);
  render();
  connection.start();
}

main();
