import { createHash, randomUUID } from 'node:crypto';
import { insertRows } from '../src/db/bulk';
import { TaxRecord, TaxCreditRating } from '../src/credit/entities';
import { Guarantee, GuaranteeStatus, Loan, LoanStatus } from '../src/exposure/entities';
import type { GuaranteeRow, LoanRow } from '../src/exposure/demo';
import { CallerType, type Caller } from '../src/identity/caller';
import { completeResidentId, completeUscc } from '../src/identifiers';
import { MaskKind, SharingClass, type DatasetCode, type FieldPolicy } from '../src/policy/catalog';
import { DATASETS } from '../src/policy/datasets';
import { decideDataset, type ApprovalFact, type ConsentFact } from '../src/policy/decide';
import { DataUseApplication, SubjectConsent, type ApplicationStatus } from '../src/policy/entities';
import { Purpose } from '../src/policy/purposes';
import { Enterprise, EnterpriseScale, RegistrationStatus, SubjectKind } from '../src/registry/entities';
import { Institution, InstitutionStatus } from '../src/sharing/entities';
import { startTestHub, type GraphQLResponse, type TestHub } from './support/hub';

/**
 * The sharing-policy matrix, end to end: every caller type × purpose (none + 4) × consent state × approval
 * state, for a representative field of every sharing class, through the real gateway over HTTP (SQLite, or
 * MariaDB with HUB_TEST_DB=mysql). Then, for every annotated field of the catalog, explainAccess must agree
 * with the decide module and with the expectation below.
 *
 * The expected outcome is derived by `expected()`, written here from the policy as the design brief and the
 * issue state it — not by calling the decide module — so a disagreement means a bug on one side.
 *
 * Setup: dedicated subjects (one per consent state, each with one enterprise row and one tax record) and
 * dedicated institutions (one per caller type × approval state), inserted directly into the database.
 */

const DAY = 86_400_000;
const NOW = Date.now();
const ALL_PURPOSES = [Purpose.LOAN_APPROVAL, Purpose.GUARANTEE_APPROVAL, Purpose.POST_LOAN_MANAGEMENT, Purpose.SUPERVISION];
const ALL_DATASETS = Object.keys(DATASETS) as DatasetCode[];

// ------------------------------------------------------------------------------------------------
// The policy, restated independently (DESIGN.md "Domain rules", issue 3 "Purpose binding" / "Decisions")
// ------------------------------------------------------------------------------------------------

/** Purposes a caller type may declare. */
const MAY_DECLARE: Record<CallerType, Purpose[]> = {
  [CallerType.BANK]: [Purpose.LOAN_APPROVAL, Purpose.POST_LOAN_MANAGEMENT],
  [CallerType.GUARANTOR]: [Purpose.GUARANTEE_APPROVAL, Purpose.POST_LOAN_MANAGEMENT],
  [CallerType.REGULATOR]: [Purpose.SUPERVISION],
  [CallerType.DEPARTMENT]: [],
  [CallerType.OPERATOR]: [],
  [CallerType.SUBJECT]: [],
};
/** What opens a CONDITIONAL field besides the approval: consent, an active loan/guarantee, or the statute (supervision). */
const BASIS: Record<Purpose, 'CONSENT' | 'RELATIONSHIP' | 'STATUTORY'> = {
  [Purpose.LOAN_APPROVAL]: 'CONSENT',
  [Purpose.GUARANTEE_APPROVAL]: 'CONSENT',
  [Purpose.POST_LOAN_MANAGEMENT]: 'RELATIONSHIP',
  [Purpose.SUPERVISION]: 'STATUTORY',
};
/** Only banks and guarantors ever see personal data in clear (and then only with consent or a relationship). */
const MAY_SEE_PERSONAL = [CallerType.BANK, CallerType.GUARANTOR];

interface ConsentSpec {
  /** 'SELF' = every test bank, guarantor and regulator (each gets its own consent row). */
  grantee: 'SELF' | string;
  purposes: Purpose[];
  datasets: DatasetCode[];
  from: number;
  to: number;
  revokedAt: number | null;
}
interface SubjectSpec {
  key: string;
  id: string;
  consents: ConsentSpec[];
  /** Active loan of every test bank and active guarantee of every test guarantor. */
  relationship: boolean;
  legalRep: string;
  legalRepId: string;
  taxPaidFen: number;
}
interface ApprovalSpec {
  dataset: DatasetCode;
  purpose: Purpose;
  status: ApplicationStatus;
  expiresAt: number | null;
}
interface CallerSpec {
  key: string;
  type: CallerType;
  org?: string;
  subjectId?: string;
  approvals: ApprovalSpec[];
}
interface FieldSpec {
  type: 'Enterprise' | 'TaxRecord';
  field: string;
  dataset: DatasetCode;
  sharing: SharingClass;
  personal: boolean;
  mask: MaskKind | null;
}
type Outcome = { decision: 'ALLOW' } | { decision: 'MASK'; mask: MaskKind } | { decision: 'DENY'; reason: string; rule: string };

function consentCheck(caller: CallerSpec, purpose: Purpose, dataset: DatasetCode, s: SubjectSpec): 'OK' | string {
  const found = { revoked: false, expired: false, notYet: false };
  for (const c of s.consents) {
    const grantee = c.grantee === 'SELF' ? caller.org : c.grantee;
    if (!caller.org || grantee !== caller.org || !c.purposes.includes(purpose) || !c.datasets.includes(dataset)) continue;
    if (c.revokedAt !== null && c.revokedAt <= NOW) found.revoked = true;
    else if (NOW >= c.to) found.expired = true;
    else if (NOW < c.from) found.notYet = true;
    else return 'OK';
  }
  // The most specific reason: revoked beats expired beats not-yet-valid beats none.
  return found.revoked ? 'CONSENT_REVOKED' : found.expired ? 'CONSENT_EXPIRED' : found.notYet ? 'CONSENT_NOT_YET_VALID' : 'NO_CONSENT';
}

function approvalCheck(caller: CallerSpec, purpose: Purpose, dataset: DatasetCode): 'OK' | string {
  const approved = caller.approvals.filter((a) => a.dataset === dataset && a.purpose === purpose && a.status === 'APPROVED');
  if (approved.some((a) => a.expiresAt === null || a.expiresAt > NOW)) return 'OK';
  return approved.length ? 'APPROVAL_EXPIRED' : 'NO_APPROVAL';
}

function expected(caller: CallerSpec, purpose: Purpose | undefined, s: SubjectSpec, f: Pick<FieldSpec, 'dataset' | 'sharing' | 'personal' | 'mask'>): Outcome {
  const deny = (reason: string, rule: string): Outcome => ({ decision: 'DENY', reason, rule });
  if (f.sharing === SharingClass.NOT_SHARED) return deny('NOT_SHARED', 'sharing.not_shared');
  if (caller.type === CallerType.SUBJECT) return caller.subjectId === s.id ? { decision: 'ALLOW' } : deny('NOT_OWN_SUBJECT', 'subject.not_own');
  if (!purpose) return deny('PURPOSE_REQUIRED', 'purpose.required');
  if (caller.type === CallerType.DEPARTMENT && DATASETS[f.dataset].publisher === caller.org) return { decision: 'ALLOW' };
  if (!MAY_DECLARE[caller.type].includes(purpose)) return deny('PURPOSE_NOT_ALLOWED', 'purpose.not_allowed');
  const consent = consentCheck(caller, purpose, f.dataset, s);
  const related = BASIS[purpose] === 'RELATIONSHIP' && s.relationship && (caller.type === CallerType.BANK || caller.type === CallerType.GUARANTOR);
  if (f.sharing === SharingClass.CONDITIONAL) {
    const approval = approvalCheck(caller, purpose, f.dataset);
    if (approval !== 'OK') return deny(approval, 'conditional.approval');
    if (BASIS[purpose] === 'CONSENT' && consent !== 'OK') return deny(consent, 'conditional.consent');
    if (BASIS[purpose] === 'RELATIONSHIP' && !related) return deny('NO_RELATIONSHIP', 'conditional.relationship');
  }
  // A regulator gets every field that declares a mask masked: amounts as bands, never exact figures.
  if (caller.type === CallerType.REGULATOR && f.mask && !f.personal) return { decision: 'MASK', mask: f.mask };
  if (f.personal && !(MAY_SEE_PERSONAL.includes(caller.type) && (consent === 'OK' || related))) {
    return { decision: 'MASK', mask: f.mask ?? MaskKind.PARTIAL_NAME };
  }
  return { decision: 'ALLOW' };
}

/** The masks, restated for the values used here. */
function masked(kind: MaskKind, value: string): string | null {
  const chars = Array.from(value);
  switch (kind) {
    case MaskKind.PARTIAL_NAME:
      return chars[0] + '*'.repeat(chars.length - 1);
    case MaskKind.SHOW_FIRST6_LAST4:
      return chars.slice(0, 6).join('') + '*'.repeat(chars.length - 10) + chars.slice(-4).join('');
    case MaskKind.AMOUNT_BAND: {
      const y = Number(value);
      const bands: Array<[number, string]> = [[5e7, '≥5000万'], [1e7, '1000万–5000万'], [5e6, '500万–1000万'], [1e6, '100万–500万'], [5e5, '50万–100万'], [1e5, '10万–50万']];
      return bands.find(([lower]) => y >= lower)?.[1] ?? '<10万';
    }
    default:
      throw new Error(`mask ${kind} not used by the matrix fields`);
  }
}

const yuan = (fen: number) => `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

// ------------------------------------------------------------------------------------------------
// The representative fields (one per sharing class), as the annotations declare them
// ------------------------------------------------------------------------------------------------

const FIELDS: FieldSpec[] = [
  { type: 'Enterprise', field: 'name', dataset: 'registration', sharing: SharingClass.UNCONDITIONAL, personal: false, mask: null },
  { type: 'Enterprise', field: 'legalRepresentative', dataset: 'registration', sharing: SharingClass.UNCONDITIONAL, personal: true, mask: MaskKind.PARTIAL_NAME },
  { type: 'Enterprise', field: 'legalRepresentativeId', dataset: 'registration', sharing: SharingClass.CONDITIONAL, personal: true, mask: MaskKind.SHOW_FIRST6_LAST4 },
  { type: 'TaxRecord', field: 'rating', dataset: 'tax', sharing: SharingClass.UNCONDITIONAL, personal: false, mask: null },
  { type: 'TaxRecord', field: 'taxPaid', dataset: 'tax', sharing: SharingClass.CONDITIONAL, personal: false, mask: MaskKind.AMOUNT_BAND },
  { type: 'TaxRecord', field: 'inspectionRemark', dataset: 'tax', sharing: SharingClass.NOT_SHARED, personal: false, mask: null },
];

function clearValue(f: FieldSpec, s: SubjectSpec): string {
  switch (f.field) {
    case 'name':
      return `矩阵测试${s.key}有限公司`;
    case 'legalRepresentative':
      return s.legalRep;
    case 'legalRepresentativeId':
      return s.legalRepId;
    case 'rating':
      return TaxCreditRating.B;
    case 'taxPaid':
      return yuan(s.taxPaidFen);
    case 'inspectionRemark':
      return INSPECTION_REMARK;
    default:
      throw new Error(f.field);
  }
}
const INSPECTION_REMARK = '2025年稽查：进项发票异常（矩阵测试）';

// ------------------------------------------------------------------------------------------------
// Test subjects (one per consent state) and institutions (one per caller type × approval state)
// ------------------------------------------------------------------------------------------------

const valid = (over: Partial<ConsentSpec> = {}): ConsentSpec => ({ grantee: 'SELF', purposes: ALL_PURPOSES, datasets: ALL_DATASETS, from: NOW - DAY, to: NOW + 365 * DAY, revokedAt: null, ...over });

const SUBJECT_STATES: Array<{ key: string; consents: ConsentSpec[]; relationship?: boolean }> = [
  { key: 'NONE', consents: [] },
  { key: 'VALID', consents: [valid()] },
  { key: 'EXPIRED', consents: [valid({ from: NOW - 400 * DAY, to: NOW - DAY })] },
  { key: 'REVOKED', consents: [valid({ revokedAt: NOW - 3_600_000 })] },
  { key: 'NOT_YET_VALID', consents: [valid({ from: NOW + 2 * DAY })] },
  // Wrong purpose: every purpose but one (so each request's purpose misses for exactly one of these).
  ...ALL_PURPOSES.map((p) => ({ key: `WRONG_PURPOSE_${p}`, consents: [valid({ purposes: ALL_PURPOSES.filter((q) => q !== p) })] })),
  // Wrong grantee: a valid consent to a demo bank, which none of the test callers is.
  { key: 'WRONG_GRANTEE', consents: [valid({ grantee: 'BANK-CQRCB' })] },
  // Wrong dataset: valid, but not for the registration and tax datasets the matrix reads.
  { key: 'WRONG_DATASET', consents: [valid({ datasets: ALL_DATASETS.filter((d) => d !== 'registration' && d !== 'tax') })] },
  // Several consents: a renewed one wins over an expired one; revoked is named before expired.
  { key: 'RENEWED', consents: [valid({ from: NOW - 400 * DAY, to: NOW - DAY }), valid()] },
  { key: 'REVOKED_AND_EXPIRED', consents: [valid({ from: NOW - 400 * DAY, to: NOW - DAY }), valid({ revokedAt: NOW - 3_600_000 })] },
  // Post-loan management: an active loan or guarantee with the caller, with and without consent.
  { key: 'REL_NONE', consents: [], relationship: true },
  { key: 'REL_VALID', consents: [valid()], relationship: true },
  { key: 'REL_REVOKED', consents: [valid({ revokedAt: NOW - 3_600_000 })], relationship: true },
];

const LEGAL_REPS = ['欧阳明华', '王芳', '司马相如', '李强', '赵子龙'];
const SUBJECTS: SubjectSpec[] = SUBJECT_STATES.map((st, i) => ({
  key: st.key,
  id: completeUscc(`91500103T${String(i + 1).padStart(7, '0')}`),
  consents: st.consents,
  relationship: !!st.relationship,
  legalRep: LEGAL_REPS[i % LEGAL_REPS.length],
  legalRepId: completeResidentId(`50010319800101${String(100 + i).padStart(3, '0')}`),
  taxPaidFen: 123_456_78 + i * 1_000_003,
}));
const subjectByKey = (key: string) => SUBJECTS.find((s) => s.key === key)!;

const APPROVAL_STATES = ['APPROVED', 'NONE', 'EXPIRED', 'PENDING', 'REJECTED', 'WITHDRAWN', 'OTHER_PURPOSE', 'ONE_DATASET'] as const;
type ApprovalState = (typeof APPROVAL_STATES)[number];

function approvalsFor(type: CallerType, state: ApprovalState): ApprovalSpec[] {
  const purposes = MAY_DECLARE[type];
  const all = (status: ApplicationStatus, expiresAt: number | null, ps: Purpose[] = purposes, ds: DatasetCode[] = ALL_DATASETS) =>
    ds.flatMap((dataset) => ps.map((purpose) => ({ dataset, purpose, status, expiresAt })));
  switch (state) {
    case 'APPROVED':
      return all('APPROVED', NOW + 180 * DAY);
    case 'NONE':
      return [];
    case 'EXPIRED':
      return all('APPROVED', NOW - DAY);
    case 'PENDING':
      return all('PENDING', null);
    case 'REJECTED':
      return all('REJECTED', null);
    case 'WITHDRAWN':
      return all('WITHDRAWN', NOW + 180 * DAY);
    case 'OTHER_PURPOSE':
      // Approved, but only for one purpose: the first the type may use (the regulator: one it may not use).
      return all('APPROVED', NOW + 180 * DAY, [type === CallerType.REGULATOR ? Purpose.LOAN_APPROVAL : purposes[0]]);
    case 'ONE_DATASET':
      return all('APPROVED', NOW + 180 * DAY, purposes, ['registration']);
  }
}

const CONSUMER_TYPES = [CallerType.BANK, CallerType.GUARANTOR, CallerType.REGULATOR];
const CALLERS: CallerSpec[] = [
  ...CONSUMER_TYPES.flatMap((type) =>
    APPROVAL_STATES.map((state) => ({ key: `${type}/${state}`, type, org: `T-${type.slice(0, 4)}-${state}`, approvals: approvalsFor(type, state) })),
  ),
  // Departments: CQ-AMR publishes registration (own) but not tax; CQ-TAX the other way round.
  { key: 'DEPARTMENT/CQ-AMR', type: CallerType.DEPARTMENT, org: 'CQ-AMR', approvals: [] },
  { key: 'DEPARTMENT/CQ-TAX', type: CallerType.DEPARTMENT, org: 'CQ-TAX', approvals: [] },
  { key: 'OPERATOR', type: CallerType.OPERATOR, org: 'HUB-OPS', approvals: [] },
  // A subject reading: its own data (VALID) and everyone else's in the same batch.
  { key: 'SUBJECT', type: CallerType.SUBJECT, subjectId: subjectByKey('VALID').id, approvals: [] },
];
const PURPOSES: Array<Purpose | undefined> = [undefined, ...ALL_PURPOSES];
const TEST_ORGS = CALLERS.filter((c) => c.org?.startsWith('T-'));

function consentFacts(s: SubjectSpec): ConsentFact[] {
  return s.consents.flatMap((c, i) =>
    (c.grantee === 'SELF' ? TEST_ORGS.map((o) => o.org!) : [c.grantee]).map((grantee) => ({
      id: `${s.key}-${i}-${grantee}`,
      subjectId: s.id,
      granteeCode: grantee,
      purposes: c.purposes,
      datasets: c.datasets,
      validFrom: new Date(c.from),
      validTo: new Date(c.to),
      revokedAt: c.revokedAt === null ? null : new Date(c.revokedAt),
    })),
  );
}

async function setUp(hub: TestHub): Promise<void> {
  const manager = hub.db.dataSource.manager;
  const at = new Date(NOW - DAY);
  await insertRows(
    manager,
    Institution,
    TEST_ORGS.map(
      (c) =>
        ({ code: c.org!, name: `矩阵测试 ${c.key}`, type: c.type, guarantorLevel: null, regionCode: '500000', uscc: null, status: InstitutionStatus.ACTIVE, createdAt: at }) as Institution,
    ),
  );
  await insertRows(
    manager,
    Enterprise,
    SUBJECTS.map(
      (s) =>
        ({
          id: s.id,
          name: `矩阵测试${s.key}有限公司`,
          kind: SubjectKind.ENTERPRISE,
          legalRepresentative: s.legalRep,
          legalRepresentativeId: s.legalRepId,
          registeredCapital: 500_0000_00,
          establishedOn: '2018-06-01',
          regionCode: '500103',
          industryCode: 'C1391',
          industryName: '饲料加工',
          status: RegistrationStatus.OPERATING,
          scale: EnterpriseScale.SMALL,
          address: '重庆市渝中区测试路1号',
          publishedBy: 'CQ-AMR',
          dataAsOf: '2026-11-01',
          publishedAt: at,
        }) as Enterprise,
    ),
  );
  await insertRows(
    manager,
    TaxRecord,
    SUBJECTS.map(
      (s) =>
        ({
          subjectId: s.id,
          sourceRecordId: `TAX-MATRIX-${s.id}`,
          version: 1,
          current: true,
          retractedAt: null,
          retractionReason: null,
          publishedBy: 'CQ-TAX',
          dataAsOf: '2026-10-31',
          publishedAt: at,
          taxYear: 2025,
          rating: TaxCreditRating.B,
          taxPaid: s.taxPaidFen,
          vatPaid: Math.round(s.taxPaidFen / 2),
          taxArrears: 0,
          inspectionRemark: INSPECTION_REMARK,
        }) as TaxRecord,
    ),
  );
  await insertRows(
    manager,
    DataUseApplication,
    TEST_ORGS.flatMap((c) =>
      c.approvals.map(
        (a) =>
          ({
            id: randomUUID(),
            consumerCode: c.org!,
            dataset: a.dataset,
            purpose: a.purpose,
            useCase: 'matrix test',
            status: a.status,
            decidedBy: a.status === 'PENDING' ? null : DATASETS[a.dataset].publisher,
            decidedAt: a.status === 'PENDING' ? null : new Date(NOW - 200 * DAY),
            decisionReason: a.status === 'REJECTED' ? 'matrix test' : null,
            expiresAt: a.expiresAt === null ? null : new Date(a.expiresAt),
            createdAt: new Date(NOW - 201 * DAY),
          }) as DataUseApplication,
      ),
    ),
  );
  await insertRows(
    manager,
    SubjectConsent,
    SUBJECTS.flatMap((s) =>
      consentFacts(s).map(
        (f) =>
          ({
            id: randomUUID(),
            subjectId: f.subjectId,
            granteeCode: f.granteeCode,
            purposes: f.purposes,
            datasets: f.datasets,
            validFrom: f.validFrom,
            validTo: f.validTo,
            evidenceSha256: createHash('sha256').update(f.id).digest('hex'),
            registeredBy: f.granteeCode,
            registeredAt: f.validFrom,
            revokedAt: f.revokedAt,
            revokedBy: f.revokedAt ? f.granteeCode : null,
            revocationReason: f.revokedAt ? 'subject withdrew (matrix test)' : null,
          }) as SubjectConsent,
      ),
    ),
  );
  const related = SUBJECTS.filter((s) => s.relationship);
  const banks = TEST_ORGS.filter((c) => c.type === CallerType.BANK).map((c) => c.org!);
  const guarantors = TEST_ORGS.filter((c) => c.type === CallerType.GUARANTOR).map((c) => c.org!);
  const loans: LoanRow[] = related.flatMap((s) =>
    banks.map((bank) => ({
      contractNo: `MX-${bank}-${s.id}`,
      bankCode: bank,
      subjectId: s.id,
      amount: 100_0000_00,
      balance: 60_0000_00,
      startDate: '2026-03-01',
      maturityDate: '2027-03-01',
      status: LoanStatus.NORMAL,
      overdueDays: 0,
      overdueAmount: 0,
      interestRate: 3.6,
      usage: '流动资金',
      guaranteeContractNo: null,
      reportedAt: at,
      sourceRecordId: `LN-MX-${bank}-${s.id}`,
      version: 1,
      current: true,
    })),
  );
  const guarantees: GuaranteeRow[] = related.flatMap((s) =>
    guarantors.map((guarantor) => ({
      contractNo: `MXG-${guarantor}-${s.id}`,
      guarantorCode: guarantor,
      bankCode: 'BANK-CQCB',
      subjectId: s.id,
      amount: 100_0000_00,
      balance: 60_0000_00,
      startDate: '2026-03-01',
      endDate: '2027-03-01',
      status: GuaranteeStatus.ACTIVE,
      feeRate: 0.8,
      bankShare: 20,
      guarantorShare: 80,
      reguaranteeShare: 0,
      nationalFundShare: 0,
      reguarantorCode: null,
      smallMicroAgri: true,
      reportedAt: at,
      sourceRecordId: `GT-MX-${guarantor}-${s.id}`,
      version: 1,
      current: true,
    })),
  );
  await insertRows(manager, Loan, loans as Loan[]);
  await insertRows(manager, Guarantee, guarantees as Guarantee[]);
}

// ------------------------------------------------------------------------------------------------

const MATRIX = /* GraphQL */ `
  query Matrix($ids: [String!]!) {
    subjects(ids: $ids) {
      id
      name
      ... on Enterprise { legalRepresentative legalRepresentativeId }
      taxRecords { rating taxPaid inspectionRemark }
    }
  }`;

type Row = { id: string; name: string | null; legalRepresentative: string | null; legalRepresentativeId: string | null; taxRecords: Array<Record<string, string | null>> };
type Errors = NonNullable<GraphQLResponse['body']['errors']>;

/** Runs `work` over `items` with at most `n` in flight. */
async function pool<T, R>(items: T[], n: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]);
      }
    }),
  );
  return out;
}

describe('sharing policy matrix (gateway over HTTP)', () => {
  let hub: TestHub;
  const tokens = new Map<string, string>();
  const ask = <T>(caller: CallerSpec, query: string, variables: Record<string, unknown>, purpose?: Purpose) =>
    hub.query<T>(query, variables, { token: tokens.get(caller.key), purpose });

  beforeAll(async () => {
    hub = await startTestHub('policy_matrix');
    await setUp(hub);
    for (const c of CALLERS) tokens.set(c.key, await hub.token(c.subjectId ? { subjectId: c.subjectId } : { org: c.org }));
  });
  afterAll(() => hub?.stop());

  it('the catalog declares the representative fields as the matrix assumes', async () => {
    const res = await hub.query<{ catalog: Array<{ code: string; fields: Array<{ type: string; field: string; sharing: string; personal: boolean; mask: string | null }> }> }>(
      `{ catalog { code fields { type field sharing personal mask } } }`,
      {},
      { token: tokens.get('OPERATOR') },
    );
    expect(res.body.errors).toBeUndefined();
    const byKey = new Map(res.body.data!.catalog.flatMap((d) => d.fields.map((f) => [`${f.type}.${f.field}`, { ...f, dataset: d.code }] as const)));
    for (const f of FIELDS) expect(byKey.get(`${f.type}.${f.field}`)).toEqual({ type: f.type, field: f.field, dataset: f.dataset, sharing: f.sharing, personal: f.personal, mask: f.mask });
  });

  it('gives the expected ALLOW / MASK / DENY per caller × purpose × consent state × approval state × sharing class', async () => {
    const ids = SUBJECTS.map((s) => s.id);
    const requests = CALLERS.flatMap((caller) => PURPOSES.map((purpose) => ({ caller, purpose })));
    const problems: string[] = [];
    const tally = { cells: 0, fieldChecks: 0, ALLOW: 0, MASK: 0, DENY: 0 };
    await pool(requests, 6, async ({ caller, purpose }) => {
      const where = `${caller.key} purpose=${purpose ?? 'none'}`;
      const res = await ask<{ subjects: Array<Row | null> }>(caller, MATRIX, { ids }, purpose);
      if (res.status !== 200 || !res.body.data?.subjects) {
        problems.push(`${where}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
        return;
      }
      const errors: Errors = res.body.errors ?? [];
      const unexpected = errors.filter((e) => e.extensions?.code !== 'FORBIDDEN' || !Array.isArray(e.path) || e.path[0] !== 'subjects');
      for (const e of unexpected) problems.push(`${where}: unexpected error ${JSON.stringify(e).slice(0, 300)}`);
      // Denials by path `index.field`.
      const denials = new Map<string, Errors>();
      for (const e of errors) {
        if (!e.path) continue;
        const key = `${e.path[1]}.${e.path[e.path.length - 1]}`;
        denials.set(key, [...(denials.get(key) ?? []), e]);
      }
      const seen = new Set<string>();
      res.body.data.subjects.forEach((row, i) => {
        const s = SUBJECTS[i];
        tally.cells++;
        if (!row) {
          problems.push(`${where} ${s.key}: subject is null`);
          return;
        }
        if (row.id !== s.id) problems.push(`${where} ${s.key}: id ${row.id}`);
        if (row.taxRecords.length !== 1) problems.push(`${where} ${s.key}: ${row.taxRecords.length} tax records`);
        for (const f of FIELDS) {
          tally.fieldChecks++;
          const want = expected(caller, purpose, s, f);
          tally[want.decision]++;
          const got = f.type === 'TaxRecord' ? row.taxRecords[0]?.[f.field] : (row as unknown as Record<string, string | null>)[f.field];
          const key = `${i}.${f.field}`;
          seen.add(key);
          const errs = denials.get(key) ?? [];
          const cell = `${where} ${s.key} ${f.type}.${f.field}`;
          const clear = clearValue(f, s);
          if (want.decision === 'ALLOW') {
            if (got !== clear) problems.push(`${cell}: want ALLOW ${clear}, got ${JSON.stringify(got)}${errs.length ? ` (${errs[0].extensions?.reason})` : ''}`);
            if (errs.length) problems.push(`${cell}: ALLOW but ${errs.length} error(s)`);
          } else if (want.decision === 'MASK') {
            const m = masked(want.mask, clear);
            if (got !== m) problems.push(`${cell}: want MASK ${want.mask} ${m}, got ${JSON.stringify(got)}${errs.length ? ` (${errs[0].extensions?.reason})` : ''}`);
            if (errs.length) problems.push(`${cell}: MASK but ${errs.length} error(s)`);
          } else {
            if (got !== null) problems.push(`${cell}: want DENY ${want.reason}, got value ${JSON.stringify(got)}`);
            if (errs.length !== 1) problems.push(`${cell}: want DENY ${want.reason} with one error, got ${errs.length}`);
            const ext = errs[0]?.extensions ?? {};
            if (errs.length && (ext.code !== 'FORBIDDEN' || ext.reason !== want.reason || ext.dataset !== f.dataset || ext.rule !== want.rule || ext.subjectId !== s.id)) {
              problems.push(`${cell}: want DENY ${want.reason} [${want.rule}] ${f.dataset} ${s.id}, got ${JSON.stringify(ext)}`);
            }
            // Never the hidden value, not even in the message.
            if (errs.length && clear.length >= 4 && JSON.stringify(errs).includes(clear)) problems.push(`${cell}: the error leaks the value`);
          }
        }
      });
      for (const key of denials.keys()) if (!seen.has(key)) problems.push(`${where}: error at unexpected path ${key}`);
    });
    // The matrix covers what it claims: every outcome occurs, and so does every deny reason.
    expect(problems.slice(0, 40)).toEqual([]);
    expect(tally.cells).toBe(CALLERS.length * PURPOSES.length * SUBJECTS.length);
    expect(tally.ALLOW).toBeGreaterThan(0);
    expect(tally.MASK).toBeGreaterThan(0);
    expect(tally.DENY).toBeGreaterThan(0);
    const reasons = new Set(
      CALLERS.flatMap((c) => PURPOSES.flatMap((p) => SUBJECTS.flatMap((s) => FIELDS.map((f) => expected(c, p, s, f))))).flatMap((o) => (o.decision === 'DENY' ? [o.reason] : [])),
    );
    expect([...reasons].sort()).toEqual(
      ['APPROVAL_EXPIRED', 'CONSENT_EXPIRED', 'CONSENT_NOT_YET_VALID', 'CONSENT_REVOKED', 'NO_APPROVAL', 'NO_CONSENT', 'NO_RELATIONSHIP', 'NOT_OWN_SUBJECT', 'NOT_SHARED', 'PURPOSE_NOT_ALLOWED', 'PURPOSE_REQUIRED'].sort(),
    );
  });

  it('explainAccess agrees with the decide module (and the expectation) for every annotated field of the catalog', async () => {
    const catalog = await hub.query<{ catalog: Array<{ code: DatasetCode; fields: Array<{ type: string; field: string; sharing: SharingClass; personal: boolean; mask: MaskKind | null }> }> }>(
      `{ catalog { code fields { type field sharing personal mask } } }`,
      {},
      { token: tokens.get('OPERATOR') },
    );
    const policies = new Map<string, FieldPolicy>();
    for (const d of catalog.body.data!.catalog) {
      for (const f of d.fields) {
        policies.set(`${f.type}.${f.field}`, { dataset: d.code, sharing: f.sharing, ...(f.personal ? { personal: true } : {}), ...(f.mask ? { mask: f.mask } : {}) });
      }
    }
    expect(policies.size).toBeGreaterThan(60);

    const explained = ['NONE', 'VALID', 'EXPIRED', 'REVOKED', `WRONG_PURPOSE_${Purpose.LOAN_APPROVAL}`, 'WRONG_GRANTEE', 'REL_NONE', 'REL_VALID'].map(subjectByKey);
    const aliases = explained.flatMap((s, i) => ALL_PURPOSES.map((p) => ({ alias: `s${i}_${p}`, i, s, p })));
    // The gateway limits aliases and root fields per operation (10 root fields for a bank): 2 subjects × 4 purposes per request.
    const GROUP = 2;
    const chunks: Array<{ query: string; variables: Record<string, string> }> = [];
    for (let from = 0; from < explained.length; from += GROUP) {
      const group = explained.slice(from, from + GROUP).map((s, k) => ({ s, i: from + k }));
      chunks.push({
        query: `query(${group.map((g) => `$s${g.i}: String!`).join(', ')}) {
      ${aliases
        .filter((a) => a.i >= from && a.i < from + GROUP)
        .map((a) => `${a.alias}: explainAccess(subjectId: $s${a.i}, purpose: ${a.p}) { type field dataset decision reason mask rule }`)
        .join('\n      ')}
    }`,
        variables: Object.fromEntries(group.map((g) => [`s${g.i}`, g.s.id])),
      });
    }
    const problems: string[] = [];
    let compared = 0;
    await pool(CALLERS, 6, async (caller) => {
      type Explained = Array<{ type: string; field: string; dataset: string; decision: string; reason: string | null; mask: string | null; rule: string }>;
      const data: Record<string, Explained> = {};
      for (const chunk of chunks) {
        const res = await ask<Record<string, Explained>>(caller, chunk.query, chunk.variables);
        if (res.body.errors?.length || !res.body.data) {
          problems.push(`${caller.key}: ${JSON.stringify(res.body.errors?.[0] ?? res.status).slice(0, 300)}`);
          return;
        }
        Object.assign(data, res.body.data);
      }
      const who: Caller = { type: caller.type, orgCode: caller.org, subjectId: caller.subjectId, userId: 'matrix' };
      const approvals: ApprovalFact[] = caller.approvals.map((a, i) => ({
        id: `a${i}`,
        consumerCode: caller.org!,
        dataset: a.dataset,
        purpose: a.purpose,
        status: a.status,
        expiresAt: a.expiresAt === null ? null : new Date(a.expiresAt),
      }));
      for (const { alias, s, p } of aliases) {
        const entries = data[alias];
        if (entries.length !== policies.size) problems.push(`${caller.key} ${alias}: ${entries.length} entries for ${policies.size} catalog fields`);
        const hasRelationship = s.relationship && (caller.type === CallerType.BANK || caller.type === CallerType.GUARANTOR);
        const decisions = new Map<DatasetCode, ReturnType<typeof decideDataset>>();
        for (const e of entries) {
          compared++;
          const key = `${e.type}.${e.field}`;
          const policy = policies.get(key)!;
          let dd = decisions.get(policy.dataset);
          if (!dd) decisions.set(policy.dataset, (dd = decideDataset({ caller: who, purpose: p, subjectId: s.id, dataset: policy.dataset, consents: consentFacts(s), approvals, hasRelationship, now: new Date() })));
          const module = dd.field(policy);
          const mine = expected(caller, p, s, { dataset: policy.dataset, sharing: policy.sharing, personal: !!policy.personal, mask: policy.mask ?? null });
          const cell = `${caller.key} ${p} ${s.key} ${key}`;
          const got = `${e.decision} ${e.reason ?? ''} ${e.mask ?? ''} ${e.decision === 'DENY' ? e.rule : ''}`;
          const fromModule = `${module.decision} ${module.reason ?? ''} ${module.mask ?? ''} ${module.decision === 'DENY' ? module.rule : ''}`;
          const fromSpec = `${mine.decision} ${mine.decision === 'DENY' ? mine.reason : ''} ${mine.decision === 'MASK' ? mine.mask : ''} ${mine.decision === 'DENY' ? mine.rule : ''}`;
          if (e.dataset !== policy.dataset) problems.push(`${cell}: dataset ${e.dataset}`);
          if (got !== fromModule) problems.push(`${cell}: explainAccess says ${got}, decide module ${fromModule}`);
          if (fromModule !== fromSpec) problems.push(`${cell}: decide module says ${fromModule}, the policy ${fromSpec}`);
        }
      }
    });
    expect(problems.slice(0, 40)).toEqual([]);
    expect(compared).toBe(CALLERS.length * aliases.length * policies.size);
  });
});
