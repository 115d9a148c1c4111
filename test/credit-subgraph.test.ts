import { freshDatabase } from './support/db';
import { seededRandom as seeded } from '../src/demo/random';
import { composeServices } from '@apollo/composition';
import { graphql, parse, type ExecutionResult } from 'graphql';
import { creditSubgraph } from '../src/credit';
import { demoCreditRecords } from '../src/credit/demo';
import { JudicialRecord, TaxCreditRating, TaxRecord, creditEntities } from '../src/credit/entities';
import { openDatabase, type Database } from '../src/db/datasource';
import type { HubContext } from '../src/federation/context';
import { buildSubgraph, type BuiltSubgraph } from '../src/federation/subgraph';
import { completeUscc } from '../src/identifiers';
import { CallerType } from '../src/identity/caller';
import { Purpose } from '../src/policy/purposes';
import { grantAll } from './support/grants';
import { DATASETS } from '../src/policy/datasets';
import { registrySubgraph } from '../src/registry';

const FIXED_ENTERPRISE = '91500103MA5U7K3D1E';
const FIXED_COOPERATIVE = '93500101MA60QR2L82';
const FIXED_FARM_OPERATOR = '500233198506123415';
const NOW = new Date('2025-11-27T02:00:00Z');


/** 20 subjects: the three fixed ones and 17 generated enterprises (valid USCCs). */
const SUBJECTS = [
  { id: FIXED_ENTERPRISE, kind: 'ENTERPRISE', regionCode: '500103', isAgri: false },
  { id: FIXED_COOPERATIVE, kind: 'FARMER_COOPERATIVE', regionCode: '500101', isAgri: true },
  { id: FIXED_FARM_OPERATOR, kind: 'FAMILY_FARM', regionCode: '500233', isAgri: true },
  ...Array.from({ length: 17 }, (_, i) => ({
    id: completeUscc(`91500106MA${String(100000 + i * 7919).slice(-6)}`),
    kind: i % 5 === 4 ? 'INDIVIDUAL_BUSINESS' : 'ENTERPRISE',
    regionCode: '500106',
    isAgri: false,
  })),
];

/** Subjects with hand-made rows for the versioning, retraction and 失信 checks. */
const VERSIONED = completeUscc('91500108MA7C0001');
const LISTED = completeUscc('91500108MA7C0002');
const DELISTED = completeUscc('91500108MA7C0003');
const RETRACTED_LISTING = completeUscc('91500108MA7C0004');

/** The only errors allowed: the NOT_SHARED remark (不予共享), denied with its reason and never its value. */
function expectOnlyNotShared(errors: readonly { path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[] | undefined): void {
  for (const e of errors ?? []) {
    expect(e.path?.[e.path.length - 1]).toBe('inspectionRemark');
    expect(e.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_SHARED' });
  }
}

function caller(db: Database): HubContext {
  return { requestId: 't', caller: { type: CallerType.BANK, orgCode: 'BANK-CQCB', userId: 'u' }, purpose: Purpose.LOAN_APPROVAL, db, loaders: new Map() };
}

async function run(schema: BuiltSubgraph, db: Database, source: string, variableValues?: Record<string, unknown>): Promise<ExecutionResult> {
  return graphql({ schema: schema.schema, source, variableValues, contextValue: caller(db) });
}

const ENTITIES_QUERY = /* GraphQL */ `
  query ($reps: [_Any!]!) {
    _entities(representations: $reps) {
      ... on Subject {
        id
        taxRecords { taxYear rating dataAsOf }
        judicialRecords { caseNumber dataAsOf }
      }
    }
  }
`;

function reps(ids: string[]) {
  return ids.map((id) => ({ __typename: 'Subject', id }));
}

function provenance(dataset: keyof typeof DATASETS, dataAsOf: string) {
  return { publishedBy: DATASETS[dataset].publisher!, dataAsOf, publishedAt: new Date('2025-10-01T08:00:00.123Z') };
}

function judicialRow(subjectId: string, n: number, extra: Partial<JudicialRecord>): Partial<JudicialRecord> {
  return {
    subjectId,
    sourceRecordId: `T-CASE-${subjectId}-${n}`,
    version: 1,
    current: true,
    retractedAt: null,
    retractionReason: null,
    ...provenance('judicial', '2025-09-01'),
    caseNumber: `（2024）渝0108执${n}号`,
    courtName: '重庆市南岸区人民法院',
    caseType: 'ENFORCEMENT' as JudicialRecord['caseType'],
    role: 'EXECUTED_PERSON' as JudicialRecord['role'],
    amountInvolved: 120_000_00,
    filedOn: '2024-03-01',
    closedOn: null,
    status: 'ENFORCING' as JudicialRecord['status'],
    dishonestListed: false,
    consumptionRestricted: false,
    ...extra,
  };
}

describe('credit subgraph: composition', () => {
  test('composes with the registry subgraph (Subject entity interface)', async () => {
    const [registry, credit] = await Promise.all([buildSubgraph(registrySubgraph), buildSubgraph(creditSubgraph)]);
    const result = composeServices([
      { name: 'registry', url: 'http://registry.local/graphql', typeDefs: parse(registry.sdl) },
      { name: 'credit', url: 'http://credit.local/graphql', typeDefs: parse(credit.sdl) },
    ]);
    expect(result.errors ?? []).toEqual([]);
    const supergraph = result.supergraphSdl ?? '';
    for (const field of ['taxRecords', 'socialInsuranceRecords', 'judicialRecords', 'penaltyRecords', 'landContractRights', 'agriInsurancePolicies', 'agriSubsidies']) {
      expect(supergraph).toContain(`${field}: [`);
    }
    expect(String(credit.schema.getQueryType()?.getFields().dishonestListing.type)).toBe('[DishonestStatus!]!');
    // Internal columns stay internal: no versioning, retraction or subject id on the records.
    for (const typeName of ['TaxRecord', 'JudicialRecord', 'AgriSubsidy']) {
      const fields = Object.keys((credit.schema.getType(typeName) as unknown as { getFields(): object }).getFields());
      expect(fields).toEqual(expect.arrayContaining(['id', 'sourceRecordId', 'version', 'publishedBy', 'dataAsOf', 'publishedAt']));
      for (const internal of ['current', 'retractedAt', 'retractionReason', 'subjectId']) expect(fields).not.toContain(internal);
    }
  });

  test('every type, field, enum and enum value of the credit SDL has a description', async () => {
    const credit = await buildSubgraph(creditSubgraph);
    const own = new Set(['Subject', 'TaxRecord', 'SocialInsuranceRecord', 'JudicialRecord', 'PenaltyRecord', 'LandContractRight', 'AgriInsurancePolicy', 'AgriSubsidy', 'DishonestStatus', 'TaxCreditRating', 'JudicialCaseType', 'LitigantRole', 'JudicialCaseStatus', 'PenaltyType', 'LandType']);
    const missing: string[] = [];
    for (const type of Object.values(credit.typeGraphqlSchema.getTypeMap())) {
      if (!own.has(type.name)) continue;
      if (!type.description) missing.push(type.name);
      const t = type as unknown as { getFields?: () => Record<string, { description?: string | null }>; getValues?: () => Array<{ name: string; description?: string | null }> };
      for (const [name, f] of Object.entries(t.getFields?.() ?? {})) if (!f.description) missing.push(`${type.name}.${name}`);
      for (const v of t.getValues?.() ?? []) if (!v.description) missing.push(`${type.name}.${v.name}`);
    }
    expect(missing).toEqual([]);
  });
});

describe('credit demo records', () => {
  test('deterministic, every category present, unique source ids, fixed subjects covered', () => {
    const a = demoCreditRecords(SUBJECTS, seeded(7), NOW);
    const b = demoCreditRecords(SUBJECTS, seeded(7), NOW);
    expect(JSON.stringify(a)).toEqual(JSON.stringify(b));
    const names = creditEntities.map((e) => e.name);
    expect(Object.keys(a).sort()).toEqual([...names].sort());
    const yearAgo = new Date(NOW.getTime() - 366 * 86_400_000).toISOString().slice(0, 10);
    for (const name of names) {
      const rows = a[name] as Array<{ subjectId: string; sourceRecordId: string; version: number; dataAsOf: string; publishedAt: Date; publishedBy: string }>;
      expect(rows.length).toBeGreaterThan(0);
      const keys = rows.map((r) => `${r.sourceRecordId}#${r.version}`);
      expect(new Set(keys).size).toBe(keys.length);
      for (const r of rows) {
        expect(r.dataAsOf >= yearAgo && r.dataAsOf <= NOW.toISOString().slice(0, 10)).toBe(true);
        expect(r.publishedAt.getTime()).toBeLessThanOrEqual(NOW.getTime());
        expect(r.sourceRecordId.length).toBeLessThanOrEqual(64);
      }
    }
    const has = (entity: string, id: string) => (a[entity] as Array<{ subjectId: string }>).some((r) => r.subjectId === id);
    for (const entity of ['TaxRecord', 'SocialInsuranceRecord', 'JudicialRecord']) expect(has(entity, FIXED_ENTERPRISE)).toBe(true);
    for (const id of [FIXED_COOPERATIVE, FIXED_FARM_OPERATOR]) {
      for (const entity of ['LandContractRight', 'AgriInsurancePolicy', 'AgriSubsidy']) expect(has(entity, id)).toBe(true);
    }
    expect((a.TaxRecord as Array<{ publishedBy: string }>).every((r) => r.publishedBy === 'CQ-TAX')).toBe(true);
    expect((a.PenaltyRecord as Array<{ publishedBy: string }>).every((r) => r.publishedBy === DATASETS.penalty.publisher)).toBe(true);
  });
});

const drivers: Array<['sqlite' | 'mysql', () => Promise<Database>]> = [['sqlite', () => openDatabase('sqlite::memory:', { migrate: true })]];
if (process.env.HUB_TEST_DB === 'mysql') {
  drivers.push([
    'mysql',
    async () => (await freshDatabase('credit')).db,
  ]);
}

describe.each(drivers)('credit subgraph on %s', (_driver, open) => {
  let db: Database;
  let credit: BuiltSubgraph;
  let demo: Record<string, object[]>;

  beforeAll(async () => {
    db = await open();
    credit = await buildSubgraph(creditSubgraph);
    demo = demoCreditRecords(SUBJECTS, seeded(42), NOW);
    // This suite tests loading; the bank holds every approval and consent the policy asks for.
    await grantAll(db, 'BANK-CQCB', Purpose.LOAN_APPROVAL, [...SUBJECTS.map((s) => s.id), VERSIONED, DELISTED, RETRACTED_LISTING]);
    for (const entity of creditEntities) {
      const rows = demo[entity.name];
      if (rows.length) await db.dataSource.createQueryBuilder().insert().into(entity).values(rows).updateEntity(false).execute();
    }
    const tax = (subjectId: string, n: number, extra: Partial<TaxRecord>): Partial<TaxRecord> => ({
      subjectId,
      sourceRecordId: `T-TAX-${subjectId}-${n}`,
      version: 1,
      current: true,
      retractedAt: null,
      retractionReason: null,
      ...provenance('tax', '2025-05-01'),
      taxYear: 2024,
      rating: TaxCreditRating.B,
      taxPaid: 123_456_78,
      vatPaid: 60_000_00,
      taxArrears: 0,
      inspectionRemark: '内部稽查备注：不得外传',
      ...extra,
    });
    await db.dataSource.createQueryBuilder().insert().into(TaxRecord).values([
      // Superseded version (rating corrected from D to B): not served.
      tax(VERSIONED, 1, { version: 1, current: false, rating: TaxCreditRating.D, ...provenance('tax', '2025-04-20') }),
      tax(VERSIONED, 1, { version: 2, current: true, rating: TaxCreditRating.B }),
      // Retracted by the department: not served.
      tax(VERSIONED, 2, { taxYear: 2023, rating: TaxCreditRating.C, retractedAt: new Date('2025-06-01T00:00:00Z'), retractionReason: '报送错误' }),
      // An older current record: served after the newer one.
      tax(VERSIONED, 3, { taxYear: 2022, rating: TaxCreditRating.A, ...provenance('tax', '2023-04-30') }),
    ]).updateEntity(false).execute();
    await db.dataSource.createQueryBuilder().insert().into(JudicialRecord).values([
      judicialRow(LISTED, 1, { dishonestListed: true, consumptionRestricted: true }),
      judicialRow(LISTED, 2, { status: 'CLOSED' as JudicialRecord['status'], closedOn: '2024-12-01' }),
      judicialRow(DELISTED, 1, { version: 1, current: false, dishonestListed: true, consumptionRestricted: true }),
      judicialRow(DELISTED, 1, { version: 2, status: 'CLOSED' as JudicialRecord['status'], closedOn: '2025-08-30' }),
      judicialRow(RETRACTED_LISTING, 1, { dishonestListed: true, retractedAt: new Date('2025-09-05T00:00:00Z'), retractionReason: '误列' }),
    ]).updateEntity(false).execute();
  });

  afterAll(async () => {
    await db?.dataSource.destroy();
  });

  test('entities and migrations agree (no pending schema change for credit tables)', async () => {
    const log = await db.dataSource.driver.createSchemaBuilder().log();
    // Only this module's tables: other modules' drift is theirs to fix.
    expect(log.upQueries.map((q) => q.query).filter((q) => q.includes('credit_'))).toEqual([]);
  });

  test('_entities resolves records with one statement per list, however many subjects', async () => {
    const ids = SUBJECTS.map((s) => s.id);
    const before2 = db.sql.statements;
    const two = await run(credit, db, ENTITIES_QUERY, { reps: reps(ids.slice(0, 2)) });
    const for2 = db.sql.statements - before2;
    expect(two.errors).toBeUndefined();

    const before20 = db.sql.statements;
    const twenty = await run(credit, db, ENTITIES_QUERY, { reps: reps(ids) });
    const for20 = db.sql.statements - before20;
    expect(twenty.errors).toBeUndefined();
    expect(for2).toBe(3); // taxRecords + judicialRecords, plus the policy's consents and approvals (one statement)
    expect(for20).toBe(for2);

    type Got = { id: string; taxRecords: Array<{ taxYear: number; rating: string; dataAsOf: string }>; judicialRecords: Array<{ caseNumber: string; dataAsOf: string }> };
    const got = (twenty.data as { _entities: Got[] })._entities;
    expect(got.map((g) => g.id)).toEqual(ids);

    const served = <R extends { subjectId: string; current: boolean; retractedAt: Date | null }>(entity: string, id: string) =>
      (demo[entity] as R[]).filter((r) => r.subjectId === id && r.current && !r.retractedAt);
    for (const g of got) {
      const tax = served<TaxRecord>('TaxRecord', g.id).sort((x, y) => y.dataAsOf.localeCompare(x.dataAsOf));
      expect(g.taxRecords).toEqual(tax.map((r) => ({ taxYear: r.taxYear, rating: r.rating, dataAsOf: r.dataAsOf })));
      const cases = served<JudicialRecord>('JudicialRecord', g.id);
      expect(g.judicialRecords.map((c) => c.caseNumber).sort()).toEqual(cases.map((c) => c.caseNumber).sort());
      const dates = g.judicialRecords.map((c) => c.dataAsOf);
      expect(dates).toEqual([...dates].sort().reverse());
    }
    const fixed = got.find((g) => g.id === FIXED_ENTERPRISE)!;
    expect(fixed.taxRecords.length).toBe(2);
    expect(fixed.judicialRecords.length).toBeGreaterThan(0);
  });

  test('all seven lists: seven statements for 20 subjects; money, dates and provenance serialized', async () => {
    const before = db.sql.statements;
    const result = await run(
      credit,
      db,
      /* GraphQL */ `
        query ($reps: [_Any!]!) {
          _entities(representations: $reps) {
            ... on Subject {
              id
              taxRecords { id sourceRecordId version publishedBy dataAsOf publishedAt taxPaid vatPaid taxArrears inspectionRemark }
              socialInsuranceRecords { period insuredHeadcount paidBaseTotal arrearsAmount arrearsMonths }
              judicialRecords { caseType role amountInvolved filedOn closedOn status dishonestListed consumptionRestricted }
              penaltyRecords { decisionNumber penaltyType fineAmount publicityEndsOn }
              landContractRights { certificateNumber areaMu transferredInAreaMu landType contractEndOn }
              agriInsurancePolicies { insuredItem insuredAmount premium subsidySharePercent claimsPaid }
              agriSubsidies { program year amount paidOn }
            }
          }
        }
      `,
      { reps: reps(SUBJECTS.map((s) => s.id)) },
    );
    expectOnlyNotShared(result.errors);
    expect(db.sql.statements - before).toBe(8); // seven lists + the policy's consents and approvals (one statement)
    type AnyRec = Record<string, unknown>;
    const got = (result.data as { _entities: AnyRec[] })._entities;
    const list = (g: AnyRec, field: string) => g[field] as AnyRec[];
    const all = (field: string) => got.flatMap((g) => list(g, field));
    for (const field of ['taxRecords', 'socialInsuranceRecords', 'judicialRecords', 'landContractRights', 'agriInsurancePolicies', 'agriSubsidies']) {
      expect(all(field).length).toBeGreaterThan(0);
    }
    const t = all('taxRecords')[0];
    expect(t.id).toMatch(/^\d+$/);
    expect(t.publishedBy).toBe('CQ-TAX');
    expect(t.taxPaid).toMatch(/^\d+\.\d{2}$/);
    expect(t.publishedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // 不予共享: never leaves the hub.
    expect(all('taxRecords').every((r) => r.inspectionRemark === null)).toBe(true);
    expect(typeof all('landContractRights')[0].areaMu).toBe('number');
    const farm = got.find((g) => g.id === FIXED_FARM_OPERATOR)!;
    for (const field of ['landContractRights', 'agriInsurancePolicies', 'agriSubsidies']) expect(list(farm, field).length).toBeGreaterThan(0);
  });

  test('superseded and retracted records are not served', async () => {
    const result = await run(
      credit,
      db,
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Subject { taxRecords { sourceRecordId version taxYear rating taxPaid inspectionRemark } judicialRecords { version status dishonestListed } } } }`,
      { reps: reps([VERSIONED, DELISTED, RETRACTED_LISTING]) },
    );
    expectOnlyNotShared(result.errors);
    const [versioned, delisted, retracted] = (result.data as { _entities: Array<{ taxRecords: unknown[]; judicialRecords: unknown[] }> })._entities;
    expect(versioned.taxRecords).toEqual([
      { sourceRecordId: `T-TAX-${VERSIONED}-1`, version: 2, taxYear: 2024, rating: 'B', taxPaid: '123456.78', inspectionRemark: null },
      { sourceRecordId: `T-TAX-${VERSIONED}-3`, version: 1, taxYear: 2022, rating: 'A', taxPaid: '123456.78', inspectionRemark: null },
    ]);
    expect(delisted.judicialRecords).toEqual([{ version: 2, status: 'CLOSED', dishonestListed: false }]);
    expect(retracted.judicialRecords).toEqual([]);
  });

  test('dishonestListing: current listings only, one statement, ids validated', async () => {
    const before = db.sql.statements;
    const result = await run(
      credit,
      db,
      `query ($ids: [String!]!) { dishonestListing(subjectIds: $ids) { subjectId dishonestListed consumptionRestricted caseNumbers } }`,
      { ids: [LISTED, DELISTED, RETRACTED_LISTING, FIXED_COOPERATIVE, LISTED] },
    );
    expect(result.errors).toBeUndefined();
    expect(db.sql.statements - before).toBe(2); // one for the listing + the policy's consents and approvals (one statement)
    expect((result.data as { dishonestListing: unknown[] }).dishonestListing).toEqual([
      { subjectId: LISTED, dishonestListed: true, consumptionRestricted: true, caseNumbers: ['（2024）渝0108执1号'] },
      { subjectId: DELISTED, dishonestListed: false, consumptionRestricted: false, caseNumbers: [] },
      { subjectId: RETRACTED_LISTING, dishonestListed: false, consumptionRestricted: false, caseNumbers: [] },
      { subjectId: FIXED_COOPERATIVE, dishonestListed: false, consumptionRestricted: false, caseNumbers: [] },
      { subjectId: LISTED, dishonestListed: true, consumptionRestricted: true, caseNumbers: ['（2024）渝0108执1号'] },
    ]);

    const bad = await run(credit, db, `{ dishonestListing(subjectIds: ["${LISTED}", "91500103MA5U7K3D1F"]) { subjectId } }`);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0].extensions?.argument).toBe('subjectIds');
  });
});
