import { freshDatabase, onMysql } from './support/db';
import { createHash } from 'node:crypto';
import type { Database } from '../src/db/datasource';
import { completeUscc } from '../src/identifiers';
import { CallerType } from '../src/identity/caller';
import { SharingClass } from '../src/policy/catalog';
import { DEPARTMENTS } from '../src/policy/datasets';
import { decideDataset } from '../src/policy/decide';
import { DataUseApplication, SubjectConsent } from '../src/policy/entities';
import { Purpose } from '../src/policy/purposes';
import {
  PolicyStoreError,
  createApplication,
  decideApplication,
  loadApprovals,
  loadApprovedApplications,
  loadConsents,
  loadConsentsAndApprovals,
  registerConsent,
  revokeConsent,
  withdrawApplication,
  type RegisterConsentInput,
} from '../src/policy/store';
import { Policy1764201600400 } from '../migrations/1764201600400-policy';

const POLICY_TABLES = ['policy_data_use_application', 'policy_subject_consent'];

const NOW = new Date('2025-06-01T04:00:00.123Z');
const DAY = 24 * 60 * 60 * 1000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY);
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const BANK = 'CQ-BANK-01';
const OTHER_BANK = 'CQ-BANK-02';
const SUBJECT = '91350100M000100Y43';
const PERSON = '11010519491231002X';

let db: Database;


beforeAll(async () => {
  db = (await freshDatabase('policy')).db;
});

afterAll(async () => {
  await db?.dataSource.destroy();
});

/** Statements the database sees while `fn` runs. */
async function statementsDuring<T>(fn: () => Promise<T>): Promise<{ result: T; statements: number }> {
  const before = db.sql.statements;
  const result = await fn();
  return { result, statements: db.sql.statements - before };
}

async function expectStoreError(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PolicyStoreError);
  expect((err as PolicyStoreError).code).toBe(code);
  if (message) expect((err as Error).message).toMatch(message);
}

async function pendingPolicyChanges(): Promise<string[]> {
  const log = await db.dataSource.driver.createSchemaBuilder().log();
  return log.upQueries.map((q) => q.query).filter((q) => POLICY_TABLES.some((t) => q.includes(t)));
}

describe(`schema (${onMysql ? 'MariaDB' : 'SQLite'})`, () => {
  it('the migration matches the entities: the schema builder has nothing to change for the policy tables', async () => {
    expect(await pendingPolicyChanges()).toEqual([]);
  });

  it('creates the named indexes', async () => {
    const qr = db.dataSource.createQueryRunner();
    try {
      const consent = await qr.getTable('policy_subject_consent');
      const app = await qr.getTable('policy_data_use_application');
      const idx = (t: typeof consent) => Object.fromEntries((t?.indices ?? []).map((i) => [i.name, i.columnNames]));
      expect(idx(consent)).toMatchObject({ idx_policy_subject_consent_subject: ['subject_id', 'grantee_code'] });
      expect(idx(app)).toMatchObject({ idx_policy_data_use_application_consumer: ['consumer_code', 'dataset'] });
    } finally {
      await qr.release();
    }
  });

  it('down() and up() run cleanly', async () => {
    const qr = db.dataSource.createQueryRunner();
    try {
      const m = new Policy1764201600400();
      await m.down(qr);
      expect(await qr.hasTable('policy_subject_consent')).toBe(false);
      await m.up(qr);
      expect(await qr.hasTable('policy_subject_consent')).toBe(true);
    } finally {
      await qr.release();
    }
    expect(await pendingPolicyChanges()).toEqual([]);
  });
});

describe('data-use applications', () => {
  const base = { consumerCode: BANK, dataset: 'tax' as const, purpose: Purpose.LOAN_APPROVAL, useCase: '小微企业信用贷款审批：核验纳税信用等级' };

  it('files, approves (publisher only) and loads an application', async () => {
    const app = await createApplication(db, base, { now: NOW });
    expect(app).toMatchObject({ status: 'PENDING', consumerCode: BANK, dataset: 'tax', decidedBy: null, expiresAt: null });
    expect(app.id).toMatch(/^[0-9a-f-]{36}$/);

    await expectStoreError(decideApplication(db, app.id, DEPARTMENTS.MARKET_REGULATION, true, at(365), { now: NOW }), 'FORBIDDEN', /publisher of dataset 'tax' \(CQ-TAX\)/);
    await expectStoreError(decideApplication(db, app.id, DEPARTMENTS.TAX, true, at(-1), { now: NOW }), 'INVALID_INPUT', /future/);
    await expectStoreError(decideApplication(db, app.id, DEPARTMENTS.TAX, true, new Date(Number.NaN), { now: NOW }), 'INVALID_INPUT', /expiry/);

    const approved = await decideApplication(db, app.id, DEPARTMENTS.TAX, true, at(365), { now: NOW, note: '同意，限贷前审查使用' });
    expect(approved).toMatchObject({ status: 'APPROVED', decidedBy: DEPARTMENTS.TAX, decisionReason: '同意，限贷前审查使用' });
    await expectStoreError(decideApplication(db, app.id, DEPARTMENTS.TAX, false, 'changed my mind', { now: NOW }), 'INVALID_STATE', /APPROVED/);

    const { result: facts, statements } = await statementsDuring(() => loadApprovals(db, BANK));
    expect(statements).toBe(1);
    expect(facts).toContainEqual({ id: app.id, consumerCode: BANK, dataset: 'tax', purpose: Purpose.LOAN_APPROVAL, status: 'APPROVED', expiresAt: at(365) });

    const row = await db.dataSource.getRepository(DataUseApplication).findOneByOrFail({ id: app.id });
    expect(row.createdAt.toISOString()).toBe(NOW.toISOString()); // millisecond precision kept
    expect(row.decidedAt?.toISOString()).toBe(NOW.toISOString());
    expect(row.useCase).toBe(base.useCase);
  });

  it('rejects with a reason', async () => {
    const app = await createApplication(db, { ...base, consumerCode: OTHER_BANK }, { now: NOW });
    await expectStoreError(decideApplication(db, app.id, DEPARTMENTS.TAX, false, '   ', { now: NOW }), 'INVALID_INPUT', /reason/);
    const rejected = await decideApplication(db, app.id, DEPARTMENTS.TAX, false, '用途与申请数据不相符', { now: NOW });
    expect(rejected).toMatchObject({ status: 'REJECTED', decisionReason: '用途与申请数据不相符', expiresAt: null });
    const facts = await loadApprovals(db, OTHER_BANK);
    expect(facts.find((f) => f.id === app.id)?.status).toBe('REJECTED');
  });

  it('refuses bad applications', async () => {
    await expectStoreError(createApplication(db, { ...base, dataset: 'weather' as never }), 'INVALID_INPUT', /unknown dataset/);
    await expectStoreError(createApplication(db, { ...base, purpose: 'MARKETING' as never }), 'INVALID_INPUT', /unknown purpose/);
    await expectStoreError(createApplication(db, { ...base, useCase: '' }), 'INVALID_INPUT', /useCase/);
    await expectStoreError(createApplication(db, { ...base, consumerCode: '' }), 'INVALID_INPUT', /consumerCode/);
  });

  it('sends applications for exposure data to the hub operator, who alone decides them', async () => {
    const app = await createApplication(db, { ...base, dataset: 'loans' }, { now: NOW });
    await expectStoreError(decideApplication(db, app.id, DEPARTMENTS.TAX, true, at(365), { now: NOW }), 'FORBIDDEN', /HUB-OPS/);
    expect((await decideApplication(db, app.id, 'HUB-OPS', true, at(365), { now: NOW })).status).toBe('APPROVED');
  });

  it('refuses a second pending application for the same dataset and purpose', async () => {
    const input = { ...base, consumerCode: 'CQ-GUAR-09', purpose: Purpose.GUARANTEE_APPROVAL };
    await createApplication(db, input, { now: NOW });
    await expectStoreError(createApplication(db, input, { now: NOW }), 'CONFLICT', /already pending/);
  });

  it('withdraws: only the applicant, only PENDING or APPROVED', async () => {
    const app = await createApplication(db, { ...base, consumerCode: 'CQ-BANK-03', dataset: 'judicial' }, { now: NOW });
    await decideApplication(db, app.id, DEPARTMENTS.COURT, true, at(90), { now: NOW });
    await expectStoreError(withdrawApplication(db, app.id, BANK, { now: NOW }), 'FORBIDDEN');
    const w = await withdrawApplication(db, app.id, 'CQ-BANK-03', { now: at(1) });
    expect(w.status).toBe('WITHDRAWN');
    expect(w.decidedBy).toBe(DEPARTMENTS.COURT); // the publisher's decision is kept
    await expectStoreError(withdrawApplication(db, app.id, 'CQ-BANK-03'), 'INVALID_STATE', /WITHDRAWN/);
    await expectStoreError(decideApplication(db, app.id, DEPARTMENTS.COURT, true, at(90), { now: NOW }), 'INVALID_STATE');
    await expectStoreError(withdrawApplication(db, 'no-such-id', 'CQ-BANK-03'), 'NOT_FOUND');
    await expectStoreError(decideApplication(db, 'no-such-id', DEPARTMENTS.COURT, false, 'x'), 'NOT_FOUND');

    const pending = await createApplication(db, { ...base, consumerCode: 'CQ-BANK-03', dataset: 'penalty' }, { now: NOW });
    expect((await withdrawApplication(db, pending.id, 'CQ-BANK-03', { reason: '业务取消' })).decisionReason).toBe('业务取消');
  });
});

describe('subject consents', () => {
  const input = (o: Partial<RegisterConsentInput> = {}): RegisterConsentInput => ({
    subjectId: SUBJECT,
    granteeCode: BANK,
    purposes: [Purpose.LOAN_APPROVAL],
    datasets: ['tax', 'registration'],
    validFrom: at(-1),
    validTo: at(365),
    evidenceSha256: sha('signed authorisation form'),
    registeredBy: `${BANK}/loan-officer`,
    ...o,
  });

  it('registers a consent, normalising the subject id and the hash', async () => {
    const c = await registerConsent(db, input({ subjectId: ' 11010519491231002x ', evidenceSha256: sha('doc').toUpperCase() }), { now: NOW });
    expect(c).toMatchObject({ subjectId: PERSON, evidenceSha256: sha('doc'), revokedAt: null, registeredAt: NOW });
    const row = await db.dataSource.getRepository(SubjectConsent).findOneByOrFail({ id: c.id });
    expect(row.purposes).toEqual([Purpose.LOAN_APPROVAL]);
    expect(row.datasets).toEqual(['tax', 'registration']);
    expect(row.validTo.toISOString()).toBe(at(365).toISOString());
    expect(row.evidenceSha256).toBe(sha('doc'));
  });

  it.each([
    ['an invalid subject id', { subjectId: '91350100M000100Y44' }, /subjectId.*check/i],
    ['an empty subject id', { subjectId: '' }, /subjectId/],
    ['a malformed hash', { evidenceSha256: 'abc123' }, /evidenceSha256/],
    ['a non-hex hash', { evidenceSha256: 'g'.repeat(64) }, /evidenceSha256/],
    ['validFrom = validTo', { validFrom: at(1), validTo: at(1) }, /validFrom must be before validTo/],
    ['validFrom after validTo', { validFrom: at(2), validTo: at(1) }, /validFrom must be before validTo/],
    ['no purposes', { purposes: [] }, /at least one purpose/],
    ['no datasets', { datasets: [] }, /at least one dataset/],
    ['an unknown purpose', { purposes: ['MARKETING' as Purpose] }, /unknown purpose/],
    ['an unknown dataset', { datasets: ['weather' as never] }, /unknown dataset/],
    ['no grantee', { granteeCode: ' ' }, /granteeCode/],
    ['an invalid date', { validTo: new Date('nope') }, /dates/],
  ])('refuses %s', async (_what, override, message) => {
    const before = await db.dataSource.getRepository(SubjectConsent).count();
    await expectStoreError(registerConsent(db, input(override as Partial<RegisterConsentInput>), { now: NOW }), 'INVALID_INPUT', message);
    expect(await db.dataSource.getRepository(SubjectConsent).count()).toBe(before);
  });

  it('revokes: grantee or operator only, once', async () => {
    const c = await registerConsent(db, input(), { now: NOW });
    await expectStoreError(revokeConsent(db, c.id, OTHER_BANK, CallerType.BANK, '客户要求', { now: NOW }), 'FORBIDDEN', /grantee institution or the hub operator/);
    await expectStoreError(revokeConsent(db, c.id, BANK, CallerType.SUBJECT, '客户要求', { now: NOW }), 'FORBIDDEN');
    await expectStoreError(revokeConsent(db, c.id, BANK, CallerType.BANK, '', { now: NOW }), 'INVALID_INPUT', /reason/);
    const r = await revokeConsent(db, c.id, BANK, CallerType.BANK, '客户撤回授权', { now: at(1) });
    expect(r).toMatchObject({ revokedBy: BANK, revocationReason: '客户撤回授权' });
    expect(r.revokedAt?.toISOString()).toBe(at(1).toISOString());
    await expectStoreError(revokeConsent(db, c.id, 'HUB-OPS', CallerType.OPERATOR, 'again', { now: at(2) }), 'INVALID_STATE', /already revoked/);
    await expectStoreError(revokeConsent(db, 'missing', 'HUB-OPS', CallerType.OPERATOR, 'x'), 'NOT_FOUND');

    const c2 = await registerConsent(db, input({ granteeCode: OTHER_BANK }), { now: NOW });
    expect((await revokeConsent(db, c2.id, 'HUB-OPS', CallerType.OPERATOR, '授权书伪造', { now: NOW })).revokedBy).toBe('HUB-OPS');
  });

  it('loadConsents for 50 subjects is one statement and returns only this grantee’s consents', async () => {
    const grantee = 'CQ-GUAR-50';
    const subjects = Array.from({ length: 50 }, (_, i) => completeUscc(`91500103${String(20000000 + i)}`));
    for (const [i, subjectId] of subjects.entries()) {
      await registerConsent(db, input({ subjectId, granteeCode: grantee, purposes: [Purpose.GUARANTEE_APPROVAL] }), { now: NOW });
      if (i % 10 === 0) await registerConsent(db, input({ subjectId, granteeCode: 'CQ-GUAR-51' }), { now: NOW });
    }
    const { result, statements } = await statementsDuring(() => loadConsents(db, grantee, [...subjects, subjects[0], PERSON]));
    expect(statements).toBe(1);
    expect(result.size).toBe(51);
    for (const s of subjects) {
      expect(result.get(s)).toHaveLength(1);
      expect(result.get(s)?.[0]).toMatchObject({ subjectId: s, granteeCode: grantee, purposes: [Purpose.GUARANTEE_APPROVAL], datasets: ['tax', 'registration'] });
      expect(result.get(s)?.[0].validFrom).toEqual(at(-1));
    }
    expect(result.get(PERSON)).toEqual([]);

    const empty = await statementsDuring(() => loadConsents(db, grantee, []));
    expect(empty.statements).toBe(0);
    expect(empty.result.size).toBe(0);
  });

  it('loadConsentsAndApprovals reads in one statement exactly what loadConsents and loadApprovedApplications read', async () => {
    const bank = 'CQ-BANK-88';
    const subjects = Array.from({ length: 12 }, (_, i) => completeUscc(`91500103${String(30000000 + i)}`));
    for (const [i, subjectId] of subjects.entries()) {
      await registerConsent(db, input({ subjectId, granteeCode: bank, purposes: [Purpose.LOAN_APPROVAL, Purpose.POST_LOAN_MANAGEMENT] }), { now: NOW });
      if (i % 3 === 0) await revokeConsent(db, (await registerConsent(db, input({ subjectId, granteeCode: bank }), { now: NOW })).id, bank, CallerType.BANK, '撤回', { now: at(1) });
      if (i % 4 === 0) await registerConsent(db, input({ subjectId, granteeCode: 'CQ-BANK-89' }), { now: NOW });
    }
    for (const [dataset, department] of [['tax', DEPARTMENTS.TAX], ['social_insurance', DEPARTMENTS.HUMAN_RESOURCES]] as const) {
      const app = await createApplication(db, { consumerCode: bank, dataset, purpose: Purpose.LOAN_APPROVAL, useCase: '贷前审查' }, { now: NOW });
      await decideApplication(db, app.id, department, true, at(30), { now: NOW });
    }
    // Not read: another purpose, still pending, another institution's.
    await createApplication(db, { consumerCode: bank, dataset: 'judicial', purpose: Purpose.LOAN_APPROVAL, useCase: '贷前审查' }, { now: NOW });
    const other = await createApplication(db, { consumerCode: bank, dataset: 'tax', purpose: Purpose.POST_LOAN_MANAGEMENT, useCase: '贷后管理' }, { now: NOW });
    await decideApplication(db, other.id, DEPARTMENTS.TAX, true, at(30), { now: NOW });

    const asked = [...subjects, PERSON];
    const { result, statements } = await statementsDuring(() => loadConsentsAndApprovals(db, bank, asked, Purpose.LOAN_APPROVAL));
    expect(statements).toBe(1);
    const consents = await loadConsents(db, bank, asked);
    const approvals = await loadApprovedApplications(db, bank, Purpose.LOAN_APPROVAL);
    expect(approvals.map((a) => a.dataset).sort()).toEqual(['social_insurance', 'tax']);
    const byId = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(result.approvals)).toEqual(byId(approvals));
    expect(result.approvals[0].expiresAt).toBeInstanceOf(Date);
    expect([...result.consents.keys()].sort()).toEqual([...consents.keys()].sort());
    for (const id of asked) expect(byId(result.consents.get(id)!)).toEqual(byId(consents.get(id)!));
    expect(result.consents.get(subjects[0])).toHaveLength(2);
    expect(result.consents.get(subjects[0])!.some((c) => c.revokedAt instanceof Date)).toBe(true);
    expect(result.consents.get(PERSON)).toEqual([]);
  });

  it('loaded facts drive the decision, and a revocation takes effect', async () => {
    const bank = 'CQ-BANK-77';
    const subject = completeUscc('9150010330000001');
    const c = await registerConsent(db, input({ subjectId: subject, granteeCode: bank }), { now: NOW });
    const app = await createApplication(db, { consumerCode: bank, dataset: 'tax', purpose: Purpose.LOAN_APPROVAL, useCase: '贷前审查' }, { now: NOW });
    await decideApplication(db, app.id, DEPARTMENTS.TAX, true, at(30), { now: NOW });
    const field = { dataset: 'tax' as const, sharing: SharingClass.CONDITIONAL, personal: true };

    const decide = async (now: Date) =>
      decideDataset({
        caller: { type: CallerType.BANK, orgCode: bank, userId: 'u' },
        purpose: Purpose.LOAN_APPROVAL,
        subjectId: subject,
        dataset: 'tax',
        consents: (await loadConsents(db, bank, [subject])).get(subject) ?? [],
        approvals: await loadApprovals(db, bank),
        hasRelationship: false,
        now,
      });

    const before = await decide(NOW);
    expect(before.field(field)).toEqual({ decision: 'ALLOW', rule: 'conditional.consent' });
    expect(before.base).toMatchObject({ approvalId: app.id });
    expect(before.consentId).toBe(c.id);

    await revokeConsent(db, c.id, bank, CallerType.BANK, '客户撤回授权', { now: at(1) });
    expect((await decide(at(2))).field(field)).toMatchObject({ decision: 'DENY', reason: 'CONSENT_REVOKED' });
    expect((await decide(at(40))).field(field)).toMatchObject({ decision: 'DENY', reason: 'APPROVAL_EXPIRED' });
  });
});
