import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { Database } from '../db/datasource';
import { readRows } from '../db/fast-read';
import { thresholds as currentThresholds, type Thresholds } from '../config/thresholds';
import { DateScalar, MoneyScalar } from '../federation/scalars';
import { CallerType, type Caller } from '../identity/caller';
import { SharingClass, SubjectData } from '../policy/catalog';
import { Guarantee, GuaranteeStatus, Loan, LoanStatus } from './entities';
import { compensationTotals, compensationWindowStart, ownContracts } from './read';
import { suspendedCooperationsOf } from './supervision/store';

/** Largest number of subjects one crossCheck call accepts. */
export const MAX_CROSS_CHECK_SUBJECTS = 10_000;

/**
 * 跨机构交叉核查 — one subject's exposure across every bank and guarantor reporting to the hub, the
 * caller's own contracts in detail, everyone else's only as totals. Subject-data fields carry the sharing
 * policy (datasets `loans` / `guarantees`): without an approved application and the subject's consent (or,
 * for post-loan management, an active relationship) they resolve to null with a FORBIDDEN error per field.
 */
@ObjectType('CrossCheckResult', {
  simpleResolvers: true,
  description:
    '跨机构交叉核查结果 — one subject’s loans and guarantees across ALL reporting banks and guarantors as totals, the ' +
    'caller’s own contracts in detail, the 1000万元 single-household focus line and what a proposed guarantee would do, ' +
    'and the 银担风险熔断 flag for cooperations involving the caller. Current record versions only; "active" loans are ' +
    'NORMAL or OVERDUE with a positive balance, "active" guarantees ACTIVE.',
})
export class CrossCheckResult {
  @Field(() => ID, { description: 'The subject: 统一社会信用代码 or 公民身份号码, as normalised by the hub.' })
  subjectId!: string;

  @Field(() => MoneyScalar, { description: '贷款余额合计 — outstanding balance of active loans at all banks (including the caller).' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  totalLoanBalance!: number;

  @Field(() => Int, { description: 'Number of active loans at all banks.' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  activeLoanCount!: number;

  @Field(() => Int, { description: '授信机构数 — distinct banks with an active loan to the subject.' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  lendingInstitutionCount!: number;

  @Field({ description: '是否逾期 — any active loan overdue at any bank (status OVERDUE or days past due > 0).' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  overdue!: boolean;

  @Field(() => Int, { description: '最长逾期天数 over the active loans at all banks.' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  maxOverdueDays!: number;

  @Field(() => MoneyScalar, { description: 'Balance of active loans at OTHER banks than the caller (aggregate only).' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  othersLoanBalance!: number;

  @Field(() => Int, { description: 'Number of active loans at OTHER banks than the caller.' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  othersActiveLoanCount!: number;

  @Field(() => MoneyScalar, { description: '在保余额合计 — balance of active guarantees by all guarantors (the 单户 guarantee exposure).' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  totalGuaranteeBalance!: number;

  @Field(() => Int, { description: 'Number of active guarantees by all guarantors.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  activeGuaranteeCount!: number;

  @Field(() => Int, { description: 'Distinct guarantors with an active guarantee for the subject.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  guaranteeInstitutionCount!: number;

  @Field(() => MoneyScalar, { description: 'Balance of active guarantees by OTHER guarantors than the caller (aggregate only).' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  othersGuaranteeBalance!: number;

  @Field(() => Int, { description: '代偿笔数 — compensations paid for the subject by any guarantor since compensationSince.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  compensationCount!: number;

  @Field(() => MoneyScalar, { description: '代偿金额合计 since compensationSince.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  compensationTotal!: number;

  @Field(() => DateScalar, { description: 'Start of the compensation window (today minus the configured number of years, CST).' })
  compensationSince!: string;

  @Field(() => MoneyScalar, { description: '单户担保金额 focus line (configuration; 1000万元 by default).' })
  focusLine!: number;

  @Field({ description: 'Whether the current guarantee balance already exceeds the focus line.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  exceedsFocusLine!: boolean;

  @Field(() => MoneyScalar, { description: 'Room left under the focus line (0 when at or above it).' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  focusLineHeadroom!: number;

  @Field(() => MoneyScalar, { nullable: true, description: 'The proposed new guarantee amount (the argument), if given.' })
  proposedGuaranteeAmount!: number | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Guarantee balance if the proposed guarantee were added (null without a proposal).' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  guaranteeBalanceWithProposal!: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether the proposed guarantee would take the subject above the focus line (null without a proposal).' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  proposalExceedsFocusLine!: boolean | null;

  @Field(() => [Loan], { description: 'The caller’s OWN current loans to the subject, in detail (banks only; empty for anyone else).' })
  ownLoans!: Loan[];

  @Field(() => [Guarantee], { description: 'The caller’s OWN current guarantees for the subject, in detail (guarantors only; empty for anyone else).' })
  ownGuarantees!: Guarantee[];

  @Field({
    description:
      '银担风险熔断 — whether an active guarantee of the subject runs under a cooperation (bank × guarantor) involving the ' +
      'caller that the circuit breaker has suspended: new business under it is flagged.',
  })
  cooperationSuspended!: boolean;

  @Field(() => [String], { description: 'Counterparties (institution codes) of the caller’s suspended cooperations that concern this subject’s active guarantees.' })
  suspendedCounterparties!: string[];
}

const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
const placeholders = (n: number) => new Array(n).fill('?').join(', ');
const ACTIVE_LOAN = `(status IN ('${LoanStatus.NORMAL}', '${LoanStatus.OVERDUE}') AND balance_fen > 0)`;
const OVERDUE_LOAN = `(status = '${LoanStatus.OVERDUE}' OR overdue_days > 0)`;

export interface CrossCheckOptions {
  proposedGuaranteeAmount?: number | null;
  now?: Date;
  thresholds?: Thresholds;
}

function emptyResult(subjectId: string, since: string, t: Thresholds, proposed: number | null): CrossCheckResult {
  return {
    subjectId,
    totalLoanBalance: 0,
    activeLoanCount: 0,
    lendingInstitutionCount: 0,
    overdue: false,
    maxOverdueDays: 0,
    othersLoanBalance: 0,
    othersActiveLoanCount: 0,
    totalGuaranteeBalance: 0,
    activeGuaranteeCount: 0,
    guaranteeInstitutionCount: 0,
    othersGuaranteeBalance: 0,
    compensationCount: 0,
    compensationTotal: 0,
    compensationSince: since,
    focusLine: t.singleHouseholdFocusFen,
    exceedsFocusLine: false,
    focusLineHeadroom: t.singleHouseholdFocusFen,
    proposedGuaranteeAmount: proposed,
    guaranteeBalanceWithProposal: proposed,
    proposalExceedsFocusLine: proposed === null ? null : proposed > t.singleHouseholdFocusFen,
    ownLoans: [],
    ownGuarantees: [],
    cooperationSuspended: false,
    suspendedCounterparties: [],
  };
}

/**
 * The cross-check of up to {@link MAX_CROSS_CHECK_SUBJECTS} subjects for `caller`. A constant number of
 * statements whatever the number of subjects: one aggregate per table (loans, guarantees, compensations)
 * with all ids in one IN list (≤ 10,000 parameters: under SQLite's 32,766 limit; mysql2 inlines them
 * client-side), one for the caller's own contracts in detail, one for the persisted circuit-breaker states.
 * Results are in the order of the (deduplicated) ids.
 */
export async function crossCheck(db: Database, caller: Caller, subjectIds: readonly string[], opts: CrossCheckOptions = {}): Promise<CrossCheckResult[]> {
  const t = opts.thresholds ?? currentThresholds();
  const now = opts.now ?? new Date();
  const since = compensationWindowStart(now, t.compensationWindowYears);
  const proposed = opts.proposedGuaranteeAmount ?? null;
  const ids = [...new Set(subjectIds)];
  const results = new Map(ids.map((id) => [id, emptyResult(id, since, t, proposed)]));
  if (!ids.length) return [];
  const org = caller.orgCode ?? '';
  const bank = caller.type === CallerType.BANK ? org : '';
  const guarantor = caller.type === CallerType.GUARANTOR ? org : '';
  const inList = placeholders(ids.length);

  const [loans, guarantees, compensations, ownLoans, ownGuarantees, suspended] = await Promise.all([
    readRows(db, 
      `SELECT subject_id AS subjectId,
              SUM(balance_fen) AS balance,
              COUNT(*) AS cnt,
              COUNT(DISTINCT bank_code) AS banks,
              SUM(CASE WHEN ${OVERDUE_LOAN} THEN 1 ELSE 0 END) AS overdueCount,
              MAX(overdue_days) AS maxOverdueDays,
              SUM(CASE WHEN bank_code = ? THEN balance_fen ELSE 0 END) AS ownBalance,
              SUM(CASE WHEN bank_code = ? THEN 1 ELSE 0 END) AS ownCount
         FROM exposure_loan
        WHERE is_current = 1 AND ${ACTIVE_LOAN} AND subject_id IN (${inList})
        GROUP BY subject_id`,
      [bank, bank, ...ids],
    ) as Promise<Array<Record<string, unknown>>>,
    readRows(db, 
      `SELECT subject_id AS subjectId,
              SUM(balance_fen) AS balance,
              COUNT(*) AS cnt,
              COUNT(DISTINCT guarantor_code) AS guarantors,
              SUM(CASE WHEN guarantor_code = ? THEN balance_fen ELSE 0 END) AS ownBalance,
              GROUP_CONCAT(DISTINCT CASE WHEN bank_code = ? THEN guarantor_code WHEN guarantor_code = ? THEN bank_code END) AS counterparties
         FROM exposure_guarantee
        WHERE is_current = 1 AND status = '${GuaranteeStatus.ACTIVE}' AND subject_id IN (${inList})
        GROUP BY subject_id`,
      [guarantor, org, org, ...ids],
    ) as Promise<Array<Record<string, unknown>>>,
    compensationTotals(db, ids, since),
    bank ? ownContracts(db, Loan, 'bank_code', bank, ids, ids.length) : Promise.resolve([] as Loan[]),
    guarantor ? ownContracts(db, Guarantee, 'guarantor_code', guarantor, ids, ids.length) : Promise.resolve([] as Guarantee[]),
    org ? suspendedCooperationsOf(db, org) : Promise.resolve([]),
  ]);

  for (const r of loans) {
    const s = results.get(String(r.subjectId));
    if (!s) continue;
    s.totalLoanBalance = num(r.balance);
    s.activeLoanCount = num(r.cnt);
    s.lendingInstitutionCount = num(r.banks);
    s.overdue = num(r.overdueCount) > 0;
    s.maxOverdueDays = num(r.maxOverdueDays);
    s.othersLoanBalance = s.totalLoanBalance - num(r.ownBalance);
    s.othersActiveLoanCount = s.activeLoanCount - num(r.ownCount);
  }
  const suspendedCounterparties = new Set(suspended.map((s) => (s.bankCode === org ? s.guarantorCode : s.bankCode)));
  for (const r of guarantees) {
    const s = results.get(String(r.subjectId));
    if (!s) continue;
    s.totalGuaranteeBalance = num(r.balance);
    s.activeGuaranteeCount = num(r.cnt);
    s.guaranteeInstitutionCount = num(r.guarantors);
    s.othersGuaranteeBalance = s.totalGuaranteeBalance - num(r.ownBalance);
    if (suspendedCounterparties.size && r.counterparties) {
      const hit = String(r.counterparties)
        .split(',')
        .filter((c) => suspendedCounterparties.has(c))
        .sort();
      s.suspendedCounterparties = hit;
      s.cooperationSuspended = hit.length > 0;
    }
  }
  for (const r of compensations) {
    const s = results.get(String(r.subjectId));
    if (!s) continue;
    s.compensationCount = num(r.compensationCount);
    s.compensationTotal = num(r.compensationTotal);
  }
  for (const l of ownLoans) results.get(l.subjectId)?.ownLoans.push(l);
  for (const g of ownGuarantees) results.get(g.subjectId)?.ownGuarantees.push(g);
  for (const s of results.values()) {
    s.exceedsFocusLine = s.totalGuaranteeBalance > t.singleHouseholdFocusFen;
    s.focusLineHeadroom = Math.max(0, t.singleHouseholdFocusFen - s.totalGuaranteeBalance);
    if (proposed !== null) {
      s.guaranteeBalanceWithProposal = s.totalGuaranteeBalance + proposed;
      s.proposalExceedsFocusLine = s.guaranteeBalanceWithProposal > t.singleHouseholdFocusFen;
    }
  }
  return ids.map((id) => results.get(id)!);
}
