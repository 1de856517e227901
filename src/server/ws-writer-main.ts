/**
 * Entry of a WebSocket writer process (forked by WriterPool): it completes the upgrade of the
 * sockets the server hands it, owns them through a FanOut fed with the server's stream over IPC,
 * answers stats and connection queries, forwards its log lines to the server's logger, and exits
 * when told to stop or when the server's process is gone (the IPC channel closes).
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { FanOut, type FanOutLogger } from './ws-fanout.js';
import type { FromWriter, LogLevel, ToWriter } from './ws-writer-ipc.js';

const send = (m: FromWriter): void => {
  if (process.connected) process.send!(m);
};

/** Errors do not survive JSON: they are sent as their name, message and stack. */
function loggable(obj: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = v instanceof Error ? { type: v.name, message: v.message, stack: v.stack } : v;
  return out;
}

const log = (level: LogLevel) => (obj: object, msg: string) => send({ kind: 'log', level, obj: loggable(obj), msg });
const logger: FanOutLogger = { debug: log('debug'), warn: log('warn'), error: log('error') };

let fanOut: FanOut | undefined;
let wss: WebSocketServer | undefined;

function accept(msg: Extract<ToWriter, { kind: 'accept' }>, socket: Socket | undefined): void {
  const reportClosed = () => send({ kind: 'closed', id: msg.conn.id });
  if (!socket || !fanOut || !wss) {
    socket?.destroy();
    if (msg.refusal === null) reportClosed();
    return;
  }
  let upgraded = false;
  // A handshake ws refuses (bad headers) ends the socket without calling back.
  socket.once('close', () => {
    if (!upgraded && msg.refusal === null) reportClosed();
  });
  const head = Buffer.from(msg.head, 'base64');
  wss.handleUpgrade(msg.request as unknown as IncomingMessage, socket, head, (ws) => {
    upgraded = true;
    if (msg.refusal !== null) ws.close(1013, msg.refusal);
    else fanOut!.accept(ws, msg.conn);
  });
}

async function stop(): Promise<void> {
  await fanOut?.stop();
  process.exit(0);
}

function onMessage(msg: ToWriter, handle: unknown): void {
  switch (msg.kind) {
    case 'init':
      wss = new WebSocketServer({ noServer: true, maxPayload: msg.maxPayload });
      fanOut = new FanOut({ request: (request) => send({ kind: 'request', request }), onClosed: (id) => send({ kind: 'closed', id }), logger }, msg.options);
      break;
    case 'accept':
      accept(msg, handle as Socket | undefined);
      break;
    case 'items':
      fanOut?.ingest(msg.items);
      break;
    case 'query':
      if (msg.what === 'stats') send({ kind: 'stats', queryId: msg.queryId, stats: fanOut!.stats() });
      else send({ kind: 'connections', queryId: msg.queryId, connections: fanOut!.connections() });
      break;
    case 'stop':
      void stop();
      break;
  }
}

// A message that cannot be handled is logged: the writer keeps serving its other clients.
process.on('message', (msg: ToWriter, handle: unknown) => {
  try {
    onMessage(msg, handle);
  } catch (err) {
    logger.error({ err, kind: msg.kind }, 'websocket writer could not handle a message from the server');
  }
});
// The server's process is gone: nobody can feed these clients any more.
process.on('disconnect', () => process.exit(0));
send({ kind: 'ready' });
