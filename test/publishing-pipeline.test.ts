import type { Database } from '../src/db/datasource';
import { findTaxRecords } from '../src/credit/read';
import { seedDemo, FIXED_SUBJECTS } from '../src/demo/seed';
import { completeUscc } from '../src/identifiers';
import { CallerType, type Caller } from '../src/identity/caller';
import { cstToday, minusDays, type PublishRecord } from '../src/publishing/adapter';
import {
  correctRecord,
  datasetStatus,
  listPublications,
  publishBatch,
  publishingTestHooks,
  PublishingError,
  recordHistory,
  retractRecord,
  ROWS_PER_STATEMENT,
  setPublicationListener,
  type PublicationEvent,
} from '../src/publishing/pipeline';
import { PublicationStatus } from '../src/publishing/entities';
import { freshDatabase, onMysql } from './support/db';

const TAX: Caller = { type: CallerType.DEPARTMENT, orgCode: 'CQ-TAX', userId: 'CQ-TAX/alice' };
const AGRI: Caller = { type: CallerType.DEPARTMENT, orgCode: 'CQ-AGRI', userId: 'CQ-AGRI/bob' };
const AMR: Caller = { type: CallerType.DEPARTMENT, orgCode: 'CQ-AMR', userId: 'CQ-AMR/svc' };
const OPS: Caller = { type: CallerType.OPERATOR, orgCode: 'HUB-OPS', userId: 'HUB-OPS/op' };
const CQCB: Caller = { type: CallerType.BANK, orgCode: 'BANK-CQCB', userId: 'BANK-CQCB/svc' };
const CQRCB: Caller = { type: CallerType.BANK, orgCode: 'BANK-CQRCB', userId: 'BANK-CQRCB/svc' };
const SXG: Caller = { type: CallerType.GUARANTOR, orgCode: 'CQ-SXG', userId: 'CQ-SXG/svc' };

const SUBJECT: string = FIXED_SUBJECTS.enterprise;
const today = cstToday(new Date());
const asOf = minusDays(today, 3);

function tax(id: string, extra: Partial<Record<string, unknown>> = {}, subjectId = SUBJECT): PublishRecord {
  return { sourceRecordId: id, subjectId, dataAsOf: asOf, fields: { taxYear: 2025, rating: 'A', taxPaid: '125000.00', vatPaid: '50000.50', taxArrears: '0', ...extra } };
}

async function count(db: Database, sql: string, params: unknown[] = []): Promise<number> {
  const rows = (await db.dataSource.query(sql, params)) as Array<{ n: number | string }>;
  return Number(rows[0].n);
}

describe(`publishing pipeline (${onMysql ? 'MariaDB' : 'SQLite'})`, () => {
  let db: Database;
  const events: PublicationEvent[] = [];

  beforeAll(async () => {
    ({ db } = await freshDatabase('pub_pipeline'));
    await seedDemo(db, { now: new Date('2026-11-20T08:00:00Z') });
    setPublicationListener((e) => {
      events.push(e);
    });
  });
  afterAll(async () => {
    setPublicationListener(null);
    await db?.dataSource.destroy();
  });

  test('publishes a batch; the same key returns the first result; an identical re-send changes nothing', async () => {
    const records = [tax('T-1'), tax('T-2', { rating: 'B' })];
    const first = await publishBatch(db, TAX, { dataset: 'tax', records, idempotencyKey: 'k-1' });
    expect(first).toMatchObject({ status: 'COMMITTED', received: 2, accepted: 2, created: 2, changed: 0, unchanged: 0, rejectedCount: 0, duplicateOf: null });
    const again = await publishBatch(db, TAX, { dataset: 'tax', records, idempotencyKey: 'k-1' });
    expect(again).toEqual({ ...first, duplicateOf: first.publicationId });
    const resend = await publishBatch(db, TAX, { dataset: 'tax', records, idempotencyKey: 'k-2' });
    expect(resend).toMatchObject({ status: 'COMMITTED', created: 0, changed: 0, unchanged: 2 });
    expect(await count(db, `SELECT COUNT(*) AS n FROM credit_tax_record WHERE source_record_id IN ('T-1','T-2')`)).toBe(2);
    expect(events.find((e) => e.publicationId === first.publicationId)).toMatchObject({ dataset: 'tax', subjectIds: [SUBJECT], counts: { created: 2 } });
  });

  test('the same key with a different payload is a CONFLICT', async () => {
    await expect(publishBatch(db, TAX, { dataset: 'tax', records: [tax('T-1', { rating: 'C' })], idempotencyKey: 'k-1' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  test('a changed record becomes a new version; history keeps the old one; readers see the new one', async () => {
    const r = await publishBatch(db, TAX, { dataset: 'tax', records: [tax('T-1', { rating: 'M' })], idempotencyKey: 'k-3' });
    expect(r).toMatchObject({ created: 0, changed: 1, unchanged: 0 });
    const history = await recordHistory(db, TAX, 'tax', 'T-1');
    expect(history.map((h) => [h.version, h.current, h.fields.rating])).toEqual([
      [1, false, 'A'],
      [2, true, 'M'],
    ]);
    expect(history[1].fields).toMatchObject({ taxPaid: '125000.00', vatPaid: '50000.50', taxYear: 2025 });
    const [served] = await findTaxRecords(db, [SUBJECT]);
    expect(served.filter((t) => t.sourceRecordId === 'T-1').map((t) => [t.version, t.rating])).toEqual([[2, 'M']]);
  });

  test('retraction hides the record from readers but not from history; retracting twice changes nothing', async () => {
    const r = await retractRecord(db, TAX, { dataset: 'tax', sourceRecordId: 'T-2', reason: '数据错报' });
    expect(r).toMatchObject({ status: 'COMMITTED', changed: 1 });
    const [served] = await findTaxRecords(db, [SUBJECT]);
    expect(served.some((t) => t.sourceRecordId === 'T-2')).toBe(false);
    const history = await recordHistory(db, TAX, 'tax', 'T-2');
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ current: true, retractionReason: '数据错报' });
    expect(history[0].retractedAt).toBeInstanceOf(Date);
    expect(await retractRecord(db, TAX, { dataset: 'tax', sourceRecordId: 'T-2', reason: '数据错报' })).toMatchObject({ changed: 0, unchanged: 1 });
    await expect(retractRecord(db, TAX, { dataset: 'tax', sourceRecordId: 'NOPE', reason: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Re-publishing a retracted record publishes it again as a new version.
    const back = await publishBatch(db, TAX, { dataset: 'tax', records: [tax('T-2', { rating: 'B' })], idempotencyKey: 'k-4' });
    expect(back).toMatchObject({ changed: 1 });
    const [again] = await findTaxRecords(db, [SUBJECT]);
    expect(again.filter((t) => t.sourceRecordId === 'T-2').map((t) => t.version)).toEqual([2]);
  });

  test('更正: correctRecord makes a new version with the reason in the log; a missing record is NOT_FOUND', async () => {
    const r = await correctRecord(db, TAX, { dataset: 'tax', record: tax('T-1', { rating: 'B' }), reason: '等级复评' });
    expect(r).toMatchObject({ changed: 1 });
    const [log] = await listPublications(db, TAX, { dataset: 'tax', first: 1 });
    expect(log).toMatchObject({ operation: 'CORRECT', sourceRecordId: 'T-1', reason: '等级复评', changed: 1 });
    await expect(correctRecord(db, TAX, { dataset: 'tax', record: tax('T-404'), reason: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await count(db, `SELECT COUNT(*) AS n FROM credit_tax_record WHERE source_record_id = 'T-404'`)).toBe(0);
  });

  test('all-or-nothing vs partial, with every problem reported by index, source id and field', async () => {
    const unknownSubject = completeUscc('91500108MA7Y9999');
    const bad: PublishRecord[] = [
      tax('V-ok-1'),
      { ...tax('V-bad-id'), subjectId: '91500103MA5U7K3D1X' },
      tax('V-neg', { taxPaid: '-1.00' }),
      tax('V-enum', { rating: 'AAA' }),
      { ...tax('V-future'), dataAsOf: minusDays(today, -5) },
      { ...tax('V-old'), dataAsOf: '2020-01-01' },
      tax('V-missing', { taxYear: undefined }),
      tax('V-unknown-field', { bogus: 1 }),
      tax('V-unknown-subject', {}, unknownSubject),
      tax('V-ok-1'),
      tax('V-ok-2'),
    ];
    const all = await publishBatch(db, TAX, { dataset: 'tax', records: bad, idempotencyKey: 'k-bad' });
    expect(all).toMatchObject({ status: 'REJECTED', accepted: 0, created: 0, rejectedCount: 9 });
    expect(await count(db, `SELECT COUNT(*) AS n FROM credit_tax_record WHERE source_record_id LIKE 'V-%'`)).toBe(0);
    const byIndex = Object.fromEntries(all.rejected.map((r) => [r.index, [r.sourceRecordId, r.field]]));
    expect(byIndex).toEqual({
      1: ['V-bad-id', 'subjectId'],
      2: ['V-neg', 'fields.taxPaid'],
      3: ['V-enum', 'fields.rating'],
      4: ['V-future', 'dataAsOf'],
      5: ['V-old', 'dataAsOf'],
      6: ['V-missing', 'fields.taxYear'],
      7: ['V-unknown-field', 'fields.bogus'],
      8: ['V-unknown-subject', 'subjectId'],
      9: ['V-ok-1', 'sourceRecordId'],
    });
    // partial = true is a different request: a new key.
    const partial = await publishBatch(db, TAX, { dataset: 'tax', records: bad, idempotencyKey: 'k-bad-partial', partial: true });
    expect(partial).toMatchObject({ status: 'COMMITTED', accepted: 2, created: 2, rejectedCount: 9 });
    expect(await count(db, `SELECT COUNT(*) AS n FROM credit_tax_record WHERE source_record_id LIKE 'V-%'`)).toBe(2);
  });

  test('a department cannot publish into another department’s dataset; a bank cannot publish department data', async () => {
    await expect(publishBatch(db, AGRI, { dataset: 'tax', records: [tax('X-1')], idempotencyKey: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(publishBatch(db, CQCB, { dataset: 'tax', records: [tax('X-1')], idempotencyKey: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(retractRecord(db, AGRI, { dataset: 'tax', sourceRecordId: 'T-1', reason: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(recordHistory(db, AGRI, 'tax', 'T-1')).rejects.toBeInstanceOf(PublishingError);
    expect((await recordHistory(db, OPS, 'tax', 'T-1')).length).toBeGreaterThan(1);
    expect(await count(db, `SELECT COUNT(*) AS n FROM credit_tax_record WHERE source_record_id = 'X-1'`)).toBe(0);
  });

  test('a transaction failing mid-batch leaves nothing; a retry with the same key completes it exactly once', async () => {
    const records = Array.from({ length: 2 * ROWS_PER_STATEMENT + 200 }, (_, i) => tax(`F-${i}`));
    publishingTestHooks.beforeInsertChunk = ({ chunk }) => {
      if (chunk === 2) throw new Error('injected failure after two INSERT chunks');
    };
    try {
      await expect(publishBatch(db, TAX, { dataset: 'tax', records, idempotencyKey: 'k-fault' })).rejects.toThrow('injected failure');
    } finally {
      publishingTestHooks.beforeInsertChunk = null;
    }
    expect(await count(db, `SELECT COUNT(*) AS n FROM credit_tax_record WHERE source_record_id LIKE 'F-%'`)).toBe(0);
    expect(await count(db, `SELECT COUNT(*) AS n FROM publishing_idempotency WHERE idem_key = 'k-fault'`)).toBe(0);
    const retry = await publishBatch(db, TAX, { dataset: 'tax', records, idempotencyKey: 'k-fault' });
    expect(retry).toMatchObject({ created: records.length, duplicateOf: null });
    const again = await publishBatch(db, TAX, { dataset: 'tax', records, idempotencyKey: 'k-fault' });
    expect(again.duplicateOf).toBe(retry.publicationId);
    expect(await count(db, `SELECT COUNT(*) AS n FROM credit_tax_record WHERE source_record_id LIKE 'F-%'`)).toBe(records.length);
  });

  test('concurrent requests with the same key store the batch once and return the same result', async () => {
    const records = Array.from({ length: 50 }, (_, i) => tax(`C-${i}`));
    const results = await Promise.all([1, 2, 3].map(() => publishBatch(db, TAX, { dataset: 'tax', records, idempotencyKey: 'k-concurrent' })));
    expect(new Set(results.map((r) => r.publicationId)).size).toBe(1);
    expect(await count(db, `SELECT COUNT(*) AS n FROM credit_tax_record WHERE source_record_id LIKE 'C-%'`)).toBe(50);
  });

  test('registration is the registry: a new subject is created, a changed one replaced; then its tax records are accepted', async () => {
    const id = completeUscc('91500105MA7R0001');
    const reg = (name: string): PublishRecord => ({
      sourceRecordId: id,
      subjectId: id,
      dataAsOf: asOf,
      fields: {
        name,
        kind: 'ENTERPRISE',
        legalRepresentative: '王小明',
        legalRepresentativeId: '11010519491231002X',
        registeredCapital: '500000.00',
        establishedOn: '2020-05-01',
        regionCode: '500105',
        industryCode: 'C1391',
        industryName: '谷物磨制',
        status: 'OPERATING',
        scale: 'SMALL',
        address: '重庆市江北区观音桥1号',
      },
    });
    expect((await publishBatch(db, TAX, { dataset: 'tax', records: [tax('N-1', {}, id)], idempotencyKey: 'n-1' })).status).toBe('REJECTED');
    await expect(publishBatch(db, TAX, { dataset: 'registration', records: [reg('x')], idempotencyKey: 'r-0' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await publishBatch(db, AMR, { dataset: 'registration', records: [reg('重庆新磨坊有限公司')], idempotencyKey: 'r-1' })).toMatchObject({ created: 1 });
    expect(await publishBatch(db, AMR, { dataset: 'registration', records: [reg('重庆新磨坊有限公司')], idempotencyKey: 'r-2' })).toMatchObject({ unchanged: 1 });
    expect(await publishBatch(db, AMR, { dataset: 'registration', records: [reg('重庆新磨坊股份有限公司')], idempotencyKey: 'r-3' })).toMatchObject({ changed: 1 });
    const rows = (await db.dataSource.query(`SELECT name, department_code FROM registry_enterprise WHERE id = ?`, [id])) as Array<{ name: string; department_code: string }>;
    expect(rows).toEqual([{ name: '重庆新磨坊股份有限公司', department_code: 'CQ-AMR' }]);
    expect(await publishBatch(db, TAX, { dataset: 'tax', records: [tax('N-1', {}, id)], idempotencyKey: 'n-2' })).toMatchObject({ created: 1 });
  });

  test('banks report only their own loans; guarantors their guarantees; the reporter is always the caller', async () => {
    const loan = (id: string, extra: Record<string, unknown> = {}): PublishRecord => ({
      sourceRecordId: id,
      subjectId: SUBJECT,
      fields: { contractNo: `HT-${id}`, amount: '1000000.00', balance: '800000.00', startDate: '2026-01-10', maturityDate: '2027-01-10', status: 'NORMAL', interestRate: '3.85', ...extra },
    });
    const mine = await publishBatch(db, CQCB, { dataset: 'loans', records: [loan('L-1')], idempotencyKey: 'l-1' });
    expect(mine).toMatchObject({ created: 1 });
    // Another bank using the same source id gets its own record; the first bank's loan is untouched.
    const other = await publishBatch(db, CQRCB, { dataset: 'loans', records: [loan('L-1', { balance: '1.00' })], idempotencyKey: 'l-1' });
    expect(other).toMatchObject({ created: 1 });
    const rows = (await db.dataSource.query(`SELECT bank_code, balance_fen FROM exposure_loan WHERE source_record_id = 'L-1' ORDER BY bank_code`)) as Array<{ bank_code: string; balance_fen: unknown }>;
    expect(rows.map((r) => [r.bank_code, Number(r.balance_fen)])).toEqual([
      ['BANK-CQCB', 80_000_000],
      ['BANK-CQRCB', 100],
    ]);
    const naming = await publishBatch(db, CQRCB, { dataset: 'loans', records: [loan('L-2', { bankCode: 'BANK-CQCB' })], idempotencyKey: 'l-2' });
    expect(naming).toMatchObject({ status: 'REJECTED', rejected: [{ field: 'fields.bankCode' }] });
    await expect(publishBatch(db, SXG, { dataset: 'loans', records: [loan('L-3')], idempotencyKey: 'l-3' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(publishBatch(db, CQCB, { dataset: 'guarantees', records: [loan('L-3')], idempotencyKey: 'l-3' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // Versioning works per reporter: CQCB changes its loan.
    expect(await publishBatch(db, CQCB, { dataset: 'loans', records: [loan('L-1', { balance: '700000.00' })], idempotencyKey: 'l-4' })).toMatchObject({ changed: 1 });
    expect((await recordHistory(db, CQCB, 'loans', 'L-1')).map((h) => [h.publishedBy, h.version, h.current])).toEqual([
      ['BANK-CQCB', 1, false],
      ['BANK-CQCB', 2, true],
    ]);

    const guarantee = (shares: [number, number, number, number]): PublishRecord => ({
      sourceRecordId: 'G-1',
      subjectId: SUBJECT,
      fields: {
        contractNo: 'DB-1', bankCode: 'BANK-CQCB', amount: '1000000.00', balance: '1000000.00', startDate: '2026-01-10', endDate: '2027-01-10', status: 'ACTIVE', feeRate: '0.8',
        bankShare: shares[0], guarantorShare: shares[1], reguaranteeShare: shares[2], nationalFundShare: shares[3], reguarantorCode: 'CQ-REGUAR', smallMicroAgri: true,
      },
    });
    const wrong = await publishBatch(db, SXG, { dataset: 'guarantees', records: [guarantee([10, 40, 20, 20])], idempotencyKey: 'g-1' });
    expect(wrong.rejected[0]).toMatchObject({ field: 'fields.bankShare' });
    expect(await publishBatch(db, SXG, { dataset: 'guarantees', records: [guarantee([20, 40, 20, 20])], idempotencyKey: 'g-2' })).toMatchObject({ created: 1 });
    const comp = await publishBatch(db, SXG, {
      dataset: 'compensations',
      records: [{ sourceRecordId: 'P-1', subjectId: SUBJECT, fields: { guaranteeContractNo: 'DB-1', bankCode: 'BANK-NOPE', amount: '10.00', paidOn: '2026-06-01' } }],
      idempotencyKey: 'p-1',
    });
    expect(comp.rejected[0]).toMatchObject({ field: 'fields.bankCode' });
  });

  test('publication log: an institution sees its own, the operator all; datasetStatus flags overdue datasets', async () => {
    const own = await listPublications(db, TAX, { first: 500 });
    expect(own.length).toBeGreaterThan(5);
    expect(new Set(own.map((p) => p.orgCode))).toEqual(new Set(['CQ-TAX']));
    expect(own.some((p) => p.status === PublicationStatus.REJECTED)).toBe(true);
    const all = await listPublications(db, OPS, { first: 500 });
    expect(new Set(all.map((p) => p.orgCode))).toEqual(new Set(['CQ-TAX', 'CQ-AMR', 'BANK-CQCB', 'BANK-CQRCB', 'CQ-SXG']));
    const page2 = await listPublications(db, OPS, { first: 2, after: all[1].id });
    expect(page2.map((p) => p.id)).toEqual([all[2].id, all[3].id]);

    const status = await datasetStatus(db, new Date());
    const byDataset = Object.fromEntries(status.map((s) => [s.dataset, s]));
    expect(byDataset.tax).toMatchObject({ overdue: false, updateCycleDays: 30, publisher: 'CQ-TAX', daysSinceLastPublication: 0 });
    // The demo data was received a week ago; judicial is expected weekly, registration daily … agri_land every 90 days.
    expect(byDataset.agri_land.overdue).toBe(false);
    const later = await datasetStatus(db, new Date(Date.now() + 40 * 86_400_000));
    expect(later.find((s) => s.dataset === 'tax')!.overdue).toBe(true);
  });
});
