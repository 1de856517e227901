/**
 * API token checks and the log-safe view of a request. The token is compared in constant time
 * (SHA-256 digests of equal length through timingSafeEqual), taken from `Authorization: Bearer`
 * or, on WebSocket upgrades only (browsers cannot set headers there), from `?token=`. Nothing
 * here ever returns or logs the token: requests are logged by path, without the query string.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

export class TokenVerifier {
  private readonly expected: Buffer;

  /** Throws RangeError for an empty token. */
  constructor(token: string) {
    if (token.length === 0) throw new RangeError('the API token must not be empty');
    this.expected = digest(token);
  }

  /** True when `candidate` is the token; the time taken does not depend on where they differ. */
  verify(candidate: string | undefined): boolean {
    if (candidate === undefined || candidate.length === 0 || candidate.length > 4096) return false;
    return timingSafeEqual(digest(candidate), this.expected);
  }
}

/** The bearer token of an Authorization header, if well-formed. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const h = headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

/** The `token` query parameter of a raw URL (first one if repeated). */
export function queryToken(url: string): string | undefined {
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get('token') ?? undefined;
}

/** The path of a raw URL without its query string: what request logs show. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** A short, non-reversible fingerprint of a token, for keys (rate limits) — never the token. */
export function tokenKey(token: string): string {
  return digest(token).subarray(0, 8).toString('hex');
}

/** pino serializer for Fastify's `req`: method, path (no query: it may hold the token), remote address. */
export function safeRequestSerializer(req: { method?: string; url?: string; ip?: string; socket?: { remotePort?: number } }): Record<string, unknown> {
  return { method: req.method, path: pathOf(req.url ?? ''), remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}
