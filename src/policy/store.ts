import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Database } from '../db/datasource';
import { CallerType } from '../identity/caller';
import { assertSubjectId } from '../identifiers';
import type { DatasetCode } from './catalog';
import { DATASETS } from './datasets';
import { columnReader, placeholders, readRows, selectColumns, selectEntities } from '../db/fast-read';
import type { ApprovalFact, ConsentFact } from './decide';
import { DataUseApplication, SubjectConsent } from './entities';
import { Purpose } from './purposes';

/**
 * I/O for the policy core: batched reads of the decision inputs, and the write paths the `sharing`
 * subgraph's mutations call. Each write is one transaction; state changes are guarded updates
 * (`WHERE status = …`) so two concurrent decisions cannot both succeed.
 */

export type PolicyErrorCode = 'INVALID_INPUT' | 'NOT_FOUND' | 'FORBIDDEN' | 'INVALID_STATE' | 'CONFLICT';

/** A refused write, with a stable code the GraphQL layer maps to an error code. Messages name no personal data. */
export class PolicyStoreError extends Error {
  constructor(
    readonly code: PolicyErrorCode,
    message: string,
  ) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = 'PolicyStoreError';
  }
}

const MAX_USE_CASE = 2000;
const MAX_REASON = 500;
const SHA256_HEX = /^[0-9a-f]{64}$/;

// ---------------------------------------------------------------- reads

/**
 * The consents the subjects gave `granteeCode`, keyed by subject id (every requested id has an entry,
 * possibly empty). One statement whatever the number of subjects; none for an empty list. Revoked and
 * expired consents are included: the decision reports them as the reason for a denial.
 */
export async function loadConsents(db: Database, granteeCode: string, subjectIds: readonly string[]): Promise<Map<string, ConsentFact[]>> {
  const ids = [...new Set(subjectIds)];
  const out = new Map<string, ConsentFact[]>(ids.map((id) => [id, []]));
  if (ids.length === 0 || !granteeCode) return out;
  // On every read path: hand-written SQL, hydrated from the entity metadata (see selectEntities).
  const rows = await selectColumns(db, SubjectConsent, CONSENT_FACT_COLUMNS, `subject_id IN (${placeholders(ids.length)}) AND grantee_code = ?`, [...ids, granteeCode]);
  for (const row of rows) out.get(row.subjectId)?.push(toConsentFact(row));
  return out;
}

/** All data-use applications of `consumerCode` (any status): one statement. */
export async function loadApprovals(db: Database, consumerCode: string): Promise<ApprovalFact[]> {
  if (!consumerCode) return [];
  const rows = await selectEntities(db, DataUseApplication, 'consumer_code = ?', [consumerCode]);
  return rows.map(toApprovalFact);
}

/**
 * What a decision can rely on: the APPROVED applications of `consumerCode` for one purpose (expired ones
 * included — they make the denial APPROVAL_EXPIRED). One statement.
 */
export async function loadApprovedApplications(db: Database, consumerCode: string, purpose: Purpose): Promise<ApprovalFact[]> {
  if (!consumerCode) return [];
  const rows = await selectColumns(db, DataUseApplication, APPROVAL_FACT_COLUMNS, "consumer_code = ? AND purpose = ? AND status = 'APPROVED'", [consumerCode, purpose]);
  return rows.map(toApprovalFact);
}

/**
 * {@link loadConsents} and {@link loadApprovedApplications} in one statement (UNION ALL): a request's first
 * decisions need both, and on a networked database a round trip costs more than the rows. The approval
 * rows travel in the consent columns of the same type (purpose as purposes, dataset as datasets, expiry
 * as valid_to); their status is APPROVED by the WHERE clause.
 */
export async function loadConsentsAndApprovals(
  db: Database,
  granteeCode: string,
  subjectIds: readonly string[],
  purpose: Purpose,
): Promise<{ consents: Map<string, ConsentFact[]>; approvals: ApprovalFact[] }> {
  const ids = [...new Set(subjectIds)];
  if (!granteeCode || !ids.length) {
    const [consents, approvals] = await Promise.all([loadConsents(db, granteeCode, ids), loadApprovedApplications(db, granteeCode, purpose)]);
    return { consents, approvals };
  }
  const c = columnReader(db, SubjectConsent, CONSENT_FACT_COLUMNS);
  const a = columnReader(db, DataUseApplication, APPROVAL_ROW_COLUMNS);
  const [cId, cSubject, cGrantee, cPurposes, cDatasets, cFrom, cTo, cRevoked] = c.columns;
  const [aId, aConsumer, aDataset, aPurpose, aExpires] = a.columns;
  const rows = await readRows<Record<string, unknown>>(
    db,
    `SELECT 'C' AS fact, ${cId} AS id, ${cSubject} AS subject, ${cGrantee} AS org, ${cPurposes} AS purposes, ${cDatasets} AS datasets, ${cFrom} AS valid_from, ${cTo} AS valid_to, ${cRevoked} AS revoked_at
       FROM ${c.table} WHERE ${cSubject} IN (${placeholders(ids.length)}) AND ${cGrantee} = ?
     UNION ALL
     SELECT 'A', ${aId}, NULL, ${aConsumer}, ${aPurpose}, ${aDataset}, NULL, ${aExpires}, NULL
       FROM ${a.table} WHERE ${aConsumer} = ? AND ${aPurpose} = ? AND status = 'APPROVED'`,
    [...ids, granteeCode, granteeCode, purpose],
  );
  const consents = new Map<string, ConsentFact[]>(ids.map((id) => [id, []]));
  const approvals: ApprovalFact[] = [];
  for (const r of rows) {
    // Hydrated straight into the facts: fresh objects and arrays, nothing to copy.
    if (r.fact === 'C') {
      const fact = c.hydrateValues([r.id, r.subject, r.org, r.purposes, r.datasets, r.valid_from, r.valid_to, r.revoked_at]) as ConsentFact;
      fact.revokedAt ??= null;
      consents.get(fact.subjectId)?.push(fact);
    } else {
      const [id, consumerCode, dataset, purpose, expiresAt] = a.hydrateRaw([r.id, r.org, r.datasets, r.purposes, r.valid_to]) as [string, string, DatasetCode, Purpose, Date | null];
      approvals.push({ id, consumerCode, dataset, purpose, status: 'APPROVED', expiresAt: expiresAt ?? null });
    }
  }
  return { consents, approvals };
}

/** An approval as the union above reads it (status is implied). */
const APPROVAL_ROW_COLUMNS = ['id', 'consumerCode', 'dataset', 'purpose', 'expiresAt'] as const;

/** What a decision reads of a consent (not the evidence or who registered it). */
const CONSENT_FACT_COLUMNS = ['id', 'subjectId', 'granteeCode', 'purposes', 'datasets', 'validFrom', 'validTo', 'revokedAt'] as const;

export function toConsentFact(row: Pick<SubjectConsent, (typeof CONSENT_FACT_COLUMNS)[number]>): ConsentFact {
  return {
    id: row.id,
    subjectId: row.subjectId,
    granteeCode: row.granteeCode,
    purposes: [...row.purposes],
    datasets: [...row.datasets],
    validFrom: row.validFrom,
    validTo: row.validTo,
    revokedAt: row.revokedAt ?? null,
  };
}

/** What a decision reads of an application. */
const APPROVAL_FACT_COLUMNS = ['id', 'consumerCode', 'dataset', 'purpose', 'status', 'expiresAt'] as const;

export function toApprovalFact(row: Pick<DataUseApplication, (typeof APPROVAL_FACT_COLUMNS)[number]>): ApprovalFact {
  return { id: row.id, consumerCode: row.consumerCode, dataset: row.dataset, purpose: row.purpose, status: row.status, expiresAt: row.expiresAt ?? null };
}

// ---------------------------------------------------------------- data-use applications

export interface CreateApplicationInput {
  consumerCode: string;
  dataset: DatasetCode;
  purpose: Purpose;
  /** 使用场景: what the data is for. */
  useCase: string;
}

/**
 * Files a PENDING application. Refuses unknown datasets and purposes, datasets no department publishes
 * (nobody could decide them) and a second PENDING application for the same dataset and purpose.
 */
export async function createApplication(db: Database, input: CreateApplicationInput, opts: { now?: Date } = {}): Promise<DataUseApplication> {
  const consumerCode = requireCode(input.consumerCode, 'consumerCode');
  const dataset = requireDataset(input.dataset);
  const purpose = requirePurpose(input.purpose);
  const useCase = requireText(input.useCase, 'useCase', MAX_USE_CASE);
  const now = opts.now ?? new Date();
  return db.dataSource.transaction(async (m) => {
    const pending = await m
      .getRepository(DataUseApplication)
      .createQueryBuilder('a')
      .where('a.consumerCode = :consumerCode AND a.dataset = :dataset AND a.purpose = :purpose AND a.status = :status', { consumerCode, dataset, purpose, status: 'PENDING' })
      .getCount();
    if (pending > 0) {
      throw new PolicyStoreError('CONFLICT', `an application of ${consumerCode} for dataset '${dataset}' and purpose ${purpose} is already pending`);
    }
    const row = Object.assign(new DataUseApplication(), {
      id: randomUUID(),
      consumerCode,
      dataset,
      purpose,
      useCase,
      status: 'PENDING' as const,
      decidedBy: null,
      decidedAt: null,
      decisionReason: null,
      expiresAt: null,
      createdAt: now,
    });
    await m.createQueryBuilder().insert().into(DataUseApplication).values(row).execute();
    return row;
  });
}

export interface DecideOptions {
  now?: Date;
  /** A note stored with an approval (for a rejection the reason is the 5th argument). */
  note?: string;
}

/**
 * The publishing department approves (with an expiry in the future) or rejects (with a reason) a PENDING
 * application. Only the publisher of the application's dataset (per DATASETS) may decide.
 */
export function decideApplication(db: Database, id: string, departmentCode: string, approve: true, expiresAt: Date, opts?: DecideOptions): Promise<DataUseApplication>;
export function decideApplication(db: Database, id: string, departmentCode: string, approve: false, reason: string, opts?: DecideOptions): Promise<DataUseApplication>;
export function decideApplication(db: Database, id: string, departmentCode: string, approve: boolean, expiresAtOrReason: Date | string, opts?: DecideOptions): Promise<DataUseApplication>;
export async function decideApplication(
  db: Database,
  id: string,
  departmentCode: string,
  approve: boolean,
  expiresAtOrReason: Date | string,
  opts: DecideOptions = {},
): Promise<DataUseApplication> {
  const now = opts.now ?? new Date();
  let expiresAt: Date | null = null;
  let reason: string | null;
  if (approve) {
    if (!(expiresAtOrReason instanceof Date) || Number.isNaN(expiresAtOrReason.getTime())) {
      throw new PolicyStoreError('INVALID_INPUT', 'an approval needs an expiry date');
    }
    if (expiresAtOrReason.getTime() <= now.getTime()) throw new PolicyStoreError('INVALID_INPUT', 'an approval must expire in the future');
    expiresAt = expiresAtOrReason;
    reason = opts.note === undefined ? null : requireText(opts.note, 'note', MAX_REASON);
  } else {
    if (typeof expiresAtOrReason !== 'string') throw new PolicyStoreError('INVALID_INPUT', 'a rejection needs a reason');
    reason = requireText(expiresAtOrReason, 'reason', MAX_REASON);
  }
  return db.dataSource.transaction(async (m) => {
    const app = await findApplication(m, id);
    const publisher = DATASETS[app.dataset]?.publisher ?? null;
    if (!publisher || publisher !== departmentCode) {
      throw new PolicyStoreError('FORBIDDEN', `only the publisher of dataset '${app.dataset}' (${publisher ?? 'none'}) may decide this application; ${departmentCode} may not`);
    }
    if (app.status !== 'PENDING') throw new PolicyStoreError('INVALID_STATE', `the application is ${app.status}; only a PENDING application can be decided`);
    const changes = {
      status: approve ? ('APPROVED' as const) : ('REJECTED' as const),
      decidedBy: departmentCode,
      decidedAt: now,
      decisionReason: reason,
      expiresAt,
    };
    await guardedUpdate(m, id, 'PENDING', changes);
    return Object.assign(app, changes);
  });
}

/** The consumer withdraws its own PENDING or APPROVED application (an approval stops counting at once). */
export async function withdrawApplication(db: Database, id: string, consumerCode: string, opts: { now?: Date; reason?: string } = {}): Promise<DataUseApplication> {
  const now = opts.now ?? new Date();
  const reason = opts.reason === undefined ? undefined : requireText(opts.reason, 'reason', MAX_REASON);
  return db.dataSource.transaction(async (m) => {
    const app = await findApplication(m, id);
    if (app.consumerCode !== consumerCode) throw new PolicyStoreError('FORBIDDEN', 'only the applying institution may withdraw its application');
    if (app.status !== 'PENDING' && app.status !== 'APPROVED') {
      throw new PolicyStoreError('INVALID_STATE', `the application is ${app.status}; only a PENDING or APPROVED application can be withdrawn`);
    }
    // The publisher's decision (decided_by/decided_at/expires_at) stays as it was; the withdrawal is noted.
    const note = reason ?? `withdrawn by the applicant at ${now.toISOString()}`;
    const changes: Partial<DataUseApplication> = {
      status: 'WITHDRAWN',
      decisionReason: (app.decisionReason ? `${app.decisionReason}; ${note}` : note).slice(0, MAX_REASON),
    };
    await guardedUpdate(m, id, app.status, changes);
    return Object.assign(app, changes);
  });
}

async function findApplication(m: EntityManager, id: string): Promise<DataUseApplication> {
  const app = typeof id === 'string' && id ? await m.getRepository(DataUseApplication).findOne({ where: { id } }) : null;
  if (!app) throw new PolicyStoreError('NOT_FOUND', `no data-use application with id '${String(id)}'`);
  return app;
}

async function guardedUpdate(m: EntityManager, id: string, fromStatus: string, changes: Partial<DataUseApplication>): Promise<void> {
  const r = await m
    .createQueryBuilder()
    .update(DataUseApplication)
    .set(changes)
    .where('id = :id AND status = :fromStatus', { id, fromStatus })
    .execute();
  if (r.affected !== undefined && r.affected !== 1) {
    throw new PolicyStoreError('CONFLICT', 'the application was changed concurrently; reload and try again');
  }
}

// ---------------------------------------------------------------- consents

export interface RegisterConsentInput {
  /** 统一社会信用代码 or 公民身份号码; validated and stored normalised. */
  subjectId: string;
  /** Institution the subject authorises. */
  granteeCode: string;
  purposes: Purpose[];
  datasets: DatasetCode[];
  /** Start of validity (inclusive). */
  validFrom: Date;
  /** End of validity (exclusive); after validFrom. */
  validTo: Date;
  /** SHA-256 hex of the signed authorisation document (stored lower-case). */
  evidenceSha256: string;
  /** Who registers it (user id or institution code). */
  registeredBy: string;
}

export async function registerConsent(db: Database, input: RegisterConsentInput, opts: { now?: Date } = {}): Promise<SubjectConsent> {
  const now = opts.now ?? new Date();
  let subjectId: string;
  try {
    subjectId = assertSubjectId(input.subjectId, now).id;
  } catch (e) {
    throw new PolicyStoreError('INVALID_INPUT', `subjectId is not a valid 统一社会信用代码 or 公民身份号码: ${(e as Error).message}`);
  }
  const granteeCode = requireCode(input.granteeCode, 'granteeCode');
  if (!Array.isArray(input.purposes) || input.purposes.length === 0) throw new PolicyStoreError('INVALID_INPUT', 'a consent must name at least one purpose');
  if (!Array.isArray(input.datasets) || input.datasets.length === 0) throw new PolicyStoreError('INVALID_INPUT', 'a consent must name at least one dataset');
  const purposes = [...new Set(input.purposes.map(requirePurpose))];
  const datasets = [...new Set(input.datasets.map(requireDataset))];
  if (!validDate(input.validFrom) || !validDate(input.validTo)) throw new PolicyStoreError('INVALID_INPUT', 'validFrom and validTo must be dates');
  if (input.validFrom.getTime() >= input.validTo.getTime()) throw new PolicyStoreError('INVALID_INPUT', 'validFrom must be before validTo');
  const evidence = typeof input.evidenceSha256 === 'string' ? input.evidenceSha256.trim().toLowerCase() : '';
  if (!SHA256_HEX.test(evidence)) throw new PolicyStoreError('INVALID_INPUT', 'evidenceSha256 must be a SHA-256 digest: 64 hexadecimal characters');
  const registeredBy = requireText(input.registeredBy, 'registeredBy', 128);

  const row = Object.assign(new SubjectConsent(), {
    id: randomUUID(),
    subjectId,
    granteeCode,
    purposes,
    datasets,
    validFrom: input.validFrom,
    validTo: input.validTo,
    evidenceSha256: evidence,
    registeredBy,
    registeredAt: now,
    revokedAt: null,
    revokedBy: null,
    revocationReason: null,
  });
  await db.dataSource.transaction(async (m) => {
    await m.createQueryBuilder().insert().into(SubjectConsent).values(row).execute();
  });
  return row;
}

/** Revokes a consent from now on. Only the grantee institution or the hub OPERATOR may. */
export async function revokeConsent(
  db: Database,
  id: string,
  byCode: string,
  byType: CallerType,
  reason: string,
  opts: { now?: Date } = {},
): Promise<SubjectConsent> {
  const now = opts.now ?? new Date();
  const revocationReason = requireText(reason, 'reason', MAX_REASON);
  const by = requireCode(byCode, 'byCode');
  return db.dataSource.transaction(async (m) => {
    const consent = typeof id === 'string' && id ? await m.getRepository(SubjectConsent).findOne({ where: { id } }) : null;
    if (!consent) throw new PolicyStoreError('NOT_FOUND', `no consent with id '${String(id)}'`);
    const isGrantee = byType !== CallerType.SUBJECT && consent.granteeCode === by;
    if (!isGrantee && byType !== CallerType.OPERATOR) {
      throw new PolicyStoreError('FORBIDDEN', 'only the grantee institution or the hub operator may revoke this consent');
    }
    if (consent.revokedAt) throw new PolicyStoreError('INVALID_STATE', `the consent was already revoked at ${consent.revokedAt.toISOString()}`);
    const changes = { revokedAt: now, revokedBy: by, revocationReason };
    const r = await m.createQueryBuilder().update(SubjectConsent).set(changes).where('id = :id AND revoked_at IS NULL', { id }).execute();
    if (r.affected !== undefined && r.affected !== 1) throw new PolicyStoreError('CONFLICT', 'the consent was revoked concurrently');
    return Object.assign(consent, changes);
  });
}

// ---------------------------------------------------------------- validation helpers

function requireCode(value: unknown, what: string): string {
  const v = typeof value === 'string' ? value.trim() : '';
  if (!v || v.length > 32) throw new PolicyStoreError('INVALID_INPUT', `${what} must be an institution code of 1–32 characters`);
  return v;
}

function requireText(value: unknown, what: string, max: number): string {
  const v = typeof value === 'string' ? value.trim() : '';
  if (!v) throw new PolicyStoreError('INVALID_INPUT', `${what} must not be empty`);
  if (v.length > max) throw new PolicyStoreError('INVALID_INPUT', `${what} must be at most ${max} characters`);
  return v;
}

function requireDataset(value: unknown): DatasetCode {
  if (typeof value !== 'string' || !Object.prototype.hasOwnProperty.call(DATASETS, value)) {
    throw new PolicyStoreError('INVALID_INPUT', `unknown dataset '${String(value)}'; known: ${Object.keys(DATASETS).join(', ')}`);
  }
  return value as DatasetCode;
}

function requirePurpose(value: unknown): Purpose {
  if (!(Object.values(Purpose) as unknown[]).includes(value)) {
    throw new PolicyStoreError('INVALID_INPUT', `unknown purpose '${String(value)}'; known: ${Object.values(Purpose).join(', ')}`);
  }
  return value as Purpose;
}

function validDate(d: unknown): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}
