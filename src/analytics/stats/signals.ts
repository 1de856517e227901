/**
 * How well each strategy's signals turn into orders and winning trades, keyed by (strategy,
 * signal type): signals, orders created, orders denied by reason code, trades won and lost, the
 * average return per signal and per resolved trade, and the hit rate per confidence bucket
 * [0,0.2), [0.2,0.4), [0.4,0.6), [0.6,0.8), [0.8,1]. O(1) per event; memory grows only with the
 * number of distinct keys and denial reasons. Outcomes carry the confidence of the signal they
 * came from, so no per-signal state is kept. A key from `key()` carries its tally, so recording
 * with it costs no lookup (the monitor records several times per signal); any other object with
 * the same strategy and signal type reaches the same tally through two map lookups.
 */
import { ValueError } from '../../core/errors.js';

export interface SignalKey {
  strategy: string;
  signalType: string;
}

/** Upper bounds of the first four confidence buckets; the last bucket is [0.8, 1]. */
const BUCKET_BOUNDS = [0.2, 0.4, 0.6, 0.8] as const;

export interface ConfidenceBucket {
  readonly lower: number;
  /** Exclusive, except 1 for the last bucket. */
  readonly upper: number;
  signals: number;
  /** Trades resolved (won, lost or breakeven). */
  outcomes: number;
  wins: number;
}

export interface ConfidenceBucketReport extends ConfidenceBucket {
  /** wins / outcomes; null with no outcomes. */
  readonly hitRate: number | null;
}

export interface SignalReport extends SignalKey {
  readonly signals: number;
  readonly ordersCreated: number;
  readonly ordersDenied: number;
  readonly deniedByReason: Readonly<Record<string, number>>;
  readonly won: number;
  readonly lost: number;
  /** Sum of outcome returns / signals; null with no signals. */
  readonly averageReturnPerSignal: number | null;
  /** Sum of outcome returns / outcomes; null with no outcomes. */
  readonly averageReturnPerTrade: number | null;
  /** won / outcomes; null with no outcomes. */
  readonly hitRate: number | null;
  readonly byConfidence: readonly ConfidenceBucketReport[];
}

/** A key made by SignalEffectiveness.key(): it holds its tally. */
interface InternedKey extends SignalKey {
  readonly tally: Tally;
}

interface Tally {
  signals: number;
  ordersCreated: number;
  ordersDenied: number;
  deniedByReason: Map<string, number>;
  won: number;
  lost: number;
  outcomes: number;
  returnSum: number;
  buckets: ConfidenceBucket[];
}

function newTally(): Tally {
  const lowers = [0, ...BUCKET_BOUNDS];
  return {
    signals: 0,
    ordersCreated: 0,
    ordersDenied: 0,
    deniedByReason: new Map(),
    won: 0,
    lost: 0,
    outcomes: 0,
    returnSum: 0,
    buckets: lowers.map((lower, i) => ({ lower, upper: BUCKET_BOUNDS[i] ?? 1, signals: 0, outcomes: 0, wins: 0 })),
  };
}

/** Index of the confidence bucket; throws ValueError outside [0, 1]. */
function bucketOf(confidence: number): number {
  if (!(confidence >= 0 && confidence <= 1)) throw invalid('signal confidence', confidence, 'is not within [0, 1]');
  let i = 0;
  while (i < BUCKET_BOUNDS.length && confidence >= BUCKET_BOUNDS[i]!) i++;
  return i;
}

/** A ValueError naming the value and the rule it breaks (made out of line: V8 compiles shorter recorders sooner). */
function invalid(what: string, value: number, rule: string): ValueError {
  return new ValueError(`${what} ${value} ${rule}`);
}

const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);

export class SignalEffectiveness {
  private readonly byStrategy = new Map<string, Map<string, Tally>>();

  /**
   * The key of (strategy, signal type), registered with empty counts (it is listed by reports()
   * from now on). Recording with it needs no lookup; keep it rather than ask again.
   */
  key(strategy: string, signalType: string): SignalKey {
    const interned: InternedKey = { strategy, signalType, tally: this.tally({ strategy, signalType }) };
    return interned;
  }

  /** A strategy emitted a signal. Throws ValueError when confidence is outside [0, 1]. */
  recordSignal(key: SignalKey, confidence: number): void {
    const bucket = bucketOf(confidence);
    const t = this.tallyOf(key);
    t.signals++;
    t.buckets[bucket]!.signals++;
  }

  /** A signal produced an order that went to the risk engine. */
  recordOrder(key: SignalKey): void {
    this.tallyOf(key).ordersCreated++;
  }

  /** The risk engine denied an order from this signal with `reason` (its reason code). */
  recordDenied(key: SignalKey, reason: string): void {
    const t = this.tallyOf(key);
    t.ordersDenied++;
    t.deniedByReason.set(reason, (t.deniedByReason.get(reason) ?? 0) + 1);
  }

  /**
   * A trade opened by a signal of this key closed with `returnPct` (> 0 won, < 0 lost, 0 neither);
   * `confidence` is that signal's. Throws ValueError on a non-finite return or a confidence outside [0, 1].
   */
  recordOutcome(key: SignalKey, confidence: number, returnPct: number): void {
    if (!Number.isFinite(returnPct)) throw invalid('outcome return', returnPct, 'is not finite');
    const b = bucketOf(confidence);
    const t = this.tallyOf(key);
    const bucket = t.buckets[b]!;
    t.outcomes++;
    t.returnSum += returnPct;
    bucket.outcomes++;
    if (returnPct > 0) {
      t.won++;
      bucket.wins++;
    } else if (returnPct < 0) {
      t.lost++;
    }
  }

  /** The report for one key; undefined if nothing was recorded for it. */
  report(key: SignalKey): SignalReport | undefined {
    const t = this.byStrategy.get(key.strategy)?.get(key.signalType);
    return t && toReport(key.strategy, key.signalType, t);
  }

  /** Reports for every key, in first-seen order. */
  reports(): SignalReport[] {
    const out: SignalReport[] = [];
    for (const [strategy, types] of this.byStrategy) {
      for (const [signalType, t] of types) out.push(toReport(strategy, signalType, t));
    }
    return out;
  }

  /** A key's tally: the one it carries when it came from key(), else looked up. */
  private tallyOf(key: SignalKey): Tally {
    return (key as Partial<InternedKey>).tally ?? this.tally(key);
  }

  /** The tally of (strategy, signal type), created at first sight. */
  private tally({ strategy, signalType }: SignalKey): Tally {
    let types = this.byStrategy.get(strategy);
    if (types === undefined) this.byStrategy.set(strategy, (types = new Map()));
    let t = types.get(signalType);
    if (t === undefined) types.set(signalType, (t = newTally()));
    return t;
  }
}

function toReport(strategy: string, signalType: string, t: Tally): SignalReport {
  return {
    strategy,
    signalType,
    signals: t.signals,
    ordersCreated: t.ordersCreated,
    ordersDenied: t.ordersDenied,
    deniedByReason: Object.fromEntries(t.deniedByReason),
    won: t.won,
    lost: t.lost,
    averageReturnPerSignal: ratio(t.returnSum, t.signals),
    averageReturnPerTrade: ratio(t.returnSum, t.outcomes),
    hitRate: ratio(t.won, t.outcomes),
    byConfidence: t.buckets.map((b) => ({ ...b, hitRate: ratio(b.wins, b.outcomes) })),
  };
}
