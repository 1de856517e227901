import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import type { Bar } from '../model/data.js';
import { Instrument } from '../model/instrument.js';
import { BTC_USD, SPX } from './builtin-instruments.js';
import { CsvError, DAY_MS, loadBarsCsv, loadQuotesCsv, loadTradesCsv } from './csv.js';

const dir = mkdtempSync(join(tmpdir(), 'bourse-csv-'));

function file(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

function csvError(load: () => unknown): CsvError {
  try {
    load();
  } catch (e) {
    if (e instanceof CsvError) return e;
    throw e;
  }
  throw new Error('expected a CsvError');
}

const BAR_HEADER = 'date,open,high,low,close,adjclose,volume';

/** The error of a bar file whose third line (second data row) is `row`. */
function badBar(row: string, opts = {}): string {
  const path = file('bars.csv', [BAR_HEADER, '2019-01-02,10.00,11.00,9.00,10.50,10.50,100', row]);
  return csvError(() => loadBarsCsv(path, SPX, opts)).message.replace(`${path} `, '');
}

describe('loadBarsCsv', () => {
  it('loads daily bars stamped at the next midnight UTC, ignoring extra columns', () => {
    const path = file('spx.csv', [BAR_HEADER, '2019-01-02,10.00,11.00,9.00,10.50,10.49,100', '2019-01-03,10.5,10.75,10.25,10.25,0,2500.0', '']);
    const src = loadBarsCsv(path, SPX);
    expect(src.instruments).toEqual([SPX]);
    const [a, b] = src.records();
    expect(a).toEqual<Bar>({
      kind: 'bar',
      instrumentId: 'SPX',
      intervalMs: DAY_MS,
      open: SPX.price('10.00'),
      high: SPX.price('11.00'),
      low: SPX.price('9.00'),
      close: SPX.price('10.50'),
      volume: SPX.quantity(100),
      ts: Date.UTC(2019, 0, 3),
    });
    expect(b!.ts).toBe(Date.UTC(2019, 0, 4));
    expect(b!.volume.toString()).toBe('2500');
  });

  it('infers an intraday interval from the smallest gap, accepts datetimes and epoch ms', () => {
    const t0 = Date.UTC(2024, 4, 1, 9, 30);
    const path = file('intraday.csv', [
      'Timestamp,Open,High,Low,Close,Volume',
      `2024-05-01T09:30:00Z,1,1,1,1,0`,
      `2024-05-01 10:31:00+01:00,1,1,1,1,0`,
      `${t0 + 300_000},1,1,1,1,0`,
    ]);
    const bars = loadBarsCsv(path, SPX).records();
    expect(bars.map((b) => b.ts - t0)).toEqual([60_000, 120_000, 360_000]);
    expect(bars.every((b) => b.intervalMs === 60_000)).toBe(true);
    expect(loadBarsCsv(path, SPX, { intervalMs: 30_000 }).records()[0]!.ts).toBe(t0 + 30_000);
  });

  it('names file, line, column and value for each kind of problem', () => {
    expect(badBar('2019-01-03,10.00,abc,9.00,10.50,0,100')).toBe('line 3, column "high": "abc" is not a decimal number');
    expect(badBar('2019-01-03,NaN,11.00,9.00,10.50,0,100')).toBe('line 3, column "open": "NaN" is not a finite number');
    expect(badBar('2019-01-03,10.00,11.00,9.00,-Infinity,0,100')).toBe('line 3, column "close": "-Infinity" is not a finite number');
    expect(badBar('2019-01-03,10.00,11.00,9.005,10.50,0,100')).toBe('line 3, column "low": "9.005" is not a multiple of tick 0.01 for SPX');
    expect(badBar('2019-01-03,10.00,11.00,9.00,10.50,0,-100')).toBe('line 3, column "volume": "-100" is negative');
    expect(badBar('2019-01-03,10.00,11.00,9.00,10.50,0,100.5')).toBe(
      'line 3, column "volume": "100.5" has more decimals than the size step 1 for SPX allows (sizes are never rounded)',
    );
    expect(badBar('2019-01-03,10.00,10.25,9.00,10.50,0,100')).toBe('line 3, column "high": "10.25" is below max(open, close) = 10.50');
    expect(badBar('2019-01-03,10.00,11.00,10.25,10.50,0,100')).toBe('line 3, column "low": "10.25" is above min(open, close) = 10.00');
    expect(badBar('2019-01-01,10.00,11.00,9.00,10.50,0,100')).toBe('line 3, column "date": "2019-01-01" is earlier than the previous row\'s "2019-01-02"');
    expect(badBar('2019-01-02,10.00,11.00,9.00,10.50,0,100')).toBe('line 3, column "date": "2019-01-02" repeats the previous row\'s time "2019-01-02"');
    expect(badBar('2019-02-30,10.00,11.00,9.00,10.50,0,100')).toBe(
      'line 3, column "date": "2019-02-30" is not an ISO date, ISO datetime or epoch milliseconds',
    );
    expect(badBar('2019-01-03,10.00,11.00,9.00,10.50,100')).toBe('line 3: 6 columns, expected 7 (date,open,high,low,close,adjclose,volume)');
    expect(badBar('2019-01-02T12:00Z,10.00,11.00,9.00,10.50,0,100', { intervalMs: DAY_MS })).toBe(
      'line 3, column "date": "2019-01-02T12:00Z" opens before the bar opened at "2019-01-02" closes (interval 86400000 ms)',
    );
  });

  it('throws a CsvError, an InputError, with its place', () => {
    const path = file('x.csv', [BAR_HEADER, '2019-01-02,10.00,11.00,9.00,10.50,0,100', '2019-01-03,10.00,11.00,9.00,10.50,0,1e3']);
    const e = csvError(() => loadBarsCsv(path, SPX));
    expect(e).toBeInstanceOf(InputError);
    expect(e.name).toBe('CsvError');
    expect([e.file, e.line, e.column]).toEqual([path, 3, 'volume']);
    expect(e.message).toBe(`${path} line 3, column "volume": "1e3" is not a decimal number`);
  });

  it('rejects a header without the needed columns, a missing file and an uninferable interval', () => {
    const noVolume = file('nov.csv', ['date,open,high,low,close', '2019-01-02,1,1,1,1']);
    expect(csvError(() => loadBarsCsv(noVolume, SPX)).message).toBe(`${noVolume} line 1: missing column "volume" (header: date,open,high,low,close)`);
    const noTime = file('not.csv', ['day,open,high,low,close,volume']);
    expect(csvError(() => loadBarsCsv(noTime, SPX)).message).toMatch(/missing column "date" or "timestamp"/);
    expect(csvError(() => loadBarsCsv(join(dir, 'absent.csv'), SPX)).message).toMatch(/absent\.csv: cannot read the file \(ENOENT/);
    const one = file('one.csv', ['timestamp,open,high,low,close,volume', '1000,1,1,1,1,1']);
    expect(csvError(() => loadBarsCsv(one, SPX)).message).toBe(`${one}: cannot infer the bar interval from 1 row(s); pass intervalMs`);
    expect(loadBarsCsv(one, SPX, { intervalMs: 500 }).records()[0]!.ts).toBe(1_500);
  });
});

describe('loadQuotesCsv', () => {
  it('loads quotes and allows equal timestamps', () => {
    const path = file('q.csv', ['timestamp,bid,ask,bid_size,ask_size', '1000,100.00,100.01,0.5,1.25', '1000,100.01,100.01,0,2']);
    const [a, b] = loadQuotesCsv(path, BTC_USD).records();
    expect([a!.bid.toString(), a!.ask.toString(), a!.bidSize.toString(), a!.askSize.toString(), a!.ts]).toEqual(['100.00', '100.01', '0.5000', '1.2500', 1000]);
    expect(b!.bidSize.isZero).toBe(true);
  });

  it('rejects a crossed quote and a size off the step', () => {
    const crossed = file('q1.csv', ['timestamp,bid,ask,bid_size,ask_size', '1000,100.02,100.01,1,1']);
    expect(csvError(() => loadQuotesCsv(crossed, BTC_USD)).message).toBe(`${crossed} line 2, column "bid": "100.02" is above the ask 100.01`);
    const fine = file('q2.csv', ['timestamp,bid,ask,bid_size,ask_size', '1000,100.00,100.01,1,0.00005']);
    expect(csvError(() => loadQuotesCsv(fine, BTC_USD)).message).toMatch(/line 2, column "ask_size": "0.00005" has more decimals than the size step 0.0001 for BTC-USD/);
    const lots = new Instrument({ symbol: 'LOTS', assetClass: 'EQUITY', quoteCurrency: 'USD', tickSize: '0.05', sizeStep: '100' });
    const offStep = file('q3.csv', ['timestamp,bid,ask,bid_size,ask_size', '1000,10.05,10.10,150,100']);
    expect(csvError(() => loadQuotesCsv(offStep, lots)).message).toBe(`${offStep} line 2, column "bid_size": "150" is not a multiple of the size step 100 for LOTS`);
  });
});

describe('loadTradesCsv', () => {
  it('loads trades with optional side and trade id', () => {
    const path = file('t.csv', ['timestamp,price,size,side,trade_id', '1000,100.00,0.5,BUY,a1', '2000,100.01,1,,', '', '3000,100.02,1,sell,a3']);
    const trades = loadTradesCsv(path, BTC_USD).records();
    expect(trades.map((t) => [t.ts, t.price.toString(), t.size.toString(), t.aggressor, t.tradeId])).toEqual([
      [1000, '100.00', '0.5000', 'BUY', 'a1'],
      [2000, '100.01', '1.0000', 'NONE', 'BTC-USD-3'],
      [3000, '100.02', '1.0000', 'SELL', 'a3'],
    ]);
    const bare = file('t2.csv', ['timestamp,price,size', '1000,100.00,0.5']);
    expect(loadTradesCsv(bare, BTC_USD).records()[0]!.aggressor).toBe('NONE');
  });

  it('rejects a bad side, a zero size and time going backwards', () => {
    const side = file('t3.csv', ['timestamp,price,size,side', '1000,100.00,0.5,up']);
    expect(csvError(() => loadTradesCsv(side, BTC_USD)).message).toBe(`${side} line 2, column "side": "up" is not buy, sell or none`);
    const zero = file('t4.csv', ['timestamp,price,size', '1000,100.00,0']);
    expect(csvError(() => loadTradesCsv(zero, BTC_USD)).message).toBe(`${zero} line 2, column "size": "0" is not positive`);
    const back = file('t5.csv', ['timestamp,price,size', '2000,100.00,1', '1999,100.00,1']);
    expect(csvError(() => loadTradesCsv(back, BTC_USD)).message).toBe(`${back} line 3, column "timestamp": "1999" is earlier than the previous row's "2000"`);
  });
});

describe('shipped data/sp500-2019-2020.csv', () => {
  it('loads as 326 daily SPX bars from 2019-01-02 to 2020-04-17', () => {
    const path = fileURLToPath(new URL('../../data/sp500-2019-2020.csv', import.meta.url));
    const bars = loadBarsCsv(path, SPX).records();
    expect(bars.length).toBe(326);
    const show = (b: Bar): string[] => [b.open, b.high, b.low, b.close, b.volume].map(String);
    expect(bars[0]!.ts).toBe(Date.UTC(2019, 0, 3));
    expect(show(bars[0]!)).toEqual(['2476.96', '2519.49', '2467.47', '2510.03', '3733160000']);
    expect(bars[325]!.ts).toBe(Date.UTC(2020, 3, 18));
    expect(show(bars[325]!)).toEqual(['2842.43', '2879.22', '2830.88', '2874.56', '5792140000']);
  });
});
