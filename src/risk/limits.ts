/**
 * Risk limits: what the risk engine enforces, as configured (the `risk` section of the config)
 * and overridden per run with `--risk key=value`. Money limits are exact decimal strings in the
 * account currency; fractions are of equity. Absent limits are not checked.
 */
import { InputError } from '../core/errors.js';

export interface InstrumentLimits {
  maxOrderQty?: string | undefined;
  maxOrderNotional?: string | undefined;
  maxPositionQty?: string | undefined;
  maxPositionNotional?: string | undefined;
}

export interface AutoActions {
  haltOnDailyLoss: boolean;
  haltOnMaxDrawdown: boolean;
  cancelOrdersOnHalt: boolean;
  flattenOnHalt: boolean;
}

export interface RiskLimits extends InstrumentLimits {
  maxOpenPositions?: number | undefined;
  maxGrossExposure?: string | undefined;
  maxNetExposure?: string | undefined;
  /** Σ money at risk to each position's stop, as a fraction of equity. */
  maxPortfolioHeat?: number | undefined;
  /** Loss since the trading day began, as a fraction of the day's starting equity. */
  dailyLossLimit?: number | undefined;
  /** Fall from the equity peak, as a fraction of the peak. */
  maxDrawdown?: number | undefined;
  /** Largest distance of a limit/stop price from the last price, in basis points. */
  fatFingerBps?: number | undefined;
  /** Market data older than this (clock ms) denies new orders. */
  staleQuoteMs?: number | undefined;
  maxOrdersPerSecond?: number | undefined;
  maxOrdersPerSecondPerStrategy?: number | undefined;
  /** Gross exposure allowed as a multiple of equity (buying power); default 1. */
  leverage?: number | undefined;
  /** Share of gross exposure allowed in one group of highly correlated instruments. */
  maxCorrelatedShare?: number | undefined;
  /** |correlation| at or above which instruments count as one group (default 0.7). */
  correlationThreshold?: number | undefined;
  /** Where the trading day starts for the daily loss limit (IANA zone, default UTC). */
  timeZone?: string | undefined;
  /** Per-instrument overrides of the order and position limits. */
  perInstrument?: Record<string, InstrumentLimits> | undefined;
  autoActions?: Partial<AutoActions> | undefined;
}

export const DEFAULT_AUTO_ACTIONS: AutoActions = {
  haltOnDailyLoss: true,
  haltOnMaxDrawdown: true,
  cancelOrdersOnHalt: true,
  flattenOnHalt: false,
};

const MONEY_KEYS = ['maxOrderNotional', 'maxPositionNotional', 'maxGrossExposure', 'maxNetExposure'] as const;
const QTY_KEYS = ['maxOrderQty', 'maxPositionQty'] as const;
const FRACTION_KEYS = ['maxPortfolioHeat', 'dailyLossLimit', 'maxDrawdown', 'maxCorrelatedShare', 'correlationThreshold'] as const;
const POSITIVE_KEYS = ['maxOpenPositions', 'fatFingerBps', 'staleQuoteMs', 'maxOrdersPerSecond', 'maxOrdersPerSecondPerStrategy', 'leverage'] as const;
const ACTION_KEYS = ['haltOnDailyLoss', 'haltOnMaxDrawdown', 'cancelOrdersOnHalt', 'flattenOnHalt'] as const;

/** Every key `--risk` accepts. */
export const RISK_KEYS: readonly string[] = [...MONEY_KEYS, ...QTY_KEYS, ...FRACTION_KEYS, ...POSITIVE_KEYS, 'timeZone', ...ACTION_KEYS.map((k) => `autoActions.${k}`)];

/**
 * Applies `key=value` overrides (from `--risk`) to limits. Per-instrument keys take the form
 * `SYMBOL.maxOrderQty=5`. Throws InputError naming the key and the value.
 */
export function applyRiskOverrides(base: RiskLimits, overrides: Record<string, string | number | boolean>): RiskLimits {
  const out: RiskLimits = { ...base, perInstrument: { ...base.perInstrument }, autoActions: { ...base.autoActions } };
  for (const [key, value] of Object.entries(overrides)) {
    const text = String(value);
    const bad = (why: string) => new InputError(`--risk ${key}=${text}: ${why}`);
    const dot = key.lastIndexOf('.');
    const head = dot > 0 ? key.slice(0, dot) : '';
    const name = dot > 0 ? key.slice(dot + 1) : key;
    if (head === 'autoActions') {
      if (!(ACTION_KEYS as readonly string[]).includes(name)) throw bad(`unknown auto action (known: ${ACTION_KEYS.join(', ')})`);
      if (text !== 'true' && text !== 'false') throw bad('must be true or false');
      out.autoActions![name as keyof AutoActions] = text === 'true';
    } else if (head !== '') {
      if (!(QTY_KEYS as readonly string[]).includes(name) && !(MONEY_KEYS as readonly string[]).slice(0, 2).includes(name)) {
        throw bad('per-instrument limits are maxOrderQty, maxOrderNotional, maxPositionQty, maxPositionNotional');
      }
      if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0) throw bad('must be a positive decimal');
      out.perInstrument![head] = { ...out.perInstrument![head], [name]: text };
    } else if ((MONEY_KEYS as readonly string[]).includes(key) || (QTY_KEYS as readonly string[]).includes(key)) {
      if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0) throw bad('must be a positive decimal');
      (out as Record<string, unknown>)[key] = text;
    } else if ((FRACTION_KEYS as readonly string[]).includes(key)) {
      const n = Number(text);
      if (!(n > 0 && n <= 1)) throw bad('must be a fraction in (0, 1]');
      (out as Record<string, unknown>)[key] = n;
    } else if ((POSITIVE_KEYS as readonly string[]).includes(key)) {
      const n = Number(text);
      if (!(Number.isFinite(n) && n > 0)) throw bad('must be a positive number');
      if (key === 'maxOpenPositions' && !Number.isInteger(n)) throw bad('must be a whole number');
      (out as Record<string, unknown>)[key] = n;
    } else if (key === 'timeZone') {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: text });
      } catch {
        throw bad('is not a known IANA time zone');
      }
      out.timeZone = text;
    } else {
      throw bad(`unknown risk limit (known: ${RISK_KEYS.join(', ')})`);
    }
  }
  return out;
}

/** Engine-placed protective stops (see stops.ts). */
export interface StopSettings {
  enabled: boolean;
  k: number;
  trail: boolean;
  breakEvenR?: number | undefined;
  intervalMs: number;
}

/** Portfolio risk measures recomputed off the hot path (see risk-monitor.ts). */
export interface MeasureSettings {
  intervalMs: number;
  window: number;
  confidences: number[];
  monteCarloPaths: number;
  maxVarFraction?: number | undefined;
}

/** The whole `risk` config section: limits plus stops and measures. */
export interface RiskSettings extends RiskLimits {
  stops?: StopSettings | undefined;
  measures?: MeasureSettings | undefined;
}
