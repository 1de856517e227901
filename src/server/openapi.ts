/**
 * The API's OpenAPI 3.1 document, generated from the protocol's zod schemas (so the docs cannot
 * drift from what is validated and served), and a minimal HTML page at /docs listing every
 * endpoint and WebSocket channel. Hand-built because @fastify/swagger is not installed.
 */
import { z } from 'zod';
import {
  API,
  CHANNELS,
  DEFAULT_LIMIT,
  MAX_LIMIT,
  PROTOCOL_VERSION,
  WS_PATH,
  alertSchema,
  auditEventSchema,
  closedPositionSchema,
  errorResponseSchema,
  fillSchema,
  healthSchema,
  killSwitchBodySchema,
  listResponseSchema,
  orderSchema,
  ordersResponseSchema,
  performanceResponseSchema,
  pnlResponseSchema,
  positionSchema,
  readyResponseSchema,
  reasonBodySchema,
  riskResponseSchema,
  signalSchema,
  strategyStateSchema,
  submitOrderBodySchema,
  submitOrderResponseSchema,
  summaryResponseSchema,
  wsConnectionsResponseSchema,
} from './protocol.js';

type Json = Record<string, unknown>;

const schema = (s: z.ZodType, io: 'input' | 'output' = 'output'): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
  return rest;
};

const param = (name: string, description: string, s: Json = { type: 'string' }) => ({ name, in: 'query', required: false, description, schema: s });
const LIST_PARAMS = [
  param('limit', `Items per page, 1..${MAX_LIMIT} (default ${DEFAULT_LIMIT}).`, { type: 'string', pattern: '^\\d+$' }),
  param('cursor', 'The nextCursor of the previous page: continues with older items.', { type: 'string', pattern: '^\\d+$' }),
  param('symbol', 'Only items of this instrument.'),
  param('from', 'Only items at or after this time (epoch ms).', { type: 'string', pattern: '^\\d+$' }),
  param('to', 'Only items at or before this time (epoch ms).', { type: 'string', pattern: '^\\d+$' }),
];
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });

const json = (s: Json, description = 'OK') => ({ description, content: { 'application/json': { schema: s } } });
const ERROR = schema(errorResponseSchema);
const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      json(ERROR, { 400: 'Invalid input (the message names the field and value)', 401: 'Missing or wrong API token', 404: 'Not found', 409: 'Conflict with the current state', 422: 'Order denied by the risk engine or rejected by the venue (reason carries the code)', 429: 'Rate limited (see Retry-After)' }[c] ?? 'Error'),
    ]),
  );

interface Op {
  method: 'get' | 'post' | 'delete';
  path: string;
  summary: string;
  params?: unknown[];
  body?: Json;
  ok: [number, Json];
  errors?: number[];
  open?: boolean;
}

const openApiPath = (p: string) => p.replace(/:(\w+)/g, '{$1}');

function operations(): Op[] {
  const list = (item: z.ZodType) => schema(listResponseSchema(item));
  return [
    { method: 'get', path: API.summary, summary: 'Equity, P&L, risk state, limits usage, active alerts, strategies and health', ok: [200, schema(summaryResponseSchema)] },
    { method: 'get', path: API.positions, summary: 'Positions: every instrument now (view=current, default) or closed positions (view=closed)', params: [...LIST_PARAMS, param('view', 'current | closed')], ok: [200, list(z.union([positionSchema, closedPositionSchema]))], errors: [400] },
    { method: 'get', path: API.pnl, summary: 'Current P&L and the history of P&L points (equity curve)', params: LIST_PARAMS, ok: [200, schema(pnlResponseSchema)], errors: [400] },
    { method: 'get', path: API.signals, summary: 'Strategy signals', params: LIST_PARAMS, ok: [200, list(signalSchema)], errors: [400] },
    { method: 'get', path: API.alerts, summary: 'Risk alerts, active and resolved (status=active for active only)', params: [...LIST_PARAMS, param('status', 'all | active')], ok: [200, list(alertSchema)], errors: [400] },
    { method: 'get', path: API.trades, summary: 'Fills (the trades blotter)', params: LIST_PARAMS, ok: [200, list(fillSchema)], errors: [400] },
    { method: 'get', path: API.orders, summary: 'Orders (status=working for working orders only)', params: [...LIST_PARAMS, param('status', 'all | working')], ok: [200, list(orderSchema)], errors: [400] },
    { method: 'get', path: API.wsConnections, summary: 'Connected WebSocket clients', params: LIST_PARAMS, ok: [200, schema(wsConnectionsResponseSchema)], errors: [400] },
    { method: 'get', path: API.performance, summary: "The performance monitor's snapshot (null when none is attached)", ok: [200, schema(performanceResponseSchema)] },
    { method: 'get', path: API.risk, summary: 'Risk summary and recent trading-state changes and automated actions', ok: [200, schema(riskResponseSchema)] },
    { method: 'get', path: API.audit, summary: 'Audit trail of control actions', params: LIST_PARAMS, ok: [200, list(auditEventSchema)], errors: [400] },
    { method: 'post', path: API.submitOrder, summary: "Submit an order as strategy 'api' (through the risk engine)", body: schema(submitOrderBodySchema, 'input'), ok: [201, schema(submitOrderResponseSchema)], errors: [400, 409, 422, 429] },
    { method: 'delete', path: API.cancelOrder, summary: 'Cancel a working order', params: [pathParam('id', 'Client order id')], ok: [202, schema(submitOrderResponseSchema)], errors: [404, 409, 429] },
    { method: 'post', path: API.flattenPosition, summary: 'Close one position with a reduce-only market order', params: [pathParam('symbol', 'Instrument id')], body: schema(reasonBodySchema, 'input'), ok: [202, schema(ordersResponseSchema)], errors: [400, 404, 409, 429] },
    { method: 'post', path: API.flattenAll, summary: 'Close every position', body: schema(reasonBodySchema, 'input'), ok: [202, schema(ordersResponseSchema)], errors: [400, 429] },
    { method: 'post', path: API.killSwitch, summary: 'Kill switch on (halt, cancel working orders, optionally flatten) or off (resume: an equity limit breached at that moment is re-based at the current equity)', body: schema(killSwitchBodySchema, 'input'), ok: [200, schema(z.object({ state: z.string(), reason: z.string(), orders: z.array(orderSchema) }))], errors: [400, 429] },
    { method: 'post', path: API.pauseStrategy, summary: 'Pause a strategy (it keeps receiving data but sends no orders)', params: [pathParam('id', 'Strategy id')], body: schema(reasonBodySchema, 'input'), ok: [200, schema(strategyStateSchema)], errors: [404, 429] },
    { method: 'post', path: API.resumeStrategy, summary: 'Resume a paused strategy', params: [pathParam('id', 'Strategy id')], body: schema(reasonBodySchema, 'input'), ok: [200, schema(strategyStateSchema)], errors: [404, 429] },
    { method: 'get', path: API.healthz, summary: 'Process is up (no token needed)', ok: [200, schema(z.object({ status: z.literal('ok'), uptimeS: z.number() }))], open: true },
    { method: 'get', path: API.readyz, summary: 'Engine running and market data fresh (503 otherwise; no token needed)', ok: [200, schema(readyResponseSchema)], open: true },
    { method: 'get', path: API.metrics, summary: 'Prometheus metrics (text exposition format)', ok: [200, { type: 'string' }] },
  ];
}

let cached: Json | undefined;

/** The OpenAPI 3.1 document (built once). */
export function openApiDocument(): Json {
  cached ??= buildDocument();
  return cached;
}

function buildDocument(): Json {
  const paths: Record<string, Json> = {};
  for (const op of operations()) {
    const entry: Json = {
      summary: op.summary,
      ...(op.params ? { parameters: op.params } : {}),
      ...(op.body ? { requestBody: { required: op.path === API.submitOrder || op.path === API.killSwitch, content: { 'application/json': { schema: op.body } } } } : {}),
      responses: { [String(op.ok[0])]: op.path === API.metrics ? { description: 'OK', content: { 'text/plain': { schema: op.ok[1] } } } : json(op.ok[1]), ...errors(...(op.open ? [] : [401]), ...(op.errors ?? [])) },
      ...(op.open ? { security: [] } : {}),
    };
    const key = openApiPath(op.path);
    paths[key] = { ...(paths[key] ?? {}), [op.method]: entry };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Bourse live dashboard API',
      version: String(PROTOCOL_VERSION),
      description:
        `Live trading state and controls. Every /api route and /metrics need the API token (Authorization: Bearer). ` +
        `WebSocket: ${WS_PATH} (multiplexed: send {"op":"subscribe","channels":[...]}) and ${WS_PATH}/<channel>; ` +
        `channels: ${CHANNELS.join(', ')}; the token may be given as ?token= on the upgrade request. See src/server/protocol.ts.`,
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: { Health: schema(healthSchema) } },
    security: [{ bearer: [] }],
    paths,
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A self-contained HTML page listing the endpoints and channels. */
export function docsPage(): string {
  const rows = operations()
    .map((op) => `<tr><td><code>${op.method.toUpperCase()}</code></td><td><code>${escapeHtml(op.path)}</code></td><td>${escapeHtml(op.summary)}</td><td>${op.open ? 'open' : 'token'}</td></tr>`)
    .join('\n');
  const channels = CHANNELS.map((c) => `<li><code>${c}</code> — <code>${WS_PATH}/${c}</code></li>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bourse API</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:70rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}code{font-size:13px}</style>
</head><body>
<h1>Bourse live dashboard API <small>v${PROTOCOL_VERSION}</small></h1>
<p>Machine-readable: <a href="${API.openapi}">${API.openapi}</a> (OpenAPI 3.1). Authenticate with <code>Authorization: Bearer &lt;token&gt;</code>.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>What</th><th>Auth</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>WebSocket</h2>
<p><code>${WS_PATH}</code>: send <code>{"op":"subscribe","channels":["pnl","trades"]}</code>, <code>{"op":"unsubscribe",...}</code> or <code>{"op":"ping"}</code>.
Each channel first sends a <code>snapshot</code>, then <code>update</code>s. Sequence numbers belong to the channel's stream: an update follows the message whose seq is its <code>prev</code> (coalesced channels) or, without <code>prev</code>, seq − 1; any other seq means a lost message (resubscribe). A frame holds one message or an array of messages.
Token: header, or <code>?token=</code> on the upgrade URL.</p>
<ul>
${channels}
</ul>
</body></html>`;
}
