/**
 * Concentration of exposure in groups of highly correlated symbols, and the pre-trade check that
 * sizes an order down to a group limit.
 *
 * A group is a connected component, with two or more members, of the held symbols linked where
 * |correlation| ≥ threshold (so A~B and B~C put A, B and C together). A symbol with no such partner
 * forms no group: single-name size is the position limit's business. A symbol missing from the
 * correlation, or flagged zero-variance, has no partners. Shares are of total gross exposure
 * Σ|net value|.
 */
import { ValueError } from '../../core/errors.js';
import type { Correlation } from './covariance.js';
import { checkFinite, netExposures, type Position } from './inputs.js';

/** Relative slack on the limit, so an order cut to `maxAllowedValue` passes a re-check despite rounding. */
const SHARE_TOLERANCE = 1e-9;

export interface ExposureGroup {
  readonly symbols: readonly string[];
  readonly gross: number;
  /** gross / total gross exposure. */
  readonly share: number;
}

export interface ConcentrationReport {
  readonly totalGross: number;
  /** Groups by descending share. */
  readonly groups: readonly ExposureGroup[];
  /** The largest group share, 0 when there is no group. */
  readonly maxShare: number;
}

export interface ConcentrationCheck {
  /** True when the post-trade group share is within the limit or the order does not grow the symbol's gross exposure. */
  readonly allowed: boolean;
  /** Post-trade share of the order symbol's group (0 when it is in none). */
  readonly groupShare: number;
  /** The order symbol's post-trade group, empty when it is in none. */
  readonly group: readonly string[];
  /** The largest order in the same direction that would be allowed (the order itself when allowed). */
  readonly maxAllowedValue: number;
}

/**
 * The correlated groups among `symbols` (components of two or more), members in the given order.
 * Throws ValueError unless 0 < threshold ≤ 1.
 */
export function correlatedGroups(symbols: readonly string[], corr: Correlation, threshold: number): string[][] {
  if (!(threshold > 0 && threshold <= 1)) throw new ValueError(`correlation threshold ${threshold} must be in (0, 1]`);
  const index = new Map(corr.symbols.map((s, i) => [s, i]));
  const linked = (a: string, b: string): boolean => {
    const i = index.get(a);
    const j = index.get(b);
    return i !== undefined && j !== undefined && Math.abs(corr.matrix[i]![j]!) >= threshold;
  };
  const component = symbols.map(() => -1);
  const groups: string[][] = [];
  symbols.forEach((_, start) => {
    if (component[start] !== -1) return;
    const members: number[] = [start];
    component[start] = start;
    for (let k = 0; k < members.length; k++) {
      const a = symbols[members[k]!]!;
      symbols.forEach((b, j) => {
        if (component[j] === -1 && linked(a, b)) {
          component[j] = start;
          members.push(j);
        }
      });
    }
    if (members.length > 1) groups.push(members.sort((x, y) => x - y).map((i) => symbols[i]!));
  });
  return groups;
}

/**
 * Gross exposure of each correlated group as a share of total gross exposure. Throws ValueError
 * for a non-finite position value or a threshold outside (0, 1].
 */
export function concentration(exposures: readonly Position[], corr: Correlation, threshold: number): ConcentrationReport {
  const net = heldExposures(exposures);
  const totalGross = grossOf(net, [...net.keys()]);
  const groups = correlatedGroups([...net.keys()], corr, threshold)
    .map((symbols) => {
      const gross = grossOf(net, symbols);
      return { symbols, gross, share: totalGross > 0 ? gross / totalGross : 0 };
    })
    .sort((a, b) => b.share - a.share);
  return { totalGross, groups, maxShare: groups[0]?.share ?? 0 };
}

/**
 * Whether an order of signed value `orderValue` on `orderSymbol` keeps its correlated group within
 * `limit` of total gross exposure, and the largest same-direction order that would. An order that
 * does not grow the symbol's gross exposure is always allowed, even in an over-limit group. Throws
 * ValueError for a non-finite value, or a threshold or limit outside (0, 1].
 */
export function wouldConcentrate(
  currentExposures: readonly Position[],
  orderSymbol: string,
  orderValue: number,
  corr: Correlation,
  threshold: number,
  limit: number,
): ConcentrationCheck {
  checkFinite(`order ${orderSymbol} value`, orderValue);
  if (!(limit > 0 && limit <= 1)) throw new ValueError(`concentration limit ${limit} must be in (0, 1]`);
  const net = heldExposures(currentExposures);
  const current = net.get(orderSymbol) ?? 0;
  net.delete(orderSymbol);
  const held = [orderSymbol, ...net.keys()];
  const group = correlatedGroups(held, corr, threshold).find((g) => g.includes(orderSymbol)) ?? [];
  if (group.length === 0) return { allowed: true, groupShare: 0, group, maxAllowedValue: orderValue };
  // Share after the trade, as a function of the symbol's post-trade gross a: (others + a)/(rest + a),
  // which grows with a. Solving for the limit gives the largest a within it.
  const others = grossOf(net, group);
  const rest = others + grossOf(net, [...net.keys()].filter((s) => !group.includes(s)));
  const after = Math.abs(current + orderValue);
  const groupShare = rest + after > 0 ? (others + after) / (rest + after) : 0;
  if (groupShare <= limit * (1 + SHARE_TOLERANCE) || after <= Math.abs(current)) {
    return { allowed: true, groupShare, group, maxAllowedValue: orderValue };
  }
  // Not allowed, so limit < 1 (the share never exceeds 1: others ≤ rest).
  const cap = Math.max(Math.abs(current), (limit * rest - others) / (1 - limit));
  // Trading towards sign(order) reaches post-trade gross `cap` at this value.
  return { allowed: false, groupShare, group, maxAllowedValue: Math.sign(orderValue) * cap - current };
}

/** Net exposure per symbol, without symbols netting to zero. */
function heldExposures(positions: readonly Position[]): Map<string, number> {
  const net = netExposures(positions);
  for (const [symbol, value] of net) if (value === 0) net.delete(symbol);
  return net;
}

function grossOf(net: ReadonlyMap<string, number>, symbols: readonly string[]): number {
  return symbols.reduce((s, symbol) => s + Math.abs(net.get(symbol) ?? 0), 0);
}
