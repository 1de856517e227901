/**
 * Logging: builds the root pino logger for a profile and owns where log lines go and what they may
 * never contain. Development prints pretty lines to the console; staging and production write JSON
 * lines to size- and time-rotated files (pino-roll, in a worker thread) plus a separate file for
 * errors. Components log through `componentLogger(root, name)`, whose level comes from
 * `logging.levels[name]`. Secret-looking fields are censored at any depth up to REDACT_DEPTH.
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { pino, type DestinationStream, type Level, type LevelWithSilent, type Logger, type TransportTargetOptions } from 'pino';
import pretty from 'pino-pretty';
import type { LoggingConfig, Profile } from './config.js';

export type { Logger } from 'pino';

export const REDACTED = '[redacted]';

const SECRET_FIELDS = [
  'token',
  'apiToken',
  'accessToken',
  'refreshToken',
  'apiKey',
  'password',
  'secret',
  'secrets',
  'authorization',
  'Authorization',
  'cookie',
  'postgresUrl',
  'connectionString',
];
/** How deep (in nested objects) a secret field is still found: `token`, `*.token`, `*.*.token`... */
const REDACT_DEPTH = 6;
const REDACT_PATHS: readonly string[] = SECRET_FIELDS.flatMap((field) =>
  Array.from({ length: REDACT_DEPTH }, (_, depth) => `${'*.'.repeat(depth)}${field}`),
);

export interface CreateLoggerOptions {
  /** Write JSON lines here instead of the profile's destination (tests, embedding). */
  destination?: DestinationStream;
}

/** The root logger. `logger.child({ component })` picks up that component's configured level. */
export function createLogger(cfg: LoggingConfig, profile: Profile, options: CreateLoggerOptions = {}): Logger {
  return pino(
    {
      level: cfg.level,
      base: { pid: process.pid, hostname: hostname(), profile },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
      onChild: (child) => {
        const component: unknown = child.bindings().component;
        const level = typeof component === 'string' ? cfg.levels[component] : undefined;
        if (level !== undefined) child.level = level;
      },
    },
    options.destination ?? profileDestination(cfg, profile),
  );
}

/** A child logger for one component, tagged `component: name`, at the component's level. */
export function componentLogger(root: Logger, name: string): Logger {
  return root.child({ component: name });
}

function profileDestination(cfg: LoggingConfig, profile: Profile): DestinationStream {
  if (profile === 'development') {
    return pretty({
      colorize: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,profile,component',
      messageFormat: '{if component}[{component}] {end}{msg}',
    });
  }
  return pino.transport({
    targets: [rollTarget(cfg, 'bourse', verbosest(cfg)), rollTarget(cfg, 'bourse-error', 'error')],
  }) as DestinationStream;
}

function rollTarget(cfg: LoggingConfig, name: string, level: LevelWithSilent): TransportTargetOptions {
  return {
    target: 'pino-roll',
    level,
    options: {
      file: resolve(cfg.dir, name),
      extension: '.log',
      mkdir: true,
      size: cfg.rotateSize,
      frequency: rollFrequency(cfg.rotateInterval),
      limit: { count: cfg.filesKept },
    },
  };
}

/** The main file must accept the most verbose level any component is configured for. */
function verbosest(cfg: LoggingConfig): LevelWithSilent {
  const rank = (l: LevelWithSilent) => (l === 'silent' ? Infinity : pino.levels.values[l as Level] ?? Infinity);
  return Object.values(cfg.levels).reduce((a, b) => (rank(b) < rank(a) ? b : a), cfg.level);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** '1d' and '1h' roll at calendar boundaries; any other interval ('6h', '30m') is in milliseconds. */
function rollFrequency(interval: string): 'daily' | 'hourly' | number {
  if (interval === '1d') return 'daily';
  if (interval === '1h') return 'hourly';
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(interval);
  return Number(m?.[1]) * (UNIT_MS[m?.[2] ?? ''] ?? NaN);
}
