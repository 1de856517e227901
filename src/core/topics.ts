/**
 * Every bus topic and its payload type, in one place: a reader finds every flow in the system
 * from this file. Domain modules publish and subscribe only through these names.
 */
import type { PerformanceSnapshot } from '../analytics/snapshot.js';
import type { Bar, QuoteTick, TradeTick } from '../model/data.js';
import type { OrderEvent } from '../model/order-events.js';
import type { InvalidTransition, Order } from '../model/order.js';
import type { Signal } from '../model/signal.js';
import type { ClosedPosition, PortfolioSnapshot, PositionSnapshot } from '../portfolio/snapshots.js';
import type { AlertEvent } from '../risk/alerts.js';
import type { AuditEvent } from '../server/protocol.js';
import type { RiskMeasures } from '../risk/risk-monitor.js';
import type { RiskAction, TradingStateChanged } from '../risk/trading-state.js';

/** A command refused before it became (or changed) an order: duplicate id, unknown order... */
export interface CommandRejected {
  readonly command: 'submit' | 'cancel' | 'modify';
  readonly clientOrderId: string;
  readonly reason: string;
  readonly message: string;
  readonly ts: number;
}

export interface OrderCreated {
  readonly order: Order;
  readonly ts: number;
}

export interface OrderTransitionError extends InvalidTransition {
  readonly ts: number;
}

export interface EngineStatus {
  readonly state: 'STARTING' | 'RUNNING' | 'STOPPING' | 'STOPPED';
  readonly ts: number;
}

export interface TopicMap {
  'data.quote': QuoteTick;
  'data.trade': TradeTick;
  'data.bar': Bar;
  signal: Signal;
  'order.created': OrderCreated;
  'order.event': OrderEvent;
  'order.error': OrderTransitionError;
  'command.rejected': CommandRejected;
  'position.changed': PositionSnapshot;
  'position.closed': ClosedPosition;
  'portfolio.pnl': PortfolioSnapshot;
  'engine.status': EngineStatus;
  'risk.state': TradingStateChanged;
  'risk.alert': AlertEvent;
  'risk.action': RiskAction;
  /** An operator's control action through the API (kill switch, flatten, cancel...). */
  'control.audit': AuditEvent;
  'risk.measures': RiskMeasures;
  'analytics.snapshot': PerformanceSnapshot;
}

export type Topic = keyof TopicMap;
export type TopicPayload<T extends Topic> = TopicMap[T];

export const TOPICS: readonly Topic[] = [
  'data.quote',
  'data.trade',
  'data.bar',
  'signal',
  'order.created',
  'order.event',
  'order.error',
  'command.rejected',
  'position.changed',
  'position.closed',
  'portfolio.pnl',
  'engine.status',
  'risk.state',
  'risk.alert',
  'risk.action',
  'control.audit',
  'risk.measures',
  'analytics.snapshot',
];
