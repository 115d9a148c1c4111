import type { Database } from '../../db/datasource';
import { insertRows } from '../../db/bulk';
import { thresholds as currentThresholds, type Thresholds } from '../../config/thresholds';
import { findInstitutions } from '../../sharing/read';
import {
  computeGuarantorMetrics,
  cooperationWindow,
  evaluateCooperation,
  type CompensationEvent,
  type CooperationVerdict,
  type CooperationWindow,
  type GuaranteePosition,
  type GuarantorMetrics,
  type Period,
} from '../metrics';
import { CooperationEvent, CooperationState, GuarantorNetAssets } from './entities';

/** mysql2 returns SUM/COUNT/BIGINT as strings, better-sqlite3 as numbers; null for an empty SUM. */
const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
const placeholders = (n: number) => new Array(n).fill('?').join(', ');

/** Today's date in China Standard Time, YYYY-MM-DD. */
export function cstToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

export const pairKey = (bankCode: string, guarantorCode: string) => `${bankCode}|${guarantorCode}`;

// ---------------------------------------------------------------------------------------------
// Net assets
// ---------------------------------------------------------------------------------------------

export async function recordNetAssets(
  db: Database,
  row: { guarantorCode: string; period: Period; netAssets: number; reportedBy: string; now?: Date },
): Promise<GuarantorNetAssets> {
  const entity = {
    guarantorCode: row.guarantorCode,
    period: row.period.label,
    periodEnd: row.period.end,
    netAssets: row.netAssets,
    reportedBy: row.reportedBy,
    reportedAt: row.now ?? new Date(),
  } as GuarantorNetAssets;
  await insertRows(db.dataSource.manager, GuarantorNetAssets, [entity]);
  return entity;
}

/**
 * Net assets per guarantor for a period: the latest report for that period, else the latest report of an
 * earlier period (by period end). One statement.
 */
export async function netAssetsAt(db: Database, guarantorCodes: readonly string[], periodEnd: string): Promise<Map<string, GuarantorNetAssets>> {
  const out = new Map<string, GuarantorNetAssets>();
  if (!guarantorCodes.length) return out;
  const rows = await db.dataSource
    .getRepository(GuarantorNetAssets)
    .createQueryBuilder('n')
    .where('n.guarantorCode IN (:...codes)', { codes: [...new Set(guarantorCodes)] })
    .andWhere('n.periodEnd <= :end', { end: periodEnd })
    .orderBy('n.periodEnd', 'ASC')
    .addOrderBy('n.id', 'ASC')
    .getMany();
  for (const r of rows) out.set(r.guarantorCode, r); // later period / later report wins
  return out;
}

// ---------------------------------------------------------------------------------------------
// Guarantor metrics
// ---------------------------------------------------------------------------------------------

export interface GuarantorInfo {
  code: string;
  name: string | null;
  level: string | null;
  regionCode: string | null;
}

/**
 * Guarantors known to supervision: every institution that reported a guarantee or has net assets on
 * record, with level and region from the sharing module's register (its exported read function).
 * `regionCode` '500000' (municipal scope) or null returns all; a district code returns that district's.
 */
export async function guarantorsInScope(db: Database, regionCode: string | null | undefined): Promise<GuarantorInfo[]> {
  const [fromGuarantees, fromNetAssets] = await Promise.all([
    db.dataSource.query('SELECT DISTINCT guarantor_code AS code FROM exposure_guarantee') as Promise<Array<{ code: string }>>,
    db.dataSource.query('SELECT DISTINCT guarantor_code AS code FROM supervision_net_assets') as Promise<Array<{ code: string }>>,
  ]);
  const codes = [...new Set([...fromGuarantees, ...fromNetAssets].map((r) => String(r.code)))].sort();
  const institutions = await findInstitutions(db, codes);
  const all = codes.map((code, i) => {
    const inst = institutions[i];
    return { code, name: inst?.name ?? null, level: inst?.guarantorLevel ?? null, regionCode: inst?.regionCode ?? null };
  });
  if (!regionCode || regionCode === '500000') return all;
  return all.filter((g) => g.regionCode === regionCode);
}

/** Loads the rows the pure metrics need for the given guarantors and period (three statements) and computes them. */
export async function guarantorMetrics(db: Database, guarantorCodes: readonly string[], period: Period, opts: { now?: Date; thresholds?: Thresholds } = {}): Promise<GuarantorMetrics[]> {
  const codes = [...new Set(guarantorCodes)];
  if (!codes.length) return [];
  const t = opts.thresholds ?? currentThresholds();
  const asOf = cstToday(opts.now);
  const inList = placeholders(codes.length);
  const [guarantees, compensations, netAssets] = await Promise.all([
    db.dataSource.query(
      `SELECT guarantor_code AS guarantorCode, subject_id AS subjectId, bank_code AS bankCode, amount_fen AS amount, balance_fen AS balance,
              status, start_date AS startDate, end_date AS endDate, fee_rate AS feeRate, bank_share AS bankShare, small_micro_agri AS sma
         FROM exposure_guarantee
        WHERE is_current = 1 AND guarantor_code IN (${inList}) AND start_date <= ?
          AND (status = 'ACTIVE' OR end_date >= ?)`,
      [...codes, period.end, period.start],
    ) as Promise<Array<Record<string, unknown>>>,
    db.dataSource.query(
      `SELECT c.guarantor_code AS guarantorCode, c.subject_id AS subjectId, c.bank_code AS bankCode, c.amount_fen AS amount, c.paid_on AS paidOn,
              g.amount_fen AS guaranteeAmount
         FROM exposure_compensation c
         LEFT JOIN exposure_guarantee g
           ON g.guarantor_code = c.guarantor_code AND g.contract_no = c.guarantee_contract_no AND g.is_current = 1
        WHERE c.is_current = 1 AND c.guarantor_code IN (${inList}) AND c.paid_on >= ? AND c.paid_on <= ?`,
      [...codes, period.start, period.end],
    ) as Promise<Array<Record<string, unknown>>>,
    netAssetsAt(db, codes, period.end),
  ]);
  const byGuarantor = new Map<string, { g: GuaranteePosition[]; c: CompensationEvent[] }>(codes.map((c) => [c, { g: [], c: [] }]));
  for (const r of guarantees) {
    byGuarantor.get(String(r.guarantorCode))?.g.push({
      subjectId: String(r.subjectId),
      bankCode: String(r.bankCode),
      amount: num(r.amount),
      balance: num(r.balance),
      status: String(r.status),
      startDate: String(r.startDate),
      endDate: String(r.endDate),
      feeRate: num(r.feeRate),
      bankShare: num(r.bankShare),
      smallMicroAgri: r.sma === true || r.sma === 1 || r.sma === '1',
    });
  }
  for (const r of compensations) {
    byGuarantor.get(String(r.guarantorCode))?.c.push({
      subjectId: String(r.subjectId),
      bankCode: String(r.bankCode),
      amount: num(r.amount),
      paidOn: String(r.paidOn),
      guaranteeAmount: r.guaranteeAmount === null || r.guaranteeAmount === undefined ? null : num(r.guaranteeAmount),
    });
  }
  return codes.map((code) =>
    computeGuarantorMetrics(
      { guarantorCode: code, period, asOf, netAssets: netAssets.get(code)?.netAssets ?? null, guarantees: byGuarantor.get(code)!.g, compensations: byGuarantor.get(code)!.c },
      t,
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Circuit breaker (银担风险熔断)
// ---------------------------------------------------------------------------------------------

export interface CooperationFilter {
  bankCodes?: readonly string[];
  guarantorCodes?: readonly string[];
  /** Exact pairs (bank, guarantor); combined with the lists above by AND. */
  pairs?: ReadonlyArray<readonly [string, string]>;
}

export interface CooperationStatus extends CooperationVerdict {
  activeGuaranteeCount: number;
  activeGuaranteeBalance: number;
  windowStart: string;
  windowEnd: string;
  /** When the suspended flag last changed. */
  changedAt: Date;
  evaluatedAt: Date;
}

function filterSql(f: CooperationFilter, bankCol: string, guarantorCol: string): { sql: string; params: string[] } {
  const parts: string[] = [];
  const params: string[] = [];
  const banks = [...new Set([...(f.bankCodes ?? []), ...(f.pairs && !f.bankCodes ? f.pairs.map((p) => p[0]) : [])])];
  const guarantors = [...new Set([...(f.guarantorCodes ?? []), ...(f.pairs && !f.guarantorCodes ? f.pairs.map((p) => p[1]) : [])])];
  if (f.bankCodes || f.pairs) {
    parts.push(banks.length ? `${bankCol} IN (${placeholders(banks.length)})` : '1 = 0');
    params.push(...banks);
  }
  if (f.guarantorCodes || f.pairs) {
    parts.push(guarantors.length ? `${guarantorCol} IN (${placeholders(guarantors.length)})` : '1 = 0');
    params.push(...guarantors);
  }
  return { sql: parts.length ? ` AND ${parts.join(' AND ')}` : '', params };
}

/**
 * Computes every matching cooperation's compensation rate over the configured window (two aggregate
 * statements), decides suspended / not, and persists the state; a change of the flag is appended to the
 * history (SUSPENDED / RESUMED). Returns the verdicts ordered by bank, guarantor.
 */
export async function evaluateCooperations(db: Database, filter: CooperationFilter = {}, opts: { now?: Date; thresholds?: Thresholds } = {}): Promise<CooperationStatus[]> {
  const t = opts.thresholds ?? currentThresholds();
  const now = opts.now ?? new Date();
  const w = cooperationWindow(cstToday(now), t.circuitBreakerWindowMonths);
  const g = filterSql(filter, 'bank_code', 'guarantor_code');
  const c = filterSql(filter, 'c.bank_code', 'c.guarantor_code');
  const [guaranteeRows, compensationRows] = await Promise.all([
    db.dataSource.query(
      `SELECT bank_code AS bankCode, guarantor_code AS guarantorCode,
              SUM(CASE WHEN status = 'RELEASED' AND end_date >= ? AND end_date <= ? THEN amount_fen ELSE 0 END) AS released,
              SUM(CASE WHEN status = 'ACTIVE' THEN 1 ELSE 0 END) AS activeCount,
              SUM(CASE WHEN status = 'ACTIVE' THEN balance_fen ELSE 0 END) AS activeBalance
         FROM exposure_guarantee
        WHERE is_current = 1${g.sql}
        GROUP BY bank_code, guarantor_code`,
      [w.start, w.end, ...g.params],
    ) as Promise<Array<Record<string, unknown>>>,
    db.dataSource.query(
      `SELECT c.bank_code AS bankCode, c.guarantor_code AS guarantorCode, SUM(c.amount_fen) AS compensated,
              SUM(COALESCE(gu.amount_fen, c.amount_fen)) AS releasedByCompensation
         FROM exposure_compensation c
         LEFT JOIN exposure_guarantee gu
           ON gu.guarantor_code = c.guarantor_code AND gu.contract_no = c.guarantee_contract_no AND gu.is_current = 1
        WHERE c.is_current = 1 AND c.paid_on >= ? AND c.paid_on <= ?${c.sql}
        GROUP BY c.bank_code, c.guarantor_code`,
      [w.start, w.end, ...c.params],
    ) as Promise<Array<Record<string, unknown>>>,
  ]);
  const wanted = filter.pairs ? new Set(filter.pairs.map(([b, gc]) => pairKey(b, gc))) : null;
  const windows = new Map<string, CooperationWindow & { activeGuaranteeCount: number; activeGuaranteeBalance: number }>();
  const entry = (bankCode: string, guarantorCode: string) => {
    const key = pairKey(bankCode, guarantorCode);
    let e = windows.get(key);
    if (!e) windows.set(key, (e = { bankCode, guarantorCode, compensationAmount: 0, releasedAmount: 0, activeGuaranteeCount: 0, activeGuaranteeBalance: 0 }));
    return e;
  };
  for (const r of guaranteeRows) {
    const e = entry(String(r.bankCode), String(r.guarantorCode));
    e.releasedAmount += num(r.released);
    e.activeGuaranteeCount += num(r.activeCount);
    e.activeGuaranteeBalance += num(r.activeBalance);
  }
  for (const r of compensationRows) {
    const e = entry(String(r.bankCode), String(r.guarantorCode));
    e.compensationAmount += num(r.compensated);
    e.releasedAmount += num(r.releasedByCompensation);
  }
  if (wanted) for (const [b, gc] of filter.pairs!) entry(b, gc);
  const list = [...windows.values()].filter((e) => !wanted || wanted.has(pairKey(e.bankCode, e.guarantorCode)));
  list.sort((a, b) => (a.bankCode === b.bankCode ? (a.guarantorCode < b.guarantorCode ? -1 : 1) : a.bankCode < b.bankCode ? -1 : 1));
  const verdicts = list.map((e) => ({ ...evaluateCooperation(e, t), activeGuaranteeCount: e.activeGuaranteeCount, activeGuaranteeBalance: e.activeGuaranteeBalance }));
  return persistStates(db, verdicts, w, now);
}

async function persistStates(
  db: Database,
  verdicts: Array<CooperationVerdict & { activeGuaranteeCount: number; activeGuaranteeBalance: number }>,
  w: { start: string; end: string },
  now: Date,
): Promise<CooperationStatus[]> {
  if (!verdicts.length) return [];
  const previous = await loadStates(db, verdicts.map((v) => [v.bankCode, v.guarantorCode] as const));
  const states: CooperationState[] = [];
  const events: CooperationEvent[] = [];
  const out: CooperationStatus[] = [];
  for (const v of verdicts) {
    const before = previous.get(pairKey(v.bankCode, v.guarantorCode));
    const changed = !before || before.suspended !== v.suspended;
    const changedAt = changed ? now : before!.changedAt;
    if (changed && (v.suspended || before)) {
      events.push({ bankCode: v.bankCode, guarantorCode: v.guarantorCode, event: v.suspended ? 'SUSPENDED' : 'RESUMED', compensationRate: v.compensationRate, threshold: v.threshold, windowStart: w.start, windowEnd: w.end, at: now } as CooperationEvent);
    }
    states.push({
      bankCode: v.bankCode,
      guarantorCode: v.guarantorCode,
      suspended: v.suspended,
      compensationRate: v.compensationRate,
      threshold: v.threshold,
      compensationAmount: v.compensationAmount,
      releasedAmount: v.releasedAmount,
      windowStart: w.start,
      windowEnd: w.end,
      changedAt,
      evaluatedAt: now,
    });
    out.push({ ...v, windowStart: w.start, windowEnd: w.end, changedAt, evaluatedAt: now });
  }
  await db.dataSource.transaction(async (m) => {
    for (let i = 0; i < states.length; i += 500) {
      await m.getRepository(CooperationState).upsert(states.slice(i, i + 500), { conflictPaths: ['bankCode', 'guarantorCode'], skipUpdateIfNoValuesChanged: false });
    }
    if (events.length) await insertRows(m, CooperationEvent, events);
  });
  return out;
}

/** Persisted states of the given pairs (one statement). */
export async function loadStates(db: Database, pairs: ReadonlyArray<readonly [string, string]>): Promise<Map<string, CooperationState>> {
  const out = new Map<string, CooperationState>();
  if (!pairs.length) return out;
  const rows = await db.dataSource
    .getRepository(CooperationState)
    .createQueryBuilder('s')
    .where('s.bankCode IN (:...banks)', { banks: [...new Set(pairs.map((p) => p[0]))] })
    .andWhere('s.guarantorCode IN (:...guarantors)', { guarantors: [...new Set(pairs.map((p) => p[1]))] })
    .getMany();
  const wanted = new Set(pairs.map(([b, g]) => pairKey(b, g)));
  for (const r of rows) if (wanted.has(pairKey(r.bankCode, r.guarantorCode))) out.set(pairKey(r.bankCode, r.guarantorCode), r);
  return out;
}

/** The persisted suspended cooperations involving an institution (as bank or guarantor): one statement, no evaluation. */
export async function suspendedCooperationsOf(db: Database, orgCode: string): Promise<CooperationState[]> {
  return db.dataSource
    .getRepository(CooperationState)
    .createQueryBuilder('s')
    .where('s.suspended = :yes', { yes: true })
    .andWhere('(s.bankCode = :org OR s.guarantorCode = :org)', { org: orgCode })
    .getMany();
}

/** History of circuit-breaker transitions of a cooperation, oldest first. */
export function cooperationEvents(db: Database, bankCode: string, guarantorCode: string): Promise<CooperationEvent[]> {
  return db.dataSource.getRepository(CooperationEvent).find({ where: { bankCode, guarantorCode }, order: { id: 'ASC' } });
}

/**
 * For the reporting path: whether new business under the cooperation bank × guarantor is suspended right
 * now. Evaluates the pair live (two aggregate statements over that guarantor's rows) and persists the state.
 */
export async function isCooperationSuspended(db: Database, bankCode: string, guarantorCode: string, opts: { now?: Date; thresholds?: Thresholds } = {}): Promise<boolean> {
  const [v] = await evaluateCooperations(db, { pairs: [[bankCode, guarantorCode]] }, opts);
  return !!v?.suspended;
}

/**
 * Batch version for a reporting batch: pair key (`bank|guarantor`, see {@link pairKey}) → suspended, for
 * every distinct pair given. A constant number of statements whatever the number of pairs.
 */
export async function cooperationSuspensions(db: Database, pairs: ReadonlyArray<readonly [string, string]>, opts: { now?: Date; thresholds?: Thresholds } = {}): Promise<Map<string, boolean>> {
  const unique = [...new Map(pairs.map((p) => [pairKey(p[0], p[1]), p] as const)).values()];
  const out = new Map<string, boolean>(unique.map(([b, g]) => [pairKey(b, g), false]));
  if (!unique.length) return out;
  for (const v of await evaluateCooperations(db, { pairs: unique }, opts)) out.set(pairKey(v.bankCode, v.guarantorCode), v.suspended);
  return out;
}
