import { MoreThan } from 'typeorm';
import type { Database } from '../db/datasource';
import { placeholders, readRows, selectEntities } from '../db/fast-read';
import { MAX_IDS_PER_STATEMENT, groupBy, loader, type HubContext } from '../federation/context';
import { CallerType, type Caller } from '../identity/caller';
import { Compensation, Guarantee, GuaranteeStatus, Loan, LoanStatus } from './entities';
import type { ExposureSummary } from './types';

/** Compensations (代偿) count in a subject's summary for this many years back from today. */
export const COMPENSATION_WINDOW_YEARS = 5;

/** SQL for "an active loan": outstanding (NORMAL or OVERDUE) with a positive balance. */
const ACTIVE_LOAN = `(status IN ('${LoanStatus.NORMAL}', '${LoanStatus.OVERDUE}') AND balance_fen > 0)`;
/** SQL for "an overdue loan" (to be combined with ACTIVE_LOAN). */
const OVERDUE_LOAN = `(status = '${LoanStatus.OVERDUE}' OR overdue_days > 0)`;
const ACTIVE_GUARANTEE = `(status = '${GuaranteeStatus.ACTIVE}')`;

function chunks<T>(items: readonly T[], size = MAX_IDS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}


/** mysql2 returns SUM/COUNT as strings (DECIMAL/BIGINT), better-sqlite3 as numbers; null for an empty SUM. */
const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

/** Today's calendar date in China Standard Time (UTC+8) minus `years`, as YYYY-MM-DD. */
export function compensationWindowStart(now: Date, years = COMPENSATION_WINDOW_YEARS): string {
  const cst = new Date(now.getTime() + 8 * 3600_000);
  const start = new Date(Date.UTC(cst.getUTCFullYear() - years, cst.getUTCMonth(), cst.getUTCDate()));
  return start.toISOString().slice(0, 10);
}

function emptySummary(subjectId: string, since: string, asOf: Date): ExposureSummary {
  return {
    subjectId,
    totalLoanBalance: 0,
    activeLoanCount: 0,
    lendingInstitutionCount: 0,
    overdue: false,
    maxOverdueDays: 0,
    overdueBalance: 0,
    writtenOffLoanCount: 0,
    totalGuaranteeBalance: 0,
    activeGuaranteeCount: 0,
    guaranteeInstitutionCount: 0,
    compensationCount: 0,
    compensationTotal: 0,
    compensationSince: since,
    asOf,
  };
}

/** 代偿 per subject paid on or after `since` (YYYY-MM-DD), current versions: one GROUP BY over the given ids. */
export function compensationTotals(db: Database, ids: readonly string[], since: string): Promise<Array<{ subjectId: string; compensationCount: unknown; compensationTotal: unknown }>> {
  return readRows(db, 
    `SELECT subject_id AS subjectId, COUNT(*) AS compensationCount, SUM(amount_fen) AS compensationTotal
       FROM exposure_compensation
      WHERE is_current = 1 AND paid_on >= ? AND subject_id IN (${placeholders(ids.length)})
      GROUP BY subject_id`,
    [since, ...ids],
  );
}

/**
 * System-wide exposure summaries of the given subjects across all reporting institutions: one
 * GROUP BY statement per table (loans, guarantees, compensations) for up to 10,000 subjects.
 * Every subject asked for is in the map (all zeros where nothing is reported).
 */
export async function exposureSummaries(db: Database, subjectIds: readonly string[], now: Date = new Date()): Promise<Map<string, ExposureSummary>> {
  const since = compensationWindowStart(now);
  const result = new Map<string, ExposureSummary>();
  const unique = [...new Set(subjectIds)];
  for (const id of unique) result.set(id, emptySummary(id, since, now));
  for (const ids of chunks(unique)) {
    const inList = placeholders(ids.length);
    const [loans, guarantees, compensations] = await Promise.all([
      readRows(db, 
        `SELECT subject_id AS subjectId,
                SUM(CASE WHEN ${ACTIVE_LOAN} THEN balance_fen ELSE 0 END) AS totalLoanBalance,
                SUM(CASE WHEN ${ACTIVE_LOAN} THEN 1 ELSE 0 END) AS activeLoanCount,
                COUNT(DISTINCT CASE WHEN ${ACTIVE_LOAN} THEN bank_code END) AS lendingInstitutionCount,
                SUM(CASE WHEN ${ACTIVE_LOAN} AND ${OVERDUE_LOAN} THEN 1 ELSE 0 END) AS overdueLoanCount,
                MAX(CASE WHEN ${ACTIVE_LOAN} THEN overdue_days ELSE 0 END) AS maxOverdueDays,
                SUM(CASE WHEN ${ACTIVE_LOAN} AND ${OVERDUE_LOAN} THEN balance_fen ELSE 0 END) AS overdueBalance,
                SUM(CASE WHEN status = '${LoanStatus.WRITTEN_OFF}' THEN 1 ELSE 0 END) AS writtenOffLoanCount
           FROM exposure_loan
          WHERE is_current = 1 AND subject_id IN (${inList})
          GROUP BY subject_id`,
        ids,
      ) as Promise<Array<Record<string, unknown>>>,
      readRows(db, 
        `SELECT subject_id AS subjectId,
                SUM(balance_fen) AS totalGuaranteeBalance,
                COUNT(*) AS activeGuaranteeCount,
                COUNT(DISTINCT guarantor_code) AS guaranteeInstitutionCount
           FROM exposure_guarantee
          WHERE is_current = 1 AND ${ACTIVE_GUARANTEE} AND subject_id IN (${inList})
          GROUP BY subject_id`,
        ids,
      ) as Promise<Array<Record<string, unknown>>>,
      compensationTotals(db, ids, since),
    ]);
    for (const row of loans) {
      const s = result.get(String(row.subjectId));
      if (!s) continue;
      s.totalLoanBalance = num(row.totalLoanBalance);
      s.activeLoanCount = num(row.activeLoanCount);
      s.lendingInstitutionCount = num(row.lendingInstitutionCount);
      s.overdue = num(row.overdueLoanCount) > 0;
      s.maxOverdueDays = num(row.maxOverdueDays);
      s.overdueBalance = num(row.overdueBalance);
      s.writtenOffLoanCount = num(row.writtenOffLoanCount);
    }
    for (const row of guarantees) {
      const s = result.get(String(row.subjectId));
      if (!s) continue;
      s.totalGuaranteeBalance = num(row.totalGuaranteeBalance);
      s.activeGuaranteeCount = num(row.activeGuaranteeCount);
      s.guaranteeInstitutionCount = num(row.guaranteeInstitutionCount);
    }
    for (const row of compensations) {
      const s = result.get(String(row.subjectId));
      if (!s) continue;
      s.compensationCount = num(row.compensationCount);
      s.compensationTotal = num(row.compensationTotal);
    }
  }
  return result;
}

/**
 * For the policy core (post-loan management needs an existing relationship): the subjects among
 * `subjectIds` with which institution `orgCode` has an active loan (NORMAL or OVERDUE with a positive
 * balance, reported by it as lending bank) or an active guarantee (ACTIVE, reported by it as
 * guarantor). One statement per table for up to 10,000 subjects; current record versions only.
 */
export async function activeRelationships(db: Database, orgCode: string, subjectIds: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  if (!orgCode || !subjectIds.length) return found;
  for (const ids of chunks([...new Set(subjectIds)])) {
    const inList = placeholders(ids.length);
    const [loans, guarantees] = await Promise.all([
      readRows(db, 
        `SELECT DISTINCT subject_id AS subjectId FROM exposure_loan
          WHERE bank_code = ? AND is_current = 1 AND ${ACTIVE_LOAN} AND subject_id IN (${inList})`,
        [orgCode, ...ids],
      ) as Promise<Array<{ subjectId: string }>>,
      readRows(db, 
        `SELECT DISTINCT subject_id AS subjectId FROM exposure_guarantee
          WHERE guarantor_code = ? AND is_current = 1 AND ${ACTIVE_GUARANTEE} AND subject_id IN (${inList})`,
        [orgCode, ...ids],
      ) as Promise<Array<{ subjectId: string }>>,
    ]);
    for (const row of [...loans, ...guarantees]) found.add(String(row.subjectId));
  }
  return found;
}

/** The institution whose own loans the caller may see in detail (a bank: its own code), or null. */
export function lendingBankOf(caller: Caller | undefined): string | null {
  return caller?.type === CallerType.BANK && caller.orgCode ? caller.orgCode : null;
}

/** The guarantor whose own guarantees and compensations the caller may see in detail, or null. */
export function guarantorOf(caller: Caller | undefined): string | null {
  return caller?.type === CallerType.GUARANTOR && caller.orgCode ? caller.orgCode : null;
}

/**
 * Current contracts one institution reported for the given subjects: one statement per `perStatement`
 * subjects (the cross-check passes all of its ids at once to keep its statement count fixed).
 */
export async function ownContracts<T extends Loan | Guarantee | Compensation>(
  db: Database,
  entity: new () => T,
  reporterColumn: 'bank_code' | 'guarantor_code',
  reporter: string,
  subjectIds: readonly string[],
  perStatement = MAX_IDS_PER_STATEMENT,
): Promise<T[]> {
  const rows: T[] = [];
  for (const ids of chunks([...new Set(subjectIds)], perStatement)) {
    rows.push(...(await selectEntities(db, entity, `${reporterColumn} = ? AND is_current = 1 AND subject_id IN (${placeholders(ids.length)})`, [reporter, ...ids], 'id ASC')));
  }
  return rows;
}

/** Current loans that bank `bankCode` reported for the given subjects, one statement per 10,000 subjects. */
export async function loansOfBank(db: Database, bankCode: string, subjectIds: readonly string[]): Promise<Loan[]> {
  return ownContracts(db, Loan, 'bank_code', bankCode, subjectIds);
}

/** Current guarantees that guarantor `guarantorCode` reported for the given subjects. */
export async function guaranteesOfGuarantor(db: Database, guarantorCode: string, subjectIds: readonly string[]): Promise<Guarantee[]> {
  return ownContracts(db, Guarantee, 'guarantor_code', guarantorCode, subjectIds);
}

/** Current compensations that guarantor `guarantorCode` reported for the given subjects. */
export async function compensationsOfGuarantor(db: Database, guarantorCode: string, subjectIds: readonly string[]): Promise<Compensation[]> {
  return ownContracts(db, Compensation, 'guarantor_code', guarantorCode, subjectIds);
}

/** A page of an institution's own current records, ordered by id; `afterId` is the last id of the previous page. */
export interface PageArgs {
  first: number;
  afterId: number;
}

export function loanPage(db: Database, bankCode: string, page: PageArgs): Promise<Loan[]> {
  return db.dataSource.getRepository(Loan).find({ where: { bankCode, current: true, id: MoreThan(page.afterId) }, order: { id: 'ASC' }, take: page.first });
}

export function guaranteePage(db: Database, guarantorCode: string, page: PageArgs): Promise<Guarantee[]> {
  return db.dataSource.getRepository(Guarantee).find({ where: { guarantorCode, current: true, id: MoreThan(page.afterId) }, order: { id: 'ASC' }, take: page.first });
}

export function compensationPage(db: Database, guarantorCode: string, page: PageArgs): Promise<Compensation[]> {
  return db.dataSource.getRepository(Compensation).find({ where: { guarantorCode, current: true, id: MoreThan(page.afterId) }, order: { id: 'ASC' }, take: page.first });
}

/** The request's summary loader: all subjects of the request in one aggregate statement per table. */
export function exposureSummaryLoader(ctx: HubContext) {
  return loader<string, ExposureSummary>(ctx, 'exposure.summary', async (ids) => {
    const summaries = await exposureSummaries(ctx.db, ids);
    return ids.map((id) => summaries.get(id)!);
  });
}

/** The calling bank's own current loans per subject (empty, without a statement, for anyone else). */
export function ownLoansLoader(ctx: HubContext) {
  return loader<string, Loan[]>(ctx, 'exposure.ownLoans', async (ids) => {
    const bank = lendingBankOf(ctx.caller);
    if (!bank) return ids.map(() => []);
    return groupBy(ids, await loansOfBank(ctx.db, bank, ids), (r) => r.subjectId);
  });
}

/** The calling guarantor's own current guarantees per subject (empty for anyone else). */
export function ownGuaranteesLoader(ctx: HubContext) {
  return loader<string, Guarantee[]>(ctx, 'exposure.ownGuarantees', async (ids) => {
    const guarantor = guarantorOf(ctx.caller);
    if (!guarantor) return ids.map(() => []);
    return groupBy(ids, await guaranteesOfGuarantor(ctx.db, guarantor, ids), (r) => r.subjectId);
  });
}

/** The calling guarantor's own current compensations per subject (empty for anyone else). */
export function ownCompensationsLoader(ctx: HubContext) {
  return loader<string, Compensation[]>(ctx, 'exposure.ownCompensations', async (ids) => {
    const guarantor = guarantorOf(ctx.caller);
    if (!guarantor) return ids.map(() => []);
    return groupBy(ids, await compensationsOfGuarantor(ctx.db, guarantor, ids), (r) => r.subjectId);
  });
}
