import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_THRESHOLDS, loadThresholds, parseThresholds, thresholdEnvName } from '../src/config/thresholds';
import {
  computeGuarantorMetrics,
  cooperationWindow,
  evaluateCooperation,
  parsePeriod,
  totalMetrics,
  type CompensationEvent,
  type GuaranteePosition,
} from '../src/exposure/metrics';

const WAN = 1_000_000; // 1 万元 in fen
const T = DEFAULT_THRESHOLDS;
const Y2026 = parsePeriod('2026')!;

function g(subjectId: string, patch: Partial<GuaranteePosition>): GuaranteePosition {
  return { subjectId, bankCode: 'BANK-A', amount: 100 * WAN, balance: 100 * WAN, status: 'ACTIVE', startDate: '2026-01-10', endDate: '2027-01-09', feeRate: 0.8, bankShare: 20, smallMicroAgri: true, ...patch };
}

/** The hand-computed book (amounts in 万元):
 *  S1: 300 (0.8%) + 200 (1.0%), 支小支农          → 500 (≤ 500万: small)
 *  S2: 400 (1.5%), bank share 10%, not 支小支农    → 400 (small)
 *  S3: 1100 (0.5%), 支小支农                       → 1100 (above 1000万 focus line)
 *  S4: RELEASED 2026-06-30, amount 100              → released in period
 *  S5: COMPENSATED (ended 2025-12-01), amount 50; compensation of 40 paid 2026-03-01 (+ 10 paid in 2025, outside)
 * balance 2000; 支小支农 1600 → 80% (mainly: cap 15×); small 900 → 45%; fee Σ = 240+200+600+550 = 1590 → 0.795%;
 * released 100 + 50 = 150; compensation rate 40 / 150.
 */
const BOOK: GuaranteePosition[] = [
  g('S1', { balance: 300 * WAN, amount: 300 * WAN, feeRate: 0.8 }),
  g('S1', { balance: 200 * WAN, amount: 200 * WAN, feeRate: 1.0 }),
  g('S2', { balance: 400 * WAN, amount: 400 * WAN, feeRate: 1.5, bankShare: 10, smallMicroAgri: false }),
  g('S3', { balance: 1100 * WAN, amount: 1100 * WAN, feeRate: 0.5 }),
  g('S4', { status: 'RELEASED', balance: 0, amount: 100 * WAN, startDate: '2025-06-30', endDate: '2026-06-30' }),
  g('S5', { status: 'COMPENSATED', balance: 0, amount: 50 * WAN, startDate: '2024-12-01', endDate: '2025-12-01' }),
];
const COMPS: CompensationEvent[] = [
  { subjectId: 'S5', bankCode: 'BANK-A', amount: 40 * WAN, paidOn: '2026-03-01', guaranteeAmount: 50 * WAN },
  { subjectId: 'S5', bankCode: 'BANK-A', amount: 10 * WAN, paidOn: '2025-12-31', guaranteeAmount: 50 * WAN },
];

describe('guarantor metrics (pure, hand-computed)', () => {
  it('computes balance, leverage (15× when mainly 小微/三农), largest borrower, shares, fee rate, compensation rate', () => {
    const m = computeGuarantorMetrics({ guarantorCode: 'G', period: Y2026, asOf: '2026-11-27', netAssets: 150 * WAN, guarantees: BOOK, compensations: COMPS }, T);
    expect(m.guaranteeBalance).toBe(2000 * WAN);
    expect(m.inForceCount).toBe(4);
    expect(m.borrowerCount).toBe(3);
    expect(m.smallMicroAgriShare).toBeCloseTo(0.8, 12);
    expect(m.mainlySmallMicroAgri).toBe(true);
    expect(m.leverageLimit).toBe(15);
    expect(m.leverage).toBeCloseTo(2000 / 150, 12); // 13.33× ≤ 15×: no breach
    expect(m.largestBorrowerSubjectId).toBe('S3');
    expect(m.largestBorrowerBalance).toBe(1100 * WAN);
    expect(m.largestBorrowerShareOfNetAssets).toBeCloseTo(1100 / 150, 12);
    expect(m.smallAmountShare).toBeCloseTo(0.45, 12);
    expect(m.averageFeeRate).toBeCloseTo(0.795, 12);
    expect(m.bankShareViolationCount).toBe(1);
    expect(m.bankShareViolationBalance).toBe(400 * WAN);
    expect(m.aboveFocusLineCount).toBe(1);
    expect(m.compensationAmount).toBe(40 * WAN);
    expect(m.compensationCount).toBe(1);
    expect(m.releasedAmount).toBe(150 * WAN);
    expect(m.compensationRate).toBeCloseTo(40 / 150, 12);
    expect(m.breaches.map((b) => b.rule).sort()).toEqual(['BANK_RISK_SHARE', 'FOCUS_LINE', 'SINGLE_BORROWER', 'SMALL_AMOUNT_SHARE']);
    const single = m.breaches.find((b) => b.rule === 'SINGLE_BORROWER')!;
    expect(single.value).toBeCloseTo(1100 / 150, 12);
    expect(single.limit).toBe(0.1);
    expect(m.missing).toEqual([]);
  });

  it('applies the 10× cap when 支小支农 is below the "mainly" share, and flags the share and the fee rate', () => {
    // S1's 200 loses the 支小支农 flag and S6 adds 100 at 6%: 支小支农 1500/2100 = 71.4%; fee (1590 + 600) / 2100 = 1.043%.
    const book = BOOK.map((x, i) => (i === 1 ? { ...x, smallMicroAgri: false } : x)).concat([g('S6', { balance: 100 * WAN, amount: 100 * WAN, feeRate: 6 })]);
    const m = computeGuarantorMetrics({ guarantorCode: 'G', period: Y2026, asOf: '2026-11-27', netAssets: 150 * WAN, guarantees: book, compensations: [] }, T);
    expect(m.guaranteeBalance).toBe(2100 * WAN);
    expect(m.smallMicroAgriShare).toBeCloseTo(1500 / 2100, 12);
    expect(m.mainlySmallMicroAgri).toBe(false);
    expect(m.leverageLimit).toBe(10);
    expect(m.leverage).toBeCloseTo(14, 12);
    expect(m.averageFeeRate).toBeCloseTo((1590 + 600) / 2100, 12);
    expect(m.smallAmountShare).toBeCloseTo(1000 / 2100, 12);
    expect(m.compensationRate).toBeCloseTo(0, 12); // released 100 (S4), nothing compensated in the period
    expect(m.breaches.map((b) => b.rule).sort()).toEqual(['AVERAGE_FEE_RATE', 'BANK_RISK_SHARE', 'FOCUS_LINE', 'LEVERAGE', 'SINGLE_BORROWER', 'SMALL_AMOUNT_SHARE', 'SMALL_MICRO_AGRI_SHARE']);
    expect(m.breaches.find((b) => b.rule === 'LEVERAGE')).toMatchObject({ value: 14, limit: 10 });
  });

  it('zero net assets: leverage and single-borrower unbounded (breaches with value null)', () => {
    const m = computeGuarantorMetrics({ guarantorCode: 'G', period: Y2026, asOf: '2026-11-27', netAssets: 0, guarantees: [g('S1', {})], compensations: [] }, T);
    expect(m.leverage).toBeNull();
    expect(m.largestBorrowerShareOfNetAssets).toBeNull();
    expect(m.breaches.filter((b) => b.rule === 'LEVERAGE' || b.rule === 'SINGLE_BORROWER').map((b) => b.value)).toEqual([null, null]);
  });

  it('net assets never reported: no leverage, listed as missing, no leverage breach', () => {
    const m = computeGuarantorMetrics({ guarantorCode: 'G', period: Y2026, asOf: '2026-11-27', netAssets: null, guarantees: [g('S1', {})], compensations: [] }, T);
    expect(m.leverage).toBeNull();
    expect(m.missing).toEqual(['NET_ASSETS']);
    expect(m.breaches).toEqual([]);
  });

  it('no business: zero balance, null shares and rates, no breaches', () => {
    const m = computeGuarantorMetrics({ guarantorCode: 'G', period: Y2026, asOf: '2026-11-27', netAssets: 100 * WAN, guarantees: [], compensations: [] }, T);
    expect(m).toMatchObject({ guaranteeBalance: 0, leverage: 0, smallMicroAgriShare: null, smallAmountShare: null, averageFeeRate: null, compensationRate: null, largestBorrowerSubjectId: null, breaches: [], missing: [] });
    expect(totalMetrics([m])).toMatchObject({ guarantorCount: 1, guaranteeBalance: 0, leverage: 0, compensationRate: null, breachCount: 0 });
  });

  it('all compensated: nothing in force, compensation rate = Σ compensations / Σ compensated guarantee amounts', () => {
    const book = [g('S1', { status: 'COMPENSATED', balance: 0, amount: 100 * WAN }), g('S2', { status: 'COMPENSATED', balance: 0, amount: 300 * WAN })];
    const comps: CompensationEvent[] = [
      { subjectId: 'S1', bankCode: 'BANK-A', amount: 80 * WAN, paidOn: '2026-05-01', guaranteeAmount: 100 * WAN },
      { subjectId: 'S2', bankCode: 'BANK-A', amount: 240 * WAN, paidOn: '2026-07-01', guaranteeAmount: 300 * WAN },
    ];
    const m = computeGuarantorMetrics({ guarantorCode: 'G', period: Y2026, asOf: '2026-11-27', netAssets: 100 * WAN, guarantees: book, compensations: comps }, T);
    expect(m.guaranteeBalance).toBe(0);
    expect(m.releasedAmount).toBe(400 * WAN);
    expect(m.compensationRate).toBeCloseTo(0.8, 12);
    expect(m.breaches).toEqual([]);
  });

  it('a past period counts guarantees released after its end with their amount', () => {
    const book = [g('S1', { status: 'RELEASED', balance: 0, amount: 100 * WAN, startDate: '2025-01-01', endDate: '2026-03-01' })];
    const m = computeGuarantorMetrics({ guarantorCode: 'G', period: parsePeriod('2025')!, asOf: '2026-11-27', netAssets: 100 * WAN, guarantees: book, compensations: [] }, T);
    expect(m.guaranteeBalance).toBe(100 * WAN);
    expect(m.leverage).toBe(1);
    const current = computeGuarantorMetrics({ guarantorCode: 'G', period: Y2026, asOf: '2026-11-27', netAssets: 100 * WAN, guarantees: book, compensations: [] }, T);
    expect(current.guaranteeBalance).toBe(0);
    expect(current.releasedAmount).toBe(100 * WAN);
  });

  it('totals weight shares by balance and leverage over positive net assets', () => {
    const a = computeGuarantorMetrics({ guarantorCode: 'A', period: Y2026, asOf: '2026-11-27', netAssets: 100 * WAN, guarantees: [g('S1', { balance: 500 * WAN, feeRate: 1 })], compensations: [] }, T);
    const b = computeGuarantorMetrics({ guarantorCode: 'B', period: Y2026, asOf: '2026-11-27', netAssets: null, guarantees: [g('S2', { balance: 300 * WAN, feeRate: 0.5, smallMicroAgri: false })], compensations: [] }, T);
    const t = totalMetrics([a, b]);
    expect(t.guaranteeBalance).toBe(800 * WAN);
    expect(t.leverage).toBe(5); // 500 / 100: B reported no net assets
    expect(t.smallMicroAgriShare).toBeCloseTo(500 / 800, 12);
    expect(t.averageFeeRate).toBeCloseTo((500 + 150) / 800, 12);
  });
});

describe('circuit breaker (银担风险熔断, pure)', () => {
  const rules = { circuitBreakerRate: 0.05, circuitBreakerMinReleasedFen: 0 };
  it('trips at the threshold and resets below it', () => {
    expect(evaluateCooperation({ bankCode: 'B', guarantorCode: 'G', compensationAmount: 5 * WAN, releasedAmount: 100 * WAN }, rules)).toMatchObject({ compensationRate: 0.05, suspended: true });
    expect(evaluateCooperation({ bankCode: 'B', guarantorCode: 'G', compensationAmount: 4.99 * WAN, releasedAmount: 100 * WAN }, rules)).toMatchObject({ suspended: false });
  });
  it('nothing released: no rate, not suspended; a minimum released amount keeps tiny books running', () => {
    expect(evaluateCooperation({ bankCode: 'B', guarantorCode: 'G', compensationAmount: 0, releasedAmount: 0 }, rules)).toMatchObject({ compensationRate: null, suspended: false });
    expect(evaluateCooperation({ bankCode: 'B', guarantorCode: 'G', compensationAmount: 10 * WAN, releasedAmount: 20 * WAN }, { ...rules, circuitBreakerMinReleasedFen: 50 * WAN })).toMatchObject({ compensationRate: 0.5, suspended: false });
  });
  it('window: 12 months back, inclusive', () => {
    expect(cooperationWindow('2026-11-27', 12)).toEqual({ start: '2025-11-28', end: '2026-11-27' });
    expect(cooperationWindow('2026-03-31', 1)).toEqual({ start: '2026-03-01', end: '2026-03-31' });
  });
});

describe('periods and thresholds', () => {
  it('parses YYYY, YYYY-Qn, YYYY-MM', () => {
    expect(parsePeriod('2026-Q2')).toEqual({ label: '2026-Q2', start: '2026-04-01', end: '2026-06-30' });
    expect(parsePeriod('2024-02')).toEqual({ label: '2024-02', start: '2024-02-01', end: '2024-02-29' });
    expect(parsePeriod('2026')).toEqual({ label: '2026', start: '2026-01-01', end: '2026-12-31' });
    expect(parsePeriod('2026-13')).toBeNull();
    expect(parsePeriod('2026-Q5')).toBeNull();
  });
  it('defaults from DESIGN.md, overridable by a JSON file and by environment', () => {
    expect(T).toMatchObject({ singleHouseholdFocusFen: 1000 * WAN, maxLeverage: 10, maxLeverageMainlySmallMicroAgri: 15, smallMicroAgriMinShare: 0.8, smallAmountMinShare: 0.5, maxAverageFeeRatePercent: 1, maxSingleBorrowerShareOfNetAssets: 0.1, minBankSharePercent: 20 });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'thr-')), 't.json');
    fs.writeFileSync(file, JSON.stringify({ maxLeverage: 8, circuitBreakerRate: 0.03 }));
    const t = loadThresholds({ HUB_THRESHOLDS_FILE: file, [thresholdEnvName('circuitBreakerRate')]: '0.04' });
    expect(t.maxLeverage).toBe(8);
    expect(t.circuitBreakerRate).toBe(0.04);
    expect(thresholdEnvName('circuitBreakerRate')).toBe('HUB_THRESHOLD_CIRCUIT_BREAKER_RATE');
    expect(() => parseThresholds({ maxLeverag: 3 })).toThrow(/unknown key/);
    expect(() => parseThresholds({ smallMicroAgriMinShare: 80 })).toThrow(/fraction/);
  });
});
