/**
 * The page's side of the REST API: the API token (taken from the page URL's `?token=` once, then
 * kept in sessionStorage and removed from the address bar, as Jupyter does), authenticated JSON
 * requests with `Authorization: Bearer`, responses validated with the protocol's schemas, and the
 * control actions. Errors carry the server's message so the page can show it as is.
 */
import type { z } from 'zod';
import {
  API,
  errorResponseSchema,
  killSwitchResponseSchema,
  ordersResponseSchema,
  performanceResponseSchema,
  positionSchema,
  strategyStateSchema,
  submitOrderResponseSchema,
  summaryResponseSchema,
  listResponseSchema,
  type KillSwitchBody,
} from '../src/server/protocol';

const TOKEN_KEY = 'bourse.apiToken';

/**
 * The API token: from `?token=` in the page URL (stored in sessionStorage, then removed from the URL
 * so it is not left in the history or on screen), else from sessionStorage; undefined when neither has one.
 */
export function takeToken(loc: Location = window.location, storage: Storage = window.sessionStorage): string | undefined {
  const url = new URL(loc.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return storage.getItem(TOKEN_KEY) ?? undefined;
}

/** A request the server refused or that could not reach it. `status` 0 = no response (network). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

export class Api {
  constructor(
    private readonly token: string,
    private readonly base = '',
  ) {}

  /** The WebSocket URL of the multiplexed channel endpoint, with the token (browsers cannot set headers there). */
  wsUrl(loc: Location = window.location): string {
    const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${loc.host}/ws?token=${encodeURIComponent(this.token)}`;
  }

  /** Sends a request and parses the JSON answer with `schema`. Throws ApiError (status 0 when the server is unreachable). */
  async request<S extends z.ZodType>(method: 'GET' | 'POST' | 'DELETE', path: string, schema: S, body?: unknown): Promise<z.output<S>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    } catch (err) {
      throw new ApiError(0, `the server is unreachable (${(err as Error).message})`);
    }
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: reported below
    }
    if (!res.ok) {
      const parsed = errorResponseSchema.safeParse(json);
      if (parsed.success) throw new ApiError(res.status, parsed.data.message, parsed.data.error, parsed.data.reason);
      throw new ApiError(res.status, `${method} ${path} failed with HTTP ${res.status}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ApiError(res.status, `${method} ${path}: unexpected response (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    return parsed.data;
  }

  summary() {
    return this.request('GET', API.summary, summaryResponseSchema);
  }

  positions() {
    return this.request('GET', `${API.positions}?limit=1000`, listResponseSchema(positionSchema));
  }

  performance() {
    return this.request('GET', API.performance, performanceResponseSchema);
  }

  killSwitch(body: KillSwitchBody) {
    return this.request('POST', API.killSwitch, killSwitchResponseSchema, body);
  }

  flattenAll() {
    return this.request('POST', API.flattenAll, ordersResponseSchema, { reason: 'flatten all from the dashboard' });
  }

  flatten(symbol: string) {
    return this.request('POST', API.flattenPosition.replace(':symbol', encodeURIComponent(symbol)), ordersResponseSchema, { reason: `flatten ${symbol} from the dashboard` });
  }

  cancelOrder(clientOrderId: string) {
    return this.request('DELETE', API.cancelOrder.replace(':id', encodeURIComponent(clientOrderId)), submitOrderResponseSchema);
  }

  pauseStrategy(id: string, paused: boolean) {
    const path = (paused ? API.pauseStrategy : API.resumeStrategy).replace(':id', encodeURIComponent(id));
    return this.request('POST', path, strategyStateSchema, { reason: `${paused ? 'paused' : 'resumed'} from the dashboard` });
  }
}
