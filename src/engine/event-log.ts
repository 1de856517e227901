/**
 * EventLog: a bus tap that writes every message (market data optional) as one JSON line
 * `{"seq":n,"topic":...,"msg":...}`. Values serialize through their toJSON (decimal strings),
 * so the same run produces a byte-identical log. Writes are buffered and synchronous so a
 * backtest's log is complete when the run returns.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { MessageBus } from '../core/bus.js';
import type { Topic } from '../core/topics.js';
import { decimalDigits } from '../core/digits.js';

const DATA_TOPICS: ReadonlySet<Topic> = new Set(['data.quote', 'data.trade', 'data.bar']);
const FLUSH_BYTES = 1 << 16;

export interface EventLogOptions {
  /** Include market data records (large); default false. */
  includeData?: boolean;
}

export class EventLog {
  private seq = 0;
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private fd: number | undefined;
  private readonly detach: () => void;

  /** Logs to a file when `path` is given, otherwise keeps lines in memory (see lines()). */
  constructor(bus: MessageBus, path?: string, opts: EventLogOptions = {}) {
    if (path) this.fd = openSync(path, 'w');
    const includeData = opts.includeData ?? false;
    this.detach = bus.tap((topic, msg) => {
      if (!includeData && DATA_TOPICS.has(topic)) return;
      const line = `{"seq":${decimalDigits(++this.seq)},"topic":"${topic}","msg":${JSON.stringify(msg, bigintReplacer)}}\n`;
      this.buffer.push(line);
      if (this.fd !== undefined) {
        this.bufferedBytes += line.length;
        if (this.bufferedBytes >= FLUSH_BYTES) this.flush();
      }
    });
  }

  get count(): number {
    return this.seq;
  }

  /** In-memory lines (only when logging without a file). */
  lines(): readonly string[] {
    return this.buffer;
  }

  flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
    this.bufferedBytes = 0;
  }

  close(): void {
    this.detach();
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** JSON replacer for bigint values (written as decimal strings). */
export function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
