import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, formatConfig, loadConfig, redactConfig, type LoadConfigOptions } from './config.js';
import { createLogger } from './logger.js';

const TOKEN = 'a-strong-api-token-of-32-chars-xx';
const CANARY = 'CANARY-7f3c9e-never-print-me-0123456789';

/** A fresh empty working directory, so no stray `.env` is read. */
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'bourse-config-'));

function write(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function load(options: LoadConfigOptions = {}) {
  return loadConfig({ env: {}, cwd: tempDir(), ...options });
}

function problems(options: LoadConfigOptions): readonly string[] {
  try {
    load(options);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('profiles', () => {
  it('an empty config is a complete development config', () => {
    const cfg = load();
    expect(cfg).toEqual(configSchema.parse({}));
    expect(cfg.profile).toBe('development');
    expect(cfg.logging.level).toBe('debug');
    expect(cfg.server).toEqual({ host: '127.0.0.1', port: 8420, corsOrigins: [], wsWriters: 0 });
    expect(cfg.engine).toMatchObject({ baseCurrency: 'USD', initialCapital: '100000', seed: 42, latencyMs: 0 });
    expect(cfg.market.instruments.map((i) => i.symbol)).toEqual(['BTC-USD', 'ETH-USD', 'SOL-USD']);
    expect(cfg.strategies.map((s) => s.name)).toEqual(['ma_cross']);
    expect(cfg.persistence).toMatchObject({ kind: 'sqlite', sqlitePath: join('data', 'bourse.sqlite') });
    expect(cfg.risk.maxOrderNotional).toBeUndefined();
  });

  it.each(['staging', 'production'] as const)('%s loads with a strong token and logs at info', (profile) => {
    const cfg = load({ env: { BOURSE_PROFILE: profile, BOURSE_API_TOKEN: TOKEN } });
    expect(cfg.profile).toBe(profile);
    expect(cfg.logging.level).toBe('info');
    expect(cfg.server.host).toBe('127.0.0.1');
    expect(cfg.persistence.kind).toBe('sqlite');
    expect(cfg.secrets.apiToken).toBe(TOKEN);
  });

  it('production has stricter risk limits than development', () => {
    const dev = load().risk;
    const prod = load({ env: { BOURSE_PROFILE: 'production', BOURSE_API_TOKEN: TOKEN } }).risk;
    expect(prod.maxDrawdown).toBeLessThan(dev.maxDrawdown);
    expect(prod.dailyLossLimit).toBeLessThan(dev.dailyLossLimit);
    expect(prod.fatFingerBps).toBeLessThan(dev.fatFingerBps);
    expect(prod.maxOrdersPerSecond).toBeLessThan(dev.maxOrdersPerSecond);
    expect(prod.maxOrderNotional).toBeDefined();
    expect(prod.autoActions.flattenOnHalt).toBe(true);
  });

  it.each(['staging', 'production'])('%s refuses a missing or weak token without printing it', (profile) => {
    expect(problems({ env: { BOURSE_PROFILE: profile } })).toEqual([
      expect.stringMatching(new RegExp(`^secrets.apiToken: is missing: the ${profile} profile .* at least 32 characters`)),
    ]);
    const weak = problems({ env: { BOURSE_PROFILE: profile, BOURSE_API_TOKEN: 'short-secret' } });
    expect(weak).toEqual([expect.stringContaining('secrets.apiToken: [redacted] is too weak')]);
    expect(weak.join('\n')).not.toContain('short-secret');
  });

  it('the profile can come from the config file', () => {
    const dir = tempDir();
    const file = write(dir, 'bourse.yaml', 'profile: staging\n');
    expect(loadConfig({ file, cwd: dir, env: { BOURSE_API_TOKEN: TOKEN } }).logging.level).toBe('info');
  });
});

describe('invalid values', () => {
  it.each([
    ['BOURSE_SERVER__PORT', '70000', 'server.port: 70000 is too big (max 65535)'],
    ['BOURSE_PORT', 'http', 'server.port: "http" is not a number'],
    ['BOURSE_ENGINE__SEED', '1.5', 'engine.seed: 1.5 is not an integer'],
    ['BOURSE_ENGINE__LATENCY_MS', '-1', 'engine.latencyMs: -1 is too small (min 0)'],
    ['BOURSE_ENGINE__INITIAL_CAPITAL', 'lots', 'engine.initialCapital: "lots" is not a decimal number like "0.01"'],
    ['BOURSE_ENGINE__INITIAL_CAPITAL', '0', 'engine.initialCapital: "0" must be greater than zero'],
    ['BOURSE_ENGINE__BASE_CURRENCY', 'usd', 'engine.baseCurrency: "usd" is not a currency code like "USD"'],
    ['BOURSE_PROFILE', 'prod', 'profile: "prod" is not one of development, staging, production'],
    ['BOURSE_LOG_LEVEL', 'loud', 'logging.level: "loud" is not one of fatal, error, warn, info, debug, trace, silent'],
    ['BOURSE_LOGGING__ROTATE_SIZE', '10 MB', 'logging.rotateSize: "10 MB" is not a size like "10m" (k, m or g)'],
    ['BOURSE_RISK__MAX_DRAWDOWN', '1.5', 'risk.maxDrawdown: 1.5 is too big (max 1)'],
    ['BOURSE_RISK__FAT_FINGER_BPS', '0', 'risk.fatFingerBps: 0 is too small (must be above 0)'],
    ['BOURSE_RISK__TIME_ZONE', 'Mars/Olympus', 'risk.timeZone: "Mars/Olympus" is not a known IANA time zone'],
    ['BOURSE_RISK__AUTO_ACTIONS__FLATTEN_ON_HALT', 'maybe', 'risk.autoActions.flattenOnHalt: "maybe" is not true or false'],
    ['BOURSE_SERVER__BOGUS', '1', 'server.bogus: is not a known setting'],
    ['BOURSE_PERSISTENCE__KIND', 'postgres', 'secrets.postgresUrl: is required when persistence.kind is "postgres": set BOURSE_POSTGRES_URL'],
    ['BOURSE_POSTGRES_URL', 'mysql://x', 'secrets.postgresUrl: [redacted] is not a postgres:// URL'],
  ])('%s=%s', (name, value, message) => {
    expect(problems({ env: { [name]: value } })).toEqual([message]);
  });

  it('reports every wrong key at once, each with its path', () => {
    const found = problems({ env: { BOURSE_PORT: '70000', BOURSE_ENGINE__SEED: 'x' }, overrides: ['risk.maxDrawdown=2', 'server.nope=1'] });
    expect(found).toEqual(
      expect.arrayContaining([
        'server.port: 70000 is too big (max 65535)',
        'engine.seed: "x" is not a number',
        'risk.maxDrawdown: 2 is too big (max 1)',
        'server.nope: is not a known setting',
      ]),
    );
    expect(found).toHaveLength(4);
  });

  it('checks instruments, correlation and strategy symbols against each other', () => {
    const instruments = JSON.stringify([
      { symbol: 'AAA', tickSize: '0.01', sizeStep: '1', minSize: '1', initialPrice: '10.005' },
      { symbol: 'AAA', tickSize: '0.5', sizeStep: '0.3', minSize: '1', initialPrice: '10' },
    ]);
    const found = problems({
      overrides: [`market.instruments=${instruments}`, 'market.correlation=[[1,0.2],[0.3,1]]', 'strategies=[{"name":"x","instruments":["AAA","ZZZ"]}]'],
    });
    expect(found).toEqual([
      'market.instruments[0].initialPrice: "10.005" is not a multiple of tick 0.01 for AAA',
      'market.instruments[1].symbol: "AAA" is listed twice',
      'market.instruments[1].minSize: "1" is not a multiple of size step 0.3 for AAA',
      'market.correlation[0][1]: 0.2 differs from [1][0]: the matrix must be symmetric',
      'strategies[0].instruments[1]: "ZZZ" is not a configured instrument',
    ]);
    expect(problems({ overrides: ['market.correlation=[[1,0],[0,1]]'] })).toEqual([
      'market.correlation: [[1,0],[0,1]] must be a 3x3 matrix, one row and column per instrument',
    ]);
  });

  it('reports unreadable and malformed files', () => {
    const dir = tempDir();
    expect(problems({ file: join(dir, 'missing.yaml') })).toEqual([expect.stringMatching(/^config file .*missing.yaml: cannot be read/)]);
    expect(problems({ file: write(dir, 'c.toml', '') })).toEqual([expect.stringContaining('unknown extension ".toml"')]);
    expect(problems({ file: write(dir, 'c.json', '{ nope') })).toEqual([expect.stringContaining('cannot be parsed')]);
    expect(problems({ file: write(dir, 'l.yaml', '- 1\n') })).toEqual([expect.stringContaining('must contain a mapping')]);
    expect(problems({ overrides: ['server.port'] })).toEqual(['override "server.port": expected dotted.key=value']);
  });
});

describe('sources and precedence', () => {
  it('reads YAML and JSON files; env values are coerced by field type', () => {
    const dir = tempDir();
    const yaml = write(dir, 'b.yml', 'server:\n  port: 9001\nrisk:\n  maxOrderQty: 5\n');
    expect(loadConfig({ file: yaml, cwd: dir, env: {} })).toMatchObject({ server: { port: 9001 }, risk: { maxOrderQty: '5' } });
    const json = write(dir, 'b.json', '{"engine": {"dataDir": "/var/bourse"}}');
    expect(loadConfig({ file: json, cwd: dir, env: {} }).persistence.sqlitePath).toBe(join('/var/bourse', 'bourse.sqlite'));

    const cfg = load({
      env: {
        BOURSE_SHUTDOWN__CANCEL_ORDERS_ON_SHUTDOWN: 'false',
        BOURSE_RISK__MAX_ORDER_NOTIONAL: '2500.50',
        BOURSE_SERVER__CORS_ORIGINS: 'http://a.test, http://b.test',
        BOURSE_LOGGING__LEVELS: '{"risk":"trace"}',
        BOURSE_ENGINE__LATENCY_MS: '15',
      },
    });
    expect(cfg.shutdown.cancelOrdersOnShutdown).toBe(false);
    expect(cfg.risk.maxOrderNotional).toBe('2500.50');
    expect(cfg.server.corsOrigins).toEqual(['http://a.test', 'http://b.test']);
    expect(cfg.logging.levels).toEqual({ risk: 'trace' });
    expect(cfg.engine.latencyMs).toBe(15);
  });

  it('profile defaults < file < .env < environment < CLI overrides', () => {
    const dir = tempDir();
    const file = write(dir, 'bourse.yaml', 'server:\n  port: 1001\n  host: 0.0.0.0\nengine:\n  seed: 1\n  latencyMs: 1\nlogging:\n  level: warn\n');
    write(dir, '.env', 'BOURSE_SERVER__PORT=1002\nBOURSE_ENGINE__SEED=2\nBOURSE_LOG_LEVEL=error\n');
    const at = (env: NodeJS.ProcessEnv, overrides: string[] = []) => loadConfig({ file, cwd: dir, env, overrides });

    const fromFiles = at({});
    expect(fromFiles.engine.latencyMs).toBe(1); // file over profile default (0)
    expect(fromFiles.server.host).toBe('0.0.0.0');
    expect(fromFiles.engine.seed).toBe(2); // .env over file
    expect(fromFiles.logging.level).toBe('error');
    expect(fromFiles.server.port).toBe(1002);

    const fromEnv = at({ BOURSE_SERVER__PORT: '1003', BOURSE_PORT: '1004' });
    expect(fromEnv.server.port).toBe(1003); // environment over .env; long form over alias
    expect(at({ BOURSE_PORT: '1004' }).server.port).toBe(1004);
    expect(at({ BOURSE_PORT: '1004' }, ['server.port=1005']).server.port).toBe(1005); // CLI over everything
    // A later source overrides key by key: the file's host survives the port from the CLI.
    expect(at({}, ['server.port=1005']).server.host).toBe('0.0.0.0');
  });

  it('does not inject .env into process.env', () => {
    const dir = tempDir();
    write(dir, '.env', 'BOURSE_TEST_ONLY_MARKER=1\nBOURSE_SERVER__PORT=1234\n');
    expect(loadConfig({ cwd: dir, env: {} }).server.port).toBe(1234);
    expect(process.env.BOURSE_TEST_ONLY_MARKER).toBeUndefined();
  });

  it('a profile override from the CLI selects that profile’s defaults', () => {
    expect(load({ env: { BOURSE_API_TOKEN: TOKEN }, overrides: ['profile=production'] }).risk.fatFingerBps).toBe(200);
  });
});

describe('secrets', () => {
  it('come from the environment or a secrets file (JSON or KEY=VALUE); the environment wins', () => {
    const dir = tempDir();
    const kv = write(dir, 'secrets.env', `BOURSE_API_TOKEN=${TOKEN}\nBOURSE_POSTGRES_URL=postgres://u:p@db/bourse\n`);
    expect(loadConfig({ cwd: dir, env: { BOURSE_SECRETS_FILE: kv } }).secrets).toEqual({
      apiToken: TOKEN,
      postgresUrl: 'postgres://u:p@db/bourse',
    });
    const json = write(dir, 'secrets.json', JSON.stringify({ apiToken: TOKEN }));
    expect(loadConfig({ cwd: dir, env: { BOURSE_SECRETS_FILE: 'secrets.json' } }).secrets.apiToken).toBe(TOKEN);
    expect(loadConfig({ cwd: dir, env: { BOURSE_SECRETS_FILE: json, BOURSE_API_TOKEN: CANARY } }).secrets.apiToken).toBe(CANARY);
    expect(problems({ env: { BOURSE_SECRETS_FILE: write(dir, 'bad.env', 'BOURSE_API_TOKN=x\n') } })).toEqual([
      expect.stringContaining('"BOURSE_API_TOKN" is not a known secret'),
    ]);
  });

  it('a secret in the config file or on the command line is an error that says so', () => {
    const dir = tempDir();
    const file = write(dir, 'c.yaml', `persistence:\n  postgresUrl: postgres://u:${CANARY}@db/x\nsecrets:\n  apiToken: ${CANARY}\n`);
    const found = problems({ file });
    expect(found).toEqual([
      expect.stringMatching(/^persistence.postgresUrl: secrets are not allowed in the config file; set BOURSE_API_TOKEN/),
      expect.stringMatching(/^secrets: secrets are not allowed in the config file/),
    ]);
    expect(problems({ overrides: [`secrets.apiToken=${CANARY}`] })).toEqual([
      expect.stringMatching(/^override secrets.apiToken: secrets are not accepted on the command line/),
    ]);
    expect(found.join('\n')).not.toContain(CANARY);
  });

  it('a planted canary never appears in formatConfig or in log output', () => {
    const cfg = load({
      env: { BOURSE_PROFILE: 'production', BOURSE_API_TOKEN: CANARY, BOURSE_POSTGRES_URL: `postgres://bourse:${CANARY}@db/x` },
    });
    expect(cfg.secrets.apiToken).toBe(CANARY);

    const text = formatConfig(cfg);
    expect(text).not.toContain(CANARY);
    expect(text).toContain('apiToken: "[redacted]"');
    expect(redactConfig(cfg).secrets).toEqual({ apiToken: '[redacted]', postgresUrl: '[redacted]' });
    expect(cfg.secrets.apiToken).toBe(CANARY); // redaction copies

    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger(cfg.logging, cfg.profile, { destination: sink });
    logger.info({ config: cfg }, 'effective configuration');
    logger.child({ component: 'persistence' }).warn({ persistence: { ...cfg.persistence, postgresUrl: cfg.secrets.postgresUrl } }, 'connecting');
    logger.info({ secrets: cfg.secrets }, 'secrets');
    expect(lines).toHaveLength(3);
    expect(lines.join('')).not.toContain(CANARY);
  });
});
