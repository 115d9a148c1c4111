import { freshDatabase, onMysql } from './support/db';
import { WAN, day, guaranteeRow, loanRow } from './support/exposure-rows';
import { seededRandom as rngOf } from '../src/demo/random';
import { composeServices } from '@apollo/composition';
import { graphql, parse, type GraphQLSchema } from 'graphql';
import type { Database } from '../src/db/datasource';
import { insertRows } from '../src/db/bulk';
import type { HubContext } from '../src/federation/context';
import { buildSubgraph, type BuiltSubgraph } from '../src/federation/subgraph';
import { CallerType, type Caller } from '../src/identity/caller';
import { Purpose } from '../src/policy/purposes';
import { grantAll } from './support/grants';
import { completeUscc } from '../src/identifiers';
import { registrySubgraph } from '../src/registry';
import { sharingSubgraph } from '../src/sharing';
import { exposureSubgraph } from '../src/exposure';
import { demoExposure, DEMO_EXPOSURE_SUBJECTS, type CompensationRow, type GuaranteeRow, type LoanRow } from '../src/exposure/demo';
import { Compensation, Guarantee, GuaranteeStatus, Loan, LoanStatus } from '../src/exposure/entities';
import { activeRelationships, compensationWindowStart, exposureSummaries } from '../src/exposure/read';

const uscc = (i: number) => completeUscc(`91500106MA${String(i).padStart(6, '0')}`);


const loan = (subjectId: string, bankCode: string, contractNo: string, patch: Partial<LoanRow>): LoanRow => loanRow(subjectId, bankCode, { contractNo, ...patch });

const guarantee = (subjectId: string, guarantorCode: string, bankCode: string, contractNo: string, patch: Partial<GuaranteeRow>): GuaranteeRow =>
  guaranteeRow(subjectId, guarantorCode, bankCode, { contractNo, amount: 80 * WAN, balance: 80 * WAN, ...patch });

function compensation(subjectId: string, guarantorCode: string, contractNo: string, amount: number, paidOn: string, patch: Partial<CompensationRow> = {}): CompensationRow {
  return {
    guaranteeContractNo: contractNo,
    guarantorCode,
    bankCode: 'BANK-CQRCB',
    subjectId,
    amount,
    paidOn,
    recoveredAmount: 0,
    reportedAt: new Date(),
    sourceRecordId: `DC-${contractNo}`,
    version: 1,
    current: true,
    ...patch,
  };
}

const SUMMARY_FIELDS = `
  totalLoanBalance totalGuaranteeBalance activeLoanCount activeGuaranteeCount lendingInstitutionCount guaranteeInstitutionCount
  overdue maxOverdueDays overdueBalance writtenOffLoanCount compensationCount compensationTotal compensationSince asOf`;

const ENTITIES_QUERY = `
  query Exposure($reps: [_Any!]!) {
    _entities(representations: $reps) {
      ... on Subject {
        id
        exposureSummary { ${SUMMARY_FIELDS} }
        loans { id contractNo bankCode subjectId amount balance status overdueDays overdueAmount interestRate usage guaranteeContractNo reportedAt version current lender { code } subject { id } }
        guarantees { id contractNo guarantorCode bankCode amount balance status feeRate bankShare guarantorShare reguaranteeShare nationalFundShare smallMicroAgri guarantor { code } bank { code } reguarantor { code } }
        compensations { id guaranteeContractNo amount paidOn recoveredAmount guarantor { code } bank { code } }
      }
    }
  }`;

const yuan = (fen: number) => `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

describe('exposure subgraph', () => {
  let registry: BuiltSubgraph;
  let sharing: BuiltSubgraph;
  let exposure: BuiltSubgraph;

  beforeAll(async () => {
    registry = await buildSubgraph(registrySubgraph);
    sharing = await buildSubgraph(sharingSubgraph);
    exposure = await buildSubgraph(exposureSubgraph);
  });

  it('composes with the registry and sharing subgraphs without errors', () => {
    const result = composeServices([registry, sharing, exposure].map((s) => ({ name: s.name, typeDefs: parse(s.sdl), url: `http://${s.name}.local/graphql` })));
    expect(result.errors ?? []).toEqual([]);
    const supergraph = result.supergraphSdl!;
    expect(supergraph).toMatch(/interface Subject\b/);
    for (const field of ['exposureSummary: ExposureSummary!', 'loans: [Loan!]!', 'guarantees: [Guarantee!]!', 'compensations: [Compensation!]!']) {
      expect(supergraph).toContain(field);
    }
    expect(exposure.sdl).toContain('@interfaceObject');
    expect(exposure.sdl).toMatch(/type Institution\s+@key\(fields: "code", resolvable: false\)/);
    expect(exposure.sdl).toMatch(/first: Int = 100/);
  });

  describe(`on ${onMysql ? 'MariaDB' : 'SQLite'}`, () => {
    let db: Database;
    let schema: GraphQLSchema;
    const A = DEMO_EXPOSURE_SUBJECTS.enterprise; // demo: active loans at both banks, CQCB loan guaranteed by CQ-SXG
    const B = uscc(900001); // hand-made rows below
    const C = uscc(900002); // only a settled CQCB loan
    const D = uscc(900003); // nothing reported
    const demoSubjects = [
      { id: A, kind: 'ENTERPRISE', regionCode: '500103', isAgri: false },
      { id: DEMO_EXPOSURE_SUBJECTS.cooperative, kind: 'FARMER_COOPERATIVE', regionCode: '500101', isAgri: true },
      ...Array.from({ length: 40 }, (_, i) => ({
        id: uscc(i + 1),
        kind: ['ENTERPRISE', 'INDIVIDUAL_BUSINESS', 'FARMER_COOPERATIVE', 'FAMILY_FARM'][i % 4],
        regionCode: i % 3 === 0 ? '500101' : '500106',
        isAgri: i % 4 >= 2,
      })),
    ];
    let rows: { Loan: LoanRow[]; Guarantee: GuaranteeRow[]; Compensation: CompensationRow[] };

    const ctx = (caller: Partial<Caller> & { type: CallerType }): HubContext => ({
      requestId: 't',
      caller: { userId: 'u', ...caller } as Caller,
      purpose: { BANK: Purpose.LOAN_APPROVAL, GUARANTOR: Purpose.GUARANTEE_APPROVAL, REGULATOR: Purpose.SUPERVISION }[caller.type as 'BANK'],
      db,
      loaders: new Map(),
    });
    const bank = (orgCode: string) => ctx({ type: CallerType.BANK, orgCode });
    const guarantor = (orgCode: string) => ctx({ type: CallerType.GUARANTOR, orgCode });

    async function run<T = Record<string, unknown>>(source: string, variables: Record<string, unknown>, context: HubContext): Promise<{ data?: T; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }> {
      const result = await graphql({ schema, source, variableValues: variables, contextValue: context });
      return result as { data?: T; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] };
    }

    type SubjectResult = {
      id: string;
      exposureSummary: Record<string, unknown>;
      loans: Array<Record<string, unknown>>;
      guarantees: Array<Record<string, unknown>>;
      compensations: Array<Record<string, unknown>>;
    };
    async function entities(ids: string[], context: HubContext): Promise<{ subjects: SubjectResult[]; statements: number }> {
      const before = db.sql.statements;
      const result = await run<{ _entities: SubjectResult[] }>(ENTITIES_QUERY, { reps: ids.map((id) => ({ __typename: 'Subject', id })) }, context);
      expect(result.errors).toBeUndefined();
      return { subjects: result.data!._entities, statements: db.sql.statements - before };
    }

    beforeAll(async () => {
      db = (await freshDatabase('exposure')).db;
      schema = exposure.schema;
      rows = demoExposure(demoSubjects, rngOf(7), new Date());
      rows.Loan.push(
        loan(B, 'BANK-CQCB', 'T-CQCB-1', { balance: 100 * WAN }),
        loan(B, 'BANK-CQRCB', 'T-CQRCB-1', { sourceRecordId: 'LN-T-CQRCB-1', version: 1, current: false, balance: 90 * WAN }),
        loan(B, 'BANK-CQRCB', 'T-CQRCB-1', { sourceRecordId: 'LN-T-CQRCB-1', version: 2, status: LoanStatus.OVERDUE, balance: 80 * WAN, overdueDays: 45, overdueAmount: 6 * WAN, guaranteeContractNo: 'T-SXG-1' }),
        loan(B, 'BANK-CQRCB', 'T-CQRCB-2', { status: LoanStatus.SETTLED, balance: 0, startDate: day(-800), maturityDate: day(-435) }),
        loan(C, 'BANK-CQCB', 'T-CQCB-2', { status: LoanStatus.SETTLED, balance: 0 }),
      );
      rows.Guarantee.push(
        guarantee(B, 'CQ-SXG', 'BANK-CQRCB', 'T-SXG-1', { amount: 100 * WAN, balance: 80 * WAN }),
        guarantee(B, 'WZ-GUAR', 'BANK-CQRCB', 'T-WZ-1', { status: GuaranteeStatus.RELEASED, balance: 0 }),
      );
      rows.Compensation.push(
        compensation(B, 'WZ-GUAR', 'T-WZ-0', 30 * WAN, day(-730), { recoveredAmount: 5 * WAN }),
        compensation(B, 'WZ-GUAR', 'T-WZ-OLD', 50 * WAN, day(-6 * 365)),
      );
      await db.dataSource.transaction(async (manager) => {
        await insertRows(manager, Loan, rows.Loan as Loan[]);
        await insertRows(manager, Guarantee, rows.Guarantee as Guarantee[]);
        await insertRows(manager, Compensation, rows.Compensation as Compensation[]);
      });
      // This suite tests loading and visibility; every caller holds the approvals and consents the policy asks for.
      const everyone = [...new Set([...demoSubjects.map((s) => s.id), A, B, C, D])];
      for (const org of ['BANK-CQCB', 'BANK-CQRCB']) await grantAll(db, org, Purpose.LOAN_APPROVAL, everyone);
      for (const org of ['CQ-SXG', 'WZ-GUAR']) await grantAll(db, org, Purpose.GUARANTEE_APPROVAL, everyone);
      await grantAll(db, 'CQ-FIN', Purpose.SUPERVISION, everyone);
    });

    afterAll(async () => {
      await db?.dataSource.destroy();
    });

    it('the migration and the entities agree (no pending schema changes for exposure tables)', async () => {
      const sqlInMemory = await db.dataSource.driver.createSchemaBuilder().log();
      const pending = sqlInMemory.upQueries.map((q) => q.query).filter((q) => /exposure_/.test(q));
      expect(pending).toEqual([]);
    });

    it('demo data: the fixed subjects have the promised exposure, and the mix is realistic', () => {
      const aLoans = rows.Loan.filter((l) => l.subjectId === A && l.status === LoanStatus.NORMAL && l.balance > 0);
      expect(new Set(aLoans.map((l) => l.bankCode))).toEqual(new Set(['BANK-CQRCB', 'BANK-CQCB']));
      const aGuarantee = rows.Guarantee.find((g) => g.subjectId === A && g.guarantorCode === 'CQ-SXG' && g.status === GuaranteeStatus.ACTIVE)!;
      expect(aGuarantee.bankCode).toBe('BANK-CQCB');
      expect(aLoans.find((l) => l.bankCode === 'BANK-CQCB')!.guaranteeContractNo).toBe(aGuarantee.contractNo);
      const coop = DEMO_EXPOSURE_SUBJECTS.cooperative;
      const coopLoan = rows.Loan.find((l) => l.subjectId === coop && l.bankCode === 'BANK-CQRCB')!;
      const coopGuarantee = rows.Guarantee.find((g) => g.subjectId === coop && g.guarantorCode === 'WZ-GUAR')!;
      expect(coopLoan.guaranteeContractNo).toBe(coopGuarantee.contractNo);
      // Same input, same output.
      expect(demoExposure(demoSubjects, rngOf(7), new Date('2026-01-01T00:00:00Z'))).toEqual(demoExposure(demoSubjects, rngOf(7), new Date('2026-01-01T00:00:00Z')));
      // Shares and fees within the rules for the generated guarantees.
      for (const g of rows.Guarantee) {
        expect(g.bankShare + g.guarantorShare + g.reguaranteeShare + g.nationalFundShare).toBe(100);
        expect(g.bankShare).toBeGreaterThanOrEqual(20);
      }
      const many = demoExposure(
        Array.from({ length: 400 }, (_, i) => ({ id: uscc(100000 + i), kind: i % 2 ? 'ENTERPRISE' : 'FAMILY_FARM', regionCode: i % 10 ? '500106' : '500101', isAgri: i % 2 === 0 })),
        rngOf(11),
        new Date(),
      );
      const borrowers = new Set(many.Loan.map((l) => l.subjectId)).size / 400;
      const guaranteed = new Set(many.Guarantee.map((g) => g.subjectId)).size / 400;
      expect(borrowers).toBeGreaterThan(0.5);
      expect(borrowers).toBeLessThan(0.7);
      expect(guaranteed).toBeGreaterThan(0.22);
      expect(guaranteed).toBeLessThan(0.38);
      expect(many.Loan.some((l) => l.status === LoanStatus.OVERDUE)).toBe(true);
      expect(many.Compensation.length).toBeGreaterThan(0);
      expect(many.Guarantee.filter((g) => g.feeRate > 1).length).toBeGreaterThan(0);
      expect(many.Guarantee.filter((g) => g.feeRate <= 1).length / many.Guarantee.length).toBeGreaterThan(0.8);
    });

    it('batches: _entities for 2 and for 20 subjects costs the same number of statements', async () => {
      const ids = demoSubjects.map((s) => s.id);
      const measured: Record<string, [number, number]> = {};
      for (const [name, make] of [
        ['BANK', () => bank('BANK-CQCB')],
        ['GUARANTOR', () => guarantor('CQ-SXG')],
        ['REGULATOR', () => ctx({ type: CallerType.REGULATOR, orgCode: 'CQ-FIN' })],
      ] as const) {
        const two = await entities(ids.slice(0, 2), make());
        const twenty = await entities(ids.slice(0, 20), make());
        expect(two.subjects).toHaveLength(2);
        expect(twenty.subjects).toHaveLength(20);
        expect(twenty.statements).toBe(two.statements);
        measured[name] = [two.statements, twenty.statements];
      }
      // summary: one aggregate per table (3); own loans for a bank (1); own guarantees + compensations for a guarantor (2).
      // Data statements (3 aggregates + own contracts) plus the policy's consents and approvals, read in one statement
      // (a regulator's SUPERVISION needs no consents: its approvals alone).
      expect(measured).toEqual({ BANK: [5, 5], GUARANTOR: [6, 6], REGULATOR: [4, 4] });
    });

    it('a bank sees its own loans in detail, another bank’s only inside exposureSummary', async () => {
      const { subjects } = await entities([A, B, C, D], bank('BANK-CQCB'));
      const [a, b, c, d] = subjects;

      // A: 240万 at BANK-CQRCB + 500万 at BANK-CQCB; CQ-SXG guarantees the CQCB loan (500万).
      expect(a.loans.map((l) => [l.bankCode, l.balance, (l.lender as { code: string }).code])).toEqual([['BANK-CQCB', '5000000.00', 'BANK-CQCB']]);
      expect(a.exposureSummary).toMatchObject({
        totalLoanBalance: '7400000.00',
        activeLoanCount: 2,
        lendingInstitutionCount: 2,
        overdue: false,
        maxOverdueDays: 0,
        overdueBalance: '0.00',
        totalGuaranteeBalance: '5000000.00',
        activeGuaranteeCount: 1,
        guaranteeInstitutionCount: 1,
        compensationCount: 0,
        compensationTotal: '0.00',
      });
      expect(a.guarantees).toEqual([]); // a bank sees no guarantee detail, even on its own loan
      expect(JSON.stringify(a.exposureSummary)).not.toMatch(/BANK-|CQ-|CQRCB|SXDB/);

      // B: CQCB 100万 (normal) + CQRCB 80万 (overdue 45 days; v1 of 90万 superseded) + a settled CQRCB loan.
      expect(b.loans).toEqual([expect.objectContaining({ contractNo: 'T-CQCB-1', balance: '1000000.00', status: 'NORMAL', version: 1, current: true })]);
      expect(b.exposureSummary).toMatchObject({
        totalLoanBalance: '1800000.00',
        activeLoanCount: 2,
        lendingInstitutionCount: 2,
        overdue: true,
        maxOverdueDays: 45,
        overdueBalance: '800000.00',
        writtenOffLoanCount: 0,
        totalGuaranteeBalance: '800000.00',
        activeGuaranteeCount: 1,
        guaranteeInstitutionCount: 1,
        compensationCount: 1, // the one paid 6 years ago is outside the 5-year window
        compensationTotal: '300000.00',
        compensationSince: compensationWindowStart(new Date()),
      });
      expect(c.loans).toEqual([expect.objectContaining({ contractNo: 'T-CQCB-2', status: 'SETTLED', balance: '0.00' })]);
      expect(c.exposureSummary).toMatchObject({ totalLoanBalance: '0.00', activeLoanCount: 0, lendingInstitutionCount: 0 });
      expect(d).toMatchObject({ id: D, loans: [], guarantees: [], compensations: [] });
      expect(d.exposureSummary).toMatchObject({ totalLoanBalance: '0.00', totalGuaranteeBalance: '0.00', overdue: false, compensationCount: 0 });

      // The other bank sees its own and only its own — current versions only.
      const other = (await entities([B], bank('BANK-CQRCB'))).subjects[0];
      expect(other.loans.map((l) => [l.contractNo, l.balance, l.status, l.version])).toEqual([
        ['T-CQRCB-1', '800000.00', 'OVERDUE', 2],
        ['T-CQRCB-2', '0.00', 'SETTLED', 1],
      ]);
      expect({ ...other.exposureSummary, asOf: null }).toEqual({ ...b.exposureSummary, asOf: null }); // the same totals for every caller

      // A guarantor sees its own guarantees and compensations, no loans.
      const wz = (await entities([B], guarantor('WZ-GUAR'))).subjects[0];
      expect(wz.loans).toEqual([]);
      expect(wz.guarantees.map((g) => [g.contractNo, g.status, g.balance])).toEqual([['T-WZ-1', 'RELEASED', '0.00']]);
      expect(wz.compensations.map((x) => [x.guaranteeContractNo, x.amount, x.recoveredAmount, x.paidOn])).toEqual([
        ['T-WZ-0', '300000.00', '50000.00', day(-730)],
        ['T-WZ-OLD', '500000.00', '0.00', day(-6 * 365)],
      ]);
      const sxg = (await entities([A], guarantor('CQ-SXG'))).subjects[0];
      expect(sxg.guarantees).toEqual([
        expect.objectContaining({
          guarantorCode: 'CQ-SXG',
          bankCode: 'BANK-CQCB',
          balance: '5000000.00',
          status: 'ACTIVE',
          feeRate: 0.8,
          bankShare: 20,
          guarantorShare: 40,
          reguaranteeShare: 20,
          nationalFundShare: 20,
          smallMicroAgri: true,
          guarantor: { code: 'CQ-SXG' },
          bank: { code: 'BANK-CQCB' },
          reguarantor: { code: 'CQ-REGUAR' },
        }),
      ]);
    });

    it('exposureSummary equals the totals computed from the inserted rows for every demo subject', async () => {
      const ids = demoSubjects.map((s) => s.id);
      const { subjects } = await entities(ids, bank('BANK-CQRCB'));
      const since = compensationWindowStart(new Date());
      for (const s of subjects) {
        const active = rows.Loan.filter((l) => l.current && l.subjectId === s.id && (l.status === 'NORMAL' || l.status === 'OVERDUE') && l.balance > 0);
        const overdue = active.filter((l) => l.status === 'OVERDUE' || l.overdueDays > 0);
        const activeG = rows.Guarantee.filter((g) => g.current && g.subjectId === s.id && g.status === 'ACTIVE');
        const comps = rows.Compensation.filter((x) => x.current && x.subjectId === s.id && x.paidOn >= since);
        const sum = (xs: Array<{ balance?: number; amount?: number }>, k: 'balance' | 'amount') => xs.reduce((t, x) => t + (x[k] ?? 0), 0);
        expect(s.exposureSummary).toMatchObject({
          totalLoanBalance: yuan(sum(active, 'balance')),
          activeLoanCount: active.length,
          lendingInstitutionCount: new Set(active.map((l) => l.bankCode)).size,
          overdue: overdue.length > 0,
          maxOverdueDays: Math.max(0, ...active.map((l) => l.overdueDays)),
          overdueBalance: yuan(sum(overdue, 'balance')),
          writtenOffLoanCount: rows.Loan.filter((l) => l.current && l.subjectId === s.id && l.status === 'WRITTEN_OFF').length,
          totalGuaranteeBalance: yuan(sum(activeG, 'balance')),
          activeGuaranteeCount: activeG.length,
          guaranteeInstitutionCount: new Set(activeG.map((g) => g.guarantorCode)).size,
          compensationCount: comps.length,
          compensationTotal: yuan(sum(comps, 'amount')),
        });
        expect(s.loans.every((l) => l.bankCode === 'BANK-CQRCB')).toBe(true);
        expect(s.loans).toHaveLength(rows.Loan.filter((l) => l.current && l.subjectId === s.id && l.bankCode === 'BANK-CQRCB').length);
      }
      // The same figures straight from the exported read function.
      const direct = await exposureSummaries(db, [B]);
      expect(direct.get(B)).toMatchObject({ totalLoanBalance: 180 * WAN, overdueBalance: 80 * WAN, compensationTotal: 30 * WAN });
    });

    it('activeRelationships: active loans (NORMAL/OVERDUE, balance > 0) and ACTIVE guarantees of that institution only', async () => {
      const ids = [A, B, C, D, DEMO_EXPOSURE_SUBJECTS.cooperative];
      expect(await activeRelationships(db, 'BANK-CQCB', ids)).toEqual(new Set([A, B]));
      expect(await activeRelationships(db, 'BANK-CQRCB', [A, B, C, D])).toEqual(new Set([A, B]));
      expect(await activeRelationships(db, 'CQ-SXG', [A, B, C, D])).toEqual(new Set([A, B]));
      expect(await activeRelationships(db, 'WZ-GUAR', ids)).toEqual(new Set([DEMO_EXPOSURE_SUBJECTS.cooperative])); // B's WZ guarantee is released
      expect(await activeRelationships(db, 'CQ-TAX', ids)).toEqual(new Set());
      expect(await activeRelationships(db, 'BANK-CQCB', [])).toEqual(new Set());

      const all = demoSubjects.map((s) => s.id);
      for (const org of ['BANK-CQCB', 'BANK-CQRCB', 'CQ-SXG', 'WZ-GUAR']) {
        const expected = new Set([
          ...rows.Loan.filter((l) => l.current && l.bankCode === org && ['NORMAL', 'OVERDUE'].includes(l.status) && l.balance > 0 && all.includes(l.subjectId)).map((l) => l.subjectId),
          ...rows.Guarantee.filter((g) => g.current && g.guarantorCode === org && g.status === 'ACTIVE' && all.includes(g.subjectId)).map((g) => g.subjectId),
        ]);
        const before = db.sql.statements;
        expect(await activeRelationships(db, org, all)).toEqual(expected);
        expect(db.sql.statements - before).toBe(2); // one per table
      }
    });

    it('myLoans / myGuarantees page through the caller’s own current records by id', async () => {
      const pageQuery = `query Page($first: Int, $after: String) { myLoans(first: $first, after: $after) { id bankCode current } }`;
      const own = rows.Loan.filter((l) => l.bankCode === 'BANK-CQCB' && l.current).length;
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const res: { data?: { myLoans: Array<{ id: string; bankCode: string; current: boolean }> }; errors?: unknown } = await run(pageQuery, { first: 3, after }, bank('BANK-CQCB'));
        expect(res.errors).toBeUndefined();
        const page = res.data!.myLoans;
        if (!page.length) break;
        expect(page.length).toBeLessThanOrEqual(3);
        expect(page.every((l) => l.bankCode === 'BANK-CQCB' && l.current)).toBe(true);
        seen.push(...page.map((l) => l.id));
        after = page[page.length - 1].id;
      }
      expect(seen).toHaveLength(own);
      expect(new Set(seen).size).toBe(own);

      const guarantees = await run<{ myGuarantees: Array<{ guarantorCode: string }> }>(`{ myGuarantees { guarantorCode } }`, {}, guarantor('WZ-GUAR'));
      expect(guarantees.data!.myGuarantees.length).toBe(rows.Guarantee.filter((g) => g.guarantorCode === 'WZ-GUAR' && g.current).length);
      expect(guarantees.data!.myGuarantees.every((g) => g.guarantorCode === 'WZ-GUAR')).toBe(true);
      const comps = await run<{ myCompensations: Array<{ guarantor: { code: string } }> }>(`{ myCompensations { guarantor { code } } }`, {}, guarantor('WZ-GUAR'));
      expect(comps.data!.myCompensations.length).toBe(rows.Compensation.filter((x) => x.guarantorCode === 'WZ-GUAR' && x.current).length);

      const tooMany = await run(`{ myLoans(first: 501) { id } }`, {}, bank('BANK-CQCB'));
      expect(tooMany.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      const badCursor = await run(`{ myLoans(after: "abc") { id } }`, {}, bank('BANK-CQCB'));
      expect(badCursor.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      const notABank = await run(`{ myLoans { id } }`, {}, guarantor('CQ-SXG'));
      expect(notABank.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const notAGuarantor = await run(`{ myGuarantees { id } }`, {}, bank('BANK-CQCB'));
      expect(notAGuarantor.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    });
  });
});
