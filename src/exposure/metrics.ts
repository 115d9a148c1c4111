/**
 * Guarantor supervision metrics and the bank–guarantor circuit breaker (银担风险熔断): a PURE module.
 * No I/O, no clock — callers pass the rows, the period, `asOf` and the thresholds.
 *
 * Definitions (all amounts integer fen; dates YYYY-MM-DD):
 *
 * - Period: `YYYY`, `YYYY-Qn` or `YYYY-MM`, i.e. [start, end] inclusive calendar dates.
 * - In force at the period end: a guarantee with startDate ≤ end that is ACTIVE now, or — for a period that
 *   ended before `asOf` — one that was released/compensated later (endDate > end). The hub keeps no balance
 *   history, so an ACTIVE guarantee counts with its current balance and a since-ended one with its amount.
 * - Guarantee balance (在保余额): Σ balance in force.
 * - Leverage (放大倍数) = balance / net assets. Cap 10×, or 15× when the guarantor is "mainly 小微/三农":
 *   its 支小支农 share of balance ≥ `mainlySmallMicroAgriShare` (default 80%). Net assets not reported → no
 *   leverage (listed under `missing`); net assets ≤ 0 with any balance → breach with value null.
 * - Largest single borrower: the subject with the largest in-force balance; ratio = that / net assets vs 10%.
 * - 支小支农 share = Σ balance of smallMicroAgri guarantees / Σ balance (≥ 80%).
 * - ≤500万 share = Σ balance of borrowers whose total in-force balance at this guarantor is ≤ 500万元, over
 *   Σ balance (≥ 50%) — "单户" is per household, not per contract.
 * - Weighted average fee rate = Σ feeRate × balance / Σ balance, in percent (≤ 1%).
 * - Above focus line: borrowers whose total in-force balance exceeds 1000万元 (focus line; limit 0).
 * - Bank risk share: in-force guarantees with bankShare < 20% (count and balance; limit 0).
 * - Compensation rate (担保代偿率, the regulator's formula: 当期累计代偿额 / 当期累计解除的担保额):
 *   Σ compensations paid in the period / Σ guarantee amounts released (解除) in the period, where released =
 *   RELEASED guarantees whose endDate falls in the period, plus the guaranteed amount of each guarantee
 *   compensated in the period (a compensated guarantee is released by the compensation; if the guarantee
 *   row is unknown its compensation amount stands in). Null when nothing was released. No breach: it is a
 *   reported metric (the circuit breaker acts on it per cooperation).
 * - Shares are null when there is no balance ("no business"); no rule is breached then.
 */

import type { Thresholds } from '../config/thresholds';

export type GuaranteeState = 'ACTIVE' | 'RELEASED' | 'COMPENSATED';

export interface GuaranteePosition {
  subjectId: string;
  bankCode: string;
  amount: number;
  balance: number;
  status: GuaranteeState | string;
  startDate: string;
  endDate: string;
  /** Percent, e.g. 0.8. */
  feeRate: number;
  /** Percent kept by the bank. */
  bankShare: number;
  smallMicroAgri: boolean;
}

export interface CompensationEvent {
  subjectId: string;
  bankCode: string;
  amount: number;
  paidOn: string;
  /** Amount of the compensated guarantee, when its row is known. */
  guaranteeAmount: number | null;
}

export interface Period {
  label: string;
  start: string;
  end: string;
}

export type RuleCode =
  | 'LEVERAGE'
  | 'SINGLE_BORROWER'
  | 'SMALL_MICRO_AGRI_SHARE'
  | 'SMALL_AMOUNT_SHARE'
  | 'AVERAGE_FEE_RATE'
  | 'BANK_RISK_SHARE'
  | 'FOCUS_LINE';

export interface Breach {
  rule: RuleCode;
  /** The measured value (null where it cannot be computed, e.g. leverage with net assets ≤ 0). */
  value: number | null;
  limit: number;
  message: string;
}

export interface GuarantorMetrics {
  guarantorCode: string;
  period: Period;
  netAssets: number | null;
  guaranteeBalance: number;
  inForceCount: number;
  borrowerCount: number;
  leverage: number | null;
  mainlySmallMicroAgri: boolean;
  leverageLimit: number;
  largestBorrowerSubjectId: string | null;
  largestBorrowerBalance: number;
  largestBorrowerShareOfNetAssets: number | null;
  smallMicroAgriShare: number | null;
  smallAmountShare: number | null;
  averageFeeRate: number | null;
  aboveFocusLineCount: number;
  bankShareViolationCount: number;
  bankShareViolationBalance: number;
  compensationAmount: number;
  compensationCount: number;
  releasedAmount: number;
  compensationRate: number | null;
  breaches: Breach[];
  /** Inputs that were not available (e.g. NET_ASSETS). */
  missing: string[];
}

export interface GuarantorPeriodInput {
  guarantorCode: string;
  period: Period;
  /** Today (YYYY-MM-DD); decides whether the period is over. */
  asOf: string;
  netAssets: number | null;
  guarantees: readonly GuaranteePosition[];
  compensations: readonly CompensationEvent[];
}

type Rules = Pick<
  Thresholds,
  | 'singleHouseholdFocusFen'
  | 'smallMicroAgriMinShare'
  | 'smallAmountLimitFen'
  | 'smallAmountMinShare'
  | 'maxAverageFeeRatePercent'
  | 'maxLeverage'
  | 'maxLeverageMainlySmallMicroAgri'
  | 'mainlySmallMicroAgriShare'
  | 'maxSingleBorrowerShareOfNetAssets'
  | 'minBankSharePercent'
>;

const PERIOD_RE = /^(\d{4})(?:-(?:Q([1-4])|(0[1-9]|1[0-2])))?$/;

/** Parses `YYYY`, `YYYY-Qn` or `YYYY-MM`; null if malformed. */
export function parsePeriod(label: string): Period | null {
  const m = PERIOD_RE.exec(label.trim());
  if (!m) return null;
  const y = Number(m[1]);
  let first = 1;
  let last = 12;
  if (m[2]) {
    first = (Number(m[2]) - 1) * 3 + 1;
    last = first + 2;
  } else if (m[3]) first = last = Number(m[3]);
  const lastDay = new Date(Date.UTC(y, last, 0)).getUTCDate();
  const pad = (n: number) => String(n).padStart(2, '0');
  return { label: label.trim(), start: `${y}-${pad(first)}-01`, end: `${y}-${pad(last)}-${pad(lastDay)}` };
}

/** Whether a guarantee was in force at the end of the period (see module doc). */
export function inForceAtEnd(g: GuaranteePosition, period: Period, asOf: string): boolean {
  if (g.startDate > period.end) return false;
  if (g.status === 'ACTIVE') return true;
  return period.end < asOf && g.endDate > period.end;
}

/** Balance a guarantee in force at the period end counts with. */
function balanceAtEnd(g: GuaranteePosition): number {
  return g.status === 'ACTIVE' ? g.balance : g.amount;
}

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

export function computeGuarantorMetrics(input: GuarantorPeriodInput, rules: Rules): GuarantorMetrics {
  const { period, asOf, netAssets } = input;
  let balance = 0;
  let smaBalance = 0;
  let feeWeighted = 0;
  let inForceCount = 0;
  let bankShareViolationCount = 0;
  let bankShareViolationBalance = 0;
  const perBorrower = new Map<string, number>();
  for (const g of input.guarantees) {
    if (!inForceAtEnd(g, period, asOf)) continue;
    const b = balanceAtEnd(g);
    inForceCount++;
    balance += b;
    if (g.smallMicroAgri) smaBalance += b;
    feeWeighted += g.feeRate * b;
    perBorrower.set(g.subjectId, (perBorrower.get(g.subjectId) ?? 0) + b);
    if (g.bankShare < rules.minBankSharePercent) {
      bankShareViolationCount++;
      bankShareViolationBalance += b;
    }
  }
  let largestId: string | null = null;
  let largest = 0;
  let smallAmountBalance = 0;
  let aboveFocus = 0;
  for (const [subjectId, b] of [...perBorrower].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    if (b > largest) {
      largest = b;
      largestId = subjectId;
    }
    if (b <= rules.smallAmountLimitFen) smallAmountBalance += b;
    if (b > rules.singleHouseholdFocusFen) aboveFocus++;
  }

  // Compensation rate over the period.
  let compensationAmount = 0;
  let compensationCount = 0;
  let releasedAmount = 0;
  for (const c of input.compensations) {
    if (c.paidOn < period.start || c.paidOn > period.end) continue;
    compensationAmount += c.amount;
    compensationCount++;
    releasedAmount += c.guaranteeAmount ?? c.amount;
  }
  for (const g of input.guarantees) {
    if (g.status === 'RELEASED' && g.endDate >= period.start && g.endDate <= period.end) releasedAmount += g.amount;
  }

  const smallMicroAgriShare = ratio(smaBalance, balance);
  const smallAmountShare = ratio(smallAmountBalance, balance);
  const averageFeeRate = balance > 0 ? feeWeighted / balance : null;
  const mainly = smallMicroAgriShare !== null && smallMicroAgriShare >= rules.mainlySmallMicroAgriShare;
  const leverageLimit = mainly ? rules.maxLeverageMainlySmallMicroAgri : rules.maxLeverage;
  const missing: string[] = [];
  let leverage: number | null = null;
  let largestShare: number | null = null;
  const breaches: Breach[] = [];
  if (netAssets === null) {
    if (balance > 0) missing.push('NET_ASSETS');
  } else if (netAssets > 0) {
    leverage = balance / netAssets;
    largestShare = largest / netAssets;
  }

  if (netAssets !== null && netAssets <= 0 && balance > 0) {
    breaches.push({ rule: 'LEVERAGE', value: null, limit: leverageLimit, message: 'net assets are zero or negative while the guarantee balance is positive: leverage is unbounded' });
    breaches.push({ rule: 'SINGLE_BORROWER', value: null, limit: rules.maxSingleBorrowerShareOfNetAssets, message: 'net assets are zero or negative: any exposure exceeds the single-borrower limit' });
  } else {
    if (leverage !== null && leverage > leverageLimit) {
      breaches.push({ rule: 'LEVERAGE', value: leverage, limit: leverageLimit, message: `放大倍数 ${leverage.toFixed(2)}× exceeds ${leverageLimit}×${mainly ? ' (mainly 小微/三农)' : ''}` });
    }
    if (largestShare !== null && largestShare > rules.maxSingleBorrowerShareOfNetAssets) {
      breaches.push({
        rule: 'SINGLE_BORROWER',
        value: largestShare,
        limit: rules.maxSingleBorrowerShareOfNetAssets,
        message: `largest single borrower is ${(largestShare * 100).toFixed(2)}% of net assets (limit ${rules.maxSingleBorrowerShareOfNetAssets * 100}%)`,
      });
    }
  }
  if (smallMicroAgriShare !== null && smallMicroAgriShare < rules.smallMicroAgriMinShare) {
    breaches.push({ rule: 'SMALL_MICRO_AGRI_SHARE', value: smallMicroAgriShare, limit: rules.smallMicroAgriMinShare, message: `支小支农 share ${(smallMicroAgriShare * 100).toFixed(2)}% is below ${rules.smallMicroAgriMinShare * 100}%` });
  }
  if (smallAmountShare !== null && smallAmountShare < rules.smallAmountMinShare) {
    breaches.push({ rule: 'SMALL_AMOUNT_SHARE', value: smallAmountShare, limit: rules.smallAmountMinShare, message: `share of borrowers ≤ ${rules.smallAmountLimitFen / 1_000_000}万元 is ${(smallAmountShare * 100).toFixed(2)}%, below ${rules.smallAmountMinShare * 100}%` });
  }
  if (averageFeeRate !== null && averageFeeRate > rules.maxAverageFeeRatePercent) {
    breaches.push({ rule: 'AVERAGE_FEE_RATE', value: averageFeeRate, limit: rules.maxAverageFeeRatePercent, message: `weighted average fee rate ${averageFeeRate.toFixed(4)}% exceeds ${rules.maxAverageFeeRatePercent}%` });
  }
  if (bankShareViolationCount > 0) {
    breaches.push({ rule: 'BANK_RISK_SHARE', value: bankShareViolationCount, limit: 0, message: `${bankShareViolationCount} guarantee(s) leave the bank less than ${rules.minBankSharePercent}% of the risk` });
  }
  if (aboveFocus > 0) {
    breaches.push({ rule: 'FOCUS_LINE', value: aboveFocus, limit: 0, message: `${aboveFocus} borrower(s) above the ${rules.singleHouseholdFocusFen / 1_000_000}万元 single-household focus line` });
  }

  return {
    guarantorCode: input.guarantorCode,
    period,
    netAssets,
    guaranteeBalance: balance,
    inForceCount,
    borrowerCount: perBorrower.size,
    leverage,
    mainlySmallMicroAgri: mainly,
    leverageLimit,
    largestBorrowerSubjectId: largestId,
    largestBorrowerBalance: largest,
    largestBorrowerShareOfNetAssets: largestShare,
    smallMicroAgriShare,
    smallAmountShare,
    averageFeeRate,
    aboveFocusLineCount: aboveFocus,
    bankShareViolationCount,
    bankShareViolationBalance,
    compensationAmount,
    compensationCount,
    releasedAmount,
    compensationRate: ratio(compensationAmount, releasedAmount),
    breaches,
    missing,
  };
}

/** Totals of several guarantors (by district, by level, system-wide). */
export interface MetricsTotals {
  guarantorCount: number;
  guaranteeBalance: number;
  /** Σ net assets of the guarantors that reported them. */
  netAssets: number;
  /** Σ balance / Σ net assets over the guarantors that reported positive net assets. */
  leverage: number | null;
  smallMicroAgriShare: number | null;
  averageFeeRate: number | null;
  compensationAmount: number;
  releasedAmount: number;
  compensationRate: number | null;
  breachCount: number;
}

export function totalMetrics(list: readonly GuarantorMetrics[]): MetricsTotals {
  let balance = 0;
  let net = 0;
  let levBalance = 0;
  let sma = 0;
  let fee = 0;
  let comp = 0;
  let released = 0;
  let breaches = 0;
  for (const m of list) {
    balance += m.guaranteeBalance;
    if (m.netAssets !== null) net += m.netAssets;
    if (m.netAssets !== null && m.netAssets > 0) levBalance += m.guaranteeBalance;
    sma += (m.smallMicroAgriShare ?? 0) * m.guaranteeBalance;
    fee += (m.averageFeeRate ?? 0) * m.guaranteeBalance;
    comp += m.compensationAmount;
    released += m.releasedAmount;
    breaches += m.breaches.length;
  }
  const positiveNet = list.reduce((s, m) => s + (m.netAssets !== null && m.netAssets > 0 ? m.netAssets : 0), 0);
  return {
    guarantorCount: list.length,
    guaranteeBalance: balance,
    netAssets: net,
    leverage: ratio(levBalance, positiveNet),
    smallMicroAgriShare: ratio(sma, balance),
    averageFeeRate: balance > 0 ? fee / balance : null,
    compensationAmount: comp,
    releasedAmount: released,
    compensationRate: ratio(comp, released),
    breachCount: breaches,
  };
}

/** What one cooperation (bank × guarantor) did in the circuit-breaker window. */
export interface CooperationWindow {
  bankCode: string;
  guarantorCode: string;
  /** Σ compensations the guarantor paid the bank in the window. */
  compensationAmount: number;
  /** Σ guarantee amounts released (解除) in the window: RELEASED by endDate plus compensated guarantees (see module doc). */
  releasedAmount: number;
}

export interface CooperationVerdict extends CooperationWindow {
  compensationRate: number | null;
  threshold: number;
  suspended: boolean;
}

/**
 * 银担风险熔断: rate = compensations / released in the window; the cooperation is suspended when the rate is
 * at or above the threshold (and the released amount reaches the configured minimum), and resumes as soon as
 * it falls below. Nothing released → rate null, not suspended.
 */
export function evaluateCooperation(w: CooperationWindow, rules: Pick<Thresholds, 'circuitBreakerRate' | 'circuitBreakerMinReleasedFen'>): CooperationVerdict {
  const rate = ratio(w.compensationAmount, w.releasedAmount);
  const suspended = rate !== null && rate >= rules.circuitBreakerRate && w.releasedAmount >= rules.circuitBreakerMinReleasedFen;
  return { ...w, compensationRate: rate, threshold: rules.circuitBreakerRate, suspended };
}

/** The circuit-breaker window ending `asOf` (inclusive): [asOf − months + 1 day, asOf]. */
export function cooperationWindow(asOf: string, months: number): { start: string; end: string } {
  const [y, m, d] = asOf.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 - months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last) + 1);
  return { start: first.toISOString().slice(0, 10), end: asOf };
}
