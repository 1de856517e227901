/**
 * Public API of the server area: buildServer (the dashboard's HTTP API, WebSocket channels,
 * metrics and docs as one lifecycle Component) and the protocol the web page is built against.
 */
export { DEFAULT_HOST, DEFAULT_PORT, ServerStateError, buildServer, type BourseServer, type ListenAddress, type ServerOptions } from './app.js';
export type { PerformanceSource, SnapshotOptions } from './snapshots.js';
export type { WsHubOptions } from './ws-hub.js';
export type { RateLimitOptions } from './rate-limit.js';
export type { LiveStateOptions } from './live-state.js';
export * from './protocol.js';
