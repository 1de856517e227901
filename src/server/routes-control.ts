/**
 * POST/DELETE /api/control/*: operator actions on the running engine — submit and cancel an
 * order, flatten one or every position, kill switch on/off, pause/resume a strategy. Bodies are
 * validated and parsed into domain values (Price, Quantity through the instrument) before
 * anything reaches the engine; every action runs through engine.run so the venue processes it
 * at once, orders go through the risk engine like any strategy's (a denial is a 422 carrying the
 * reason code), and each action that reached the engine is audited with its outcome. Control
 * routes are rate limited per token and route (429).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Price } from '../core/price.js';
import type { Quantity } from '../core/quantity.js';
import type { TradingEngine } from '../engine/trading-engine.js';
import type { Instrument } from '../model/instrument.js';
import type { Order, OrderRequest } from '../model/order.js';
import type { RiskEngine } from '../risk/risk-engine.js';
import type { AuditLog } from './audit.js';
import { bearerToken, tokenKey } from './auth.js';
import { HttpError, invalidInput } from './errors.js';
import { API_STRATEGY_ID, type LiveState } from './live-state.js';
import { API, killSwitchBodySchema, reasonBodySchema, submitOrderBodySchema, type AuditEvent, type SubmitOrderBody } from './protocol.js';
import type { RateLimiter } from './rate-limit.js';
import { orderView } from './views.js';

export interface ControlRoutesDeps {
  engine: TradingEngine;
  risk: RiskEngine;
  state: LiveState;
  audit: AuditLog;
  limiter: RateLimiter | undefined;
}

function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw invalidInput(result.error, 'body');
  return result.data;
}

/** Runs a domain parse (instrument.price/quantity) and turns its ValueError into a 400 naming the field. */
function field<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new HttpError(400, 'INVALID_FIELD', `${name}: ${(err as Error).message}`, { field: name });
  }
}

/** The order request a submit body describes. Throws HttpError(400) naming the first bad field. */
export function orderRequestFrom(body: SubmitOrderBody, instruments: ReadonlyMap<string, Instrument>): OrderRequest {
  const inst = instruments.get(body.instrumentId);
  if (!inst) {
    throw new HttpError(400, 'INVALID_FIELD', `instrumentId ${JSON.stringify(body.instrumentId)} is not a known instrument (known: ${[...instruments.keys()].join(', ')})`, { field: 'instrumentId' });
  }
  const quantity: Quantity = field('quantity', () => inst.quantity(body.quantity));
  const problem = inst.orderQuantityProblem(quantity);
  if (problem) throw new HttpError(400, 'INVALID_FIELD', `quantity: ${problem}`, { field: 'quantity' });
  const positivePrice = (name: 'price' | 'triggerPrice', value: string | number): Price => {
    const p = field(name, () => inst.price(value));
    if (p.raw <= 0) throw new HttpError(400, 'INVALID_FIELD', `${name}: ${String(value)} must be positive`, { field: name });
    return p;
  };
  const needsPrice = body.type === 'LIMIT' || body.type === 'STOP_LIMIT';
  const needsTrigger = body.type === 'STOP_MARKET' || body.type === 'STOP_LIMIT';
  if (needsPrice && body.price === undefined) throw new HttpError(400, 'INVALID_FIELD', `price: a ${body.type} order needs a price`, { field: 'price' });
  if (!needsPrice && body.price !== undefined) throw new HttpError(400, 'INVALID_FIELD', `price: a ${body.type} order takes no price`, { field: 'price' });
  if (needsTrigger && body.triggerPrice === undefined) throw new HttpError(400, 'INVALID_FIELD', `triggerPrice: a ${body.type} order needs a trigger price`, { field: 'triggerPrice' });
  if (!needsTrigger && body.triggerPrice !== undefined) throw new HttpError(400, 'INVALID_FIELD', `triggerPrice: a ${body.type} order takes no trigger price`, { field: 'triggerPrice' });
  return {
    instrumentId: inst.id,
    side: body.side,
    type: body.type,
    quantity,
    price: body.price === undefined ? undefined : positivePrice('price', body.price),
    triggerPrice: body.triggerPrice === undefined ? undefined : positivePrice('triggerPrice', body.triggerPrice),
    timeInForce: body.timeInForce ?? 'GTC',
    reduceOnly: body.reduceOnly ?? false,
    clientOrderId: body.clientOrderId,
    tags: ['api'],
  };
}

const OUTCOME_BY_STATUS: Record<number, AuditEvent['outcome']> = { 404: 'not_found', 409: 'conflict' };

export function registerControlRoutes(app: FastifyInstance, deps: ControlRoutesDeps): void {
  const { engine, risk, state, audit, limiter } = deps;

  const rateLimited = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!limiter) return;
    const token = bearerToken(req.headers);
    const decision = limiter.take(`${token === undefined ? 'anonymous' : tokenKey(token)} ${req.method} ${req.routeOptions.url ?? ''}`);
    if (!decision.ok) {
      reply.header('retry-after', String(decision.retryAfterS));
      throw new HttpError(429, 'RATE_LIMITED', `too many control requests: retry in ${decision.retryAfterS} s`);
    }
  };
  const opts = { preHandler: rateLimited };

  /** Runs an engine action, audits its outcome (including failures) and returns its result. */
  const audited = <T>(req: FastifyRequest, action: AuditEvent['action'], target: string | null, params: Record<string, unknown>, act: () => T): T => {
    const base = { action, target, params, remoteAddress: req.ip };
    try {
      const result = act();
      audit.record({ ...base, outcome: 'ok', detail: null });
      return result;
    } catch (err) {
      let outcome: AuditEvent['outcome'] = 'error';
      if (err instanceof HttpError) outcome = err.code === 'ORDER_DENIED' ? 'denied' : err.code === 'ORDER_REJECTED' ? 'rejected' : (OUTCOME_BY_STATUS[err.statusCode] ?? 'error');
      audit.record({ ...base, outcome, detail: err instanceof HttpError ? err.message : 'internal error' });
      throw err;
    }
  };

  /** Runs `act` through the engine and returns the orders it created. */
  const withNewOrders = (act: () => void): Order[] => {
    const before = state.orders.lastSeq;
    engine.run(act);
    const created: Order[] = [];
    for (let seq = before + 1; seq <= state.orders.lastSeq; seq++) {
      const o = state.orders.at(seq);
      if (o) created.push(o);
    }
    return created;
  };

  app.post(API.submitOrder, opts, async (req, reply) => {
    const body = parseBody(submitOrderBodySchema, req.body);
    const request = orderRequestFrom(body, engine.instruments);
    const order = audited(req, 'order.submit', body.clientOrderId ?? null, { ...body }, () => {
      const result = engine.run(() => engine.execution.submit(API_STRATEGY_ID, request));
      if (!result.ok) throw new HttpError(409, 'CONFLICT', result.message, { reason: result.reason });
      const outcome = state.takeApiOutcome(result.order.clientOrderId);
      if (result.order.status === 'DENIED') {
        throw new HttpError(422, 'ORDER_DENIED', `order ${result.order.clientOrderId} denied: ${outcome?.message ?? 'denied'}`, { reason: outcome?.reason ?? 'DENIED' });
      }
      if (result.order.status === 'REJECTED') {
        throw new HttpError(422, 'ORDER_REJECTED', `order ${result.order.clientOrderId} rejected by the venue: ${outcome?.message ?? 'rejected'}`, { reason: outcome?.reason ?? 'REJECTED' });
      }
      return result.order;
    });
    return reply.code(201).send({ order: orderView(order) });
  });

  app.delete<{ Params: { id: string } }>(API.cancelOrder, opts, async (req, reply) => {
    const id = req.params.id;
    const order = audited(req, 'order.cancel', id, {}, () => {
      const o = engine.execution.status(id);
      if (!o) throw new HttpError(404, 'NOT_FOUND', `order ${id} is unknown`);
      if (o.isTerminal || o.status === 'PENDING_CANCEL') throw new HttpError(409, 'CONFLICT', `order ${id} cannot be canceled: it is ${o.status}`);
      if (!engine.run(() => engine.execution.cancel(id))) throw new HttpError(409, 'CONFLICT', `order ${id} cannot be canceled: it is ${o.status}`);
      return o;
    });
    return reply.code(202).send({ order: orderView(order) });
  });

  app.post<{ Params: { symbol: string } }>(API.flattenPosition, opts, async (req, reply) => {
    const { reason } = parseBody(reasonBodySchema, req.body);
    const symbol = req.params.symbol;
    const why = reason ?? 'flatten requested via API';
    const orders = audited(req, 'position.flatten', symbol, { reason: why }, () => {
      if (!engine.instruments.has(symbol)) throw new HttpError(404, 'NOT_FOUND', `instrument ${symbol} is unknown`);
      if (engine.portfolio.netQtyRaw(symbol) === 0) throw new HttpError(409, 'CONFLICT', `there is no open position in ${symbol}`);
      return withNewOrders(() => risk.flatten(symbol, why));
    });
    return reply.code(202).send({ orders: orders.map(orderView) });
  });

  app.post(API.flattenAll, opts, async (req, reply) => {
    const { reason } = parseBody(reasonBodySchema, req.body);
    const why = reason ?? 'flatten all requested via API';
    const orders = audited(req, 'positions.flatten_all', null, { reason: why }, () => withNewOrders(() => risk.flattenAll(why)));
    return reply.code(202).send({ orders: orders.map(orderView) });
  });

  app.post(API.killSwitch, opts, async (req) => {
    const body = parseBody(killSwitchBodySchema, req.body);
    const why = body.reason ?? (body.on ? 'kill switch via API' : 'kill switch released via API');
    const orders = audited(req, body.on ? 'kill_switch.on' : 'kill_switch.off', null, { on: body.on, flatten: body.flatten ?? false, reason: why }, () =>
      withNewOrders(() => (body.on ? risk.killSwitch({ flatten: body.flatten ?? false, reason: why }) : risk.resume(why))),
    );
    return { state: risk.tradingState, reason: why, orders: orders.map(orderView) };
  });

  const pauseRoute = (path: string, paused: boolean) =>
    app.post<{ Params: { id: string } }>(path, opts, async (req) => {
      const { reason } = parseBody(reasonBodySchema, req.body);
      const id = req.params.id;
      return audited(req, paused ? 'strategy.pause' : 'strategy.resume', id, { reason: reason ?? null }, () => {
        const s = engine.strategy(id);
        if (!s) throw new HttpError(404, 'NOT_FOUND', `strategy ${id} is unknown (known: ${engine.allStrategies().map((x) => x.id).join(', ') || 'none'})`);
        engine.run(() => {
          s.paused = paused;
        });
        return { id: s.id, paused: s.paused };
      });
    });
  pauseRoute(API.pauseStrategy, true);
  pauseRoute(API.resumeStrategy, false);
}
