/**
 * The messages between the server's process and its WebSocket writer processes (plain JSON over
 * the fork IPC channel; an accepted socket travels as the message's handle), and where the
 * writer's entry module is.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection, FanOutOptions, WsConnectionInfo, WsHubStats } from './ws-fanout.js';
import type { FeedItem, FeedRequest } from './ws-stream.js';

/** The upgrade request as the writer needs it to complete the handshake. */
export interface UpgradeRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export type ToWriter =
  | { kind: 'init'; options: FanOutOptions; maxPayload: number }
  /** Sent with the socket as handle; `refusal` set: complete the upgrade, then close with 1013 and this reason. */
  | { kind: 'accept'; conn: Connection; request: UpgradeRequest; head: string; refusal: string | null }
  | { kind: 'items'; items: FeedItem[] }
  | { kind: 'query'; queryId: number; what: 'stats' | 'connections' }
  /** Close every client (1001) and exit. */
  | { kind: 'stop' };

export type LogLevel = 'debug' | 'warn' | 'error';

export type FromWriter =
  | { kind: 'ready' }
  | { kind: 'request'; request: FeedRequest }
  /** A connection handed to this writer (and not refused) is gone. */
  | { kind: 'closed'; id: string }
  | { kind: 'stats'; queryId: number; stats: WsHubStats }
  | { kind: 'connections'; queryId: number; connections: WsConnectionInfo[] }
  | { kind: 'log'; level: LogLevel; obj: Record<string, unknown>; msg: string };

/** The writer's compiled entry module is missing (the project was not built). */
export class WriterEntryMissingError extends Error {
  override readonly name = 'WriterEntryMissingError';
}

/**
 * The writer's entry, as JavaScript. Node 20 cannot run a .ts file in a child process: from dist/
 * the entry sits next to this module; under vitest this module is the .ts source, and the compiled
 * twin under dist/ (built by `tsc -p tsconfig.json`, which `npm test` runs first) is used.
 * Throws WriterEntryMissingError when that file does not exist.
 */
export function writerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  const entry = here.endsWith('.js') ? join(dirname(here), 'ws-writer-main.js') : resolve(dirname(here), '../../dist/src/server/ws-writer-main.js');
  if (!existsSync(entry)) throw new WriterEntryMissingError(`WebSocket writer entry ${entry} does not exist: build with \`tsc -p tsconfig.json\` first`);
  return entry;
}
