/**
 * The journaled paper session (openPaperSession) across restarts: the risk engine's equity bases
 * (the trading day's starting equity, the equity peak) come back from the journal, from its
 * records or, once the journal is pruned, from its snapshot, so a restart neither forgets the
 * day's losses nor lowers the drawdown's peak.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from './infra/config.js';
import { openPaperSession, paperPresetFromConfig } from './kernel.js';
import { RecordKind, readAll, type JournalStore } from './persistence/journal.js';
import { MemoryJournalStore } from './persistence/memory-journal.js';
import type { RiskBaselines } from './risk/risk-engine.js';

const preset = paperPresetFromConfig(loadConfig({ env: {}, overrides: ['engine.seed=3'] }));

async function restart(store: JournalStore) {
  const session = await openPaperSession(preset, { store, snapshotEvery: 2 });
  const risk = session.risk!.risk;
  return { session, risk };
}

async function journaledBases(store: JournalStore): Promise<RiskBaselines[]> {
  const out: RiskBaselines[] = [];
  for await (const r of readAll(store)) if (r.kind === RecordKind.riskBaselines) out.push(JSON.parse(r.data) as RiskBaselines);
  return out;
}

describe('a journaled paper session restarted', () => {
  it('counts the daily loss and the drawdown from the bases it had before, read from records or from a snapshot', async () => {
    const store = new MemoryJournalStore();
    const first = await restart(store);
    first.session.engine.run(() => first.risk.evaluate());
    const fresh = first.risk.baselines()!;
    expect(fresh).toMatchObject({ dayStartEquityRaw: '10000000', peakEquityRaw: '10000000' });
    // Earlier today equity was higher: the journal holds those bases.
    const earlier: RiskBaselines = { day: fresh.day, dayStartEquityRaw: '10500000', peakEquityRaw: '11000000' };
    first.session.recorder.recordRiskBaselines(earlier);
    await first.session.journal.flush();

    const second = await restart(store);
    expect(second.risk.baselines()).toEqual(earlier);
    expect(second.risk.summary()).toMatchObject({ dayStartEquity: '105000.00 USD', peakEquity: '110000.00 USD' });
    // The restart journals the bases it runs on, and its snapshot holds them too.
    expect((await journaledBases(store)).at(-1)).toEqual(earlier);
    await second.session.journal.flush();
    const snapshot = (await store.latestSnapshot())!;
    expect(JSON.parse(snapshot.state)).toMatchObject({ riskBaselines: earlier });

    // Pruned up to that snapshot, the journal still brings them back.
    await store.prune(Number.MAX_SAFE_INTEGER);
    const third = await restart(store);
    expect(third.risk.baselines()).toEqual(earlier);
    const journaled = (await journaledBases(store)).length;
    third.session.engine.run(() => third.risk.evaluate()); // the same day, below the peak: nothing moves
    await third.session.journal.flush();
    expect(await journaledBases(store)).toHaveLength(journaled);
  });
});
