import { CallerType, GuarantorLevel } from '../src/identity/caller';
import { GuaranteeStatus, LoanStatus } from '../src/exposure/entities';
import { Purpose } from '../src/policy/purposes';
import { onMysql } from './support/db';
import { grantAll } from './support/grants';
import { startTestHub, type TestHub } from './support/hub';
import { compensationRow, day, guaranteeRow, insertExposure, loanRow, registerInstitutions, testSubject, WAN, yuan } from './support/exposure-rows';

const FIELDS = `subjectId totalLoanBalance activeLoanCount lendingInstitutionCount overdue maxOverdueDays othersLoanBalance othersActiveLoanCount
  totalGuaranteeBalance activeGuaranteeCount guaranteeInstitutionCount othersGuaranteeBalance compensationCount compensationTotal compensationSince
  focusLine exceedsFocusLine focusLineHeadroom proposedGuaranteeAmount guaranteeBalanceWithProposal proposalExceedsFocusLine
  cooperationSuspended suspendedCounterparties
  ownLoans { contractNo bankCode balance status overdueDays }
  ownGuarantees { contractNo guarantorCode bankCode balance }`;
const QUERY = `query($ids: [String!]!, $p: Money) { crossCheck(subjectIds: $ids, proposedGuaranteeAmount: $p) { ${FIELDS} } }`;

type Result = Record<string, unknown> & { ownLoans: Array<Record<string, unknown>>; ownGuarantees: Array<Record<string, unknown>> };

describe(`crossCheck through the gateway (${onMysql ? 'MariaDB' : 'SQLite'})`, () => {
  let hub: TestHub;
  const S1 = testSubject(1, 1);
  const S2 = testSubject(1, 2);
  const S3 = testSubject(1, 3);
  const others = Array.from({ length: 200 }, (_, i) => testSubject(2, i));
  /** More subjects than one statement used to carry (900 ids): each lookup must still be one statement. */
  const crowd = Array.from({ length: 2_500 }, (_, i) => testSubject(3, i));
  const loans = [
    loanRow(S1, 'TBANK-A', { contractNo: 'TBA-L-001', amount: 100 * WAN, balance: 80 * WAN }),
    loanRow(S1, 'TBANK-A', { contractNo: 'TBA-L-002', amount: 50 * WAN, balance: 50 * WAN, status: LoanStatus.OVERDUE, overdueDays: 30, overdueAmount: 5 * WAN }),
    loanRow(S1, 'TBANK-B', { contractNo: 'TBB-SECRET-001', amount: 200 * WAN, balance: 150 * WAN }),
    loanRow(S1, 'TBANK-B', { contractNo: 'TBB-SECRET-002', amount: 30 * WAN, balance: 0, status: LoanStatus.SETTLED }),
    loanRow(S2, 'TBANK-A', { contractNo: 'TBA-L-003', amount: 10 * WAN, balance: 10 * WAN }),
    loanRow(S3, 'TBANK-B', { contractNo: 'TBB-SECRET-003', amount: 10 * WAN, balance: 10 * WAN }),
  ];
  const compensated = guaranteeRow(S1, 'TGUAR-1', 'TBANK-A', { contractNo: 'TG1-G-OLD', amount: 20 * WAN, balance: 0, status: GuaranteeStatus.COMPENSATED, startDate: day(-1200), endDate: day(-800) });
  const guarantees = [
    guaranteeRow(S1, 'TGUAR-1', 'TBANK-A', { contractNo: 'TG1-G-001', amount: 80 * WAN, balance: 80 * WAN }),
    guaranteeRow(S1, 'TGUAR-2', 'TBANK-B', { contractNo: 'TG2-SECRET-001', amount: 900 * WAN, balance: 900 * WAN }),
    guaranteeRow(S1, 'TGUAR-2', 'TBANK-B', { contractNo: 'TG2-SECRET-002', amount: 40 * WAN, balance: 0, status: GuaranteeStatus.RELEASED }),
    compensated,
  ];
  const compensations = [
    compensationRow(compensated, { amount: 10 * WAN, paidOn: day(-700) }),
    compensationRow(compensated, { amount: 3 * WAN, paidOn: day(-8 * 365) }), // outside the 5-year window
  ];

  beforeAll(async () => {
    hub = await startTestHub('crosscheck');
    await registerInstitutions(hub.db, [
      { code: 'TBANK-A', type: CallerType.BANK, regionCode: '500000' },
      { code: 'TBANK-B', type: CallerType.BANK, regionCode: '500000' },
      { code: 'TGUAR-1', type: CallerType.GUARANTOR, regionCode: '500102', guarantorLevel: GuarantorLevel.DISTRICT },
      { code: 'TGUAR-2', type: CallerType.GUARANTOR, regionCode: '500000', guarantorLevel: GuarantorLevel.MUNICIPAL },
    ]);
    await insertExposure(hub.db, { loans, guarantees, compensations });
    await grantAll(hub.db, 'TBANK-A', Purpose.LOAN_APPROVAL, [S1, ...others, ...crowd]);
    await grantAll(hub.db, 'TBANK-B', Purpose.LOAN_APPROVAL, [S1]);
    await grantAll(hub.db, 'TGUAR-1', Purpose.GUARANTEE_APPROVAL, [S1]);
  });
  afterAll(() => hub?.stop());

  const check = async (org: string, ids: string[], purpose = Purpose.LOAN_APPROVAL, p: string | null = null) => {
    const res = await hub.query<{ crossCheck: Result[] }>(QUERY, { ids, p }, { org, purpose });
    return { res, results: res.body.data?.crossCheck ?? [] };
  };

  it('matches the sum of the reported contracts, and shows the caller’s own loans in detail, another bank’s only in aggregate', async () => {
    const { res, results } = await check('TBANK-A', [S1], Purpose.LOAN_APPROVAL, '500000.00');
    expect(res.body.errors).toBeUndefined();
    const [r] = results;
    const active = loans.filter((l) => l.subjectId === S1 && (l.status === LoanStatus.NORMAL || l.status === LoanStatus.OVERDUE) && l.balance > 0);
    const activeG = guarantees.filter((g) => g.subjectId === S1 && g.status === GuaranteeStatus.ACTIVE);
    const gSum = activeG.reduce((s, g) => s + g.balance, 0);
    expect(r).toMatchObject({
      subjectId: S1,
      totalLoanBalance: yuan(active.reduce((s, l) => s + l.balance, 0)),
      activeLoanCount: active.length,
      lendingInstitutionCount: 2,
      overdue: true,
      maxOverdueDays: 30,
      othersLoanBalance: yuan(150 * WAN),
      othersActiveLoanCount: 1,
      totalGuaranteeBalance: yuan(gSum),
      activeGuaranteeCount: 2,
      guaranteeInstitutionCount: 2,
      othersGuaranteeBalance: yuan(gSum),
      compensationCount: 1,
      compensationTotal: yuan(10 * WAN),
      focusLine: yuan(1000 * WAN),
      exceedsFocusLine: false,
      focusLineHeadroom: yuan(20 * WAN),
      proposedGuaranteeAmount: '500000.00',
      guaranteeBalanceWithProposal: yuan(gSum + 50 * WAN),
      proposalExceedsFocusLine: true,
      cooperationSuspended: false,
      suspendedCounterparties: [],
      ownGuarantees: [],
    });
    expect(r.ownLoans.map((l) => l.contractNo).sort()).toEqual(['TBA-L-001', 'TBA-L-002']);
    expect(r.ownLoans.find((l) => l.contractNo === 'TBA-L-002')).toMatchObject({ bankCode: 'TBANK-A', balance: yuan(50 * WAN), status: 'OVERDUE', overdueDays: 30 });
    // Nothing identifies the other bank's or the guarantors' contracts.
    const text = JSON.stringify(res.body);
    expect(text).not.toMatch(/SECRET|TBANK-B|TGUAR/);

    // The other bank sees its own loans in detail and TBANK-A's only in the totals.
    const b = (await check('TBANK-B', [S1])).results[0];
    expect(b.ownLoans.map((l) => l.contractNo).sort()).toEqual(['TBB-SECRET-001', 'TBB-SECRET-002']);
    expect(b).toMatchObject({ totalLoanBalance: r.totalLoanBalance, othersLoanBalance: yuan(130 * WAN), othersActiveLoanCount: 2 });
    expect(JSON.stringify(b)).not.toMatch(/TBA-L/);
  });

  it('a guarantor sees its own guarantees in detail and the rest as totals', async () => {
    const { res, results } = await check('TGUAR-1', [S1], Purpose.GUARANTEE_APPROVAL, '10000.00');
    expect(res.body.errors).toBeUndefined();
    expect(results[0].ownGuarantees.map((g) => g.contractNo).sort()).toEqual(['TG1-G-001', 'TG1-G-OLD']);
    expect(results[0]).toMatchObject({ othersGuaranteeBalance: yuan(900 * WAN), ownLoans: [], proposalExceedsFocusLine: false });
    expect(JSON.stringify(res.body)).not.toMatch(/SECRET/);
  });

  it('applies the sharing policy per subject: no consent, no subject data (own contracts stay visible)', async () => {
    const { res, results } = await check('TBANK-A', [S1, S2]);
    expect(results).toHaveLength(2);
    expect(results[0].totalLoanBalance).not.toBeNull();
    expect(results[1]).toMatchObject({ subjectId: S2, totalLoanBalance: null, totalGuaranteeBalance: null, proposalExceedsFocusLine: null });
    expect(results[1].ownLoans.map((l) => l.contractNo)).toEqual(['TBA-L-003']);
    const denied = (res.body.errors ?? []).filter((e) => e.path?.[1] === 1);
    expect(denied.length).toBeGreaterThan(5);
    expect(denied.every((e) => e.extensions?.code === 'FORBIDDEN' && e.extensions?.reason === 'NO_CONSENT')).toBe(true);
    expect((res.body.errors ?? []).some((e) => e.path?.[1] === 0)).toBe(false);
  });

  it('post-loan management needs a relationship: S3 (only at TBANK-B) is denied to TBANK-A', async () => {
    await grantAll(hub.db, 'TBANK-A', Purpose.POST_LOAN_MANAGEMENT, []);
    const { res, results } = await check('TBANK-A', [S2, S3], Purpose.POST_LOAN_MANAGEMENT);
    expect(results[0].totalLoanBalance).toBe(yuan(10 * WAN));
    expect(results[1].totalLoanBalance).toBeNull();
    expect(res.body.errors?.some((e) => e.path?.[1] === 1 && e.extensions?.reason === 'NO_RELATIONSHIP')).toBe(true);
  });

  it('sends the same number of statements for 1 and for 200 subjects', async () => {
    await check('TBANK-A', [others[0]]); // warm caches (approvals, institution)
    let before = hub.db.sql.statements;
    const one = await check('TBANK-A', [others[1]]);
    const forOne = hub.db.sql.statements - before;
    before = hub.db.sql.statements;
    const many = await check('TBANK-A', others);
    const forMany = hub.db.sql.statements - before;
    expect(one.results).toHaveLength(1);
    expect(many.results).toHaveLength(200);
    expect(many.res.body.errors).toBeUndefined();
    expect(forMany).toBe(forOne);
  });

  it('reads 2,500 subjects with the same statements as one (one per lookup); only the access log adds an INSERT per 500 records', async () => {
    await check('TBANK-A', [crowd[0]]);
    // The access log's write: its multi-row INSERTs (500 records each), the shared field list's, and their transaction.
    const logWrite = /^\s*(INSERT INTO audit_|BEGIN|START TRANSACTION|COMMIT)/i;
    const reads = (sql: string[]) => sql.filter((q) => !logWrite.test(q)).map((q) => q.replace(/\s+/g, ' ').slice(0, 60));
    hub.db.sql.record();
    const one = await check('TBANK-A', [crowd[1]]);
    const forOne = hub.db.sql.take();
    // A lean selection (the full one is past a bank's cost limit at 2,500 subjects); the reads are the same.
    hub.db.sql.record();
    const many = await hub.query<{ crossCheck: Result[] }>(`query($ids: [String!]!) { crossCheck(subjectIds: $ids) { subjectId totalLoanBalance } }`, { ids: crowd }, { org: 'TBANK-A', purpose: Purpose.LOAN_APPROVAL });
    const forMany = hub.db.sql.take();
    expect(one.results).toHaveLength(1);
    expect(many.body.errors).toBeUndefined();
    expect(many.body.data?.crossCheck).toHaveLength(2_500);
    expect(reads(forMany)).toEqual(reads(forOne));
    expect(forMany.length - reads(forMany).length).toBeLessThanOrEqual(Math.ceil(2_500 / 500) + 3);
  });

  it('validates its input: identifiers, count, amount, purpose and caller type', async () => {
    const bad = await check('TBANK-A', [S1, '91500107MA0000000X']);
    expect(bad.res.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_IDENTIFIER' });
    const tooMany = await hub.query(QUERY, { ids: Array.from({ length: 10_001 }, () => S1) }, { org: 'TBANK-A', purpose: Purpose.LOAN_APPROVAL });
    // Refused by the crossCheck argument check or, earlier, by the gateway's operation limits.
    expect(['BAD_USER_INPUT', 'OPERATION_LIMIT_EXCEEDED']).toContain(tooMany.body.errors?.[0].extensions?.code);
    const negative = await check('TBANK-A', [S1], Purpose.LOAN_APPROVAL, '-1.00');
    expect(negative.res.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const noPurpose = await hub.query(QUERY, { ids: [S1] }, { org: 'TBANK-A' });
    expect(noPurpose.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'PURPOSE_REQUIRED' });
    const dept = await hub.query(QUERY, { ids: [S1] }, { org: 'CQ-TAX', purpose: Purpose.LOAN_APPROVAL });
    expect(dept.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
