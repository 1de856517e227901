/**
 * GET /api/live/*: read-only views of the running engine. Query strings are validated with the
 * protocol's zod schemas (400 naming the field and value); lists are paginated newest first with
 * limit/cursor and filtered by symbol and time (see recent-log.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { TradingEngine } from '../engine/trading-engine.js';
import type { Alert } from '../risk/alerts.js';
import type { RiskEngine } from '../risk/risk-engine.js';
import type { AuditLog } from './audit.js';
import { HttpError, invalidInput } from './errors.js';
import type { LiveState } from './live-state.js';
import {
  API,
  DEFAULT_LIMIT,
  alertsQuerySchema,
  listQuerySchema,
  ordersQuerySchema,
  positionsQuerySchema,
  type ListQuery,
  type ListResponse,
} from './protocol.js';
import { pageArray, type Page, type PageQuery } from './recent-log.js';
import { riskEventView, type SnapshotBuilder } from './snapshots.js';
import { SummaryBody } from './summary-body.js';
import { alertView, closedPositionView, fillView, orderView, portfolioView, riskSummaryView, signalView } from './views.js';
import type { WsHub } from './ws-hub.js';

export interface Readiness {
  engineRunning: boolean;
  dataFresh: boolean;
  lastDataAgeMs: number | null;
}

export interface LiveRoutesDeps {
  engine: TradingEngine;
  risk: RiskEngine;
  state: LiveState;
  snapshots: SnapshotBuilder;
  hub: WsHub;
  audit: AuditLog;
  hasMonitor: boolean;
  readiness(): Readiness;
  uptimeS(): number;
}

/** Parses a query string with `schema`; the `token` parameter (for WebSockets) is never validated or echoed. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const { token: _token, ...rest } = (query ?? {}) as Record<string, unknown>;
  const result = schema.safeParse(rest);
  if (!result.success) throw invalidInput(result.error, 'query');
  return result.data;
}

function mapPage<T, U>(page: Page<T>, view: (item: T) => U): ListResponse<U> {
  return { items: page.items.map(view), nextCursor: page.nextCursor };
}

export function registerLiveRoutes(app: FastifyInstance, deps: LiveRoutesDeps): void {
  const { engine, risk, state, snapshots, hub, audit } = deps;

  const listQuery = <S extends typeof listQuerySchema>(schema: S, query: unknown): z.output<S> & PageQuery => {
    const q = parseQuery(schema, query) as z.output<S> & ListQuery;
    if (q.symbol !== undefined && !engine.instruments.has(q.symbol)) {
      throw new HttpError(400, 'INVALID_FIELD', `symbol ${JSON.stringify(q.symbol)} is not a known instrument (known: ${[...engine.instruments.keys()].join(', ')})`, { field: 'symbol' });
    }
    if (q.from !== undefined && q.to !== undefined && q.from > q.to) {
      throw new HttpError(400, 'INVALID_FIELD', `from ${q.from} is after to ${q.to}`, { field: 'from' });
    }
    return { ...q, limit: q.limit ?? DEFAULT_LIMIT };
  };

  app.get(API.positions, async (req) => {
    const q = listQuery(positionsQuerySchema, req.query);
    if (q.view === 'closed') {
      const closed = engine.portfolio.closedPositions;
      return mapPage(pageArray(closed, { ts: (c) => c.closedAt, symbol: (c) => c.instrumentId }, q), closedPositionView);
    }
    // Current positions in instrument order (the pager walks from the end, hence the reversal).
    const now = engine.clock.now();
    const current = snapshots.positions(now).reverse();
    return pageArray(current, { ts: (p) => p.ts, symbol: (p) => p.instrumentId }, q);
  });

  app.get(API.pnl, async (req) => {
    const q = listQuery(listQuerySchema, req.query);
    return { current: portfolioView(state.currentPnl()), ...mapPage(state.pnl.page(q), portfolioView) };
  });

  app.get(API.signals, async (req) => mapPage(state.signals.page(listQuery(listQuerySchema, req.query)), signalView));

  app.get(API.alerts, async (req) => {
    const q = listQuery(alertsQuerySchema, req.query);
    const active = risk.alerts.activeAlerts();
    const all: Alert[] = q.status === 'active' ? [...active] : [...risk.alerts.resolvedAlerts(), ...active];
    all.sort((a, b) => a.raisedAt - b.raisedAt);
    return mapPage(pageArray(all, { ts: (a) => a.raisedAt, symbol: (a) => a.symbol }, q), alertView);
  });

  app.get(API.trades, async (req) => mapPage(state.fills.page(listQuery(listQuerySchema, req.query)), fillView));

  app.get(API.orders, async (req) => {
    const q = listQuery(ordersQuerySchema, req.query);
    return mapPage(state.orders.page(q, q.status === 'working' ? (o) => o.isWorking : undefined), orderView);
  });

  const summary = new SummaryBody({ engine, risk, health: () => ({ ...deps.readiness(), wsClients: hub.clientCount, uptimeS: deps.uptimeS() }) });
  app.get(API.summary, async (_req, reply) => reply.type('application/json; charset=utf-8').send(summary.render()));

  app.get(API.wsConnections, async (req) => {
    const q = listQuery(listQuerySchema, req.query);
    const all = await hub.connections();
    return { total: all.length, ...pageArray(all, { ts: (c) => c.connectedAt, symbol: () => undefined }, q) };
  });

  app.get(API.performance, async () => ({ available: deps.hasMonitor, snapshot: snapshots.performance() }));

  app.get(API.risk, async () => ({ summary: riskSummaryView(risk.summary()), recent: state.riskEvents.latest(100).map(riskEventView) }));

  app.get(API.audit, async (req) => audit.log.page(listQuery(listQuerySchema, req.query)));
}
