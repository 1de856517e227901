/**
 * Configuration: the one schema for every Bourse setting, the per-profile defaults and the loader
 * that layers the sources into one typed, validated `BourseConfig`.
 *
 * Precedence, lowest to highest (a later source overrides an earlier one key by key; lists are
 * replaced whole):
 *   1. profile defaults (the schema defaults are the `development` profile; `staging` and
 *      `production` override some of them)
 *   2. the config file (`file`, YAML or JSON by extension)
 *   3. the secrets file named by BOURSE_SECRETS_FILE (secrets only: JSON or KEY=VALUE)
 *   4. the `.env` file in the working directory (parsed with dotenv, never injected into
 *      process.env)
 *   5. real environment variables
 *   6. CLI overrides (`section.key=value`)
 * In sources 4 and 5, `BOURSE_<SECTION>__<KEY>` sets `section.key` (double underscore nests,
 * snake case becomes camel case: BOURSE_SERVER__CORS_ORIGINS → server.corsOrigins); the aliases
 * BOURSE_PROFILE, BOURSE_PORT, BOURSE_DATA_DIR and BOURSE_LOG_LEVEL are applied before the long
 * forms of the same source. Text values are coerced by the schema (numbers, booleans, comma lists)
 * and values starting with `[` or `{` are read as JSON.
 *
 * Secrets (`secrets.apiToken` ← BOURSE_API_TOKEN, `secrets.postgresUrl` ← BOURSE_POSTGRES_URL)
 * come only from the environment, `.env` or the secrets file; one in the config file or on the
 * command line is an error. Staging and production need an API token of at least 32 characters.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';

export const PROFILES = ['development', 'staging', 'production'] as const;
export type Profile = (typeof PROFILES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Every wrong setting, one line each: `path: value why`. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

// ---- field helpers: text from env/CLI is coerced here, by the field's own type ----

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const num = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && NUMERIC.test(v.trim()) ? Number(v) : v), schema);
const bool = () => z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());
const fraction = () => num(z.number().gt(0).max(1));
const list = () =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
    z.array(z.string().min(1)),
  );
/** Exact amounts stay decimal strings; numbers are accepted and turned into their decimal text. */
const decimal = (signed = false) =>
  z.preprocess(
    (v) => (typeof v === 'number' ? String(v) : v),
    z.string().regex(signed ? /^-?\d+(\.\d+)?$/ : /^\d+(\.\d+)?$/, {
      error: 'is not a decimal number like "0.01"',
      abort: true,
    }),
  );
const positiveDecimal = () => decimal().refine((s) => /[1-9]/.test(s), 'must be greater than zero');
const currency = () => z.string().regex(/^[A-Z]{3,5}$/, 'is not a currency code like "USD"');
const isTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

// ---- the schema (its defaults are the development profile) ----

const instrumentSchema = z.strictObject({
  symbol: z.string().regex(/^[A-Z0-9][A-Z0-9._/-]*$/, 'is not an upper-case symbol like "BTC-USD"'),
  assetClass: z.enum(['crypto', 'equity', 'fx', 'future', 'index']).default('crypto'),
  quoteCurrency: currency().default('USD'),
  tickSize: positiveDecimal(),
  sizeStep: positiveDecimal(),
  minSize: positiveDecimal(),
  multiplier: positiveDecimal().default('1'),
  /** Fee rates as fractions of notional; a negative maker fee is a rebate. */
  makerFee: decimal(true).default('0.0002'),
  takerFee: decimal(true).default('0.0005'),
  initialPrice: positiveDecimal(),
  /** Annualised drift and volatility of the synthetic price path. */
  drift: num(z.number()).default(0),
  volatility: num(z.number().min(0)).default(0.6),
});

const DEFAULT_INSTRUMENTS = [
  { symbol: 'BTC-USD', tickSize: '0.01', sizeStep: '0.0001', minSize: '0.0001', initialPrice: '60000', volatility: 0.6 },
  { symbol: 'ETH-USD', tickSize: '0.01', sizeStep: '0.001', minSize: '0.001', initialPrice: '3000', volatility: 0.75 },
  { symbol: 'SOL-USD', tickSize: '0.001', sizeStep: '0.01', minSize: '0.01', initialPrice: '150', volatility: 0.9 },
];

const level = z.enum(LOG_LEVELS);

const sectionsSchema = z.strictObject({
  profile: z.enum(PROFILES).default('development'),
  engine: z
    .strictObject({
      baseCurrency: currency().default('USD'),
      initialCapital: positiveDecimal().default('100000'),
      seed: num(z.number().int()).default(42),
      latencyMs: num(z.number().int().min(0)).default(0),
      dataDir: z.string().min(1).default('./data'),
    })
    .prefault({}),
  market: z
    .strictObject({
      instruments: z.array(instrumentSchema).min(1).prefault(DEFAULT_INSTRUMENTS),
      /** Correlation of the instruments' returns, one row and column per instrument, in order. */
      correlation: z.array(z.array(num(z.number().min(-1).max(1)))).optional(),
      quoteIntervalMs: num(z.number().int().positive()).default(250),
      spreadBps: num(z.number().min(0)).default(2),
    })
    .prefault({}),
  strategies: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        /** Symbols the strategy trades; absent means every instrument. */
        instruments: list().optional(),
        params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
      }),
    )
    .prefault([{ name: 'ma_cross', params: { fast: 5, slow: 20, mode: 'long-short', source: 'quote' } }]),
  risk: z
    .strictObject({
      maxOrderQty: positiveDecimal().optional(),
      maxOrderNotional: positiveDecimal().optional(),
      maxPositionQty: positiveDecimal().optional(),
      maxPositionNotional: positiveDecimal().optional(),
      maxOpenPositions: num(z.number().int().positive()).optional(),
      maxGrossExposure: positiveDecimal().optional(),
      maxNetExposure: positiveDecimal().optional(),
      /** Sum of open risk (entry to stop) as a fraction of equity. */
      maxPortfolioHeat: fraction().optional(),
      /** Fraction of start-of-day equity. */
      dailyLossLimit: fraction().default(0.1),
      maxDrawdown: fraction().default(0.3),
      /** Largest distance of a limit price from the last quote, in basis points. */
      fatFingerBps: num(z.number().positive()).default(1000),
      staleQuoteMs: num(z.number().int().positive()).default(10_000),
      maxOrdersPerSecond: num(z.number().positive()).default(100),
      maxOrdersPerSecondPerStrategy: num(z.number().positive()).default(50),
      /** Where the trading day starts for the daily loss limit. */
      timeZone: z.string().refine(isTimeZone, 'is not a known IANA time zone').default('UTC'),
      /** Gross exposure allowed as a multiple of equity (buying power). */
      leverage: num(z.number().positive()).default(1),
      /** Share of gross exposure allowed in one group of correlated instruments, and what counts as correlated. */
      maxCorrelatedShare: fraction().optional(),
      correlationThreshold: fraction().default(0.7),
      /** Engine-placed protective stops for positions opened without one. */
      stops: z
        .strictObject({
          enabled: bool().default(false),
          /** Stop distance in volatilities (ATR on bars, σ of returns on quotes). */
          k: num(z.number().positive()).default(2),
          trail: bool().default(true),
          /** Move the stop to break-even after this many times the initial risk in gain. */
          breakEvenR: num(z.number().positive()).optional(),
          intervalMs: num(z.number().int().positive()).default(60_000),
        })
        .prefault({}),
      /** Portfolio risk measures (VaR, ES, correlation, stress), recomputed off the hot path. */
      measures: z
        .strictObject({
          intervalMs: num(z.number().int().positive()).default(10_000),
          window: num(z.number().int().min(10)).default(120),
          confidences: z.array(num(z.number().gt(0).lt(1))).min(1).default([0.95, 0.99]),
          monteCarloPaths: num(z.number().int().min(100)).default(2000),
          /** Alert when the 1-period portfolio VaR exceeds this fraction of equity. */
          maxVarFraction: fraction().optional(),
        })
        .prefault({}),
      autoActions: z
        .strictObject({
          haltOnDailyLoss: bool().default(true),
          haltOnMaxDrawdown: bool().default(true),
          cancelOrdersOnHalt: bool().default(true),
          flattenOnHalt: bool().default(false),
        })
        .prefault({}),
    })
    .prefault({}),
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: num(z.number().int().min(0).max(65535)).default(8420),
      /** Allowed browser origins; empty turns CORS off. */
      corsOrigins: list().default([]),
      /**
       * Processes that own the dashboard's WebSocket connections (0: the engine's process writes
       * them). Writers keep socket writes off the engine's event loop on a machine with cores to spare.
       */
      wsWriters: num(z.number().int().min(0).max(16)).default(0),
    })
    .prefault({}),
  persistence: z
    .strictObject({
      kind: z.enum(['sqlite', 'postgres', 'none']).default('sqlite'),
      /** Defaults to `<engine.dataDir>/bourse.sqlite`. */
      sqlitePath: z.string().min(1).optional(),
      snapshotEvery: num(z.number().int().positive()).default(1000),
    })
    .prefault({}),
  logging: z
    .strictObject({
      level: level.default('debug'),
      /** Level per component name, e.g. { risk: 'trace' }. */
      levels: z.record(z.string(), level).default({}),
      dir: z.string().min(1).default('./logs'),
      rotateSize: z.string().regex(/^\d+[kmg]$/, 'is not a size like "10m" (k, m or g)').default('10m'),
      rotateInterval: z.string().regex(/^\d+(ms|s|m|h|d)$/, 'is not an interval like "1d" or "6h"').default('1d'),
      /** Rotated files kept besides the active one. */
      filesKept: num(z.number().int().positive()).default(5),
    })
    .prefault({}),
  shutdown: z
    .strictObject({
      deadlineMs: num(z.number().int().positive()).default(10_000),
      cancelOrdersOnShutdown: bool().default(true),
    })
    .prefault({}),
  /** Filled only from the environment, `.env` or the secrets file. */
  secrets: z
    .strictObject({
      apiToken: z.string().min(1).optional(),
      postgresUrl: z.string().regex(/^postgres(ql)?:\/\//, 'is not a postgres:// URL').optional(),
    })
    .prefault({}),
});

type Sections = z.output<typeof sectionsSchema>;

/** Checks that span fields; zod runs them once every field has its type. */
function checkConsistency(cfg: Sections, ctx: z.RefinementCtx): void {
  const problem = (path: (string | number)[], input: unknown, message: string) =>
    ctx.addIssue({ code: 'custom', path, input, message });
  const symbols = new Set<string>();
  cfg.market.instruments.forEach((ins, i) => {
    const at = ['market', 'instruments', i];
    if (symbols.has(ins.symbol)) problem([...at, 'symbol'], ins.symbol, 'is listed twice');
    symbols.add(ins.symbol);
    if (!isMultiple(ins.initialPrice, ins.tickSize))
      problem([...at, 'initialPrice'], ins.initialPrice, `is not a multiple of tick ${ins.tickSize} for ${ins.symbol}`);
    if (!isMultiple(ins.minSize, ins.sizeStep))
      problem([...at, 'minSize'], ins.minSize, `is not a multiple of size step ${ins.sizeStep} for ${ins.symbol}`);
  });
  const corr = cfg.market.correlation;
  const n = cfg.market.instruments.length;
  if (corr && (corr.length !== n || corr.some((row) => row.length !== n))) {
    problem(['market', 'correlation'], corr, `must be a ${n}x${n} matrix, one row and column per instrument`);
  } else if (corr) {
    corr.forEach((row, i) =>
      row.forEach((v, j) => {
        if (i === j && v !== 1) problem(['market', 'correlation', i, j], v, 'must be 1 on the diagonal');
        if (j > i && v !== corr[j]?.[i]) problem(['market', 'correlation', i, j], v, `differs from [${j}][${i}]: the matrix must be symmetric`);
      }),
    );
  }
  cfg.strategies.forEach((s, i) =>
    s.instruments?.forEach((sym, j) => {
      if (!symbols.has(sym)) problem(['strategies', i, 'instruments', j], sym, 'is not a configured instrument');
    }),
  );
  if (cfg.persistence.kind === 'postgres' && !cfg.secrets.postgresUrl) {
    problem(['secrets', 'postgresUrl'], undefined, 'is required when persistence.kind is "postgres": set BOURSE_POSTGRES_URL');
  }
}

/** The one schema for every setting. Parsing `{}` gives the complete development configuration. */
export const configSchema = sectionsSchema.superRefine(checkConsistency).transform((cfg) => ({
  ...cfg,
  persistence: { ...cfg.persistence, sqlitePath: cfg.persistence.sqlitePath ?? join(cfg.engine.dataDir, 'bourse.sqlite') },
}));

export type BourseConfig = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type LoggingConfig = BourseConfig['logging'];

function isMultiple(value: string, step: string): boolean {
  const places = Math.max(decimals(value), decimals(step));
  const s = scaled(step, places);
  return s === 0n || scaled(value, places) % s === 0n;
}
const decimals = (d: string): number => (d.split('.')[1] ?? '').length;
const scaled = (d: string, places: number): bigint => {
  const [whole = '0', frac = ''] = d.split('.');
  return BigInt(whole + frac.padEnd(places, '0'));
};

// ---- profiles ----

const STRICT_RISK: ConfigInput['risk'] = {
  maxOrderNotional: '25000',
  maxPositionNotional: '50000',
  maxOpenPositions: 10,
  maxGrossExposure: '150000',
  maxNetExposure: '100000',
  maxPortfolioHeat: 0.06,
  dailyLossLimit: 0.03,
  maxDrawdown: 0.15,
  fatFingerBps: 200,
  staleQuoteMs: 2000,
  maxOrdersPerSecond: 20,
  maxOrdersPerSecondPerStrategy: 5,
  autoActions: { flattenOnHalt: true },
};

/** What each profile changes on top of the schema defaults (which are development's). */
const PROFILE_DEFAULTS: Record<Profile, ConfigInput> = {
  development: {},
  staging: { logging: { level: 'info' } },
  production: { logging: { level: 'info' }, risk: STRICT_RISK },
};

/** Staging and production refuse to run without a strong API token. */
const MIN_TOKEN_LENGTH = 32;

// ---- loading ----

export interface LoadConfigOptions {
  /** Config file, `.yaml`/`.yml` or `.json`. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** CLI overrides, each `dotted.key=value`. */
  overrides?: readonly string[];
  /** Where `.env` is looked for and relative secrets-file paths resolve; defaults to process.cwd(). */
  cwd?: string;
}

type Layer = Record<string, unknown>;

const SECRET_KEYS = new Set(['secrets', 'apiToken', 'postgresUrl']);
/** Each secret and the environment variable it comes from. */
const SECRET_ENV = { apiToken: 'BOURSE_API_TOKEN', postgresUrl: 'BOURSE_POSTGRES_URL' } as const;
type SecretName = keyof typeof SECRET_ENV;
const SECRET_NAMES = Object.keys(SECRET_ENV) as SecretName[];
const ENV_ALIASES: Record<string, string[]> = {
  BOURSE_PROFILE: ['profile'],
  BOURSE_PORT: ['server', 'port'],
  BOURSE_DATA_DIR: ['engine', 'dataDir'],
  BOURSE_LOG_LEVEL: ['logging', 'level'],
};
const SECRET_HINT = 'set BOURSE_API_TOKEN / BOURSE_POSTGRES_URL in the environment or in the file named by BOURSE_SECRETS_FILE';

/**
 * Builds the configuration from every source (see the module comment for the order).
 * Throws ConfigError listing every problem: unreadable files, secrets in the wrong place,
 * unknown keys and invalid values.
 */
export function loadConfig(options: LoadConfigOptions = {}): BourseConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];

  const file = options.file === undefined ? {} : readConfigFile(resolve(cwd, options.file), problems);
  stripSecrets(file, [], (path) => problems.push(`${path}: secrets are not allowed in the config file; ${SECRET_HINT}`));
  const dotenv = readDotenv(join(cwd, '.env'), problems);
  const secretsPath = env.BOURSE_SECRETS_FILE ?? dotenv.BOURSE_SECRETS_FILE;
  const secrets = secretsPath === undefined ? {} : readSecretsFile(resolve(cwd, secretsPath), problems);
  const cli = overridesLayer(options.overrides ?? [], problems);

  const sources = mergeLayers(file, secrets, envLayer(dotenv), envLayer(env), cli);
  const profile = PROFILES.find((p) => p === sources.profile) ?? 'development';
  const result = configSchema.safeParse(mergeLayers(PROFILE_DEFAULTS[profile], sources), { reportInput: true });
  if (!result.success) problems.push(...result.error.issues.flatMap(describeIssue));
  problems.push(...tokenPolicy(profile, isPlainObject(sources.secrets) ? sources.secrets.apiToken : undefined));
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}

function tokenPolicy(profile: Profile, token: unknown): string[] {
  if (profile === 'development' || (typeof token === 'string' && token.length >= MIN_TOKEN_LENGTH)) return [];
  const what = token === undefined ? 'is missing' : '[redacted] is too weak';
  return [
    `secrets.apiToken: ${what}: the ${profile} profile refuses to start without an API token of at least ` +
      `${MIN_TOKEN_LENGTH} characters in BOURSE_API_TOKEN or the secrets file`,
  ];
}

function readText(path: string, what: string, problems: string[]): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`${what} ${path}: cannot be read (${(err as Error).message})`);
    return undefined;
  }
}

function readConfigFile(path: string, problems: string[]): Layer {
  const ext = extname(path).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(ext)) {
    problems.push(`config file ${path}: unknown extension "${ext}" (use .yaml, .yml or .json)`);
    return {};
  }
  const text = readText(path, 'config file', problems);
  if (text === undefined) return {};
  try {
    const data: unknown = ext === '.json' ? JSON.parse(text) : parseYaml(text);
    if (data === null || data === undefined) return {};
    if (isPlainObject(data)) return data;
    problems.push(`config file ${path}: must contain a mapping of sections`);
  } catch (err) {
    problems.push(`config file ${path}: cannot be parsed (${(err as Error).message})`);
  }
  return {};
}

function readDotenv(path: string, problems: string[]): Record<string, string> {
  if (!existsSync(path)) return {};
  const text = readText(path, '.env file', problems);
  return text === undefined ? {} : parseDotenv(text);
}

/** A secrets file holds `BOURSE_API_TOKEN=...` lines, or a JSON object with those or camelCase keys. */
function readSecretsFile(path: string, problems: string[]): Layer {
  const text = readText(path, 'secrets file', problems);
  if (text === undefined) return {};
  let entries: Record<string, unknown>;
  try {
    entries = text.trimStart().startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : parseDotenv(text);
  } catch (err) {
    problems.push(`secrets file ${path}: cannot be parsed (${(err as Error).message})`);
    return {};
  }
  const secrets: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entries)) {
    const name = SECRET_NAMES.find((n) => key === n || key === SECRET_ENV[n]);
    if (name) secrets[name] = value;
    else problems.push(`secrets file ${path}: "${key}" is not a known secret (expected ${Object.values(SECRET_ENV).join(' or ')})`);
  }
  return { secrets };
}

/** BOURSE_* variables to a config layer: aliases first, then the long `SECTION__KEY` forms. */
function envLayer(vars: Record<string, string | undefined>): Layer {
  const layer: Layer = {};
  for (const [name, path] of Object.entries(ENV_ALIASES)) {
    const value = vars[name];
    if (value !== undefined) setPath(layer, path, rawValue(value));
  }
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) continue;
    const secret = SECRET_NAMES.find((n) => SECRET_ENV[n] === name);
    if (secret) setPath(layer, ['secrets', secret], value);
    else if (name.startsWith('BOURSE_') && name.includes('__')) {
      setPath(layer, name.slice('BOURSE_'.length).split('__').map(camelCase), rawValue(value));
    }
  }
  return layer;
}

function overridesLayer(overrides: readonly string[], problems: string[]): Layer {
  const layer: Layer = {};
  for (const entry of overrides) {
    const eq = entry.indexOf('=');
    const path = entry.slice(0, eq).split('.');
    if (eq <= 0 || path.some((k) => k === '')) {
      problems.push(`override "${entry}": expected dotted.key=value`);
    } else if (path.some((k) => SECRET_KEYS.has(k))) {
      problems.push(`override ${path.join('.')}: secrets are not accepted on the command line; ${SECRET_HINT}`);
    } else {
      setPath(layer, path, rawValue(entry.slice(eq + 1)));
    }
  }
  return layer;
}

/** Removes secret keys at any depth, reporting each, so they are neither used nor reported twice. */
function stripSecrets(value: unknown, path: string[], found: (path: string) => void): void {
  if (!isPlainObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (SECRET_KEYS.has(key)) {
      found([...path, key].join('.'));
      delete value[key];
    } else {
      stripSecrets(child, [...path, key], found);
    }
  }
}

/** Text stays text for the schema to coerce, except JSON lists and objects. */
function rawValue(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const camelCase = (snake: string): string =>
  snake.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function setPath(target: Layer, path: readonly string[], value: unknown): void {
  let node = target;
  path.slice(0, -1).forEach((key) => {
    const next = node[key];
    node = isPlainObject(next) ? next : (node[key] = {});
  });
  node[path[path.length - 1]!] = value;
}

function isPlainObject(v: unknown): v is Layer {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergeLayers(...layers: Layer[]): Layer {
  const out: Layer = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      const prev = out[key];
      out[key] = isPlainObject(prev) && isPlainObject(value) ? mergeLayers(prev, value) : value;
    }
  }
  return out;
}

// ---- error lines ----

const TYPE_NAMES: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

function formatPath(path: readonly PropertyKey[]): string {
  const text = path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i > 0 ? '.' : ''}${String(k)}`)).join('');
  return text === '' ? '(root)' : text;
}

function showValue(v: unknown): string {
  const text = typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** One line per wrong key: path, the bad value (never a secret's) and why. */
function describeIssue(issue: z.core.$ZodIssue): string[] {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => `${formatPath([...issue.path, k])}: is not a known setting`);
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return [`${path}: is required (expected ${TYPE_NAMES[issue.expected] ?? issue.expected})`];
  }
  if (issue.input === undefined) return [`${path}: ${issue.message}`];
  const value = issue.path[0] === 'secrets' ? '[redacted]' : showValue(issue.input);
  return [`${path}: ${value} ${why(issue)}`];
}

function why(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `is not ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_big':
      if (issue.origin === 'string') return `is too long (max ${issue.maximum} characters)`;
      if (issue.origin === 'array') return `has too many items (max ${issue.maximum})`;
      return issue.inclusive ? `is too big (max ${issue.maximum})` : `is too big (must be below ${issue.maximum})`;
    case 'too_small':
      if (issue.origin === 'string') return `is too short (min ${issue.minimum} characters)`;
      if (issue.origin === 'array') return `has too few items (min ${issue.minimum})`;
      return issue.inclusive ? `is too small (min ${issue.minimum})` : `is too small (must be above ${issue.minimum})`;
    case 'invalid_value':
      return `is not one of ${issue.values.map(String).join(', ')}`;
    default:
      return issue.message;
  }
}

// ---- display ----

/** A deep copy with every secret replaced by '[redacted]' (absent secrets stay absent). */
export function redactConfig(cfg: BourseConfig): BourseConfig {
  const copy = structuredClone(cfg);
  for (const key of SECRET_NAMES) {
    if (copy.secrets[key] !== undefined) copy.secrets[key] = '[redacted]';
  }
  return copy;
}

/** The redacted configuration as YAML, for `bourse config` and the startup log. */
export function formatConfig(cfg: BourseConfig): string {
  return stringifyYaml(redactConfig(cfg));
}
