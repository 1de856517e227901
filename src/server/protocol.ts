/**
 * The dashboard protocol: every WebSocket channel, message envelope and REST path the server
 * speaks, with the JSON shape of each payload, as zod schemas and the types inferred from them.
 * This file is the contract the web page is built against: it imports nothing but zod, so the
 * page can import it as is. Change it only by adding (new optional fields, new channels, new
 * paths); anything else is a new PROTOCOL_VERSION.
 *
 * Conventions on the wire:
 * - times (`ts`, `createdAt`, ...) are epoch milliseconds of the engine clock;
 * - prices, quantities and money amounts are exact decimal strings ("60012.50"); money is in the
 *   account currency (`currency` in the pnl/portfolio payloads);
 * - an absent optional value is `null`, never a missing field (performance snapshots excepted:
 *   they are the analytics module's own JSON and are passed through untouched).
 *
 * WebSocket (`/ws` multiplexed, or `/ws/<channel>` already subscribed to that channel):
 * - a frame from the server holds ONE ServerMessage or an ARRAY of them (a batch, in order);
 *   use `parseServerFrame` to get the list either way;
 * - on subscribe the client gets `subscribed`, then a `snapshot`, then `update`s. Sequence numbers
 *   belong to the channel's stream, the same for every connection (so one frame can be written to
 *   many clients): the snapshot carries the seq of the state it shows, and each update follows the
 *   message whose seq is its `prev` (coalesced channels) or, without `prev`, seq − 1. Any other
 *   seq is a lost message: resubscribe (a fresh snapshot resynchronizes);
 * - `portfolio`, `pnl`, `prices` and `performance` updates are coalesced (latest wins per
 *   instrument/channel), so a slow client gets fewer, fresher updates: their `prev` may be more
 *   than one behind their seq, which is not a gap;
 * - a client that falls too far behind gets `{type:'disconnect', reason}` and the socket is
 *   closed with code 4008 (WS_CLOSE_SLOW_CONSUMER); it should reconnect and resubscribe.
 * - authentication: `Authorization: Bearer <token>` or `?token=<token>` on the upgrade request.
 */
import { z } from 'zod';

/** 2: sequence numbers per channel stream (were per connection, snapshot 1); coalesced updates carry `prev`. */
export const PROTOCOL_VERSION = 2;

// ---- channels and paths -------------------------------------------------------------------

export const CHANNELS = ['portfolio', 'pnl', 'signals', 'alerts', 'trades', 'orders', 'risk', 'performance', 'prices'] as const;
export type Channel = (typeof CHANNELS)[number];
export const channelSchema = z.enum(CHANNELS);

export function isChannel(value: string): value is Channel {
  return (CHANNELS as readonly string[]).includes(value);
}

/** Channels whose updates are coalesced (latest wins per instrument, or per channel for pnl/performance). */
export const COALESCED_CHANNELS: readonly Channel[] = ['portfolio', 'pnl', 'prices', 'performance'];

export const WS_PATH = '/ws';
/** `/ws/<channel>`: a connection already subscribed to one channel (every channel has one). */
export const wsChannelPath = (channel: Channel): string => `${WS_PATH}/${channel}`;

/** Close code sent to a client dropped for being too slow (after a `disconnect` message). */
export const WS_CLOSE_SLOW_CONSUMER = 4008;
/** Close code sent when the server shuts down. */
export const WS_CLOSE_GOING_AWAY = 1001;

// ---- payload shapes -------------------------------------------------------------------------

/** An exact decimal, e.g. "-12.50". */
export const decimalSchema = z.string().regex(/^-?\d+(\.\d+)?$/);
const side = z.enum(['BUY', 'SELL']);
const ts = z.number().int();
/** A position in a channel's stream of messages (see the conventions above). */
const seqSchema = z.number().int().min(0);

export const portfolioSchema = z.object({
  ts,
  currency: z.string(),
  initialCapital: decimalSchema,
  cash: decimalSchema,
  equity: decimalSchema,
  realized: decimalSchema,
  unrealized: decimalSchema,
  fees: decimalSchema,
  grossExposure: decimalSchema,
  netExposure: decimalSchema,
  openPositions: z.number().int(),
});
export type PortfolioJson = z.infer<typeof portfolioSchema>;

export const positionSchema = z.object({
  instrumentId: z.string(),
  side: z.enum(['LONG', 'SHORT', 'FLAT']),
  /** Signed: negative when short. */
  quantity: decimalSchema,
  avgPx: decimalSchema.nullable(),
  markPx: decimalSchema.nullable(),
  realized: decimalSchema,
  unrealized: decimalSchema,
  fees: decimalSchema,
  marketValue: decimalSchema,
  openedAt: ts.nullable(),
  ts,
});
export type PositionJson = z.infer<typeof positionSchema>;

export const closedPositionSchema = z.object({
  instrumentId: z.string(),
  strategyId: z.string(),
  side: z.enum(['LONG', 'SHORT']),
  openedAt: ts,
  closedAt: ts,
  durationMs: z.number(),
  maxQuantity: decimalSchema,
  avgEntryPx: decimalSchema,
  avgExitPx: decimalSchema,
  realized: decimalSchema,
  fees: decimalSchema,
  netPnl: decimalSchema,
});
export type ClosedPositionJson = z.infer<typeof closedPositionSchema>;

export const orderSchema = z.object({
  clientOrderId: z.string(),
  strategyId: z.string(),
  instrumentId: z.string(),
  side,
  type: z.enum(['MARKET', 'LIMIT', 'STOP_MARKET', 'STOP_LIMIT']),
  quantity: decimalSchema,
  price: decimalSchema.nullable(),
  triggerPrice: decimalSchema.nullable(),
  timeInForce: z.enum(['GTC', 'IOC', 'FOK', 'DAY']),
  reduceOnly: z.boolean(),
  status: z.string(),
  filledQty: decimalSchema,
  avgPx: decimalSchema.nullable(),
  venueOrderId: z.string().nullable(),
  contingency: z.enum(['NONE', 'OTO', 'OCO']),
  parentId: z.string().nullable(),
  linkedIds: z.array(z.string()),
  tags: z.array(z.string()),
  createdAt: ts,
  lastEventAt: ts,
});
export type OrderJson = z.infer<typeof orderSchema>;

/** One fill (the OrderFilled event): what the trades blotter shows. */
export const fillSchema = z.object({
  type: z.literal('OrderFilled'),
  clientOrderId: z.string(),
  instrumentId: z.string(),
  strategyId: z.string(),
  ts,
  venueOrderId: z.string(),
  tradeId: z.string(),
  side,
  lastQty: decimalSchema,
  lastPx: decimalSchema,
  fee: decimalSchema,
  liquidity: z.enum(['MAKER', 'TAKER']),
});
export type FillJson = z.infer<typeof fillSchema>;

/** Any order event; fields beyond the common ones depend on `type` (see model/order-events.ts). */
export const orderEventSchema = z.looseObject({
  type: z.string(),
  clientOrderId: z.string(),
  instrumentId: z.string(),
  strategyId: z.string(),
  ts,
  reason: z.string().optional(),
  message: z.string().optional(),
});
export type OrderEventJson = z.infer<typeof orderEventSchema>;

export const signalSchema = z.object({
  id: z.string(),
  strategyId: z.string(),
  instrumentId: z.string(),
  signalType: z.string(),
  direction: z.enum(['LONG', 'SHORT', 'FLAT']),
  strength: z.number(),
  confidence: z.number(),
  entry: z.string().nullable(),
  stopLoss: z.string().nullable(),
  takeProfit: z.string().nullable(),
  reason: z.string(),
  ts,
});
export type SignalJson = z.infer<typeof signalSchema>;

export const alertSchema = z.object({
  id: z.string(),
  key: z.string(),
  level: z.enum(['CRITICAL', 'WARNING', 'INFO']),
  action: z.enum(['REDUCE_POSITION', 'CLOSE_POSITION', 'HALT_TRADING', 'INCREASE_MONITORING']),
  message: z.string(),
  symbol: z.string().nullable(),
  raisedAt: ts,
  lastSeenAt: ts,
  resolvedAt: ts.nullable(),
});
export type AlertJson = z.infer<typeof alertSchema>;

export const alertEventSchema = z.object({
  status: z.enum(['RAISED', 'UPDATED', 'RESOLVED']),
  alert: alertSchema,
  ts,
});
export type AlertEventJson = z.infer<typeof alertEventSchema>;

export const tradingStateSchema = z.enum(['ACTIVE', 'REDUCING', 'HALTED']);

export const tradingStateChangedSchema = z.object({
  state: tradingStateSchema,
  previous: tradingStateSchema,
  reason: z.string(),
  ts,
});
export type TradingStateChangedJson = z.infer<typeof tradingStateChangedSchema>;

export const riskActionSchema = z.object({
  action: z.string(),
  reason: z.string(),
  symbol: z.string().nullable(),
  detail: z.string().nullable(),
  ts,
});
export type RiskActionJson = z.infer<typeof riskActionSchema>;

/** One limit's usage; `limit` and `current` are formatted by the risk engine (money with its currency). */
export const limitUsageSchema = z.object({
  name: z.string(),
  limit: z.string(),
  current: z.string(),
  /** current / limit (0..1 and beyond), for gauges. */
  usage: z.number(),
});

export const riskSummarySchema = z.object({
  state: tradingStateSchema,
  stateReason: z.string(),
  ts,
  /** Money as the risk engine formats it, with its currency: "100000.00 USD". */
  equity: z.string(),
  dayStartEquity: z.string(),
  peakEquity: z.string(),
  limits: z.array(limitUsageSchema),
  activeAlerts: z.array(alertSchema),
  /** Denials so far, by reason code. */
  denials: z.record(z.string(), z.number()),
});
export type RiskSummaryJson = z.infer<typeof riskSummarySchema>;

/** A risk event in the risk channel's history: a trading-state change or an automated action. */
export const riskEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('state'), change: tradingStateChangedSchema }),
  z.object({ kind: z.literal('action'), action: riskActionSchema }),
]);
export type RiskEventJson = z.infer<typeof riskEventSchema>;

/** Top of book of one instrument (mid = (bid + ask) / 2, as a number for charts). */
export const priceTickSchema = z.object({
  instrumentId: z.string(),
  ts,
  bid: decimalSchema,
  ask: decimalSchema,
  mid: z.number(),
});
export type PriceTickJson = z.infer<typeof priceTickSchema>;

/** The performance monitor's snapshot, passed through as its own JSON (null when no monitor is attached). */
export const performanceSnapshotSchema = z.unknown();

// ---- per-channel snapshot and update data ---------------------------------------------------

export const channelData = {
  /** Positions table. Updates carry only the positions that changed, latest per instrument. */
  portfolio: {
    snapshot: z.object({ portfolio: portfolioSchema, positions: z.array(positionSchema) }),
    update: z.object({ positions: z.array(positionSchema) }),
  },
  /** Equity and P&L. The snapshot carries recent history (oldest first) for the equity curve; updates are the latest figures. */
  pnl: {
    snapshot: z.object({ current: portfolioSchema, history: z.array(portfolioSchema) }),
    update: portfolioSchema,
  },
  signals: {
    snapshot: z.object({ signals: z.array(signalSchema) }),
    update: signalSchema,
  },
  alerts: {
    snapshot: z.object({ active: z.array(alertSchema), recent: z.array(alertEventSchema) }),
    update: alertEventSchema,
  },
  /** Trades blotter: recent fills oldest first, then each new fill. */
  trades: {
    snapshot: z.object({ trades: z.array(fillSchema) }),
    update: fillSchema,
  },
  /** Working orders, then every order event with the order as it stands after it. */
  orders: {
    snapshot: z.object({ working: z.array(orderSchema) }),
    update: z.object({ event: orderEventSchema, order: orderSchema }),
  },
  /** Trading state, limits usage and risk events. `summary` updates come on an interval and after each state change. */
  risk: {
    snapshot: z.object({ summary: riskSummarySchema, recent: z.array(riskEventSchema) }),
    update: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('state'), change: tradingStateChangedSchema }),
      z.object({ kind: z.literal('action'), action: riskActionSchema }),
      z.object({ kind: z.literal('summary'), summary: riskSummarySchema }),
    ]),
  },
  /** The analytics snapshot: each one the monitor publishes (bus topic analytics.snapshot), else polled on an interval. */
  performance: {
    snapshot: z.object({ snapshot: performanceSnapshotSchema }),
    update: z.object({ snapshot: performanceSnapshotSchema }),
  },
  /** Latest top of book per instrument; updates carry only the instruments that moved, latest wins. */
  prices: {
    snapshot: z.object({ ticks: z.array(priceTickSchema) }),
    update: z.object({ ticks: z.array(priceTickSchema) }),
  },
} as const satisfies Record<Channel, { snapshot: z.ZodType; update: z.ZodType }>;

export type ChannelSnapshot<C extends Channel> = z.infer<(typeof channelData)[C]['snapshot']>;
export type ChannelUpdate<C extends Channel> = z.infer<(typeof channelData)[C]['update']>;

// ---- WebSocket envelopes ----------------------------------------------------------------------

/** INTERNAL: the server could not build a snapshot (it is logged); the channel is not subscribed. */
export const WS_ERROR_CODES = ['BAD_JSON', 'BAD_MESSAGE', 'UNKNOWN_CHANNEL', 'RATE_LIMITED', 'INTERNAL'] as const;
export type WsErrorCode = (typeof WS_ERROR_CODES)[number];

export const serverMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot'), channel: channelSchema, seq: seqSchema, ts, data: z.unknown() }),
  z.object({ type: z.literal('update'), channel: channelSchema, seq: seqSchema.min(1), prev: seqSchema.optional(), ts, data: z.unknown() }),
  z.object({ type: z.literal('subscribed'), channel: channelSchema }),
  z.object({ type: z.literal('unsubscribed'), channel: channelSchema }),
  z.object({ type: z.literal('error'), code: z.enum(WS_ERROR_CODES), message: z.string() }),
  z.object({ type: z.literal('pong'), ts }),
  z.object({ type: z.literal('disconnect'), reason: z.string() }),
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;

/** A snapshot or update with its data typed by channel. */
export type ChannelMessage<C extends Channel = Channel> =
  | { type: 'snapshot'; channel: C; seq: number; ts: number; data: ChannelSnapshot<C> }
  | { type: 'update'; channel: C; seq: number; prev?: number; ts: number; data: ChannelUpdate<C> };

/** The seq of the message an update follows: its `prev` (a coalesced update), else seq − 1. */
export function updateFollows(update: { seq: number; prev?: number | undefined }): number {
  return update.prev ?? update.seq - 1;
}

/** What one server frame holds: a message or a batch of messages, in order. */
export const serverFrameSchema = z.union([serverMessageSchema, z.array(serverMessageSchema)]);

/** Parses one text frame from the server into its messages. Throws a ZodError or SyntaxError on a malformed frame. */
export function parseServerFrame(text: string): ServerMessage[] {
  const parsed = serverFrameSchema.parse(JSON.parse(text));
  return Array.isArray(parsed) ? parsed : [parsed];
}

/**
 * A client's messages. Replies to subscribe (`subscribed` and the snapshot) and to ping (`pong`)
 * are sent when the feed answers, at their point of the update stream; an error reply (a bad or
 * rate-limited message) and `unsubscribed` are sent at once. So an error reply to a later message
 * can arrive before the replies to an earlier subscribe or ping.
 */
export const clientMessageSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('subscribe'), channels: z.array(z.string()).min(1).max(CHANNELS.length * 2) }),
  z.strictObject({ op: z.literal('unsubscribe'), channels: z.array(z.string()).min(1).max(CHANNELS.length * 2) }),
  z.strictObject({ op: z.literal('ping') }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

// ---- REST -------------------------------------------------------------------------------------

export const API = {
  positions: '/api/live/positions',
  pnl: '/api/live/pnl',
  signals: '/api/live/signals',
  alerts: '/api/live/alerts',
  trades: '/api/live/trades',
  orders: '/api/live/orders',
  summary: '/api/live/summary',
  wsConnections: '/api/live/ws-connections',
  performance: '/api/live/performance',
  risk: '/api/live/risk',
  audit: '/api/live/audit',
  submitOrder: '/api/control/orders',
  cancelOrder: '/api/control/orders/:id',
  flattenPosition: '/api/control/positions/:symbol/flatten',
  flattenAll: '/api/control/flatten-all',
  killSwitch: '/api/control/kill-switch',
  pauseStrategy: '/api/control/strategies/:id/pause',
  resumeStrategy: '/api/control/strategies/:id/resume',
  healthz: '/healthz',
  readyz: '/readyz',
  metrics: '/metrics',
  docs: '/docs',
  openapi: '/docs/openapi.json',
} as const;

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

const epochMs = (name: string) =>
  z
    .string()
    .regex(/^\d{1,15}$/, { error: (i) => `${name} ${JSON.stringify(i.input)} is not a time in epoch milliseconds` })
    .transform(Number);

/**
 * Query string of every list endpoint. Lists are newest first; `nextCursor` of a page, passed
 * back as `cursor`, continues with older items (stable while new items arrive). `from`/`to` are
 * inclusive epoch ms bounds on the item's time; `symbol` keeps one instrument.
 */
export const listQuerySchema = z.object({
  limit: z
    .string()
    .regex(/^\d+$/, { error: (i) => `limit ${JSON.stringify(i.input)} is not a whole number` })
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_LIMIT, { error: (i) => `limit ${String(i.input)} must be between 1 and ${MAX_LIMIT}` })
    .optional(),
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, { error: (i) => `cursor ${JSON.stringify(i.input)} is not a cursor returned by this endpoint` })
    .transform(Number)
    .optional(),
  symbol: z.string().min(1).max(64).optional(),
  from: epochMs('from').optional(),
  to: epochMs('to').optional(),
});
export type ListQuery = z.output<typeof listQuerySchema>;

/** Extra filters of some lists. */
export const positionsQuerySchema = listQuerySchema.extend({
  /** current: every instrument's position now (default); closed: closed positions, newest first. */
  view: z.enum(['current', 'closed']).optional(),
});
export const ordersQuerySchema = listQuerySchema.extend({
  /** working: only orders still working. */
  status: z.enum(['all', 'working']).optional(),
});
export const alertsQuerySchema = listQuerySchema.extend({
  /** active: only alerts not resolved. */
  status: z.enum(['all', 'active']).optional(),
});

export const listResponseSchema = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
export interface ListResponse<T> {
  items: T[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

const decimalInput = z.union([z.string().max(40), z.number()]);

/** POST /api/control/orders. Prices and quantities as decimal strings (numbers are accepted). */
export const submitOrderBodySchema = z.strictObject({
  instrumentId: z.string().min(1).max(64),
  side,
  type: z.enum(['MARKET', 'LIMIT', 'STOP_MARKET', 'STOP_LIMIT']),
  quantity: decimalInput,
  price: decimalInput.optional(),
  triggerPrice: decimalInput.optional(),
  timeInForce: z.enum(['GTC', 'IOC', 'FOK', 'DAY']).optional(),
  reduceOnly: z.boolean().optional(),
  clientOrderId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1-64 letters, digits or . _ : -')
    .optional(),
});
export type SubmitOrderBody = z.infer<typeof submitOrderBodySchema>;

export const killSwitchBodySchema = z.strictObject({
  on: z.boolean(),
  /** With on: also close every position. */
  flatten: z.boolean().optional(),
  reason: z.string().min(1).max(200).optional(),
});
export type KillSwitchBody = z.infer<typeof killSwitchBodySchema>;

/** Optional body of flatten, flatten-all, pause and resume. */
export const reasonBodySchema = z.strictObject({ reason: z.string().min(1).max(200).optional() });

export const REST_ERROR_CODES = [
  'BAD_REQUEST',
  'INVALID_FIELD',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'ORDER_DENIED',
  'ORDER_REJECTED',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'INTERNAL',
] as const;
export type RestErrorCode = (typeof REST_ERROR_CODES)[number];

/** Every 4xx/5xx body. `field` names the offending input; `reason` is a denial/rejection code. */
export const errorResponseSchema = z.object({
  error: z.enum(REST_ERROR_CODES),
  message: z.string(),
  field: z.string().optional(),
  reason: z.string().optional(),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

export const auditEventSchema = z.object({
  id: z.string(),
  ts,
  action: z.enum(['order.submit', 'order.cancel', 'position.flatten', 'positions.flatten_all', 'kill_switch.on', 'kill_switch.off', 'strategy.pause', 'strategy.resume']),
  /** Order id, symbol or strategy id the action was about. */
  target: z.string().nullable(),
  params: z.record(z.string(), z.unknown()),
  outcome: z.enum(['ok', 'denied', 'rejected', 'not_found', 'conflict', 'error']),
  detail: z.string().nullable(),
  remoteAddress: z.string(),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

export const strategyStateSchema = z.object({ id: z.string(), paused: z.boolean() });

export const healthSchema = z.object({
  engineRunning: z.boolean(),
  dataFresh: z.boolean(),
  /** Clock ms since the last market data record (null before the first). */
  lastDataAgeMs: z.number().nullable(),
  wsClients: z.number().int(),
  uptimeS: z.number(),
});

export const summaryResponseSchema = z.object({
  ts,
  portfolio: portfolioSchema,
  risk: z.object({
    state: tradingStateSchema,
    stateReason: z.string(),
    limits: z.array(limitUsageSchema),
    denials: z.record(z.string(), z.number()),
    dayStartEquity: z.string(),
    peakEquity: z.string(),
  }),
  activeAlerts: z.array(alertSchema),
  strategies: z.array(strategyStateSchema),
  health: healthSchema,
});
export type SummaryResponse = z.infer<typeof summaryResponseSchema>;

export const pnlResponseSchema = listResponseSchema(portfolioSchema).extend({ current: portfolioSchema });
export const riskResponseSchema = z.object({ summary: riskSummarySchema, recent: z.array(riskEventSchema) });
export const performanceResponseSchema = z.object({ available: z.boolean(), snapshot: performanceSnapshotSchema });

export const wsConnectionSchema = z.object({
  id: z.string(),
  path: z.string(),
  remoteAddress: z.string(),
  connectedAt: ts,
  channels: z.array(channelSchema),
  queued: z.number().int(),
  bufferedAmount: z.number().int(),
  sent: z.number().int(),
});
export const wsConnectionsResponseSchema = listResponseSchema(wsConnectionSchema).extend({ total: z.number().int() });

export const submitOrderResponseSchema = z.object({ order: orderSchema });
export const ordersResponseSchema = z.object({ orders: z.array(orderSchema) });
export const killSwitchResponseSchema = z.object({ state: tradingStateSchema, reason: z.string(), orders: z.array(orderSchema) });

export const readyResponseSchema = z.object({ ready: z.boolean(), engineRunning: z.boolean(), dataFresh: z.boolean(), lastDataAgeMs: z.number().nullable(), problems: z.array(z.string()) });
