import { CallerType, GuarantorLevel } from '../src/identity/caller';
import { GuaranteeStatus } from '../src/exposure/entities';
import { cooperationEvents, cooperationSuspensions, isCooperationSuspended } from '../src/exposure/supervision/store';
import { thresholdEnvName } from '../src/config/thresholds';
import { Purpose } from '../src/policy/purposes';
import { onMysql } from './support/db';
import { grantAll } from './support/grants';
import { startTestHub, type TestHub } from './support/hub';
import { compensationRow, day, guaranteeRow, insertExposure, loanRow, registerInstitutions, testSubject, WAN, yuan } from './support/exposure-rows';

const VIEW = `query($p: String!) { guarantorSupervision(period: $p) {
  period periodStart periodEnd scopeRegionCode
  guarantors { guarantorCode level regionCode netAssets guaranteeBalance leverage leverageLimit mainlySmallMicroAgri largestBorrowerMasked
    largestBorrowerShareOfNetAssets smallMicroAgriShare smallAmountShare averageFeeRate bankShareViolationCount aboveFocusLineCount
    compensationRate missing breaches { rule value limit message } }
  byDistrict { key name guarantorCount guaranteeBalance breachCount }
  byLevel { key name guarantorCount guaranteeBalance breachCount }
  total { key guarantorCount guaranteeBalance breachCount } } }`;
const REPORT = `mutation($g: String!, $p: String!, $n: Money!) { reportNetAssets(guarantorCode: $g, period: $p, netAssets: $n) { guarantorCode period netAssets reportedBy } }`;
const COOPS = `query($b: String, $g: String) { cooperations(bankCode: $b, guarantorCode: $g) { bankCode guarantorCode compensationAmount releasedAmount compensationRate threshold suspended activeGuaranteeCount } }`;

type Guarantor = { guarantorCode: string; breaches: Array<{ rule: string; value: number | null; limit: number }>; [k: string]: unknown };

describe(`supervision view and circuit breaker through the gateway (${onMysql ? 'MariaDB' : 'SQLite'})`, () => {
  let hub: TestHub;
  const year = day(0).slice(0, 4);

  beforeAll(async () => {
    hub = await startTestHub('supervision');
    await registerInstitutions(hub.db, [
      { code: 'TG-OK', type: CallerType.GUARANTOR, regionCode: '500102', guarantorLevel: GuarantorLevel.DISTRICT },
      { code: 'TG-BAD', type: CallerType.GUARANTOR, regionCode: '500103', guarantorLevel: GuarantorLevel.DISTRICT },
      { code: 'TG-CB', type: CallerType.GUARANTOR, regionCode: '500103', guarantorLevel: GuarantorLevel.DISTRICT },
      { code: 'TBANK-C', type: CallerType.BANK, regionCode: '500000' },
      { code: 'TREG-FL', type: CallerType.REGULATOR, regionCode: '500102' },
    ]);
    // TG-OK: 10 borrowers × 300万, 支小支农, fee 0.8%, bank 20% → compliant with net assets 5000万.
    const ok = Array.from({ length: 10 }, (_, i) => guaranteeRow(testSubject(3, i), 'TG-OK', 'BANK-CQCB', { amount: 300 * WAN, balance: 300 * WAN }));
    // TG-BAD: breaks every rule with net assets 100万: 1200万 to one borrower (not 支小支农, 2% fee, bank 10%) + 100万.
    const bad = [
      guaranteeRow(testSubject(4, 1), 'TG-BAD', 'BANK-CQCB', { amount: 1200 * WAN, balance: 1200 * WAN, feeRate: 2, bankShare: 10, guarantorShare: 50, smallMicroAgri: false }),
      guaranteeRow(testSubject(4, 2), 'TG-BAD', 'BANK-CQCB', { amount: 100 * WAN, balance: 100 * WAN, feeRate: 0.5 }),
    ];
    await insertExposure(hub.db, { guarantees: [...ok, ...bad] });
  });
  afterAll(() => hub?.stop());

  it('net assets are reported by the guarantor itself or a regulator, nobody else', async () => {
    const own = await hub.query(REPORT, { g: 'TG-OK', p: year, n: '50000000.00' }, { org: 'TG-OK' });
    expect(own.body.data).toEqual({ reportNetAssets: { guarantorCode: 'TG-OK', period: year, netAssets: '50000000.00', reportedBy: 'TG-OK' } });
    const other = await hub.query(REPORT, { g: 'TG-BAD', p: year, n: '1.00' }, { org: 'TG-OK' });
    expect(other.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const bank = await hub.query(REPORT, { g: 'TG-BAD', p: year, n: '1.00' }, { org: 'BANK-CQCB' });
    expect(bank.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const district = await hub.query(REPORT, { g: 'TG-BAD', p: year, n: '1.00' }, { org: 'TREG-FL' });
    expect(district.body.errors?.[0].extensions?.reason).toBe('OUT_OF_SCOPE');
    const regulator = await hub.query(REPORT, { g: 'TG-BAD', p: `${year}-Q1`, n: '1000000.00' }, { org: 'CQ-FIN' });
    expect(regulator.body.data).toMatchObject({ reportNetAssets: { guarantorCode: 'TG-BAD', period: `${year}-Q1`, reportedBy: 'CQ-FIN' } });
    const badPeriod = await hub.query(REPORT, { g: 'TG-OK', p: '2026-13', n: '1.00' }, { org: 'TG-OK' });
    expect(badPeriod.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('lists a breach of each rule for the guarantor that breaks them, none for the compliant one, with totals by district and level', async () => {
    const res = await hub.query<{ guarantorSupervision: { guarantors: Guarantor[]; byDistrict: Array<Record<string, unknown>>; byLevel: Array<Record<string, unknown>>; total: Record<string, unknown>; scopeRegionCode: string } }>(
      VIEW,
      { p: year },
      { org: 'CQ-FIN', purpose: Purpose.SUPERVISION },
    );
    expect(res.body.errors).toBeUndefined();
    const v = res.body.data!.guarantorSupervision;
    expect(v.scopeRegionCode).toBe('500000');
    const ok = v.guarantors.find((g) => g.guarantorCode === 'TG-OK')!;
    const bad = v.guarantors.find((g) => g.guarantorCode === 'TG-BAD')!;
    expect(ok).toMatchObject({ level: 'DISTRICT', netAssets: '50000000.00', guaranteeBalance: yuan(3000 * WAN), leverage: 0.6, leverageLimit: 15, mainlySmallMicroAgri: true, breaches: [] });
    // TG-BAD's net assets come from the Q1 report (latest period ending before the year's end).
    expect(bad).toMatchObject({ netAssets: '1000000.00', guaranteeBalance: yuan(1300 * WAN), leverage: 13, leverageLimit: 10, bankShareViolationCount: 1, aboveFocusLineCount: 1 });
    expect(bad.breaches.map((b) => b.rule).sort()).toEqual(['AVERAGE_FEE_RATE', 'BANK_RISK_SHARE', 'FOCUS_LINE', 'LEVERAGE', 'SINGLE_BORROWER', 'SMALL_AMOUNT_SHARE', 'SMALL_MICRO_AGRI_SHARE']);
    expect(bad.breaches.find((b) => b.rule === 'SINGLE_BORROWER')).toMatchObject({ value: 12, limit: 0.1 });
    expect(bad.breaches.find((b) => b.rule === 'AVERAGE_FEE_RATE')!.value).toBeCloseTo((2 * 1200 + 0.5 * 100) / 1300, 10);
    expect(String(bad.largestBorrowerMasked)).toMatch(/^915001\*+\w{4}$/);
    // Demo guarantors are in the municipal view too.
    expect(v.guarantors.map((g) => g.guarantorCode)).toEqual(expect.arrayContaining(['CQ-SXG', 'WZ-GUAR']));
    const d102 = v.byDistrict.find((d) => d.key === '500102')!;
    expect(d102).toMatchObject({ name: '涪陵区', guarantorCount: 1, guaranteeBalance: yuan(3000 * WAN), breachCount: 0 });
    expect(v.byDistrict.find((d) => d.key === '500103')).toMatchObject({ breachCount: 7 });
    const districtLevel = v.byLevel.find((l) => l.key === 'DISTRICT')!;
    expect(districtLevel.guarantorCount).toBeGreaterThanOrEqual(3);
    expect(v.byLevel.map((l) => l.key)).toEqual(expect.arrayContaining(['DISTRICT', 'MUNICIPAL']));
    const sum = v.guarantors.reduce((s, g) => s + Math.round(Number(g.guaranteeBalance) * 100), 0);
    expect(v.total).toMatchObject({ key: 'ALL', guarantorCount: v.guarantors.length, guaranteeBalance: yuan(sum) });
  });

  it('a district regulator sees only its district; other callers are refused', async () => {
    const res = await hub.query<{ guarantorSupervision: { guarantors: Guarantor[]; scopeRegionCode: string } }>(VIEW, { p: year }, { org: 'TREG-FL', purpose: Purpose.SUPERVISION });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.guarantorSupervision.scopeRegionCode).toBe('500102');
    expect(res.body.data!.guarantorSupervision.guarantors.map((g) => g.guarantorCode)).toEqual(['TG-OK']);
    const bank = await hub.query(VIEW, { p: year }, { org: 'BANK-CQCB', purpose: Purpose.LOAN_APPROVAL });
    expect(bank.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const noPurpose = await hub.query(VIEW, { p: year }, { org: 'CQ-FIN' });
    expect(noPurpose.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('circuit breaker: trips at the threshold, shows in the cross-check, resets below it', async () => {
    const borrower = testSubject(5, 1);
    // In the window: 950万 released normally, a 50万 guarantee compensated in full → 50 / (950 + 50) = 5% = threshold.
    const released = guaranteeRow(testSubject(5, 2), 'TG-CB', 'TBANK-C', { amount: 950 * WAN, balance: 0, status: GuaranteeStatus.RELEASED, startDate: day(-400), endDate: day(-30) });
    const defaulted = guaranteeRow(testSubject(5, 3), 'TG-CB', 'TBANK-C', { amount: 50 * WAN, balance: 0, status: GuaranteeStatus.COMPENSATED, startDate: day(-400), endDate: day(-40) });
    const active = guaranteeRow(borrower, 'TG-CB', 'TBANK-C', { amount: 100 * WAN, balance: 100 * WAN });
    await insertExposure(hub.db, {
      loans: [loanRow(borrower, 'TBANK-C', { guaranteeContractNo: active.contractNo })],
      guarantees: [released, defaulted, active],
      compensations: [compensationRow(defaulted, { amount: 50 * WAN, paidOn: day(-10) })],
    });
    const coops = await hub.query<{ cooperations: Array<Record<string, unknown>> }>(COOPS, {}, { org: 'TBANK-C' });
    expect(coops.body.errors).toBeUndefined();
    expect(coops.body.data!.cooperations).toEqual([
      { bankCode: 'TBANK-C', guarantorCode: 'TG-CB', compensationAmount: yuan(50 * WAN), releasedAmount: yuan(1000 * WAN), compensationRate: 0.05, threshold: 0.05, suspended: true, activeGuaranteeCount: 1 },
    ]);
    expect(await isCooperationSuspended(hub.db, 'TBANK-C', 'TG-CB')).toBe(true);

    // New business reported under the suspended cooperation is accepted but flagged.
    const report = await hub.query<{ reportGuarantees: { status: string; created: number; flagged: Array<{ index: number; field: string; reason: string }> } }>(
      `mutation($records: [PublishRecordInput!]!) { reportGuarantees(records: $records, idempotencyKey: "cb-new-1") { status created flagged { index field reason } } }`,
      {
        records: [
          {
            sourceRecordId: 'TG-CB-NEW-1',
            subjectId: testSubject(5, 6),
            fields: { contractNo: 'TG-CB-NEW-1', bankCode: 'TBANK-C', amount: '300000.00', balance: '300000.00', startDate: day(-1), endDate: day(300), status: 'ACTIVE', feeRate: '0.8', bankShare: '20', guarantorShare: '40', reguaranteeShare: '0', nationalFundShare: '40' },
          },
        ],
      },
      { org: 'TG-CB' },
    );
    expect(report.body.errors).toBeUndefined();
    expect(report.body.data!.reportGuarantees).toMatchObject({ status: 'COMMITTED', created: 1 });
    expect(report.body.data!.reportGuarantees.flagged).toEqual([expect.objectContaining({ index: 0, field: 'fields.bankCode', reason: expect.stringMatching(/^COOPERATION_SUSPENDED/) })]);

    await grantAll(hub.db, 'TBANK-C', Purpose.LOAN_APPROVAL, [borrower]);
    const cc = await hub.query<{ crossCheck: Array<Record<string, unknown>> }>(
      'query($ids: [String!]!) { crossCheck(subjectIds: $ids) { subjectId cooperationSuspended suspendedCounterparties } }',
      { ids: [borrower] },
      { org: 'TBANK-C', purpose: Purpose.LOAN_APPROVAL },
    );
    expect(cc.body.data!.crossCheck).toEqual([{ subjectId: borrower, cooperationSuspended: true, suspendedCounterparties: ['TG-CB'] }]);
    // The guarantor sees the same cooperation from its side; the regulator too.
    const fromGuarantor = await hub.query<{ cooperations: Array<Record<string, unknown>> }>(COOPS, {}, { org: 'TG-CB' });
    expect(fromGuarantor.body.data!.cooperations).toEqual([expect.objectContaining({ bankCode: 'TBANK-C', suspended: true })]);
    const fromRegulator = await hub.query<{ cooperations: Array<Record<string, unknown>> }>(COOPS, { g: 'TG-CB' }, { org: 'CQ-FIN' });
    expect(fromRegulator.body.data!.cooperations).toEqual([expect.objectContaining({ bankCode: 'TBANK-C', suspended: true })]);
    const foreign = await hub.query(COOPS, { b: 'BANK-CQCB' }, { org: 'TBANK-C' });
    expect(foreign.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    // 10万 more released in the window: 50 / 1010 < 5% → resumes.
    await insertExposure(hub.db, { guarantees: [guaranteeRow(testSubject(5, 4), 'TG-CB', 'TBANK-C', { amount: 10 * WAN, balance: 0, status: GuaranteeStatus.RELEASED, endDate: day(-5) })] });
    const after = await hub.query<{ cooperations: Array<Record<string, unknown>> }>(COOPS, {}, { org: 'TBANK-C' });
    expect(after.body.data!.cooperations[0]).toMatchObject({ suspended: false, releasedAmount: yuan(1010 * WAN) });
    expect(after.body.data!.cooperations[0].compensationRate as number).toBeCloseTo(50 / 1010, 10);
    const again = await hub.query<{ crossCheck: Array<Record<string, unknown>> }>('query($ids: [String!]!) { crossCheck(subjectIds: $ids) { cooperationSuspended } }', { ids: [borrower] }, { org: 'TBANK-C', purpose: Purpose.LOAN_APPROVAL });
    expect(again.body.data!.crossCheck[0].cooperationSuspended).toBe(false);
    expect((await cooperationEvents(hub.db, 'TBANK-C', 'TG-CB')).map((e) => e.event)).toEqual(['SUSPENDED', 'RESUMED']);

    // The threshold is configuration: at 4% the same cooperation is suspended again.
    process.env[thresholdEnvName('circuitBreakerRate')] = '0.04';
    try {
      const batch = await cooperationSuspensions(hub.db, [['TBANK-C', 'TG-CB'], ['TBANK-C', 'NOBODY']]);
      expect(Object.fromEntries(batch)).toEqual({ 'TBANK-C|TG-CB': true, 'TBANK-C|NOBODY': false });
    } finally {
      delete process.env[thresholdEnvName('circuitBreakerRate')];
    }
    expect(await isCooperationSuspended(hub.db, 'TBANK-C', 'TG-CB')).toBe(false);
    expect((await cooperationEvents(hub.db, 'TBANK-C', 'TG-CB')).map((e) => e.event)).toEqual(['SUSPENDED', 'RESUMED', 'SUSPENDED', 'RESUMED']);
  });
});
