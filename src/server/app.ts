/**
 * The dashboard server: composes the HTTP API, the WebSocket hub, metrics, docs and the security
 * around them on one Fastify instance, and exposes it as a lifecycle Component.
 *
 * Security: every matched route needs the API token except /healthz, /readyz, /docs and the
 * dashboard page's own files (default deny). The token comes from `Authorization: Bearer`, or from `?token=` on WebSocket upgrades
 * only, and is compared in constant time. A cross-origin WebSocket upgrade is refused (403)
 * unless its origin is configured; CORS headers are sent only for configured origins. Control
 * routes are rate limited. Errors are JSON bodies with a code and a message naming the problem;
 * unexpected ones are a 500 without details. Request logs carry the path without the query
 * string, and never a header.
 */
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino } from 'pino';
import type { TradingEngine } from '../engine/trading-engine.js';
import type { ComponentState, HealthDetails, Component } from '../infra/lifecycle.js';
import type { Logger } from '../infra/logger.js';
import type { RiskEngine } from '../risk/risk-engine.js';
import { AuditLog } from './audit.js';
import { TokenVerifier, bearerToken, pathOf, queryToken, safeRequestSerializer } from './auth.js';
import { HttpError } from './errors.js';
import { LiveState, type LiveStateOptions } from './live-state.js';
import { ServerMetrics } from './metrics.js';
import { docsPage, openApiDocument } from './openapi.js';
import { API, type AuditEvent, type ErrorResponse } from './protocol.js';
import { RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { registerControlRoutes } from './routes-control.js';
import { registerLiveRoutes, type Readiness } from './routes-live.js';
import { SnapshotBuilder, type PerformanceSource, type SnapshotOptions } from './snapshots.js';
import { PAGE_ROUTES, registerStaticPage, type StaticPageOptions } from './static.js';
import { WS_MAX_PAYLOAD, WsHub, type WsHubOptions } from './ws-hub.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8420;

export interface ServerOptions {
  engine: TradingEngine;
  risk: RiskEngine;
  /** The performance monitor (src/analytics), if any. */
  monitor?: PerformanceSource | undefined;
  /** The API token (config `secrets.apiToken`). */
  token: string;
  /** The root or a component logger; it should carry the infra logger's redaction. Silent by default. */
  logger?: Logger | undefined;
  /** Browser origins allowed by CORS and on WebSocket upgrades (config `server.corsOrigins`); empty = CORS off. */
  corsOrigins?: readonly string[] | undefined;
  /** Rate limit of control routes per token and route; false turns it off. */
  rateLimit?: RateLimitOptions | false | undefined;
  /** Where start() listens unless given an address (default 127.0.0.1:8420). */
  host?: string | undefined;
  port?: number | undefined;
  /** Market data older than this (clock ms) makes /readyz fail (default 10,000). */
  staleDataMs?: number | undefined;
  /** Largest request body (default 64 KiB). */
  bodyLimitBytes?: number | undefined;
  ws?: WsHubOptions | undefined;
  snapshots?: SnapshotOptions | undefined;
  live?: LiveStateOptions | undefined;
  /** Components' states and details (infra/lifecycle health(): journal lag, ...), shown by /readyz. */
  health?: (() => { healthy: boolean; components: Record<string, unknown> }) | undefined;
  /** Called with every audit event (e.g. to publish it on the bus). */
  onAudit?: ((event: AuditEvent) => void) | undefined;
  /** Serve the built dashboard page at `/` (static.ts; public, it holds no secret). Off by default. */
  page?: StaticPageOptions | boolean | undefined;
}

export interface ListenAddress {
  host?: string | undefined;
  port?: number | undefined;
}

/** The server: a Fastify instance (not listening until start) and its lifecycle. */
export interface BourseServer extends Component {
  readonly app: FastifyInstance;
  readonly hub: WsHub;
  readonly audit: AuditLog;
  readonly metrics: ServerMetrics;
  /** The server's read model of the engine (recent fills, signals, P&L points...). */
  readonly live: LiveState;
  /** Listens (default 127.0.0.1:8420, or the options' host/port). Throws ServerStateError after stop(). */
  start(address?: ListenAddress): Promise<void>;
  /** Closes every connection and stops following the engine. Safe to call twice or after a failed start. */
  stop(): Promise<void>;
  /** The bound address once listening (port resolved when 0 was asked for). */
  address(): { host: string; port: number } | undefined;
  /** The base URL once listening, e.g. http://127.0.0.1:8420. */
  url(): string | undefined;
}

/** The server cannot do what was asked in its current state (e.g. start after stop). */
export class ServerStateError extends Error {
  override readonly name = 'ServerStateError';
}

const PUBLIC_ROUTES: ReadonlySet<string> = new Set([API.healthz, API.readyz, API.docs, API.openapi, ...PAGE_ROUTES]);

function isUpgrade(req: FastifyRequest): boolean {
  return typeof req.headers.upgrade === 'string' && req.headers.upgrade.toLowerCase() === 'websocket';
}

/** Builds the server around a running (or about to run) engine and its risk engine. Throws RangeError for an empty token. */
export function buildServer(opts: ServerOptions): BourseServer {
  const { engine, risk } = opts;
  const verifier = new TokenVerifier(opts.token);
  const root: Logger = opts.logger ?? pino({ level: 'silent' });
  const logger = root.child({ component: 'server' }, { serializers: { req: safeRequestSerializer } });
  const corsOrigins = new Set(opts.corsOrigins ?? []);
  const staleDataMs = opts.staleDataMs ?? 10_000;
  const startedAt = Date.now();

  const state = new LiveState(engine, opts.live);
  const snapshots = new SnapshotBuilder(engine, risk, state, opts.monitor, opts.snapshots);
  const hub = new WsHub({ engine, risk, snapshots, logger }, opts.ws);
  const metrics = new ServerMetrics({ engine, risk, state, ws: hub });
  const audit = new AuditLog(engine.clock, logger, opts.onAudit);
  const limiter = opts.rateLimit === false ? undefined : new RateLimiter(opts.rateLimit ?? {});

  const readiness = (): Readiness => {
    const age = state.dataAgeMs();
    return { engineRunning: engine.isRunning, dataFresh: age !== undefined && age <= staleDataMs, lastDataAgeMs: age ?? null };
  };

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Requests are logged by the onResponse hook below, by path only.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimitBytes ?? 64 * 1024,
    forceCloseConnections: true,
    return503OnClosing: true,
  });

  const deny = (reply: FastifyReply, status: 401 | 403, body: ErrorResponse): FastifyReply => {
    if (status === 401) reply.header('www-authenticate', 'Bearer');
    return reply.code(status).send(body);
  };

  // Callback-style hooks (no promise per request): this runs on every request.
  app.addHook('onRequest', (req, reply, done) => {
    const upgrade = isUpgrade(req);
    // An upgrade answered with a plain response (401, 403, 404) must not leave its socket open.
    if (upgrade) reply.raw.once('finish', () => req.raw.socket?.destroy());
    const origin = req.headers.origin;
    const corsOk = origin !== undefined && corsOrigins.has(origin);
    if (corsOk) {
      reply.header('access-control-allow-origin', origin);
      reply.header('vary', 'Origin');
      if (req.method === 'OPTIONS') {
        reply.header('access-control-allow-methods', 'GET, POST, DELETE');
        reply.header('access-control-allow-headers', 'Authorization, Content-Type');
        reply.header('access-control-max-age', '600');
        reply.code(204).send();
        return;
      }
    }
    const route = req.routeOptions.url;
    // Unmatched requests go to the 404 handler; public routes need nothing.
    if (route === undefined || PUBLIC_ROUTES.has(route)) return done();
    const token = bearerToken(req.headers) ?? (upgrade ? queryToken(req.url) : undefined);
    if (!verifier.verify(token)) {
      logger.warn({ path: pathOf(req.url), remoteAddress: req.ip, reason: token === undefined ? 'missing token' : 'wrong token' }, 'unauthorized request');
      deny(reply, 401, { error: 'UNAUTHORIZED', message: 'missing or wrong API token: send Authorization: Bearer <token> (or ?token=<token> on a WebSocket URL)' });
      return;
    }
    if (upgrade && origin !== undefined && !corsOk && !sameOrigin(origin, req.headers.host)) {
      logger.warn({ path: pathOf(req.url), origin }, 'cross-origin websocket refused');
      deny(reply, 403, { error: 'FORBIDDEN', message: `origin ${origin} is not allowed to open a WebSocket (configure server.corsOrigins)` });
      return;
    }
    done();
  });

  if (logger.isLevelEnabled('debug')) {
    app.addHook('onResponse', (req, reply, done) => {
      logger.debug({ method: req.method, path: pathOf(req.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 }, 'request');
      done();
    });
  }

  app.setErrorHandler((err: FastifyError | HttpError, req, reply) => {
    if (err instanceof HttpError) {
      if (err.statusCode >= 500) logger.error({ err, req }, 'request failed');
      return reply.code(err.statusCode).send(err.body());
    }
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      logger.error({ err, req }, 'request failed');
      return reply.code(500).send({ error: 'INTERNAL', message: 'internal error' } satisfies ErrorResponse);
    }
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST';
    const message = err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError ? `request body is not valid JSON: ${err.message}` : err.message;
    return reply.code(status).send({ error: code, message } satisfies ErrorResponse);
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: 'NOT_FOUND', message: `no route ${req.method} ${pathOf(req.url)}` } satisfies ErrorResponse);
  });

  app.get(API.healthz, async () => ({ status: 'ok', uptimeS: (Date.now() - startedAt) / 1000 }));
  app.get(API.readyz, async (_req, reply) => {
    const r = readiness();
    const problems: string[] = [];
    if (!r.engineRunning) problems.push('engine is not running');
    if (!r.dataFresh) problems.push(r.lastDataAgeMs === null ? 'no market data yet' : `last market data is ${r.lastDataAgeMs} ms old (limit ${staleDataMs} ms)`);
    const health = opts.health?.();
    if (health && !health.healthy) problems.push('a component is not healthy (see components)');
    return reply.code(problems.length === 0 ? 200 : 503).send({ ready: problems.length === 0, ...r, ...(health ? { components: health.components } : {}), problems });
  });
  app.get(API.metrics, async (_req, reply) => reply.header('content-type', metrics.contentType).send(await metrics.render()));
  const openapi = JSON.stringify(openApiDocument());
  const docs = docsPage();
  app.get(API.openapi, async (_req, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(openapi));
  app.get(API.docs, async (_req, reply) => reply.header('content-type', 'text/html; charset=utf-8').send(docs));

  // The WebSocket plugin's hooks apply to this scope only, so plain HTTP routes do not pay for them.
  app.register(async (scope) => {
    await scope.register(fastifyWebsocket, { options: { maxPayload: WS_MAX_PAYLOAD } });
    hub.register(scope);
  });
  if (opts.page) registerStaticPage(app, { warn: (m) => logger.warn(m), ...(opts.page === true ? {} : opts.page) });
  registerLiveRoutes(app, { engine, risk, state, snapshots, hub, audit, hasMonitor: opts.monitor !== undefined, readiness, uptimeS: () => (Date.now() - startedAt) / 1000 });
  registerControlRoutes(app, { engine, risk, state, audit, limiter });

  let stopped = false;
  let listening: { host: string; port: number } | undefined;

  const server: BourseServer = {
    name: 'server',
    state: 'INITIALIZED' as ComponentState,
    app,
    hub,
    audit,
    metrics,
    live: state,
    async start(address?: ListenAddress): Promise<void> {
      if (stopped) throw new ServerStateError('the server was stopped; build a new one to start again');
      if (listening) return;
      const host = address?.host ?? opts.host ?? DEFAULT_HOST;
      const port = address?.port ?? opts.port ?? DEFAULT_PORT;
      // The hub first: in writer mode an upgrade that arrives before the writers are ready is lost.
      await hub.start();
      await app.listen({ host, port });
      const bound = app.server.address();
      listening = { host, port: typeof bound === 'object' && bound !== null ? bound.port : port };
      logger.info({ host, port: listening.port }, 'dashboard server listening');
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      // The reverse of start: no new connection, then the hub (its clients closed with 1001, its
      // writers exited), then the rest. Fastify's close tolerates the listener closed already.
      if (listening) app.server.close();
      await hub.stop();
      metrics.stop();
      state.dispose();
      await app.close();
      listening = undefined;
    },
    health(): HealthDetails {
      const r = readiness();
      return { listening: listening !== undefined, port: listening?.port ?? null, wsClients: hub.clientCount, ...r };
    },
    address: () => listening,
    url: () => (listening ? `http://${listening.host.includes(':') ? `[${listening.host}]` : listening.host}:${listening.port}` : undefined),
  };
  return server;
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
