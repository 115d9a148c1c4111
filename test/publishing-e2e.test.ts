import { FIXED_SUBJECTS } from '../src/demo/seed';
import { cstToday, minusDays } from '../src/publishing/adapter';
import { startTestHub, type TestHub } from './support/hub';
import { onMysql } from './support/db';

const SUBJECT: string = FIXED_SUBJECTS.enterprise; // consented to BANK-CQCB for LOAN_APPROVAL in the demo data
const asOf = minusDays(cstToday(new Date()), 1);

const PUBLISH = /* GraphQL */ `
  mutation($dataset: String!, $records: [PublishRecordInput!]!, $key: String!, $partial: Boolean) {
    publishRecords(dataset: $dataset, records: $records, idempotencyKey: $key, partial: $partial) {
      publicationId dataset status received accepted created changed unchanged rejectedCount duplicateOf
      rejected { index sourceRecordId field reason }
    }
  }`;
const TAX_READ = /* GraphQL */ `
  query($id: String!) { subject(id: $id) { id taxRecords { sourceRecordId version taxYear rating dataAsOf publishedBy } } }`;
const RETRACT = /* GraphQL */ `
  mutation($sid: String!, $reason: String!) { retractRecord(dataset: "tax", sourceRecordId: $sid, reason: $reason) { status changed } }`;
const HISTORY = /* GraphQL */ `
  query($dataset: String!, $sid: String!) { recordHistory(dataset: $dataset, sourceRecordId: $sid) { version current retractedAt retractionReason publishedBy fields } }`;
const REPORT_LOANS = /* GraphQL */ `
  mutation($records: [PublishRecordInput!]!, $key: String!) {
    reportLoans(records: $records, idempotencyKey: $key) { status created changed unchanged rejectedCount rejected { index field reason } }
  }`;

const taxRecord = (id: string, rating: string) => ({
  sourceRecordId: id,
  subjectId: SUBJECT,
  dataAsOf: asOf,
  fields: { taxYear: 2025, rating, taxPaid: '880000.00', vatPaid: '300000.00', taxArrears: '0.00' },
});

type TaxRead = { subject: { taxRecords: Array<{ sourceRecordId: string; version: number; rating: string; dataAsOf: string; publishedBy: string }> } };

describe(`publishing over the gateway (${onMysql ? 'MariaDB' : 'SQLite'})`, () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('pub_e2e');
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const taxOf = async () => {
    const res = await hub.query<TaxRead>(TAX_READ, { id: SUBJECT }, { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' });
    expect(res.body.errors?.filter((e) => e.path?.at(-1) !== 'inspectionRemark') ?? []).toEqual([]);
    return res.body.data!.subject.taxRecords;
  };

  it('the tax bureau publishes; a bank reads it; a retraction hides it from the bank but not from history', async () => {
    const res = await hub.query<{ publishRecords: Record<string, unknown> }>(PUBLISH, { dataset: 'tax', records: [taxRecord('E2E-TAX-1', 'A')], key: 'e2e-1' }, { org: 'CQ-TAX' });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.publishRecords).toMatchObject({ status: 'COMMITTED', created: 1, duplicateOf: null, rejected: [] });
    const again = await hub.query<{ publishRecords: Record<string, unknown> }>(PUBLISH, { dataset: 'tax', records: [taxRecord('E2E-TAX-1', 'A')], key: 'e2e-1' }, { org: 'CQ-TAX' });
    expect(again.body.data!.publishRecords.duplicateOf).toBe(res.body.data!.publishRecords.publicationId);

    expect((await taxOf()).filter((t) => t.sourceRecordId === 'E2E-TAX-1')).toEqual([{ sourceRecordId: 'E2E-TAX-1', version: 1, taxYear: 2025, rating: 'A', dataAsOf: asOf, publishedBy: 'CQ-TAX' }]);

    const changed = await hub.query<{ publishRecords: Record<string, unknown> }>(PUBLISH, { dataset: 'tax', records: [taxRecord('E2E-TAX-1', 'B')], key: 'e2e-2' }, { org: 'CQ-TAX' });
    expect(changed.body.data!.publishRecords).toMatchObject({ changed: 1 });
    expect((await taxOf()).filter((t) => t.sourceRecordId === 'E2E-TAX-1').map((t) => [t.version, t.rating])).toEqual([[2, 'B']]);

    const retracted = await hub.query(RETRACT, { sid: 'E2E-TAX-1', reason: '误报' }, { org: 'CQ-TAX' });
    expect(retracted.body).toEqual({ data: { retractRecord: { status: 'COMMITTED', changed: 1 } } });
    expect((await taxOf()).some((t) => t.sourceRecordId === 'E2E-TAX-1')).toBe(false);

    const history = await hub.query<{ recordHistory: Array<Record<string, unknown>> }>(HISTORY, { dataset: 'tax', sid: 'E2E-TAX-1' }, { org: 'CQ-TAX' });
    expect(history.body.data!.recordHistory.map((h) => [h.version, h.current, h.retractionReason, (h.fields as { rating: string }).rating])).toEqual([
      [1, false, null, 'A'],
      [2, true, '误报', 'B'],
    ]);
    const notYours = await hub.query(HISTORY, { dataset: 'tax', sid: 'E2E-TAX-1' }, { org: 'BANK-CQCB' });
    expect(notYours.body.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('a department cannot publish into another department’s dataset; the same key with another batch is a CONFLICT', async () => {
    const res = await hub.query(PUBLISH, { dataset: 'tax', records: [taxRecord('E2E-TAX-2', 'A')], key: 'agri-1' }, { org: 'CQ-AGRI' });
    expect(res.body.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
    const conflict = await hub.query(PUBLISH, { dataset: 'tax', records: [taxRecord('E2E-TAX-9', 'C')], key: 'e2e-1' }, { org: 'CQ-TAX' });
    expect(conflict.body.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT' });
  });

  it('all-or-nothing vs partial over the API', async () => {
    const records = [taxRecord('E2E-P-1', 'A'), { ...taxRecord('E2E-P-2', 'Q') }, { ...taxRecord('E2E-P-3', 'B'), subjectId: '91500103MA5U7K3D1X' }];
    const all = await hub.query<{ publishRecords: Record<string, unknown> }>(PUBLISH, { dataset: 'tax', records, key: 'p-all' }, { org: 'CQ-TAX' });
    expect(all.body.data!.publishRecords).toMatchObject({
      status: 'REJECTED',
      created: 0,
      rejectedCount: 2,
      rejected: [
        { index: 1, sourceRecordId: 'E2E-P-2', field: 'fields.rating' },
        { index: 2, sourceRecordId: 'E2E-P-3', field: 'subjectId' },
      ],
    });
    const partial = await hub.query<{ publishRecords: Record<string, unknown> }>(PUBLISH, { dataset: 'tax', records, key: 'p-partial', partial: true }, { org: 'CQ-TAX' });
    expect(partial.body.data!.publishRecords).toMatchObject({ status: 'COMMITTED', created: 1, rejectedCount: 2 });
    expect((await taxOf()).map((t) => t.sourceRecordId)).toContain('E2E-P-1');
  });

  it('banks report loans through the exposure subgraph; a bank cannot report another bank’s loan; the bank sees its own', async () => {
    const loan = (id: string, extra: Record<string, unknown> = {}) => ({
      sourceRecordId: id,
      subjectId: SUBJECT,
      fields: { contractNo: `E2E-HT-${id}`, amount: '2000000.00', balance: '1500000.00', startDate: '2026-03-01', maturityDate: '2028-03-01', status: 'NORMAL', interestRate: '3.65', ...extra },
    });
    const ok = await hub.query<{ reportLoans: Record<string, unknown> }>(REPORT_LOANS, { records: [loan('E2E-L-1')], key: 'loan-1' }, { org: 'BANK-CQCB' });
    expect(ok.body.data!.reportLoans).toMatchObject({ status: 'COMMITTED', created: 1 });
    const other = await hub.query<{ reportLoans: Record<string, unknown> }>(REPORT_LOANS, { records: [loan('E2E-L-2', { bankCode: 'BANK-CQCB' })], key: 'loan-2' }, { org: 'BANK-CQRCB' });
    expect(other.body.data!.reportLoans).toMatchObject({ status: 'REJECTED', rejected: [{ index: 0, field: 'fields.bankCode' }] });
    const guarantor = await hub.query(REPORT_LOANS, { records: [loan('E2E-L-3')], key: 'loan-3' }, { org: 'CQ-SXG' });
    expect(guarantor.body.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
    const mine = await hub.query<{ subject: { loans: Array<{ contractNo: string; balance: string }> } }>(
      `query($id: String!) { subject(id: $id) { loans { contractNo balance } } }`,
      { id: SUBJECT },
      { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' },
    );
    expect(mine.body.data!.subject.loans).toContainEqual({ contractNo: 'E2E-HT-E2E-L-1', balance: '1500000.00' });
  });

  it('publication log and dataset freshness', async () => {
    const log = await hub.query<{ publications: Array<{ orgCode: string; dataset: string; operation: string; status: string }> }>(
      `{ publications(first: 100) { id orgCode dataset operation status created changed rejected createdAt } }`,
      {},
      { org: 'CQ-TAX' },
    );
    expect(log.body.errors).toBeUndefined();
    expect(new Set(log.body.data!.publications.map((p) => p.orgCode))).toEqual(new Set(['CQ-TAX']));
    expect(log.body.data!.publications.map((p) => p.operation)).toContain('RETRACT');
    const ops = await hub.query<{ publications: Array<{ orgCode: string }> }>(`{ publications(first: 100) { orgCode } }`, {}, { org: 'HUB-OPS' });
    expect(new Set(ops.body.data!.publications.map((p) => p.orgCode))).toEqual(new Set(['CQ-TAX', 'BANK-CQCB', 'BANK-CQRCB']));
    const status = await hub.query<{ datasetStatus: Array<{ dataset: string; overdue: boolean; updateCycleDays: number; lastPublishedAt: string | null }> }>(
      `{ datasetStatus { dataset name publisher updateCycleDays lastPublishedAt daysSinceLastPublication overdue } }`,
      {},
      { org: 'BANK-CQCB' },
    );
    expect(status.body.errors).toBeUndefined();
    const tax = status.body.data!.datasetStatus.find((s) => s.dataset === 'tax')!;
    expect(tax).toMatchObject({ overdue: false, updateCycleDays: 30 });
    // The demo data was received on 2026-11-19: registration (daily) is overdue, agricultural land (90 days) is not.
    const reg = status.body.data!.datasetStatus.find((s) => s.dataset === 'registration')!;
    const land = status.body.data!.datasetStatus.find((s) => s.dataset === 'agri_land')!;
    expect([reg.overdue, land.overdue]).toEqual([true, false]);
  });
});
