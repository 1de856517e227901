/**
 * Stress tests: scenarios applied to a book of positions. Price scenarios (a uniform shock,
 * per-symbol shocks, a shock to symbols matching a pattern, the replay of one historical period)
 * give each position's P&L, value × return; the volatility scenario scales every σ by k
 * (covariance by k²) and reports the parametric VaR and ES before and after. Also the named
 * built-in scenarios.
 */
import { ValueError } from '../../core/errors.js';
import { checkFinite, own, type Position, type ReturnModel } from './inputs.js';
import { parametricVaR, type ModelOptions, type RiskEstimate } from './var.js';

export type StressScenario =
  /** Every price moves by `shock` (−0.1 is −10%). */
  | { readonly kind: 'uniform'; readonly name: string; readonly shock: number }
  /** The listed symbols move by their shock; others are unchanged. */
  | { readonly kind: 'symbols'; readonly name: string; readonly shocks: Readonly<Record<string, number>> }
  /** Symbols matching `pattern` move by `shock`; others are unchanged. */
  | { readonly kind: 'pattern'; readonly name: string; readonly pattern: RegExp; readonly shock: number }
  /** One period's actual returns, which must cover every position. */
  | { readonly kind: 'replay'; readonly name: string; readonly returns: Readonly<Record<string, number>> }
  /** Every volatility is multiplied by `multiplier`. */
  | { readonly kind: 'volatility'; readonly name: string; readonly multiplier: number };

export interface PositionPnl {
  readonly symbol: string;
  readonly value: number;
  readonly pnl: number;
}

export type StressResult =
  | { readonly kind: 'pnl'; readonly scenario: string; readonly positions: readonly PositionPnl[]; readonly total: number }
  | { readonly kind: 'volatility'; readonly scenario: string; readonly baseline: RiskEstimate; readonly stressed: RiskEstimate };

/** What the volatility scenario needs: the return model and the VaR settings. */
export interface StressRiskContext {
  readonly model: ReturnModel;
  readonly options: ModelOptions;
}

/** Base assets and quote currencies that mark a crypto pair such as BTC-USD or SOL/USDT. */
const CRYPTO = /^(BTC|ETH|SOL|XRP|ADA|DOGE|BNB|LTC|DOT|AVAX|LINK|TRX)([-/]|$)|[-/](USDT|USDC|BTC|ETH)$/;

export const BUILT_IN_SCENARIOS = {
  'all-down-10': { kind: 'uniform', name: 'all-down-10', shock: -0.1 },
  'all-down-20': { kind: 'uniform', name: 'all-down-20', shock: -0.2 },
  'crypto-crash-30': { kind: 'pattern', name: 'crypto-crash-30', pattern: CRYPTO, shock: -0.3 },
  'vol-x2': { kind: 'volatility', name: 'vol-x2', multiplier: 2 },
} as const satisfies Record<string, StressScenario>;

export type BuiltInScenarioName = keyof typeof BUILT_IN_SCENARIOS;

/** The built-in scenario called `name`. Throws ValueError naming the known ones otherwise. */
export function builtInScenario(name: string): StressScenario {
  if (!Object.hasOwn(BUILT_IN_SCENARIOS, name)) {
    throw new ValueError(`stress scenario ${JSON.stringify(name)} is unknown; built-in: ${Object.keys(BUILT_IN_SCENARIOS).join(', ')}`);
  }
  return BUILT_IN_SCENARIOS[name as BuiltInScenarioName];
}

/**
 * Applies `scenario` to the positions (P&L per position as given, not netted). Throws ValueError
 * for a non-finite value, a shock below −100%, a multiplier that is not positive, a replay missing
 * a position's symbol, or a volatility scenario without `risk` (and as `parametricVaR` for it).
 */
export function stressTest(positions: readonly Position[], scenario: StressScenario, risk?: StressRiskContext): StressResult {
  if (scenario.kind === 'volatility') {
    const k = scenario.multiplier;
    if (!(Number.isFinite(k) && k > 0)) throw new ValueError(`scenario ${scenario.name} multiplier ${k} must be positive`);
    if (!risk) throw new ValueError(`scenario ${scenario.name} needs a return model and VaR options`);
    const stressedModel = { ...risk.model, covariance: risk.model.covariance.map((row) => row.map((c) => c * k * k)) };
    return {
      kind: 'volatility',
      scenario: scenario.name,
      baseline: parametricVaR(positions, risk.model, risk.options),
      stressed: parametricVaR(positions, stressedModel, risk.options),
    };
  }
  const rows = positions.map(({ symbol, value }) => {
    checkFinite(`position ${symbol} value`, value);
    const shock = shockFor(scenario, symbol);
    checkFinite(`scenario ${scenario.name} shock for ${symbol}`, shock);
    if (shock < -1) throw new ValueError(`scenario ${scenario.name} shock ${shock} for ${symbol} is below -100%`);
    return { symbol, value, pnl: value * shock };
  });
  return { kind: 'pnl', scenario: scenario.name, positions: rows, total: rows.reduce((s, r) => s + r.pnl, 0) };
}

function shockFor(scenario: Exclude<StressScenario, { kind: 'volatility' }>, symbol: string): number {
  switch (scenario.kind) {
    case 'uniform':
      return scenario.shock;
    case 'symbols':
      return own(scenario.shocks, symbol) ?? 0;
    case 'pattern':
      // `search` ignores lastIndex, so a /g pattern behaves like any other.
      return symbol.search(scenario.pattern) >= 0 ? scenario.shock : 0;
    case 'replay': {
      const r = own(scenario.returns, symbol);
      if (r === undefined) throw new ValueError(`scenario ${scenario.name} has no return for ${symbol}`);
      return r;
    }
  }
}
