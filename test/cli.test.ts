/**
 * The command line as a user meets it: the compiled `bourse` binary in a child process.
 * Bad input prints one clear line and exits non-zero without a stack trace; a backtest prints
 * its summary, `--json` one JSON object, and `--out` writes its files.
 * (`npm test` compiles the project before running the tests.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = 'dist/src/cli.js';

function bourse(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectOneLineError(r: ReturnType<typeof bourse>, fragment: string) {
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(fragment);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(r.stdout).toBe('');
}

describe('bourse CLI', () => {
  it('is built (npm test compiles the project first)', () => {
    expect(existsSync(CLI), `${CLI} is missing: run npm run build`).toBe(true);
  });

  it('backtests the shipped file and prints the summary', () => {
    const r = bourse('backtest', '--data', 'data/sp500-2019-2020.csv', '--strategy', 'ma_cross', '--param', 'size=10');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('final equity    99337.45 USD');
    expect(r.stdout).toContain('round trips 3');
  });

  it('prints one JSON object with --json and writes the event log, fills and equity with --out', () => {
    const out = mkdtempSync(join(tmpdir(), 'bourse-cli-'));
    const r = bourse('backtest', '--data', 'data/sp500-2019-2020.csv', '--strategy', 'ma_cross', '--param', 'size=10', '--json', '--out', out);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ finalEquity: '99337.45', roundTrips: 3, fills: 7 });
    expect(readFileSync(join(out, 'fills.csv'), 'utf8').trim().split('\n')).toHaveLength(8);
    const events = readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n');
    expect(events.length).toBeGreaterThan(20);
    expect(JSON.parse(events[0]!)).toHaveProperty('topic');
    expect(existsSync(join(out, 'equity.csv'))).toBe(true);
  });

  it('backtests the synthetic market on quote mids by default (it makes no bars)', () => {
    const r = bourse('backtest', '--synthetic', '3000', '--strategy', 'ma_cross', '--param', 'fast=5', '--param', 'slow=20', '--json');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { orders: number }).orders).toBeGreaterThan(10);
    // An explicit source still wins: bars never come, so nothing trades.
    const bars = bourse('backtest', '--synthetic', '3000', '--strategy', 'ma_cross', '--param', 'source=bar', '--json');
    expect((JSON.parse(bars.stdout) as { orders: number }).orders).toBe(0);
  });

  it('counts risk denials by reason with --risk', () => {
    const r = bourse('backtest', '--data', 'data/sp500-2019-2020.csv', '--strategy', 'ma_cross', '--param', 'size=10', '--risk', 'maxOrderQty=5', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).denials).toEqual({ MAX_ORDER_QTY: 4 });
  });

  it('rejects an unknown flag, a missing file, a bad parameter and a bad risk key in one line each', () => {
    expectOneLineError(bourse('backtest', '--bogus'), "Unknown option '--bogus'");
    expectOneLineError(bourse('backtest', '--data', 'nope.csv', '--strategy', 'ma_cross'), 'data file nope.csv does not exist');
    expectOneLineError(bourse('backtest', '--data', 'data/sp500-2019-2020.csv', '--strategy', 'ma_cross', '--param', 'fast=abc'), 'ma_cross param fast: "abc" is not a positive integer');
    expectOneLineError(bourse('backtest', '--data', 'data/sp500-2019-2020.csv', '--strategy', 'nope'), 'unknown strategy "nope"');
    expectOneLineError(bourse('backtest', '--data', 'data/sp500-2019-2020.csv', '--strategy', 'ma_cross', '--risk', 'maxFoo=5'), 'risk.maxFoo');
    expectOneLineError(bourse('frobnicate'), 'unknown command "frobnicate"');
  });

  it('names the file, line and column of a malformed CSV row and loads nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bourse-csv-'));
    const file = join(dir, 'ACME.csv');
    writeFileSync(file, 'date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,abc,10,11,100\n');
    expectOneLineError(bourse('backtest', '--data', file, '--strategy', 'ma_cross'), `${file} line 3, column "high": "abc"`);
  });

  it('prints the effective config with secrets redacted', () => {
    const r = spawnSync(process.execPath, [CLI, 'config', 'print'], { encoding: 'utf8', env: { ...process.env, BOURSE_API_TOKEN: 'canary-secret-token-0123456789abcdef' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('profile: development');
    expect(r.stdout).not.toContain('canary-secret-token');
  });
});
