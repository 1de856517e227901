/**
 * Latency histogram in bounded memory with log-linear buckets (the HdrHistogram layout): each
 * power-of-two octave above `lowest` is split into 128 equal sub-buckets, so a bucket is at most
 * 1/128 of its lower bound wide. A percentile is reported as the midpoint of its bucket, clamped
 * to the exact min and max, so its relative error is at most 1/256 (< 0.4%) for values in
 * [lowest, highest]; the smallest and largest samples are reported exactly. Values outside the
 * range are counted as `lowest` or `highest` (min, max and mean stay exact). Buckets are allocated
 * octave by octave as values reach them (a backtest's latencies of 0 need one octave, not 26).
 */
import { ValueError } from '../../core/errors.js';

const SUB_BUCKETS = 128;
/** 2^i for every octave of a histogram (a double's exponent reaches 1023). */
const POW2 = Float64Array.from({ length: 1025 }, (_, i) => 2 ** i);
/** Ratios below this have their octave in the bits of their integer part. */
const TWO_POW_32 = 2 ** 32;

export class LatencyHistogram {
  readonly lowest: number;
  readonly highest: number;
  /** Buckets of the octaves seen so far (grown as higher ones come), of `buckets` in all. */
  private counts = new Float64Array(SUB_BUCKETS);
  private readonly buckets: number;
  private n = 0;
  private sum = 0;
  private lo = Infinity;
  private hi = -Infinity;

  /**
   * Tracks values in microseconds between `lowest` and `highest` (default 1 µs to 60 s).
   * Throws ValueError unless 0 < lowest < highest, both finite.
   */
  constructor(options: { lowest?: number; highest?: number } = {}) {
    const { lowest = 1, highest = 60_000_000 } = options;
    if (!(lowest > 0) || !(highest > lowest) || !Number.isFinite(highest)) throw new ValueError(`latency range [${lowest}, ${highest}] is not 0 < lowest < highest`);
    this.lowest = lowest;
    this.highest = highest;
    const octaves = Math.floor(Math.log2(highest / lowest)) + 1;
    this.buckets = octaves * SUB_BUCKETS;
  }

  /** Records one latency in microseconds. Throws ValueError when it is negative or not finite. */
  record(valueMicros: number): void {
    if (!(valueMicros >= 0) || !Number.isFinite(valueMicros)) throw invalidLatency(valueMicros);
    const i = this.indexOf(valueMicros);
    if (i >= this.counts.length) this.grow(i);
    this.counts[i]!++;
    this.n++;
    this.sum += valueMicros;
    if (valueMicros < this.lo) this.lo = valueMicros;
    if (valueMicros > this.hi) this.hi = valueMicros;
  }

  get count(): number {
    return this.n;
  }

  /** Exact mean; null when empty. */
  mean(): number | null {
    return this.n === 0 ? null : this.sum / this.n;
  }

  /** Exact minimum; null when empty. */
  min(): number | null {
    return this.n === 0 ? null : this.lo;
  }

  /** Exact maximum; null when empty. */
  max(): number | null {
    return this.n === 0 ? null : this.hi;
  }

  /**
   * The value at percentile p (0..100): the ceil(p/100 × count)-th smallest sample (the first for
   * p = 0), approximated by its bucket. Null when empty. Throws ValueError when p is outside 0..100.
   */
  percentile(p: number): number | null {
    if (!(p >= 0 && p <= 100)) throw new ValueError(`percentile ${p} is not within 0..100`);
    if (this.n === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    if (rank === 1) return this.lo;
    if (rank === this.n) return this.hi;
    let seen = 0;
    let i = 0;
    while ((seen += this.counts[i]!) < rank) i++;
    const octave = Math.floor(i / SUB_BUCKETS);
    const width = (this.lowest * 2 ** octave) / SUB_BUCKETS;
    const midpoint = this.lowest * 2 ** octave + ((i % SUB_BUCKETS) + 0.5) * width;
    return Math.min(this.hi, Math.max(this.lo, midpoint));
  }

  /** Forgets every sample. */
  reset(): void {
    this.counts.fill(0);
    this.n = 0;
    this.sum = 0;
    this.lo = Infinity;
    this.hi = -Infinity;
  }

  private indexOf(value: number): number {
    // The common case of a simulated clock (a tick and its order in the same millisecond): no logarithm.
    if (value <= this.lowest) return 0;
    const x = Math.min(value, this.highest) / this.lowest;
    // floor(log2 x) for x > 1: from the leading zeros of its integer part (powers of two are
    // integers, so truncation keeps the octave), without Math.log2 and 2 ** n: calls into the
    // C library that cost about 120 ns a sample, paid at every paper or live fill.
    const octave = x < TWO_POW_32 ? 31 - Math.clz32(x) : wideOctave(x);
    const sub = Math.floor((x / POW2[octave]! - 1) * SUB_BUCKETS);
    return Math.min(octave * SUB_BUCKETS + sub, this.buckets - 1);
  }

  /** Grows the counts to hold bucket `i`: at least doubled, and whole octaves. */
  private grow(i: number): void {
    const octaves = Math.max(2 * this.counts.length, i + 1) / SUB_BUCKETS;
    const counts = new Float64Array(Math.min(this.buckets, Math.ceil(octaves) * SUB_BUCKETS));
    counts.set(this.counts);
    this.counts = counts;
  }
}

/** The error for a latency record() rejects (made out of line: V8 compiles a shorter record() sooner). */
function invalidLatency(valueMicros: number): ValueError {
  return new ValueError(`latency ${valueMicros} µs is not a finite non-negative number`);
}

/** floor(log2 x) for x ≥ 2^32 (a histogram spanning more than 32 octaves). */
function wideOctave(x: number): number {
  let octave = Math.floor(Math.log2(x));
  // Math.log2 may be off by one ulp next to a power of two.
  if (POW2[octave]! > x) octave--;
  else if (POW2[octave + 1]! <= x) octave++;
  return octave;
}
