/**
 * Domain → wire: turns the engine's objects (snapshots with Money, orders, order events, quotes)
 * into the plain JSON shapes declared in protocol.ts. One function per shape, no logic beyond
 * formatting; absent values become null.
 */
import type { Money } from '../core/money.js';
import type { QuoteTick } from '../model/data.js';
import type { OrderEvent, OrderFilled } from '../model/order-events.js';
import type { Order } from '../model/order.js';
import type { Signal } from '../model/signal.js';
import type { ClosedPosition, PortfolioSnapshot, PositionSnapshot } from '../portfolio/snapshots.js';
import type { Alert, AlertEvent } from '../risk/alerts.js';
import type { RiskSummary } from '../risk/risk-engine.js';
import type { RiskAction, TradingStateChanged } from '../risk/trading-state.js';
import type {
  AlertEventJson,
  AlertJson,
  ClosedPositionJson,
  FillJson,
  OrderEventJson,
  OrderJson,
  PortfolioJson,
  PositionJson,
  PriceTickJson,
  RiskActionJson,
  RiskSummaryJson,
  SignalJson,
  TradingStateChangedJson,
} from './protocol.js';

const dec = (m: Money): string => m.toDecimal();

export function portfolioView(s: PortfolioSnapshot): PortfolioJson {
  return {
    ts: s.ts,
    currency: s.equity.currency.code,
    initialCapital: dec(s.initialCapital),
    cash: dec(s.cash),
    equity: dec(s.equity),
    realized: dec(s.realized),
    unrealized: dec(s.unrealized),
    fees: dec(s.fees),
    grossExposure: dec(s.grossExposure),
    netExposure: dec(s.netExposure),
    openPositions: s.openPositions,
  };
}

export function positionView(p: PositionSnapshot): PositionJson {
  return {
    instrumentId: p.instrumentId,
    side: p.side,
    quantity: p.quantity,
    avgPx: p.avgPx ?? null,
    markPx: p.markPx ?? null,
    realized: dec(p.realized),
    unrealized: dec(p.unrealized),
    fees: dec(p.fees),
    marketValue: dec(p.marketValue),
    openedAt: p.openedAt ?? null,
    ts: p.ts,
  };
}

export function closedPositionView(c: ClosedPosition): ClosedPositionJson {
  return { ...c, realized: dec(c.realized), fees: dec(c.fees), netPnl: dec(c.netPnl) };
}

export function orderView(o: Order): OrderJson {
  return {
    clientOrderId: o.clientOrderId,
    strategyId: o.strategyId,
    instrumentId: o.instrumentId,
    side: o.side,
    type: o.type,
    quantity: o.quantity.toString(),
    price: o.price?.toString() ?? null,
    triggerPrice: o.triggerPrice?.toString() ?? null,
    timeInForce: o.timeInForce,
    reduceOnly: o.reduceOnly,
    status: o.status,
    filledQty: o.filledQty.toString(),
    avgPx: o.avgPx?.toString() ?? null,
    venueOrderId: o.venueOrderId ?? null,
    contingency: o.contingency,
    parentId: o.parentId ?? null,
    linkedIds: [...o.linkedIds],
    tags: [...o.tags],
    createdAt: o.createdAt,
    lastEventAt: o.lastEventAt,
  };
}

export function fillView(f: OrderFilled): FillJson {
  return {
    type: 'OrderFilled',
    clientOrderId: f.clientOrderId,
    instrumentId: f.instrumentId,
    strategyId: f.strategyId,
    ts: f.ts,
    venueOrderId: f.venueOrderId,
    tradeId: f.tradeId,
    side: f.side,
    lastQty: f.lastQty.toString(),
    lastPx: f.lastPx.toString(),
    fee: dec(f.fee),
    liquidity: f.liquidity,
  };
}

/** Any order event; exact values (Price, Quantity, Money) become decimal strings. */
export function orderEventView(e: OrderEvent): OrderEventJson {
  if (e.type === 'OrderFilled') return fillView(e);
  const out: OrderEventJson = { type: e.type, clientOrderId: e.clientOrderId, instrumentId: e.instrumentId, strategyId: e.strategyId, ts: e.ts };
  switch (e.type) {
    case 'OrderDenied':
    case 'OrderRejected':
      return { ...out, reason: e.reason, message: e.message };
    case 'OrderCanceled':
      return { ...out, reason: e.reason };
    case 'OrderCancelRejected':
    case 'OrderModifyRejected':
      return { ...out, message: e.message };
    case 'OrderAccepted':
      return { ...out, venueOrderId: e.venueOrderId };
    case 'OrderUpdated':
      return { ...out, quantity: e.quantity.toString(), price: e.price?.toString() ?? null, triggerPrice: e.triggerPrice?.toString() ?? null };
    default:
      return out;
  }
}

export function signalView(s: Signal): SignalJson {
  return {
    id: s.id,
    strategyId: s.strategyId,
    instrumentId: s.instrumentId,
    signalType: s.signalType,
    direction: s.direction,
    strength: s.strength,
    confidence: s.confidence,
    entry: s.entry ?? null,
    stopLoss: s.stopLoss ?? null,
    takeProfit: s.takeProfit ?? null,
    reason: s.reason,
    ts: s.ts,
  };
}

export function alertView(a: Alert): AlertJson {
  return { ...a, symbol: a.symbol ?? null, resolvedAt: a.resolvedAt ?? null };
}

export function alertEventView(e: AlertEvent): AlertEventJson {
  return { status: e.status, alert: alertView(e.alert), ts: e.ts };
}

export function stateChangeView(c: TradingStateChanged): TradingStateChangedJson {
  return { state: c.state, previous: c.previous, reason: c.reason, ts: c.ts };
}

export function riskActionView(a: RiskAction): RiskActionJson {
  return { action: a.action, reason: a.reason, symbol: a.symbol ?? null, detail: a.detail ?? null, ts: a.ts };
}

export function riskSummaryView(s: RiskSummary): RiskSummaryJson {
  return {
    state: s.state,
    stateReason: s.stateReason,
    ts: s.ts,
    equity: s.equity,
    dayStartEquity: s.dayStartEquity,
    peakEquity: s.peakEquity,
    limits: s.limits.map((l) => ({ name: l.name, limit: l.limit, current: l.current, usage: l.usage })),
    activeAlerts: s.activeAlerts.map(alertView),
    denials: { ...s.denials },
  };
}

export function priceTickView(q: QuoteTick): PriceTickJson {
  return { instrumentId: q.instrumentId, ts: q.ts, bid: q.bid.toString(), ask: q.ask.toString(), mid: (q.bid.toNumber() + q.ask.toNumber()) / 2 };
}
