/** ServerMetrics: WebSocket counters stay monotonic when /metrics scrapes overlap. */
import { describe, expect, it } from 'vitest';
import { LiveState } from './live-state.js';
import { ServerMetrics } from './metrics.js';
import { emptyStats, type WsHubStats } from './ws-fanout.js';
import { buildDesk } from './test-kit.js';

const sent = (text: string): number => Number(/^bourse_ws_messages_sent_total (\d+)$/m.exec(text)?.[1]);

describe('ServerMetrics', () => {
  it('an older stats reading that arrives after a newer one is not applied: the counter neither goes back nor counts twice', async () => {
    const desk = buildDesk();
    const state = new LiveState(desk.engine);
    const answers: ((s: WsHubStats) => void)[] = [];
    const metrics = new ServerMetrics({ engine: desk.engine, risk: desk.risk, state, ws: { stats: () => new Promise((resolve) => answers.push(resolve)) } });
    const first = metrics.render();
    const second = metrics.render();
    answers[1]!({ ...emptyStats(), messagesSent: 20 });
    expect(sent(await second)).toBe(20);
    answers[0]!({ ...emptyStats(), messagesSent: 10 });
    expect(sent(await first)).toBe(20);
    const third = metrics.render();
    answers[2]!({ ...emptyStats(), messagesSent: 20 });
    expect(sent(await third)).toBe(20);
    metrics.stop();
    state.dispose();
  });
});
