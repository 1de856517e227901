/**
 * The dashboard's tables and feeds: positions (with unrealized P&L and a flatten button), working
 * orders (with a cancel button), the trades blotter, the signals feed and the alerts panel. Each
 * renders the whole list from the state; rows carry data-testid and ids for tests and controls.
 * Buttons only carry `data-action`: controls.ts handles the clicks.
 */
import type { AlertEventJson, AlertJson, FillJson, OrderJson, PositionJson, SignalJson } from '../src/server/protocol';
import { el, replaceRows } from './dom';
import { groupDecimal, pnlClass, shortTime, signedDecimal, timeOfDay } from './format';
import type { DashboardState } from './state';

const td = (text: string, attrs: Record<string, string> = {}) => el('td', attrs, text);
const num = (text: string, testid?: string, extra = '') => el('td', { class: `num ${extra}`.trim(), ...(testid ? { 'data-testid': testid } : {}) }, text);
const sideCell = (side: string) => el('td', { class: `side ${side.toLowerCase()}` }, side);
const empty = (cols: number, text: string, testid: string) => el('tr', { class: 'empty', 'data-testid': testid }, el('td', { colspan: cols }, text));

export function renderPositions(tbody: HTMLElement, state: DashboardState): void {
  const open = [...state.positions.values()].filter((p) => p.side !== 'FLAT').sort((a, b) => (a.instrumentId < b.instrumentId ? -1 : 1));
  const rows = open.map((p: PositionJson) =>
    el(
      'tr',
      { 'data-testid': 'position-row', 'data-instrument': p.instrumentId, 'data-quantity': p.quantity, 'data-unrealized': p.unrealized },
      td(p.instrumentId, { class: 'sym' }),
      el('td', { class: `side ${p.side === 'LONG' ? 'buy' : 'sell'}` }, p.side),
      num(groupDecimal(p.quantity), 'position-qty'),
      num(p.avgPx === null ? '—' : groupDecimal(p.avgPx), 'position-avg'),
      num(p.markPx === null ? '—' : groupDecimal(p.markPx), 'position-mark'),
      num(signedDecimal(p.unrealized), 'position-unrealized', pnlClass(p.unrealized)),
      num(signedDecimal(p.realized), 'position-realized', pnlClass(p.realized)),
      num(groupDecimal(p.marketValue), 'position-value'),
      el('td', { class: 'act' }, el('button', { class: 'btn small warn', type: 'button', 'data-action': 'flatten', 'data-symbol': p.instrumentId, 'data-testid': 'flatten-button' }, 'Flatten')),
    ),
  );
  replaceRows(tbody, rows.length > 0 ? rows : [empty(9, 'No open positions', 'positions-empty')]);
}

export function renderOrders(tbody: HTMLElement, state: DashboardState): void {
  const orders = [...state.orders.values()].sort((a, b) => b.createdAt - a.createdAt);
  const rows = orders.map((o: OrderJson) =>
    el(
      'tr',
      { 'data-testid': 'order-row', 'data-order-id': o.clientOrderId, 'data-status': o.status },
      td(shortTime(o.createdAt), { class: 'time' }),
      td(o.clientOrderId, { class: 'id', title: o.clientOrderId }),
      td(o.instrumentId, { class: 'sym' }),
      sideCell(o.side),
      td(o.type),
      num(groupDecimal(o.quantity)),
      num(o.price === null ? (o.triggerPrice === null ? 'MKT' : `stop ${groupDecimal(o.triggerPrice)}`) : groupDecimal(o.price), 'order-price'),
      num(groupDecimal(o.filledQty)),
      td(o.status, { class: 'status' }),
      td(o.strategyId, { class: 'dim' }),
      el(
        'td',
        { class: 'act' },
        el('button', { class: 'btn small', type: 'button', 'data-action': 'cancel', 'data-order-id': o.clientOrderId, 'data-testid': 'cancel-order-button', disabled: o.status === 'PENDING_CANCEL' }, 'Cancel'),
      ),
    ),
  );
  replaceRows(tbody, rows.length > 0 ? rows : [empty(11, 'No working orders', 'orders-empty')]);
}

export function renderTrades(tbody: HTMLElement, state: DashboardState): void {
  const rows = state.trades.map((f: FillJson) =>
    el(
      'tr',
      { 'data-testid': 'trade-row', 'data-trade-id': f.tradeId, 'data-order-id': f.clientOrderId, 'data-instrument': f.instrumentId },
      td(timeOfDay(f.ts), { class: 'time' }),
      td(f.instrumentId, { class: 'sym' }),
      sideCell(f.side),
      num(groupDecimal(f.lastQty), 'trade-qty'),
      num(groupDecimal(f.lastPx), 'trade-px'),
      num(groupDecimal(f.fee)),
      td(f.liquidity === 'MAKER' ? 'M' : 'T', { class: 'dim', title: f.liquidity }),
      td(f.clientOrderId, { class: 'id', title: f.clientOrderId }),
      td(f.strategyId, { class: 'dim' }),
    ),
  );
  replaceRows(tbody, rows.length > 0 ? rows : [empty(9, 'No trades yet', 'trades-empty')]);
}

export function renderSignals(tbody: HTMLElement, state: DashboardState): void {
  const rows = state.signals.map((s: SignalJson) =>
    el(
      'tr',
      { 'data-testid': 'signal-row', 'data-signal-id': s.id },
      td(timeOfDay(s.ts), { class: 'time' }),
      td(s.strategyId, { class: 'dim' }),
      td(s.instrumentId, { class: 'sym' }),
      el('td', { class: `dir ${s.direction.toLowerCase()}` }, s.direction),
      td(s.signalType),
      num(s.strength.toFixed(2)),
      num(s.confidence.toFixed(2)),
      td(s.reason, { class: 'reason', title: s.reason }),
    ),
  );
  replaceRows(tbody, rows.length > 0 ? rows : [empty(8, 'No signals yet', 'signals-empty')]);
}

const levelClass = (level: AlertJson['level']) => `lvl-${level.toLowerCase()}`;

export function renderAlerts(active: HTMLElement, recent: HTMLElement, state: DashboardState): void {
  const order = { CRITICAL: 0, WARNING: 1, INFO: 2 } as const;
  const list = [...state.activeAlerts.values()].sort((a, b) => order[a.level] - order[b.level] || b.lastSeenAt - a.lastSeenAt);
  replaceRows(
    active,
    list.length > 0
      ? list.map((a) =>
          el(
            'li',
            { class: `alert ${levelClass(a.level)}`, 'data-testid': 'alert-active', 'data-level': a.level, 'data-key': a.key },
            el('span', { class: 'lvl' }, a.level),
            el('span', { class: 'msg', title: a.message }, a.message),
            el('span', { class: 'act dim' }, a.action.replace(/_/g, ' ').toLowerCase()),
            el('span', { class: 'time' }, shortTime(a.lastSeenAt)),
          ),
        )
      : [el('li', { class: 'empty', 'data-testid': 'alerts-empty' }, 'No active alerts')],
  );
  replaceRows(
    recent,
    state.alertEvents.slice(0, 50).map((e: AlertEventJson) =>
      el(
        'li',
        { class: `alert-event ${levelClass(e.alert.level)} ${e.status === 'RESOLVED' ? 'resolved' : ''}`, 'data-testid': 'alert-event', 'data-level': e.alert.level, 'data-status': e.status },
        el('span', { class: 'time' }, shortTime(e.ts)),
        el('span', { class: 'lvl' }, e.alert.level),
        el('span', { class: 'st' }, e.status),
        el('span', { class: 'msg', title: e.alert.message }, e.alert.message),
      ),
    ),
  );
}
