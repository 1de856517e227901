/**
 * Strategy parameters: reading the loose `name → string | number | boolean` maps that come from
 * config files and the CLI into checked values, the parameters every built-in strategy shares
 * (size, mode, brackets, price source), and their descriptions for help output. Every problem is
 * an InputError naming the strategy, the param and the value.
 */
import { InputError } from '../core/errors.js';
import { Quantity } from '../core/quantity.js';
import type { Instrument } from '../model/instrument.js';

export type ParamValue = string | number | boolean;
export type RawParams = Readonly<Record<string, ParamValue>>;

/** One parameter as shown in help output. */
export interface ParamDoc {
  readonly name: string;
  /** The default, as text ("none" when the param is off unless given). */
  readonly default: string;
  readonly description: string;
}

export const TRADING_MODES = ['long-only', 'long-short'] as const;
export type TradingMode = (typeof TRADING_MODES)[number];

export const PRICE_SOURCES = ['bar', 'quote', 'trade'] as const;
/** Which market data feeds the indicators: bar close, quote mid or trade price. */
export type PriceSource = (typeof PRICE_SOURCES)[number];

export interface CommonParams {
  /** Order size as given (checked against each instrument at start); undefined = 10 × minimum size. */
  readonly size: string | number | undefined;
  readonly mode: TradingMode;
  /** Bracket distances as fractions of the entry reference price; both set or both undefined. */
  readonly stopPct: number | undefined;
  readonly takeProfitPct: number | undefined;
  readonly source: PriceSource;
}

export const COMMON_PARAMS: readonly ParamDoc[] = [
  { name: 'size', default: '10 × instrument minimum size', description: 'order quantity, a decimal on the instrument size step' },
  { name: 'mode', default: 'long-only', description: 'long-only (bearish signals go flat) or long-short' },
  { name: 'stopPct', default: 'none', description: 'stop-loss distance from the entry price as a fraction (0.02 = 2%); needs takeProfitPct' },
  { name: 'takeProfitPct', default: 'none', description: 'take-profit distance from the entry price as a fraction; needs stopPct' },
  { name: 'source', default: 'bar', description: 'prices fed to the indicators: bar (close), quote (mid) or trade (price)' },
];

const DECIMAL_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** A strategy as shown in help output. */
export interface StrategyInfo {
  /** Registry name, also the prefix of its error messages. */
  readonly name: string;
  readonly summary: string;
  readonly params: readonly ParamDoc[];
}

/** Reads one strategy's raw params; rejects unknown names on construction. */
export class ParamReader {
  private readonly strategy: string;

  /** Throws InputError when a param name is not one of `info.params`. */
  constructor(
    info: StrategyInfo,
    private readonly raw: RawParams,
  ) {
    this.strategy = info.name;
    for (const [name, value] of Object.entries(raw)) {
      if (!info.params.some((d) => d.name === name)) {
        this.fail(`unknown param ${name} (value ${show(value)}); expected one of ${info.params.map((d) => d.name).join(', ')}`);
      }
    }
  }

  /** An integer of at least `min`. Throws InputError otherwise. */
  int(name: string, fallback: number, min = 1): number {
    const problem = min === 1 ? 'is not a positive integer' : `is not an integer of at least ${min}`;
    const v = this.numeric(name, problem);
    if (v === undefined) return fallback;
    return Number.isSafeInteger(v) && v >= min ? v : this.bad(name, problem);
  }

  /** A number strictly between `min` and `max`. Throws InputError otherwise. */
  number(name: string, fallback: number, min: number, max: number): number {
    const problem = `is not a number between ${min} and ${max} (exclusive)`;
    const v = this.numeric(name, problem);
    if (v === undefined) return fallback;
    return v > min && v < max ? v : this.bad(name, problem);
  }

  /** An optional fraction strictly between 0 and 1. Throws InputError otherwise. */
  fraction(name: string): number | undefined {
    const problem = 'is not a fraction between 0 and 1 (exclusive)';
    const v = this.numeric(name, problem);
    return v === undefined || (v > 0 && v < 1) ? v : this.bad(name, problem);
  }

  /** One of `values`. Throws InputError otherwise. */
  choice<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const v = this.raw[name];
    if (v === undefined) return fallback;
    return values.find((x) => x === v) ?? this.bad(name, `is not one of ${values.join(', ')}`);
  }

  /** An optional positive decimal, kept as given. Throws InputError otherwise. */
  positiveDecimal(name: string): string | number | undefined {
    const v = this.raw[name];
    if (v === undefined) return undefined;
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
    if (typeof v === 'string' && DECIMAL_RE.test(v.trim()) && Number(v) > 0) return v;
    return this.bad(name, 'is not a positive decimal');
  }

  /** Throws InputError `<strategy>: <message>` (for rules between params). */
  fail(message: string): never {
    throw new InputError(`${this.strategy}: ${message}`);
  }

  /** The value as a number, undefined when absent; throws InputError with `problem` when not numeric. */
  private numeric(name: string, problem: string): number | undefined {
    const v = this.raw[name];
    if (v === undefined) return undefined;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && DECIMAL_RE.test(v.trim())) return Number(v);
    return this.bad(name, problem);
  }

  private bad(name: string, problem: string): never {
    throw new InputError(`${this.strategy} param ${name}: ${show(this.raw[name])} ${problem}`);
  }
}

function show(value: ParamValue | undefined): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Reads the shared params. Throws InputError for a bad value or a lone stopPct/takeProfitPct. */
export function readCommonParams(r: ParamReader): CommonParams {
  const stopPct = r.fraction('stopPct');
  const takeProfitPct = r.fraction('takeProfitPct');
  if ((stopPct === undefined) !== (takeProfitPct === undefined)) r.fail('stopPct and takeProfitPct must be given together');
  return {
    size: r.positiveDecimal('size'),
    mode: r.choice('mode', TRADING_MODES, 'long-only'),
    stopPct,
    takeProfitPct,
    source: r.choice('source', PRICE_SOURCES, 'bar'),
  };
}

/**
 * The order size for one instrument: the given size checked against its step and minimum, or
 * 10 × its minimum size. Throws InputError naming the strategy, the size and the instrument.
 */
export function orderSize(strategy: string, size: string | number | undefined, inst: Instrument): Quantity {
  if (size === undefined) return Quantity.fromRaw(inst.minSize.raw * 10, inst.sizePrecision);
  let qty: Quantity;
  try {
    qty = inst.quantity(size);
  } catch (e) {
    throw new InputError(`${strategy} param size: ${show(size)} does not fit ${inst.id}: ${(e as Error).message}`);
  }
  const problem = inst.orderQuantityProblem(qty);
  if (problem) throw new InputError(`${strategy} param size: ${show(size)} does not fit ${inst.id}: ${problem}`);
  return qty;
}
