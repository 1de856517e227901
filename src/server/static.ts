/**
 * The dashboard page, served by the dashboard server: `GET /` is the built index.html and
 * `GET /assets/*` its bundled scripts and styles (Vite's output in dist-web/, see
 * vite.config.ts). The page holds no secret and is public, like /healthz: it takes the API token
 * from its own address (`/?token=…`) and sends it with every API and WebSocket request.
 *
 * The built files are read into memory once, at registration, and served only by exact name
 * from that set, so no request path ever reaches the file system (no directory traversal, no
 * symlinks followed). Each answer carries its content type, an ETag (304 on If-None-Match),
 * caching (index.html: revalidate; hashed assets: immutable) and, for the page, a strict Content
 * Security Policy (same-origin scripts, styles, fetches and WebSockets only), no framing and no
 * referrer (the address may hold the token).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorResponse } from './protocol.js';

/** The routes of the page: the server must let them through without a token (they are public). */
export const PAGE_ROUTES: readonly string[] = ['/', '/assets/*'];

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Largest total size of the built page held in memory. */
const MAX_TOTAL_BYTES = 32 * 1024 * 1024;

interface PageFile {
  body: Buffer;
  type: string;
  etag: string;
}

/** The built page in memory, by path relative to its root with '/' separators ("index.html", "assets/index-ab12.js"). */
export type PageFiles = ReadonlyMap<string, PageFile>;

/** dist-web/ of the package, from this file in src/server/ (tsx, vitest) or dist/src/server/ (built). */
export function defaultWebRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', '..', 'dist-web'), join(here, '..', '..', '..', 'dist-web')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

/**
 * Reads every regular file under `root` (symlinks are skipped). Returns undefined when there is
 * no index.html (the page is not built). Throws RangeError when the files exceed 32 MiB, and
 * what the file system throws for an unreadable file.
 */
export function loadPage(root: string): PageFiles | undefined {
  if (!existsSync(join(root, 'index.html'))) return undefined;
  const files = new Map<string, PageFile>();
  let total = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      // Dirents are not followed: a symlink is neither a file nor a directory here.
      else if (entry.isFile()) {
        const body = readFileSync(full);
        total += body.length;
        if (total > MAX_TOTAL_BYTES) throw new RangeError(`the dashboard page in ${root} is larger than ${MAX_TOTAL_BYTES} bytes`);
        const key = relative(root, full).split(sep).join('/');
        files.set(key, {
          body,
          type: CONTENT_TYPES[extname(entry.name).toLowerCase()] ?? 'application/octet-stream',
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        });
      }
    }
  };
  walk(root);
  return files;
}

export interface StaticPageOptions {
  /** The built page (default: defaultWebRoot(), i.e. <package>/dist-web). */
  root?: string | undefined;
  /** Told once when the page is not built (e.g. the server's logger.warn). */
  warn?: ((message: string) => void) | undefined;
}

export interface StaticPage {
  root: string;
  /** False when the page was not built: `/` then answers 404 saying how to build it. */
  available: boolean;
}

const notBuilt: ErrorResponse = { error: 'NOT_FOUND', message: 'the dashboard page is not built: run `npm run build:web` (vite build) and restart the server' };

function send(req: FastifyRequest, reply: FastifyReply, file: PageFile, cache: string): FastifyReply {
  reply.header('content-type', file.type).header('cache-control', cache).header('etag', file.etag).header('x-content-type-options', 'nosniff');
  if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.send(file.body);
}

/**
 * Registers `GET /` and `GET /assets/*` on `app`. The caller must exempt PAGE_ROUTES from token
 * checks. Throws what loadPage throws.
 */
export function registerStaticPage(app: FastifyInstance, opts: StaticPageOptions = {}): StaticPage {
  const root = opts.root ?? defaultWebRoot();
  const files = loadPage(root);
  if (!files) opts.warn?.(`the dashboard page is not built (no index.html in ${root}): run \`npm run build:web\``);
  const index = files?.get('index.html');

  app.get('/', async (req, reply) => {
    if (!index) return reply.code(404).send(notBuilt);
    reply.header('content-security-policy', PAGE_CSP).header('x-frame-options', 'DENY').header('referrer-policy', 'no-referrer');
    return send(req, reply, index, 'no-cache');
  });

  app.get<{ Params: { '*': string } }>('/assets/*', async (req, reply) => {
    const file = files?.get(`assets/${req.params['*']}`);
    if (!file) return reply.code(404).send({ error: 'NOT_FOUND', message: `no asset ${req.params['*'].slice(0, 100)}` } satisfies ErrorResponse);
    // Vite names assets by content hash: a name never changes meaning.
    return send(req, reply, file, 'public, max-age=31536000, immutable');
  });

  return { root, available: files !== undefined };
}
