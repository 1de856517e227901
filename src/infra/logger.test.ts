import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { configSchema, type LoggingConfig } from './config.js';
import { componentLogger, createLogger, REDACTED } from './logger.js';

const CANARY = 'CANARY-b41d-should-never-be-logged';

function logging(overrides: Partial<LoggingConfig> = {}): LoggingConfig {
  return { ...configSchema.parse({}).logging, ...overrides };
}

/** A destination that keeps every JSON line in memory. */
function memory(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, lines };
}

describe('createLogger', () => {
  it('writes JSON lines with the profile and an ISO time, at the configured level', () => {
    const { stream, lines } = memory();
    const logger = createLogger(logging({ level: 'info' }), 'staging', { destination: stream });
    logger.debug('dropped');
    logger.info({ orderId: 'O-1' }, 'order sent');
    expect(lines()).toEqual([expect.objectContaining({ level: 30, profile: 'staging', orderId: 'O-1', msg: 'order sent' })]);
    expect(lines()[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('gives component children their configured level and tag', () => {
    const { stream, lines } = memory();
    const root = createLogger(logging({ level: 'info', levels: { risk: 'trace', data: 'error' } }), 'production', {
      destination: stream,
    });
    const risk = componentLogger(root, 'risk');
    risk.trace('risk trace');
    root.child({ component: 'data' }).warn('data warn dropped');
    root.child({ component: 'data' }).error('data error');
    componentLogger(root, 'other').debug('other debug dropped');
    risk.child({ orderId: 'O-2' }).trace('grandchild keeps the component level');
    expect(lines().map((l) => [l.component, l.msg])).toEqual([
      ['risk', 'risk trace'],
      ['data', 'data error'],
      ['risk', 'grandchild keeps the component level'],
    ]);
  });

  it('censors secret-looking fields at any depth', () => {
    const { stream, lines } = memory();
    const logger = createLogger(logging(), 'development', { destination: stream });
    logger.info(
      {
        token: CANARY,
        apiToken: CANARY,
        req: { headers: { authorization: `Bearer ${CANARY}`, host: 'example.test' } },
        db: { postgresUrl: CANARY, password: CANARY },
        venue: { session: { auth: { secret: CANARY, apiKey: CANARY } } },
        config: { secrets: { apiToken: CANARY } },
        list: [{ token: CANARY }],
      },
      'connected',
    );
    componentLogger(logger, 'server').info({ client: { token: CANARY } }, 'ws client');
    const text = JSON.stringify(lines());
    expect(text).not.toContain(CANARY);
    expect(lines()[0]).toMatchObject({
      token: REDACTED,
      req: { headers: { authorization: REDACTED, host: 'example.test' } },
      venue: { session: { auth: { secret: REDACTED } } },
      config: { secrets: REDACTED },
    });
  });
});

describe('file destination (staging and production)', () => {
  it('writes JSON to a rotating file and errors also to a separate error file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bourse-logs-'));
    const logger = createLogger(logging({ dir, level: 'info', levels: { risk: 'debug' } }), 'production');
    logger.info({ apiToken: CANARY }, 'started');
    componentLogger(logger, 'risk').debug('risk debug');
    logger.error({ err: new Error('venue down') }, 'failed');

    // The files are written by a worker thread: wait until the last line has arrived in both.
    const read = (prefix: string) => {
      const name = existsSync(dir) ? readdirSync(dir).find((f) => f.startsWith(`${prefix}.`)) : undefined;
      return name ? readFileSync(join(dir, name), 'utf8') : '';
    };
    await vi.waitFor(
      () => {
        expect(read('bourse')).toContain('"msg":"failed"');
        expect(read('bourse-error')).toContain('"msg":"failed"');
      },
      { timeout: 20_000, interval: 20 },
    );
    const main = read('bourse').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(main.map((l) => l.msg)).toEqual(['started', 'risk debug', 'failed']);
    expect(main[0]).toMatchObject({ apiToken: REDACTED, profile: 'production' });
    const errors = read('bourse-error').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(errors.map((l) => l.msg)).toEqual(['failed']);
    expect(readdirSync(dir).sort()).toEqual(['bourse-error.1.log', 'bourse.1.log']);
    expect(read('bourse') + read('bourse-error')).not.toContain(CANARY);
  });
});
