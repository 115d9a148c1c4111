import { Compensation, Guarantee, GuaranteeStatus, Loan, LoanStatus } from './entities';

/** Demo institutions that report exposure (registered by the demo seed in the sharing tables). */
export const DEMO_BANKS = { CQRCB: 'BANK-CQRCB', CQCB: 'BANK-CQCB' } as const;
export const DEMO_GUARANTORS = { REGUARANTEE: 'CQ-REGUAR', MUNICIPAL: 'CQ-SXG', WANZHOU: 'WZ-GUAR' } as const;

/** Subjects whose exposure the README and outside checks rely on. */
export const DEMO_EXPOSURE_SUBJECTS = {
  /** Active loans at both banks; the BANK-CQCB loan is guaranteed by CQ-SXG. */
  enterprise: '91500103MA5U7K3D1E',
  /** A BANK-CQRCB loan guaranteed by WZ-GUAR (万州). */
  cooperative: '93500101MA60QR2L82',
} as const;

export type LoanRow = Omit<Loan, 'id'>;
export type GuaranteeRow = Omit<Guarantee, 'id'>;
export type CompensationRow = Omit<Compensation, 'id'>;

export interface DemoSubject {
  id: string;
  kind: string;
  regionCode: string;
  isAgri: boolean;
}

/** GB/T 2260 code of 万州区, the district WZ-GUAR serves. */
const WANZHOU_REGION = '500101';
const DAY = 86_400_000;
const WAN = 1_000_000; // 1 万元 in fen

/** Today's date in China Standard Time shifted by `days`, YYYY-MM-DD. */
function cstDay(now: Date, days = 0): string {
  return new Date(now.getTime() + 8 * 3600_000 + days * DAY).toISOString().slice(0, 10);
}

/** `date` plus `months`, the day clamped to the target month's length. */
function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
}

/** Loan amount range in 万元 by subject kind (typical 普惠 loan sizes). */
const AMOUNT_RANGE_WAN: Record<string, [number, number]> = {
  ENTERPRISE: [50, 1000],
  INDIVIDUAL_BUSINESS: [5, 100],
  FARMER_COOPERATIVE: [20, 500],
  FAMILY_FARM: [10, 300],
  LARGE_GROWER: [10, 200],
  FARM_HOUSEHOLD: [3, 50],
};

const AGRI_USAGES = ['春耕备耕', '购买农资', '养殖周转', '农机购置', '果园改造', '农产品收购'];
const BUSINESS_USAGES = ['流动资金', '购置设备', '技术改造', '采购原材料', '经营周转'];
const SHOP_USAGES = ['经营周转', '店面装修', '进货周转'];

type Outcome = 'performing' | 'overdue' | 'settled' | 'default';

/**
 * Deterministic, realistic exposure rows for the demo (plain objects with the entities' property
 * names, no ids): about 60% of subjects borrow (some from both banks), about half of the borrowers'
 * loans are guaranteed (by WZ-GUAR in 万州, CQ-SXG elsewhere) (mostly 2:4:2:2 risk sharing, fees ≤ 1% with a few above), a few loans are
 * overdue, and a few defaults end in a write-off or, where guaranteed, a compensation (代偿).
 */
export function demoExposure(
  subjects: DemoSubject[],
  rng: () => number,
  now: Date,
): { Loan: LoanRow[]; Guarantee: GuaranteeRow[]; Compensation: CompensationRow[] } {
  const today = cstDay(now);
  const loans: LoanRow[] = [];
  const guarantees: GuaranteeRow[] = [];
  const compensations: CompensationRow[] = [];
  const seq = new Map<string, number>();
  const int = (min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)];
  const round2 = (x: number) => Math.round(x * 100) / 100;
  /** A report time within the last three days, to the millisecond. */
  const reportedAt = () => new Date(now.getTime() - int(1, 72) * 3600_000 - int(0, 3599_999));
  const nextNo = (prefix: string, year: string) => {
    const n = (seq.get(prefix) ?? 0) + 1;
    seq.set(prefix, n);
    return `${prefix}-${year}-${String(n).padStart(6, '0')}`;
  };
  const loanNo = (bank: string, start: string) => nextNo(bank === DEMO_BANKS.CQRCB ? 'CQRCB-JK' : 'CQCB-LD', start.slice(0, 4));
  const guaranteeNo = (guarantor: string, start: string) =>
    nextNo(guarantor === DEMO_GUARANTORS.WANZHOU ? 'WZDB' : guarantor === DEMO_GUARANTORS.MUNICIPAL ? 'SXDB' : 'CQZDB', start.slice(0, 4));

  const pushLoan = (row: Omit<LoanRow, 'reportedAt' | 'sourceRecordId' | 'version' | 'current'>): LoanRow => {
    const loan: LoanRow = { ...row, reportedAt: reportedAt(), sourceRecordId: `LN-${row.contractNo}`, version: 1, current: true };
    loans.push(loan);
    return loan;
  };
  const pushGuarantee = (loan: LoanRow, guarantor: string, g: Pick<GuaranteeRow, 'status' | 'feeRate' | 'smallMicroAgri'> & { reguaranteed: boolean }): GuaranteeRow => {
    const contractNo = guaranteeNo(guarantor, loan.startDate);
    const row: GuaranteeRow = {
      contractNo,
      guarantorCode: guarantor,
      bankCode: loan.bankCode,
      subjectId: loan.subjectId,
      amount: loan.amount,
      balance: g.status === GuaranteeStatus.ACTIVE ? loan.balance : 0,
      startDate: loan.startDate,
      endDate: loan.maturityDate,
      status: g.status,
      feeRate: g.feeRate,
      bankShare: 20,
      guarantorShare: g.reguaranteed ? 40 : 80,
      reguaranteeShare: g.reguaranteed ? 20 : 0,
      nationalFundShare: g.reguaranteed ? 20 : 0,
      reguarantorCode: g.reguaranteed ? DEMO_GUARANTORS.REGUARANTEE : null,
      smallMicroAgri: g.smallMicroAgri,
      reportedAt: reportedAt(),
      sourceRecordId: `GT-${contractNo}`,
      version: 1,
      current: true,
    };
    loan.guaranteeContractNo = contractNo;
    guarantees.push(row);
    return row;
  };

  /** A loan of `subject` at `bank` with the given outcome, dated relative to today. */
  const makeLoan = (subject: DemoSubject, bank: string, outcome: Outcome): LoanRow => {
    const [minWan, maxWan] = AMOUNT_RANGE_WAN[subject.kind] ?? AMOUNT_RANGE_WAN.ENTERPRISE;
    const amount = int(minWan, maxWan) * WAN;
    const agri = subject.isAgri || ['FAMILY_FARM', 'LARGE_GROWER', 'FARM_HOUSEHOLD'].includes(subject.kind);
    const usage = agri ? pick(AGRI_USAGES) : subject.kind === 'INDIVIDUAL_BUSINESS' ? pick(SHOP_USAGES) : pick(BUSINESS_USAGES);
    const interestRate = round2((agri ? 3.45 : 3.1) + rng() * (agri ? 1.35 : 2.4));
    const termMonths = pick([12, 12, 24, 36]);
    let startDate: string;
    let maturityDate: string;
    if (outcome === 'performing' || outcome === 'overdue') {
      startDate = cstDay(now, -int(20, 700));
      let months = termMonths;
      while (addMonths(startDate, months) <= today) months += 12;
      maturityDate = addMonths(startDate, months);
    } else {
      startDate = cstDay(now, -int(500, 2400));
      maturityDate = addMonths(startDate, 12);
      if (maturityDate >= today) maturityDate = addDays(today, -30);
    }
    const base = { contractNo: loanNo(bank, startDate), bankCode: bank, subjectId: subject.id, amount, startDate, maturityDate, interestRate, usage, guaranteeContractNo: null };
    // Outstanding principal of a performing loan: repaid down in 1万元 steps with time, never below 30%.
    const elapsed = Math.min(1, daysBetween(startDate, today) / Math.max(1, daysBetween(startDate, maturityDate)));
    const outstanding = Math.max(Math.round((amount * (1 - 0.7 * elapsed * rng())) / 10_000) * 10_000, Math.round(amount * 0.3));
    switch (outcome) {
      case 'performing':
        return pushLoan({ ...base, balance: outstanding, status: LoanStatus.NORMAL, overdueDays: 0, overdueAmount: 0 });
      case 'overdue': {
        const overdueDays = rng() < 0.7 ? int(1, 89) : int(90, 200);
        const overdueAmount = Math.min(outstanding, Math.round((amount * (0.02 + 0.13 * rng())) / 100) * 100);
        return pushLoan({ ...base, balance: outstanding, status: LoanStatus.OVERDUE, overdueDays, overdueAmount });
      }
      case 'settled':
        return pushLoan({ ...base, balance: 0, status: LoanStatus.SETTLED, overdueDays: 0, overdueAmount: 0 });
      case 'default': {
        const lost = Math.round((amount * (0.3 + 0.6 * rng())) / 10_000) * 10_000;
        return pushLoan({ ...base, balance: lost, status: LoanStatus.WRITTEN_OFF, overdueDays: Math.max(180, daysBetween(maturityDate, today)), overdueAmount: lost });
      }
    }
  };

  /** Turns a defaulted, guaranteed loan into 代偿: the guarantor pays the bank its share, the bank's loan is settled. */
  const compensate = (loan: LoanRow, guarantee: GuaranteeRow) => {
    const outstanding = loan.balance;
    const due = addDays(loan.maturityDate, int(60, 150));
    const paidOn = due < today ? due : addDays(today, -10);
    const amount = Math.round((outstanding * (100 - guarantee.bankShare)) / 100);
    const recoveredAmount = rng() < 0.6 ? Math.round((amount * rng() * 0.4) / 100) * 100 : 0;
    Object.assign(loan, { status: LoanStatus.SETTLED, balance: 0, overdueDays: 0, overdueAmount: 0 });
    compensations.push({
      guaranteeContractNo: guarantee.contractNo,
      guarantorCode: guarantee.guarantorCode,
      bankCode: guarantee.bankCode,
      subjectId: guarantee.subjectId,
      amount,
      paidOn,
      recoveredAmount,
      reportedAt: reportedAt(),
      sourceRecordId: `DC-${guarantee.contractNo}`,
      version: 1,
      current: true,
    });
  };

  for (const subject of subjects) {
    if (subject.id === DEMO_EXPOSURE_SUBJECTS.enterprise) {
      fixedEnterprise(subject);
      continue;
    }
    if (subject.id === DEMO_EXPOSURE_SUBJECTS.cooperative) {
      fixedCooperative(subject);
      continue;
    }
    if (rng() >= 0.6) continue; // about 40% borrow from neither bank
    const agri = subject.isAgri || subject.kind !== 'ENTERPRISE';
    // 农商行 dominates rural lending; the city bank more of the enterprise lending.
    const firstBank = rng() < (agri ? 0.75 : 0.45) ? DEMO_BANKS.CQRCB : DEMO_BANKS.CQCB;
    const roll = rng();
    const outcome: Outcome = roll < 0.7 ? 'performing' : roll < 0.78 ? 'overdue' : roll < 0.97 ? 'settled' : 'default';
    const loan = makeLoan(subject, firstBank, outcome);
    // 万州 borrowers mostly go through the district guarantor (区县直保); elsewhere the municipal one.
    const wanzhou = subject.regionCode === WANZHOU_REGION;
    if (rng() < (wanzhou ? 0.8 : 0.5)) {
      const guarantor = wanzhou ? DEMO_GUARANTORS.WANZHOU : DEMO_GUARANTORS.MUNICIPAL;
      const feeRate = rng() < 0.9 ? pick([0.5, 0.6, 0.8, 0.8, 1.0, 1.0]) : round2(1.2 + int(0, 8) / 10);
      const status = outcome === 'settled' ? GuaranteeStatus.RELEASED : outcome === 'default' ? GuaranteeStatus.COMPENSATED : GuaranteeStatus.ACTIVE;
      const guarantee = pushGuarantee(loan, guarantor, {
        status,
        feeRate,
        smallMicroAgri: agri || rng() < 0.85,
        reguaranteed: rng() < 0.85,
      });
      if (status === GuaranteeStatus.COMPENSATED) compensate(loan, guarantee);
    }
    if (rng() < 0.2) {
      const other = firstBank === DEMO_BANKS.CQRCB ? DEMO_BANKS.CQCB : DEMO_BANKS.CQRCB;
      const r = rng();
      makeLoan(subject, other, r < 0.8 ? 'performing' : r < 0.9 ? 'overdue' : 'settled');
    }
  }

  function fixedEnterprise(subject: DemoSubject): void {
    const start1 = cstDay(now, -200);
    pushLoan({
      contractNo: loanNo(DEMO_BANKS.CQRCB, start1),
      bankCode: DEMO_BANKS.CQRCB,
      subjectId: subject.id,
      amount: 300 * WAN,
      balance: 240 * WAN,
      startDate: start1,
      maturityDate: addMonths(start1, 24),
      status: LoanStatus.NORMAL,
      overdueDays: 0,
      overdueAmount: 0,
      interestRate: 3.85,
      usage: '流动资金',
      guaranteeContractNo: null,
    });
    const start2 = cstDay(now, -90);
    const cqcb = pushLoan({
      contractNo: loanNo(DEMO_BANKS.CQCB, start2),
      bankCode: DEMO_BANKS.CQCB,
      subjectId: subject.id,
      amount: 500 * WAN,
      balance: 500 * WAN,
      startDate: start2,
      maturityDate: addMonths(start2, 12),
      status: LoanStatus.NORMAL,
      overdueDays: 0,
      overdueAmount: 0,
      interestRate: 3.95,
      usage: '经营周转',
      guaranteeContractNo: null,
    });
    pushGuarantee(cqcb, DEMO_GUARANTORS.MUNICIPAL, { status: GuaranteeStatus.ACTIVE, feeRate: 0.8, smallMicroAgri: true, reguaranteed: true });
  }

  function fixedCooperative(subject: DemoSubject): void {
    const start = cstDay(now, -150);
    const loan = pushLoan({
      contractNo: loanNo(DEMO_BANKS.CQRCB, start),
      bankCode: DEMO_BANKS.CQRCB,
      subjectId: subject.id,
      amount: 200 * WAN,
      balance: 150 * WAN,
      startDate: start,
      maturityDate: addMonths(start, 36),
      status: LoanStatus.NORMAL,
      overdueDays: 0,
      overdueAmount: 0,
      interestRate: 3.65,
      usage: '果园改造',
      guaranteeContractNo: null,
    });
    pushGuarantee(loan, DEMO_GUARANTORS.WANZHOU, { status: GuaranteeStatus.ACTIVE, feeRate: 0.6, smallMicroAgri: true, reguaranteed: true });
  }

  return { Loan: loans, Guarantee: guarantees, Compensation: compensations };
}
