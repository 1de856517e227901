/**
 * Named error classes. Expected failures travel as results or events; these are thrown for
 * invalid values at a boundary and for broken invariants. Messages name the value and the rule.
 */

/** A value failed a constructor's rule (NaN, off tick, negative quantity, bad decimal...). */
export class ValueError extends Error {
  override readonly name = 'ValueError';
}

/** Two amounts in different currencies were combined. */
export class CurrencyMismatchError extends Error {
  override readonly name = 'CurrencyMismatchError';
}

/** An internal invariant was broken: a bug, not bad input. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

/** Bad user input at a boundary (CLI flag, CSV row, config value, HTTP body). */
export class InputError extends Error {
  override readonly name = 'InputError';
}
