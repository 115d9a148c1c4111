import { FIXED_SUBJECTS } from '../src/demo/seed';
import { DATASETS } from '../src/policy/datasets';
import { startTestHub, type TestHub } from './support/hub';

/** The sharing policy end to end: through the gateway over HTTP, with real tokens and the demo data. */

const SUBJECT = FIXED_SUBJECTS.enterprise; // 91500103MA5U7K3D1E: consented to BANK-CQCB, BANK-CQRCB, CQ-SXG; not to WZ-GUAR.

const REPORT = /* GraphQL */ `
  query Report($id: String!) {
    subject(id: $id) {
      id name kind
      socialInsuranceRecords { period insuredHeadcount arrearsAmount }
      taxRecords { taxYear rating taxPaid }
    }
  }`;

const REGISTER = /* GraphQL */ `
  mutation Register($input: ConsentInput!) {
    registerConsent(input: $input) { id subjectId grantee purposes datasets revokedAt }
  }`;

const REVOKE = /* GraphQL */ `
  mutation Revoke($id: ID!, $reason: String!) {
    revokeConsent(id: $id, reason: $reason) { id revokedAt revokedBy revocationReason }
  }`;

type Errors = Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
type Report = { subject: { id: string; name: string | null; kind: string | null; socialInsuranceRecords: Array<Record<string, unknown>>; taxRecords: Array<Record<string, unknown>> } };

/** The errors whose path ends in `field`. */
const errorsAt = (errors: Errors | undefined, field: string) => (errors ?? []).filter((e) => e.path?.[e.path.length - 1] === field);

describe('sharing policy end to end (gateway over HTTP)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('policy_e2e');
  });
  afterAll(() => hub?.stop());

  it('explainAccess says DENY NO_CONSENT for a conditional tax field and ALLOW for the name, without subject data', async () => {
    const res = await hub.query<{ explainAccess: Array<Record<string, unknown>> }>(
      `query($id: String!) { explainAccess(subjectId: $id, purpose: GUARANTEE_APPROVAL, fields: ["TaxRecord.taxPaid", "Enterprise.name"]) { type field dataset decision reason rule message } }`,
      { id: SUBJECT },
      { org: 'WZ-GUAR' },
    );
    expect(res.body.errors).toBeUndefined();
    const byKey = Object.fromEntries(res.body.data!.explainAccess.map((e) => [`${e.type}.${e.field}`, e]));
    expect(Object.keys(byKey).sort()).toEqual(['Enterprise.name', 'TaxRecord.taxPaid']);
    expect(byKey['TaxRecord.taxPaid']).toMatchObject({ dataset: 'tax', decision: 'DENY', reason: 'NO_CONSENT', rule: 'conditional.consent' });
    expect(byKey['Enterprise.name']).toMatchObject({ dataset: 'registration', decision: 'ALLOW', reason: null });
    expect(String(byKey['TaxRecord.taxPaid'].message)).toContain('NO_CONSENT');

    // The whole catalog by default; an unknown field name is a bad input.
    const all = await hub.query<{ explainAccess: unknown[] }>(`query($id: String!) { explainAccess(subjectId: $id, purpose: LOAN_APPROVAL) { type field decision } }`, { id: SUBJECT }, { org: 'BANK-CQCB' });
    expect(all.body.errors).toBeUndefined();
    expect(all.body.data!.explainAccess.length).toBeGreaterThan(20);
    const bad = await hub.query(`query($id: String!) { explainAccess(subjectId: $id, purpose: LOAN_APPROVAL, fields: ["Nope.nothing"]) { type } }`, { id: SUBJECT }, { org: 'BANK-CQCB' });
    expect(bad.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('withholds conditional fields from WZ-GUAR without consent, shows them after registerConsent, withholds them again after revokeConsent', async () => {
    const ask = () => hub.query<Report>(REPORT, { id: SUBJECT }, { org: 'WZ-GUAR', purpose: 'GUARANTEE_APPROVAL' });

    const before = await ask();
    expect(before.status).toBe(200);
    const s = before.body.data!.subject;
    expect(s.name).toEqual(expect.any(String));
    expect(s.kind).toBe('ENTERPRISE');
    expect(s.taxRecords.length).toBeGreaterThan(0);
    expect(s.socialInsuranceRecords.length).toBeGreaterThan(0);
    // Registration (and the unconditional parts of tax and social insurance) are shared; the conditional amounts are not.
    for (const r of s.taxRecords) expect(r).toMatchObject({ taxYear: expect.any(Number), rating: expect.any(String), taxPaid: null });
    for (const r of s.socialInsuranceRecords) expect(r).toMatchObject({ arrearsAmount: null });
    const denied = [...errorsAt(before.body.errors, 'taxPaid'), ...errorsAt(before.body.errors, 'arrearsAmount')];
    expect(denied.length).toBe(s.taxRecords.length + s.socialInsuranceRecords.length);
    for (const e of errorsAt(before.body.errors, 'taxPaid')) expect(e.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NO_CONSENT', dataset: 'tax' });
    for (const e of errorsAt(before.body.errors, 'arrearsAmount')) expect(e.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NO_CONSENT', dataset: 'social_insurance' });
    // Nothing else was denied: every error is one of the conditional fields.
    expect(before.body.errors!.length).toBe(denied.length);

    const now = Date.now();
    const reg = await hub.query<{ registerConsent: Record<string, any> }>(
      REGISTER,
      {
        input: {
          subjectId: SUBJECT,
          purposes: ['GUARANTEE_APPROVAL'],
          datasets: ['registration', 'tax', 'social_insurance'],
          validFrom: new Date(now - 60_000).toISOString(),
          validTo: new Date(now + 365 * 86_400_000).toISOString(),
          evidenceSha256: 'ab'.repeat(32),
        },
      },
      { org: 'WZ-GUAR' },
    );
    expect(reg.body.errors).toBeUndefined();
    const consent = reg.body.data!.registerConsent;
    expect(consent).toMatchObject({ subjectId: SUBJECT, grantee: 'WZ-GUAR', purposes: ['GUARANTEE_APPROVAL'], revokedAt: null });

    const listed = await hub.query<{ consents: Array<{ id: string; grantee: string }> }>(`query($id: String!) { consents(subjectId: $id) { id grantee } }`, { id: SUBJECT }, { org: 'WZ-GUAR' });
    expect(listed.body.data!.consents.map((c) => c.id)).toContain(consent.id);
    expect(listed.body.data!.consents.every((c) => c.grantee === 'WZ-GUAR')).toBe(true);

    const after = await ask();
    expect(after.body.errors).toBeUndefined();
    for (const r of after.body.data!.subject.taxRecords) expect(r.taxPaid).toEqual(expect.any(String));
    for (const r of after.body.data!.subject.socialInsuranceRecords) expect(r.arrearsAmount).toEqual(expect.any(String));

    // Another institution may not revoke it.
    const notMine = await hub.query(REVOKE, { id: consent.id, reason: 'test' }, { org: 'BANK-CQCB' });
    expect(notMine.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const revoked = await hub.query<{ revokeConsent: Record<string, unknown> }>(REVOKE, { id: consent.id, reason: 'subject withdrew the authorisation' }, { org: 'WZ-GUAR' });
    expect(revoked.body.errors).toBeUndefined();
    expect(revoked.body.data!.revokeConsent).toMatchObject({ id: consent.id, revokedBy: 'WZ-GUAR', revokedAt: expect.any(String) });

    const again = await ask();
    for (const r of again.body.data!.subject.taxRecords) expect(r.taxPaid).toBeNull();
    const deniedAgain = errorsAt(again.body.errors, 'taxPaid');
    expect(deniedAgain.length).toBe(again.body.data!.subject.taxRecords.length);
    for (const e of deniedAgain) expect(['NO_CONSENT', 'CONSENT_REVOKED']).toContain(e.extensions?.reason);

    const twice = await hub.query(REVOKE, { id: consent.id, reason: 'again' }, { org: 'WZ-GUAR' });
    expect(twice.body.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('denies every subject-data field with PURPOSE_REQUIRED when no purpose is declared', async () => {
    const res = await hub.query<Report>(REPORT, { id: SUBJECT }, { org: 'BANK-CQCB' });
    const errors = res.body.errors ?? [];
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'PURPOSE_REQUIRED' });
    const s = res.body.data?.subject;
    if (s) {
      expect(s.name).toBeNull();
      expect(s.kind).toBeNull();
      for (const r of s.taxRecords) expect(r).toMatchObject({ taxYear: null, rating: null, taxPaid: null });
      for (const r of s.socialInsuranceRecords) expect(r).toMatchObject({ period: null, insuredHeadcount: null, arrearsAmount: null });
      expect(errorsAt(errors, 'name')).toHaveLength(1);
      expect(errorsAt(errors, 'taxPaid')).toHaveLength(s.taxRecords.length);
    }
  });

  it('masks personal fields for a regulator reading for supervision', async () => {
    const res = await hub.query<{ subject: { name: string; legalRepresentative: string | null } }>(
      `query($id: String!) { subject(id: $id) { name ... on Enterprise { legalRepresentative } } }`,
      { id: SUBJECT },
      { org: 'CQ-FIN', purpose: 'SUPERVISION' },
    );
    expect(res.body.errors).toBeUndefined();
    const rep = res.body.data!.subject.legalRepresentative!;
    expect(rep).toMatch(/^\S\*+$/u);
    // A consented bank sees it in clear.
    const bank = await hub.query<{ subject: { legalRepresentative: string } }>(`query($id: String!) { subject(id: $id) { ... on Enterprise { legalRepresentative } } }`, { id: SUBJECT }, { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' });
    expect(bank.body.data!.subject.legalRepresentative).not.toContain('*');
    expect([...bank.body.data!.subject.legalRepresentative][0]).toBe([...rep][0]);
  });

  it('lists every dataset in the catalog, marks TaxRecord.inspectionRemark NOT_SHARED and covers every field of subject data (deny by default)', async () => {
    const res = await hub.query<{ catalog: Array<{ code: string; publisher: string | null; updateCycleDays: number; fields: Array<{ type: string; field: string; sharing: string; personal: boolean; mask: string | null }> }> }>(
      `{ catalog { code name description publisher updateCycleDays fields { type field sharing personal mask } } }`,
      {},
      { org: 'BANK-CQCB' },
    );
    expect(res.body.errors).toBeUndefined();
    const catalog = res.body.data!.catalog;
    expect(catalog.map((d) => d.code).sort()).toEqual(Object.keys(DATASETS).sort());
    for (const d of catalog) {
      expect(d.publisher).toBe(DATASETS[d.code as keyof typeof DATASETS].publisher);
      expect(d.fields.length).toBeGreaterThan(0);
    }
    const fields = new Map(catalog.flatMap((d) => d.fields.map((f) => [`${f.type}.${f.field}`, { ...f, dataset: d.code }] as const)));
    expect(fields.get('TaxRecord.inspectionRemark')).toMatchObject({ dataset: 'tax', sharing: 'NOT_SHARED' });
    expect(fields.get('TaxRecord.taxPaid')).toMatchObject({ sharing: 'CONDITIONAL', mask: 'AMOUNT_BAND' });
    expect(fields.get('Enterprise.legalRepresentative')).toMatchObject({ dataset: 'registration', personal: true, mask: 'PARTIAL_NAME' });

    // Deny by default: every data field of the subject-data types must carry a policy (an unannotated field fails here).
    const TYPES = ['Enterprise', 'AgriEntity', 'TaxRecord', 'SocialInsuranceRecord', 'JudicialRecord', 'PenaltyRecord', 'LandContractRight', 'AgriInsurancePolicy', 'AgriSubsidy', 'Loan', 'Guarantee', 'Compensation', 'ExposureSummary'];
    // Keys and provenance (who reported/published what, when, which version): not subject data.
    const EXEMPT = new Set([
      'id', 'subjectId', 'sourceRecordId', 'version', 'current', 'publishedBy', 'dataAsOf', 'publishedAt', 'reportedAt',
      'bankCode', 'guarantorCode', 'compensationSince', 'asOf', 'regionName', 'lender', 'guarantor', 'bank', 'reguarantor', 'subject',
    ]);
    const missing: string[] = [];
    for (const type of TYPES) {
      const t = await hub.query<{ __type: { fields: Array<{ name: string; type: TypeRef }> } | null }>(
        `query($n: String!) { __type(name: $n) { fields { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }`,
        { n: type },
        { org: 'BANK-CQCB' },
      );
      expect(t.body.data?.__type).toBeTruthy();
      for (const f of t.body.data!.__type!.fields) {
        // Relations to other subject-data types are covered by those types' own fields.
        if (EXEMPT.has(f.name) || !isLeaf(f.type)) continue;
        if (!fields.has(`${type}.${f.name}`)) missing.push(`${type}.${f.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('runs a data-use application: apply, refuse a non-publisher, approve by the publisher, withdraw', async () => {
    const APP = 'id consumer dataset publisher purpose status decidedBy expiresAt';
    const applied = await hub.query<{ applyForDataUse: Record<string, any> }>(
      `mutation { applyForDataUse(dataset: "tax", purpose: POST_LOAN_MANAGEMENT, useCase: "贷后管理: monitoring borrowers' tax arrears") { ${APP} } }`,
      {},
      { org: 'BANK-CQCB' },
    );
    expect(applied.body.errors).toBeUndefined();
    const app = applied.body.data!.applyForDataUse;
    expect(app).toMatchObject({ consumer: 'BANK-CQCB', dataset: 'tax', publisher: 'CQ-TAX', purpose: 'POST_LOAN_MANAGEMENT', status: 'PENDING', decidedBy: null });

    const duplicate = await hub.query(`mutation { applyForDataUse(dataset: "tax", purpose: POST_LOAN_MANAGEMENT, useCase: "again") { id } }`, {}, { org: 'BANK-CQCB' });
    expect(duplicate.body.errors?.[0].extensions?.code).toBe('CONFLICT');
    const unknown = await hub.query(`mutation { applyForDataUse(dataset: "nope", purpose: LOAN_APPROVAL, useCase: "x") { id } }`, {}, { org: 'BANK-CQCB' });
    expect(unknown.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const byDepartment = await hub.query(`mutation { applyForDataUse(dataset: "tax", purpose: LOAN_APPROVAL, useCase: "x") { id } }`, {}, { org: 'CQ-AMR' });
    expect(byDepartment.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const mine = await hub.query<{ myDataUseApplications: Array<{ id: string }> }>(`{ myDataUseApplications { id } }`, {}, { org: 'BANK-CQCB' });
    expect(mine.body.data!.myDataUseApplications.map((a) => a.id)).toContain(app.id);
    const toDecide = await hub.query<{ dataUseApplicationsToDecide: Array<{ id: string; dataset: string }> }>(`{ dataUseApplicationsToDecide(status: PENDING) { id dataset } }`, {}, { org: 'CQ-TAX' });
    expect(toDecide.body.data!.dataUseApplicationsToDecide.map((a) => a.id)).toContain(app.id);
    expect(toDecide.body.data!.dataUseApplicationsToDecide.every((a) => a.dataset === 'tax')).toBe(true);
    const notTheirs = await hub.query<{ dataUseApplicationsToDecide: Array<{ id: string }> }>(`{ dataUseApplicationsToDecide(status: PENDING) { id } }`, {}, { org: 'CQ-AMR' });
    expect(notTheirs.body.data!.dataUseApplicationsToDecide.map((a) => a.id)).not.toContain(app.id);

    const expiresAt = new Date(Date.now() + 180 * 86_400_000).toISOString();
    const APPROVE = `mutation($id: ID!, $at: DateTimeISO!) { approveDataUse(id: $id, expiresAt: $at) { ${APP} } }`;
    const wrong = await hub.query(APPROVE, { id: app.id, at: expiresAt }, { org: 'CQ-AMR' });
    expect(wrong.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const byBank = await hub.query(APPROVE, { id: app.id, at: expiresAt }, { org: 'BANK-CQRCB' });
    expect(byBank.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const missingApp = await hub.query(APPROVE, { id: '00000000-0000-0000-0000-000000000000', at: expiresAt }, { org: 'CQ-TAX' });
    expect(missingApp.body.errors?.[0].extensions?.code).toBe('NOT_FOUND');

    const approved = await hub.query<{ approveDataUse: Record<string, any> }>(APPROVE, { id: app.id, at: expiresAt }, { org: 'CQ-TAX' });
    expect(approved.body.errors).toBeUndefined();
    expect(approved.body.data!.approveDataUse).toMatchObject({ id: app.id, status: 'APPROVED', decidedBy: 'CQ-TAX', expiresAt });
    const twice = await hub.query(APPROVE, { id: app.id, at: expiresAt }, { org: 'CQ-TAX' });
    expect(twice.body.errors?.[0].extensions?.code).toBe('CONFLICT');

    const WITHDRAW = `mutation($id: ID!) { withdrawDataUse(id: $id) { ${APP} } }`;
    const othersWithdraw = await hub.query(WITHDRAW, { id: app.id }, { org: 'BANK-CQRCB' });
    expect(othersWithdraw.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const withdrawn = await hub.query<{ withdrawDataUse: Record<string, any> }>(WITHDRAW, { id: app.id }, { org: 'BANK-CQCB' });
    expect(withdrawn.body.errors).toBeUndefined();
    expect(withdrawn.body.data!.withdrawDataUse).toMatchObject({ id: app.id, status: 'WITHDRAWN' });

    // A rejection needs the publisher too.
    const second = await hub.query<{ applyForDataUse: { id: string } }>(`mutation { applyForDataUse(dataset: "tax", purpose: POST_LOAN_MANAGEMENT, useCase: "second try") { id } }`, {}, { org: 'BANK-CQCB' });
    const rejected = await hub.query<{ rejectDataUse: Record<string, any> }>(`mutation($id: ID!) { rejectDataUse(id: $id, reason: "use case too broad") { status decidedBy } }`, { id: second.body.data!.applyForDataUse.id }, { org: 'CQ-TAX' });
    expect(rejected.body.data!.rejectDataUse).toEqual({ status: 'REJECTED', decidedBy: 'CQ-TAX' });
  });
});

type TypeRef = { kind: string; name: string | null; ofType?: TypeRef | null };

function isLeaf(t: TypeRef): boolean {
  let cur: TypeRef | null | undefined = t;
  while (cur && (cur.kind === 'NON_NULL' || cur.kind === 'LIST')) cur = cur.ofType;
  return !!cur && (cur.kind === 'SCALAR' || cur.kind === 'ENUM');
}
