import { createHash } from 'node:crypto';
import { hashRecord } from '../src/audit/chain';
import { findAccessRecords } from '../src/audit/read';
import { AccessLogWriter } from '../src/audit/writer';
import { SHARED_FIELD_LIST_MIN_CHARS } from '../src/audit/store';
import { FIXED_SUBJECTS } from '../src/demo/seed';
import { loadPublicJwks } from '../src/identity/keys';
import { auditVerifyReport } from '../src/cli/audit';
import { metrics } from '../src/ops/metrics';
import { startTestHub, type TestHub } from './support/hub';

const REPORT = /* GraphQL */ `
  query Report($id: String!) {
    subject(id: $id) {
      id name
      ... on Enterprise { legalRepresentative legalRepresentativeId }
      taxRecords { taxYear rating taxPaid }
      judicialRecords { caseNumber }
    }
  }`;

type Row = { request_id: string; subject_id: string; caller_org: string | null; purpose: string | null; fields: string; consent_ids: string; inline_fields: string; fields_ref: string | null };

describe('access log through the gateway', () => {
  let hub: TestHub;
  const rows = (requestId: string) =>
    hub.db.dataSource.query(
      `SELECT request_id, subject_id, caller_org, purpose, COALESCE(l.list_json, a.fields) AS fields, a.fields AS inline_fields, fields_ref, consent_ids
         FROM audit_access_log a LEFT JOIN audit_field_list l ON l.list_hash = a.fields_ref WHERE request_id = ?`,
      [requestId],
    ) as Promise<Row[]>;

  beforeAll(async () => {
    hub = await startTestHub('audit_e2e');
  });
  afterAll(() => hub?.stop());

  it('records one entry per (request, subject) with every field, its decision and the consent relied on', async () => {
    const res = await hub.query(REPORT, { id: FIXED_SUBJECTS.enterprise }, { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' });
    expect(res.body.errors).toBeUndefined();
    // The time the hub spent, access-log commit included, and the wait for that commit (W3C Server-Timing).
    const timing = /^hub;dur=(\d+(?:\.\d)?), log;dur=(\d+(?:\.\d)?)$/.exec(res.headers.get('server-timing') ?? '');
    expect(timing).not.toBeNull();
    expect(Number(timing![2])).toBeLessThanOrEqual(Number(timing![1]));
    const requestId = res.headers.get('x-request-id')!;
    const logged = await rows(requestId);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ subject_id: FIXED_SUBJECTS.enterprise, caller_org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' });
    const fields = JSON.parse(logged[0].fields) as Array<{ field: string; decision: string; dataset: string }>;
    expect(fields.map((f) => f.field)).toEqual(expect.arrayContaining(['Enterprise.name', 'Enterprise.legalRepresentativeId', 'TaxRecord.taxPaid', 'JudicialRecord.caseNumber']));
    expect(fields.every((f) => f.decision === 'ALLOW')).toBe(true);
    expect(JSON.parse(logged[0].consent_ids)).toHaveLength(1);
  });

  it('logs denied attempts too, with the reason', async () => {
    const res = await hub.query(REPORT, { id: FIXED_SUBJECTS.enterprise }, { org: 'WZ-GUAR', purpose: 'GUARANTEE_APPROVAL' });
    expect(res.body.errors?.some((e) => e.extensions?.reason === 'NO_CONSENT')).toBe(true);
    const [logged] = await rows(res.headers.get('x-request-id')!);
    const denied = (JSON.parse(logged.fields) as Array<{ field: string; decision: string; reason?: string }>).filter((f) => f.decision === 'DENY');
    expect(denied).toEqual(expect.arrayContaining([{ dataset: 'tax', field: 'TaxRecord.taxPaid', decision: 'DENY', reason: 'NO_CONSENT' }]));
  });

  it('logs a field read twice in one request once, and counts each logged field once in the decision metrics', async () => {
    const counted = async () => new Map((await metrics().decisions.get()).values.map((v) => [`${v.labels.decision}/${v.labels.reason}`, v.value]));
    const before = await counted();
    const twice = `query Twice($id: String!) {
      a: subject(id: $id) { taxRecords { taxPaid } }
      b: subject(id: $id) { name taxRecords { taxPaid rating } judicialRecords { caseNumber } }
    }`;
    const res = await hub.query(twice, { id: FIXED_SUBJECTS.enterprise }, { org: 'WZ-GUAR', purpose: 'GUARANTEE_APPROVAL' });
    expect(res.body.errors?.some((e) => e.extensions?.reason === 'NO_CONSENT')).toBe(true);
    const logged = await rows(res.headers.get('x-request-id')!);
    expect(logged).toHaveLength(1);
    const fields = JSON.parse(logged[0].fields) as Array<{ field: string; decision: string; reason?: string }>;
    const names = fields.map((f) => f.field);
    expect(names.filter((f) => f === 'TaxRecord.taxPaid')).toHaveLength(1);
    expect(names).toEqual(expect.arrayContaining(['Enterprise.name', 'TaxRecord.taxPaid', 'TaxRecord.rating', 'JudicialRecord.caseNumber']));
    expect(new Set(names).size).toBe(names.length);
    expect(fields.find((f) => f.field === 'TaxRecord.taxPaid')).toMatchObject({ decision: 'DENY', reason: 'NO_CONSENT' });
    // The metrics count exactly the logged outcomes, per decision and reason.
    const after = await counted();
    const expected = new Map<string, number>();
    for (const f of fields) expected.set(`${f.decision}/${f.reason ?? 'NONE'}`, (expected.get(`${f.decision}/${f.reason ?? 'NONE'}`) ?? 0) + 1);
    for (const label of new Set([...after.keys(), ...expected.keys()])) expect([label, (after.get(label) ?? 0) - (before.get(label) ?? 0)]).toEqual([label, expected.get(label) ?? 0]);
  });

  it('logs one record per subject of a batch', async () => {
    const ids = [FIXED_SUBJECTS.enterprise, FIXED_SUBJECTS.cooperative, FIXED_SUBJECTS.familyFarmOperator];
    const res = await hub.query('query B($ids:[String!]!){ subjects(ids:$ids){ id name taxRecords { rating } } }', { ids }, { org: 'BANK-CQRCB', purpose: 'LOAN_APPROVAL' });
    expect(res.status).toBe(200);
    const logged = await rows(res.headers.get('x-request-id')!);
    expect(logged.map((r) => r.subject_id).sort()).toEqual([...ids].sort());
    // Each record names the consents of its own subject and the caller's approvals it relied on (subjects with equal
    // lists share one list object in the gateway, encoded once).
    const named = (await hub.db.dataSource.query('SELECT subject_id, consent_ids, approval_ids FROM audit_access_log WHERE request_id = ?', [
      res.headers.get('x-request-id'),
    ])) as Array<{ subject_id: string; consent_ids: string; approval_ids: string }>;
    const withConsent = named.filter((r) => (JSON.parse(r.consent_ids) as string[]).length > 0);
    expect(withConsent.length).toBeGreaterThanOrEqual(2);
    for (const r of withConsent) {
      for (const id of JSON.parse(r.consent_ids) as string[]) {
        const [consent] = (await hub.db.dataSource.query('SELECT subject_id FROM policy_subject_consent WHERE id = ?', [id])) as Array<{ subject_id: string }>;
        expect([r.subject_id, consent.subject_id]).toEqual([r.subject_id, r.subject_id]);
      }
    }
    for (const r of named) {
      const approvals = JSON.parse(r.approval_ids) as string[];
      expect(approvals.length).toBeGreaterThan(0);
      for (const id of approvals) {
        const [application] = (await hub.db.dataSource.query('SELECT consumer_code FROM policy_data_use_application WHERE id = ?', [id])) as Array<{ consumer_code: string }>;
        expect(application.consumer_code).toBe('BANK-CQRCB');
      }
    }
  });

  it('commits the access record as soon as the last subgraph fetch answers, and the record still names every field', async () => {
    const original = AccessLogWriter.prototype.append;
    const callers = new Map<string, string>();
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 50;
    const append = jest.spyOn(AccessLogWriter.prototype, 'append').mockImplementation(function (this: AccessLogWriter, records) {
      for (const r of records) callers.set(r.requestId, new Error().stack ?? '');
      return original.call(this, records);
    });
    try {
      const res = await hub.query(REPORT, { id: FIXED_SUBJECTS.enterprise }, { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' });
      expect(res.body.errors).toBeUndefined();
      const requestId = res.headers.get('x-request-id')!;
      // Started by the completion of the plan's last fetch (registry, then credit), not after the response was shaped.
      expect(callers.get(requestId)).toMatch(/fetchDone/);
      const [logged] = await rows(requestId);
      const fields = (JSON.parse(logged.fields) as Array<{ field: string }>).map((f) => f.field);
      expect(fields).toEqual(expect.arrayContaining(['Enterprise.name', 'TaxRecord.taxPaid', 'JudicialRecord.caseNumber']));
    } finally {
      append.mockRestore();
      Error.stackTraceLimit = limit;
    }
  });

  it('stores a long field list once, named by its sha256 from every record of the request', async () => {
    const res = await hub.query(REPORT, { id: FIXED_SUBJECTS.enterprise }, { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' });
    const again = await hub.query(REPORT, { id: FIXED_SUBJECTS.enterprise }, { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' });
    const [first] = await rows(res.headers.get('x-request-id')!);
    const [second] = await rows(again.headers.get('x-request-id')!);
    expect(first.fields.length).toBeGreaterThanOrEqual(SHARED_FIELD_LIST_MIN_CHARS);
    expect(first.inline_fields).toBe('');
    expect(first.fields_ref).toBe(createHash('sha256').update(first.fields, 'utf8').digest('hex'));
    expect(second.fields_ref).toBe(first.fields_ref);
    const [{ n }] = (await hub.db.dataSource.query('SELECT COUNT(*) AS n FROM audit_field_list WHERE list_hash = ?', [first.fields_ref])) as Array<{ n: number | string }>;
    expect(Number(n)).toBe(1);
    // Reads get the list back in place, the decision filter included; its hash still covers the list.
    const [record] = await findAccessRecords(hub.db, { subjectId: FIXED_SUBJECTS.enterprise, callerOrg: 'BANK-CQCB', decision: 'ALLOW', limit: 1 });
    expect(record.requestId).toBe(again.headers.get('x-request-id'));
    expect(record.fields.map((f) => f.field)).toEqual(expect.arrayContaining(['Enterprise.name', 'TaxRecord.taxPaid']));
    expect(hashRecord(record)).toBe(record.hash);
  });

  it('shows a subject who read its data — and nobody else’s reads', async () => {
    const mine = await hub.query<{ myAccessRecords: Array<{ institutionCode: string; purpose: string; subjectId: string; datasets: string[]; institution: { name: string } | null }> }>(
      '{ myAccessRecords { institutionCode purpose subjectId datasets institution { name } } }',
      {},
      { token: await hub.token({ subjectId: FIXED_SUBJECTS.enterprise }) },
    );
    expect(mine.body.errors).toBeUndefined();
    const list = mine.body.data!.myAccessRecords;
    expect(list.length).toBeGreaterThanOrEqual(3);
    expect(list.every((r) => r.subjectId === FIXED_SUBJECTS.enterprise)).toBe(true);
    expect(list.map((r) => r.institutionCode)).toEqual(expect.arrayContaining(['BANK-CQCB', 'WZ-GUAR', 'BANK-CQRCB']));
    expect(list.find((r) => r.institutionCode === 'BANK-CQCB')!.institution!.name).toBe('重庆银行股份有限公司');

    const farm = await hub.query<{ myAccessRecords: Array<{ subjectId: string }> }>('{ myAccessRecords { subjectId } }', {}, { token: await hub.token({ subjectId: FIXED_SUBJECTS.familyFarmOperator }) });
    expect(farm.body.data!.myAccessRecords.every((r) => r.subjectId === FIXED_SUBJECTS.familyFarmOperator)).toBe(true);
    expect(farm.body.data!.myAccessRecords).toHaveLength(1);

    const bank = await hub.query('{ myAccessRecords { subjectId } }', {}, { org: 'BANK-CQCB' });
    expect(bank.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('shows a department the usage of its own datasets only', async () => {
    const window = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() };
    const q = 'query U($from: DateTimeISO!, $to: DateTimeISO!){ datasetUsage(from:$from, to:$to){ dataset institutionCode purpose reads subjects deniedReads } }';
    const tax = await hub.query<{ datasetUsage: Array<{ dataset: string; institutionCode: string; reads: number; deniedReads: number }> }>(q, window, { org: 'CQ-TAX' });
    expect(tax.body.errors).toBeUndefined();
    const usage = tax.body.data!.datasetUsage;
    expect(usage.every((u) => u.dataset === 'tax')).toBe(true);
    expect(usage.find((u) => u.institutionCode === 'BANK-CQCB')!.reads).toBeGreaterThanOrEqual(1);
    expect(usage.find((u) => u.institutionCode === 'WZ-GUAR')!.deniedReads).toBeGreaterThanOrEqual(1);
    const court = await hub.query<{ datasetUsage: Array<{ dataset: string }> }>(q, window, { org: 'CQ-COURT' });
    expect(court.body.data!.datasetUsage.every((u) => u.dataset === 'judicial')).toBe(true);
    const bank = await hub.query(q, window, { org: 'BANK-CQCB' });
    expect(bank.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('lets a regulator search the log with paging, masking personal identifiers', async () => {
    const q = 'query L($f: AccessLogFilter, $first: Int, $before: String){ accessLog(filter:$f, first:$first, before:$before){ cursor subjectId institutionCode denied } }';
    type Page = { accessLog: Array<{ cursor: string; subjectId: string; institutionCode: string; denied: number }> };
    const denied = await hub.query<Page>(q, { f: { decision: 'DENY', institutionCode: 'WZ-GUAR' } }, { org: 'CQ-FIN' });
    expect(denied.body.errors).toBeUndefined();
    expect(denied.body.data!.accessLog.length).toBeGreaterThan(0);
    expect(denied.body.data!.accessLog.every((r) => r.institutionCode === 'WZ-GUAR' && r.denied > 0)).toBe(true);

    const first = await hub.query<Page>(q, { first: 2 }, { org: 'CQ-FIN' });
    const next = await hub.query<Page>(q, { first: 2, before: first.body.data!.accessLog[1].cursor }, { org: 'CQ-FIN' });
    expect(first.body.data!.accessLog).toHaveLength(2);
    const seen = new Set(first.body.data!.accessLog.map((r) => r.cursor));
    expect(next.body.data!.accessLog.every((r) => !seen.has(r.cursor))).toBe(true);

    const farm = await hub.query<Page>(q, { f: { subjectId: FIXED_SUBJECTS.familyFarmOperator } }, { org: 'CQ-FIN' });
    expect(farm.body.data!.accessLog[0].subjectId).toBe('500233********3415');

    const bank = await hub.query(q, {}, { org: 'BANK-CQCB' });
    expect(bank.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('sends nothing of a response before its access records are committed (serialized meanwhile, sent after)', async () => {
    let committedAt = 0;
    const append = AccessLogWriter.prototype.append;
    // A slow commit: 300 ms after the records are in, the append resolves.
    const spy = jest.spyOn(AccessLogWriter.prototype, 'append').mockImplementation(function (this: AccessLogWriter, records) {
      return append
        .call(this, records)
        .then(() => new Promise<void>((resolve) => setTimeout(resolve, 300)))
        .then(() => {
          committedAt = Date.now();
        });
    });
    try {
      const sent = Date.now();
      const res = await hub.query(REPORT, { id: FIXED_SUBJECTS.enterprise }, { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' });
      const received = Date.now();
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
      expect(committedAt).toBeGreaterThan(sent);
      expect(received).toBeGreaterThanOrEqual(committedAt);
      expect((await rows(res.headers.get('x-request-id')!)).length).toBe(1);
      // Server-Timing shows the wait for that commit apart (it began after the answer was computed).
      expect(Number(/log;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1])).toBeGreaterThan(200);
    } finally {
      spy.mockRestore();
    }
  });

  it('returns no subject data when the access log cannot be written (no log, no data)', async () => {
    await hub.db.dataSource.query('ALTER TABLE audit_access_log RENAME TO audit_access_log_away');
    try {
      const res = await hub.query(REPORT, { id: FIXED_SUBJECTS.enterprise }, { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' });
      expect(res.status).toBe(503);
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors![0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(JSON.stringify(res.body)).not.toContain('重庆山城小面');
    } finally {
      await hub.db.dataSource.query('ALTER TABLE audit_access_log_away RENAME TO audit_access_log');
    }
    const again = await hub.query(REPORT, { id: FIXED_SUBJECTS.enterprise }, { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' });
    expect(again.status).toBe(200);
    expect((await rows(again.headers.get('x-request-id')!)).length).toBe(1);
  });

  it('records publications as PUBLISH entries, one per subject written', async () => {
    const asOf = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const res = await hub.query<{ publishRecords: { publicationId: string; status: string } }>(
      `mutation($records: [PublishRecordInput!]!) { publishRecords(dataset: "tax", records: $records, idempotencyKey: "audit-e2e-1") { publicationId status } }`,
      {
        records: [
          { sourceRecordId: 'AUDIT-E2E-1', subjectId: FIXED_SUBJECTS.enterprise, dataAsOf: asOf, fields: { taxYear: 2025, rating: 'A', taxPaid: '1000.00', vatPaid: '100.00', taxArrears: '0.00' } },
        ],
      },
      { org: 'CQ-TAX' },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.publishRecords.status).toBe('COMMITTED');
    const logged = (await hub.db.dataSource.query(`SELECT subject_id, caller_org, detail FROM audit_access_log WHERE record_type = 'PUBLISH'`)) as Array<{ subject_id: string; caller_org: string; detail: string }>;
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ subject_id: FIXED_SUBJECTS.enterprise, caller_org: 'CQ-TAX' });
    expect(JSON.parse(logged[0].detail)).toMatchObject({ publicationId: res.body.data!.publishRecords.publicationId, dataset: 'tax' });
  });

  it('verifies end to end, and names the record someone edited in the database', async () => {
    const keys = await loadPublicJwks(hub.config.keysDir, 'audit', { includeRetired: true });
    const good = await auditVerifyReport(hub.db, keys);
    expect(good).toMatchObject({ ok: true });
    const [victim] = (await hub.db.dataSource.query('SELECT id FROM audit_access_log ORDER BY id LIMIT 1 OFFSET 1')) as Array<{ id: number }>;
    await hub.db.dataSource.query(`UPDATE audit_access_log SET purpose = 'SUPERVISION' WHERE id = ?`, [victim.id]);
    const bad = await auditVerifyReport(hub.db, keys);
    expect(bad.ok).toBe(false);
    expect(bad.text).toContain(`record id ${Number(victim.id)}`);
    expect(bad.text).toContain('HASH_MISMATCH');
  });
});
