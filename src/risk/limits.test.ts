/**
 * applyRiskOverrides (`--risk key=value`): every key family is parsed into the limit's type,
 * per-instrument and auto-action keys land in their sub-objects, the base is never mutated, and
 * every bad input is refused with an InputError naming the key and the value.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { DEFAULT_AUTO_ACTIONS, RISK_KEYS, applyRiskOverrides, type RiskLimits } from './limits.js';
import { RiskHarness } from './test-fixtures.js';

function refusal(overrides: Record<string, string | number | boolean>, base: RiskLimits = {}): InputError {
  try {
    applyRiskOverrides(base, overrides);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error(`--risk ${JSON.stringify(overrides)} was accepted`);
}

describe('applyRiskOverrides: accepted values', () => {
  it('keeps money and quantity limits as exact decimal strings', () => {
    const out = applyRiskOverrides({}, {
      maxOrderNotional: '1000.50',
      maxPositionNotional: 25000,
      maxGrossExposure: '1000000',
      maxNetExposure: '0.01',
      maxOrderQty: '0.005',
      maxPositionQty: 12,
    });
    expect(out).toMatchObject({
      maxOrderNotional: '1000.50',
      maxPositionNotional: '25000',
      maxGrossExposure: '1000000',
      maxNetExposure: '0.01',
      maxOrderQty: '0.005',
      maxPositionQty: '12',
    });
  });

  it('parses fractions of equity in (0, 1], 1 included', () => {
    const out = applyRiskOverrides({}, { maxPortfolioHeat: '0.06', dailyLossLimit: 0.02, maxDrawdown: '1', maxCorrelatedShare: '0.5', correlationThreshold: '0.85' });
    expect(out).toMatchObject({ maxPortfolioHeat: 0.06, dailyLossLimit: 0.02, maxDrawdown: 1, maxCorrelatedShare: 0.5, correlationThreshold: 0.85 });
  });

  it('parses positive numbers, fractional ones included except for maxOpenPositions', () => {
    const out = applyRiskOverrides({}, { maxOpenPositions: '5', fatFingerBps: '12.5', staleQuoteMs: 30000, maxOrdersPerSecond: '0.5', maxOrdersPerSecondPerStrategy: 4, leverage: '2.5' });
    expect(out).toMatchObject({ maxOpenPositions: 5, fatFingerBps: 12.5, staleQuoteMs: 30000, maxOrdersPerSecond: 0.5, maxOrdersPerSecondPerStrategy: 4, leverage: 2.5 });
  });

  it('accepts an IANA time zone', () => {
    expect(applyRiskOverrides({}, { timeZone: 'America/New_York' }).timeZone).toBe('America/New_York');
    expect(applyRiskOverrides({}, { timeZone: 'UTC' }).timeZone).toBe('UTC');
  });

  it('puts SYMBOL.limit keys under perInstrument, merged with what the base has for the symbol', () => {
    const base: RiskLimits = { perInstrument: { XBT: { maxOrderQty: '1' }, ACME: { maxPositionQty: '100' } } };
    const out = applyRiskOverrides(base, { 'XBT.maxOrderQty': 5, 'XBT.maxPositionNotional': '50000.00', 'BTC-USD.maxOrderNotional': '250', 'ES.FUT.maxPositionQty': '3' });
    expect(out.perInstrument).toEqual({
      XBT: { maxOrderQty: '5', maxPositionNotional: '50000.00' },
      ACME: { maxPositionQty: '100' },
      'BTC-USD': { maxOrderNotional: '250' },
      // The limit name is after the last dot, so symbols may contain dots.
      'ES.FUT': { maxPositionQty: '3' },
    });
  });

  it('sets autoActions.* from true/false (strings or booleans), over the base', () => {
    const out = applyRiskOverrides({ autoActions: { flattenOnHalt: true } }, { 'autoActions.haltOnDailyLoss': 'false', 'autoActions.haltOnMaxDrawdown': false, 'autoActions.cancelOrdersOnHalt': 'true' });
    expect(out.autoActions).toEqual({ flattenOnHalt: true, haltOnDailyLoss: false, haltOnMaxDrawdown: false, cancelOrdersOnHalt: true });
    expect(Object.keys(DEFAULT_AUTO_ACTIONS).map((k) => `autoActions.${k}`).every((k) => RISK_KEYS.includes(k))).toBe(true);
  });

  it('accepts every key it lists in RISK_KEYS', () => {
    const sample = (key: string): string => {
      if (key.startsWith('autoActions.')) return 'true';
      if (key === 'timeZone') return 'Europe/London';
      if (['maxPortfolioHeat', 'dailyLossLimit', 'maxDrawdown', 'maxCorrelatedShare', 'correlationThreshold'].includes(key)) return '0.5';
      return '3';
    };
    for (const key of RISK_KEYS) expect(() => applyRiskOverrides({}, { [key]: sample(key) }), key).not.toThrow();
    expect(RISK_KEYS).toHaveLength(6 + 5 + 6 + 1 + 4);
  });

  it('overrides the base and leaves it untouched', () => {
    const base: RiskLimits = { maxOrderQty: '10', dailyLossLimit: 0.05, perInstrument: { XBT: { maxOrderQty: '1' } }, autoActions: { flattenOnHalt: false } };
    const frozen = structuredClone(base);
    const out = applyRiskOverrides(base, { maxOrderQty: '20', 'XBT.maxOrderQty': '2', 'autoActions.flattenOnHalt': 'true', dailyLossLimit: '0.01' });
    expect(out).toMatchObject({ maxOrderQty: '20', dailyLossLimit: 0.01, perInstrument: { XBT: { maxOrderQty: '2' } }, autoActions: { flattenOnHalt: true } });
    expect(base).toEqual(frozen);
    expect(applyRiskOverrides(base, {})).toEqual(base);
  });

  it('produces limits the risk engine enforces, per instrument included', () => {
    const limits = applyRiskOverrides({}, { maxOrderQty: '100', 'ACME.maxOrderQty': '5' });
    const h = new RiskHarness({ limits });
    h.quote(h.clock.now(), '100.00');
    expect(h.buy(5).status).toBe('FILLED');
    expect(h.buy(6)).toMatchObject({ reason: 'MAX_ORDER_QTY', message: 'order quantity 6 ACME exceeds the limit 5' });
    expect(h.sell(100, { inst: h.engine.instruments.get('BETA')!, price: '100.00' }).status).toBe('ACCEPTED');
  });
});

describe('applyRiskOverrides: refusals name the key and the value', () => {
  const cases: Array<[Record<string, string | number | boolean>, string]> = [
    // money and quantity
    [{ maxOrderNotional: '-5' }, '--risk maxOrderNotional=-5: must be a positive decimal'],
    [{ maxGrossExposure: '0' }, '--risk maxGrossExposure=0: must be a positive decimal'],
    [{ maxNetExposure: '1e6' }, '--risk maxNetExposure=1e6: must be a positive decimal'],
    [{ maxPositionNotional: '10,000' }, '--risk maxPositionNotional=10,000: must be a positive decimal'],
    [{ maxOrderQty: 'ten' }, '--risk maxOrderQty=ten: must be a positive decimal'],
    [{ maxPositionQty: '.5' }, '--risk maxPositionQty=.5: must be a positive decimal'],
    // fractions
    [{ dailyLossLimit: '0' }, '--risk dailyLossLimit=0: must be a fraction in (0, 1]'],
    [{ maxDrawdown: '1.01' }, '--risk maxDrawdown=1.01: must be a fraction in (0, 1]'],
    [{ maxPortfolioHeat: '6%' }, '--risk maxPortfolioHeat=6%: must be a fraction in (0, 1]'],
    [{ maxCorrelatedShare: '-0.5' }, '--risk maxCorrelatedShare=-0.5: must be a fraction in (0, 1]'],
    [{ correlationThreshold: 'NaN' }, '--risk correlationThreshold=NaN: must be a fraction in (0, 1]'],
    // positive numbers
    [{ maxOpenPositions: '2.5' }, '--risk maxOpenPositions=2.5: must be a whole number'],
    [{ maxOpenPositions: '0' }, '--risk maxOpenPositions=0: must be a positive number'],
    [{ fatFingerBps: '-1' }, '--risk fatFingerBps=-1: must be a positive number'],
    [{ staleQuoteMs: 'Infinity' }, '--risk staleQuoteMs=Infinity: must be a positive number'],
    [{ maxOrdersPerSecond: 'fast' }, '--risk maxOrdersPerSecond=fast: must be a positive number'],
    [{ leverage: 0 }, '--risk leverage=0: must be a positive number'],
    // time zone
    [{ timeZone: 'Mars/Olympus_Mons' }, '--risk timeZone=Mars/Olympus_Mons: is not a known IANA time zone'],
    // per instrument
    [{ 'XBT.maxOrderQty': '-1' }, '--risk XBT.maxOrderQty=-1: must be a positive decimal'],
    [{ 'XBT.maxPositionNotional': 'lots' }, '--risk XBT.maxPositionNotional=lots: must be a positive decimal'],
    [{ 'XBT.maxGrossExposure': '5' }, '--risk XBT.maxGrossExposure=5: per-instrument limits are maxOrderQty, maxOrderNotional, maxPositionQty, maxPositionNotional'],
    [{ 'XBT.dailyLossLimit': '0.1' }, '--risk XBT.dailyLossLimit=0.1: per-instrument limits are maxOrderQty, maxOrderNotional, maxPositionQty, maxPositionNotional'],
    // auto actions
    [{ 'autoActions.flattenOnHalt': 'yes' }, '--risk autoActions.flattenOnHalt=yes: must be true or false'],
    [{ 'autoActions.haltOnDailyLoss': 1 }, '--risk autoActions.haltOnDailyLoss=1: must be true or false'],
    [{ 'autoActions.selfDestruct': 'true' }, '--risk autoActions.selfDestruct=true: unknown auto action (known: haltOnDailyLoss, haltOnMaxDrawdown, cancelOrdersOnHalt, flattenOnHalt)'],
  ];
  for (const [overrides, message] of cases) {
    it(`refuses ${Object.entries(overrides).map(([k, v]) => `${k}=${String(v)}`)[0]}`, () => {
      expect(refusal(overrides).message).toBe(message);
    });
  }

  it('refuses an unknown key and lists the known ones', () => {
    const err = refusal({ maxLoss: '5' });
    expect(err.message).toMatch(/^--risk maxLoss=5: unknown risk limit \(known: maxOrderNotional, /);
    for (const key of RISK_KEYS) expect(err.message).toContain(key);
  });

  it('refuses the whole set at the first bad key, without touching the base', () => {
    const base: RiskLimits = { maxOrderQty: '10' };
    expect(() => applyRiskOverrides(base, { maxOrderQty: '20', dailyLossLimit: '2' })).toThrow('--risk dailyLossLimit=2: must be a fraction in (0, 1]');
    expect(base).toEqual({ maxOrderQty: '10' });
  });

  it('leaves precision to the risk engine, which names the limit and the instrument it cannot express', () => {
    const limits = applyRiskOverrides({}, { 'ACME.maxOrderQty': '0.5', maxOrderNotional: '10.001' });
    expect(() => new RiskHarness({ limits: { ...limits, maxOrderNotional: undefined } })).toThrow(/^risk limit maxOrderQty for ACME: .*0\.5/);
    expect(() => new RiskHarness({ limits: { maxOrderNotional: limits.maxOrderNotional } })).toThrow(/^risk limit maxOrderNotional: .*10\.001/);
  });
});
