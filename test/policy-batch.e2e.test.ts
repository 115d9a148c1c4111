import { createHash, randomUUID } from 'node:crypto';
import { insertRows } from '../src/db/bulk';
import { TaxCreditRating, TaxRecord } from '../src/credit/entities';
import { Loan, LoanStatus } from '../src/exposure/entities';
import type { LoanRow } from '../src/exposure/demo';
import { CallerType } from '../src/identity/caller';
import { completeResidentId, completeUscc } from '../src/identifiers';
import type { DatasetCode } from '../src/policy/catalog';
import { DATASETS } from '../src/policy/datasets';
import { DataUseApplication, SubjectConsent } from '../src/policy/entities';
import { Purpose } from '../src/policy/purposes';
import { Enterprise, EnterpriseScale, RegistrationStatus, SubjectKind } from '../src/registry/entities';
import { Institution, InstitutionStatus } from '../src/sharing/entities';
import { startTestHub, type TestHub } from './support/hub';

/**
 * Batch reads decide per subject: in one request over many subjects, one subject's consent (or loan) never
 * opens another subject's data, and the number of SQL statements — consents, approvals, relationships
 * included — does not grow with the number of subjects.
 */

const DAY = 86_400_000;
const NOW = Date.now();
const BANK = 'T-BATCH-BANK';
const ALL_DATASETS = Object.keys(DATASETS) as DatasetCode[];
const N = 60;

const subjects = Array.from({ length: N }, (_, i) => ({
  id: completeUscc(`91500103W${String(i + 1).padStart(7, '0')}`),
  legalRep: i % 2 ? '上官婉儿' : '张三丰',
  legalRepId: completeResidentId(`50010319900202${String(200 + i).padStart(3, '0')}`),
  taxPaidFen: 50_000_00 + i * 1_234_57,
  /** Every third subject consented to the batch bank (for loan approval). */
  consented: i % 3 === 0,
  /** Every fourth subject has an active loan with the batch bank (post-loan management). */
  borrower: i % 4 === 0,
}));

const BATCH = /* GraphQL */ `
  query Batch($ids: [String!]!) {
    subjects(ids: $ids) {
      id
      name
      ... on Enterprise { legalRepresentative legalRepresentativeId }
      taxRecords { rating taxPaid }
      exposureSummary { totalLoanBalance lendingInstitutionCount }
    }
  }`;

type Row = {
  id: string;
  name: string | null;
  legalRepresentative: string | null;
  legalRepresentativeId: string | null;
  taxRecords: Array<{ rating: string | null; taxPaid: string | null }>;
  exposureSummary: { totalLoanBalance: string | null; lendingInstitutionCount: number | null };
};

const yuan = (fen: number) => `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

async function setUp(hub: TestHub): Promise<void> {
  const manager = hub.db.dataSource.manager;
  const at = new Date(NOW - DAY);
  await insertRows(manager, Institution, [
    { code: BANK, name: '批量测试银行', type: CallerType.BANK, guarantorLevel: null, regionCode: '500000', uscc: null, status: InstitutionStatus.ACTIVE, createdAt: at } as Institution,
  ]);
  await insertRows(
    manager,
    Enterprise,
    subjects.map(
      (s, i) =>
        ({
          id: s.id,
          name: `批量测试${i}号商贸有限公司`,
          kind: SubjectKind.ENTERPRISE,
          legalRepresentative: s.legalRep,
          legalRepresentativeId: s.legalRepId,
          registeredCapital: 200_0000_00,
          establishedOn: '2020-01-15',
          regionCode: '500103',
          industryCode: 'F5191',
          industryName: '综合零售',
          status: RegistrationStatus.OPERATING,
          scale: EnterpriseScale.MICRO,
          address: '重庆市渝中区批量路2号',
          publishedBy: 'CQ-AMR',
          dataAsOf: '2026-11-01',
          publishedAt: at,
        }) as Enterprise,
    ),
  );
  await insertRows(
    manager,
    TaxRecord,
    subjects.map(
      (s) =>
        ({
          subjectId: s.id,
          sourceRecordId: `TAX-BATCH-${s.id}`,
          version: 1,
          current: true,
          retractedAt: null,
          retractionReason: null,
          publishedBy: 'CQ-TAX',
          dataAsOf: '2026-10-31',
          publishedAt: at,
          taxYear: 2025,
          rating: TaxCreditRating.A,
          taxPaid: s.taxPaidFen,
          vatPaid: 0,
          taxArrears: 0,
          inspectionRemark: null,
        }) as TaxRecord,
    ),
  );
  await insertRows(
    manager,
    DataUseApplication,
    ALL_DATASETS.flatMap((dataset) =>
      [Purpose.LOAN_APPROVAL, Purpose.POST_LOAN_MANAGEMENT].map(
        (purpose) =>
          ({
            id: randomUUID(),
            consumerCode: BANK,
            dataset,
            purpose,
            useCase: 'batch test',
            status: 'APPROVED',
            decidedBy: DATASETS[dataset].publisher,
            decidedAt: new Date(NOW - 10 * DAY),
            decisionReason: null,
            expiresAt: new Date(NOW + 100 * DAY),
            createdAt: new Date(NOW - 11 * DAY),
          }) as DataUseApplication,
      ),
    ),
  );
  await insertRows(
    manager,
    SubjectConsent,
    subjects
      .filter((s) => s.consented)
      .map(
        (s) =>
          ({
            id: randomUUID(),
            subjectId: s.id,
            granteeCode: BANK,
            purposes: [Purpose.LOAN_APPROVAL],
            datasets: ALL_DATASETS,
            validFrom: new Date(NOW - DAY),
            validTo: new Date(NOW + 100 * DAY),
            evidenceSha256: createHash('sha256').update(s.id).digest('hex'),
            registeredBy: BANK,
            registeredAt: new Date(NOW - DAY),
            revokedAt: null,
            revokedBy: null,
            revocationReason: null,
          }) as SubjectConsent,
      ),
  );
  const loans: LoanRow[] = subjects
    .filter((s) => s.borrower)
    .map((s) => ({
      contractNo: `BATCH-${s.id}`,
      bankCode: BANK,
      subjectId: s.id,
      amount: 30_0000_00,
      balance: 20_0000_00,
      startDate: '2026-02-01',
      maturityDate: '2027-02-01',
      status: LoanStatus.NORMAL,
      overdueDays: 0,
      overdueAmount: 0,
      interestRate: 3.9,
      usage: '流动资金',
      guaranteeContractNo: null,
      reportedAt: at,
      sourceRecordId: `LN-BATCH-${s.id}`,
      version: 1,
      current: true,
    }));
  await insertRows(manager, Loan, loans as Loan[]);
}

describe('batch reads decide per subject (gateway over HTTP, in-process)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('policy_batch', 'in-process');
    await setUp(hub);
  });
  afterAll(() => hub?.stop());

  it("opens conditional data only for the subjects that consented: one subject's consent never opens another's", async () => {
    // Interleaved on purpose: consented subjects sit between subjects that did not consent.
    const batch = subjects.slice(0, 30);
    const res = await hub.query<{ subjects: Row[] }>(BATCH, { ids: batch.map((s) => s.id) }, { org: BANK, purpose: Purpose.LOAN_APPROVAL });
    expect(res.status).toBe(200);
    const rows = res.body.data!.subjects;
    expect(rows.map((r) => r.id)).toEqual(batch.map((s) => s.id));
    const errors = res.body.errors ?? [];
    batch.forEach((s, i) => {
      const r = rows[i];
      // Unconditional data for everyone.
      expect(r.name).toEqual(expect.any(String));
      expect(r.taxRecords).toHaveLength(1);
      expect(r.taxRecords[0].rating).toBe('A');
      const denied = errors.filter((e) => e.path?.[1] === i);
      if (s.consented) {
        expect(r.legalRepresentative).toBe(s.legalRep);
        expect(r.legalRepresentativeId).toBe(s.legalRepId);
        expect(r.taxRecords[0].taxPaid).toBe(yuan(s.taxPaidFen));
        expect(r.exposureSummary.totalLoanBalance).toEqual(expect.any(String));
        expect(denied).toEqual([]);
      } else {
        expect(r.legalRepresentative).toBe([...s.legalRep][0] + '*'.repeat([...s.legalRep].length - 1));
        expect(r.legalRepresentativeId).toBeNull();
        expect(r.taxRecords[0].taxPaid).toBeNull();
        expect(r.exposureSummary.totalLoanBalance).toBeNull();
        // legalRepresentativeId, taxPaid, totalLoanBalance, lendingInstitutionCount — each NO_CONSENT for this subject.
        expect(denied.map((e) => String(e.path![e.path!.length - 1])).sort()).toEqual(['legalRepresentativeId', 'lendingInstitutionCount', 'taxPaid', 'totalLoanBalance']);
        for (const e of denied) expect(e.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NO_CONSENT', subjectId: s.id });
      }
    });
    expect(errors.every((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
    expect(errors).toHaveLength(batch.filter((s) => !s.consented).length * 4);

    // The consents name the batch bank: another (approved) bank gets none of it for the same subjects.
    const other = await hub.query<{ subjects: Row[] }>(BATCH, { ids: batch.map((s) => s.id) }, { org: 'BANK-CQRCB', purpose: Purpose.LOAN_APPROVAL });
    for (const r of other.body.data!.subjects) {
      expect(r.legalRepresentativeId).toBeNull();
      expect(r.taxRecords[0].taxPaid).toBeNull();
    }
  });

  it("opens post-loan data only for the subjects the caller lends to: one borrower's loan never opens another's data", async () => {
    const batch = subjects.slice(0, 30);
    const res = await hub.query<{ subjects: Row[] }>(BATCH, { ids: batch.map((s) => s.id) }, { org: BANK, purpose: Purpose.POST_LOAN_MANAGEMENT });
    const rows = res.body.data!.subjects;
    const errors = res.body.errors ?? [];
    batch.forEach((s, i) => {
      const r = rows[i];
      const denied = errors.filter((e) => e.path?.[1] === i);
      if (s.borrower) {
        expect(r.legalRepresentativeId).toBe(s.legalRepId);
        expect(r.taxRecords[0].taxPaid).toBe(yuan(s.taxPaidFen));
        expect(r.exposureSummary.lendingInstitutionCount).toBe(1);
        expect(denied).toEqual([]);
      } else {
        expect(r.legalRepresentativeId).toBeNull();
        expect(r.taxRecords[0].taxPaid).toBeNull();
        for (const e of denied) expect(e.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NO_RELATIONSHIP', subjectId: s.id });
        expect(denied).toHaveLength(4);
      }
    });
  });

  it.each([Purpose.LOAN_APPROVAL, Purpose.POST_LOAN_MANAGEMENT])('keeps the SQL statement count independent of the number of subjects (%s)', async (purpose) => {
    const count = async (n: number) => {
      const before = hub.db.sql.statements;
      const res = await hub.query<{ subjects: Row[] }>(BATCH, { ids: subjects.slice(0, n).map((s) => s.id) }, { org: BANK, purpose });
      const after = hub.db.sql.statements;
      expect(res.body.data?.subjects).toHaveLength(n);
      expect((res.body.errors ?? []).filter((e) => e.extensions?.code !== 'FORBIDDEN')).toEqual([]);
      // Some subjects are opened, some are not: the batch really mixes decisions.
      const opened = res.body.data!.subjects.filter((r) => r.taxRecords[0].taxPaid !== null).length;
      expect(opened).toBeGreaterThan(0);
      expect(opened).toBeLessThan(n);
      return after - before;
    };
    await count(5); // warm the institution cache
    const small = await count(5);
    const large = await count(50);
    expect(large).toBe(small);
    expect(small).toBeLessThanOrEqual(20);
  });
});
