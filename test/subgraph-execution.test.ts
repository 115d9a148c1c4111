import { execute, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { FIXED_SUBJECTS } from '../src/demo/seed';
import type { HubContext } from '../src/federation/context';
import { CachedLocalDataSource } from '../src/gateway/local-datasource';
import { REPORT_FIELDS } from '../bench/queries';
import { startTestHub, type TestHub } from './support/hub';

/**
 * The in-process subgraph calls run compiled operations (graphql-jit). Every call the gateway makes while answering
 * reports — allowed, masked and denied fields, entity fetches, unknown subjects — must answer exactly as graphql-js's
 * own `execute` answers the same operation with the same context and variables.
 */

/** `answered` is taken at once: the gateway merges later fetches' data into the objects a fetch returned. */
type Call = { schema: GraphQLSchema; options: GraphQLDataSourceProcessOptions<HubContext>; answered: unknown };

const REPORT = `query CreditReport($id: String!) { subject(id: $id) {${REPORT_FIELDS}} }`;
const BATCH = `query CreditReports($ids: [String!]!) { subjects(ids: $ids) {${REPORT_FIELDS}} }`;

/** Errors as a client sees them: message, path and extensions (graphql-js and graphql-jit both build GraphQLErrors). */
const plain = (r: ExecutionResult) => JSON.parse(JSON.stringify({ data: r.data, errors: r.errors?.map((e) => ({ message: e.message, path: e.path, extensions: e.extensions })) })) as unknown;

describe('in-process subgraph execution (compiled operations)', () => {
  let hub: TestHub;
  const calls: Call[] = [];
  const original = CachedLocalDataSource.prototype.process;

  beforeAll(async () => {
    jest.spyOn(CachedLocalDataSource.prototype, 'process').mockImplementation(async function (this: CachedLocalDataSource, options) {
      const result = (await original.call(this, options)) as ExecutionResult;
      calls.push({ schema: (this as unknown as { schema: GraphQLSchema }).schema, options, answered: plain(result) });
      return result;
    });
    hub = await startTestHub('subgraph_execution');
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await hub?.stop();
  });

  it('answers every subgraph call of allowed, masked, denied and unknown-subject reports exactly as graphql-js execute', async () => {
    const asked = [
      hub.query(REPORT, { id: FIXED_SUBJECTS.enterprise }, { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' }),
      // No consent to this guarantor: denied fields come back as errors with paths inside entity fetches.
      hub.query(REPORT, { id: FIXED_SUBJECTS.enterprise }, { org: 'WZ-GUAR', purpose: 'GUARANTEE_APPROVAL' }),
      hub.query(BATCH, { ids: [FIXED_SUBJECTS.cooperative, FIXED_SUBJECTS.familyFarmOperator, FIXED_SUBJECTS.enterprise] }, { org: 'WZ-GUAR', purpose: 'GUARANTEE_APPROVAL' }),
      hub.query(REPORT, { id: '91350100M000100Y43' }, { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' }),
    ];
    const answers = await Promise.all(asked);
    for (const a of answers) expect(a.status).toBe(200);
    expect(answers[1].body.errors?.some((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true); // the comparison covers errors

    expect(calls.length).toBeGreaterThanOrEqual(answers.length * 2); // root and entity fetches
    expect(calls.some((c) => c.options.request.query?.includes('_entities'))).toBe(true);
    for (const { schema, options, answered } of calls) {
      const expected = (await execute({
        schema,
        document: parse(options.request.query ?? ''),
        variableValues: options.request.variables,
        operationName: options.request.operationName,
        contextValue: options.context,
      })) as ExecutionResult;
      expect(answered).toEqual(plain(expected));
    }
  });

  it('decides the fields each request selects: a field left out by @include in one request is still guarded when the next includes it', async () => {
    // Compiled operations keep their field nodes across requests; what the policy works out must not.
    const op = `query Paid($id: String!, $paid: Boolean!) { subject(id: $id) { id taxRecords { taxYear taxPaid @include(if: $paid) } } }`;
    const ask = (paid: boolean) => hub.query<{ subject: { taxRecords: Array<Record<string, unknown>> } }>(op, { id: FIXED_SUBJECTS.enterprise, paid }, { org: 'WZ-GUAR', purpose: 'GUARANTEE_APPROVAL' });
    const without = await ask(false);
    expect(without.body.errors).toBeUndefined();
    expect(without.body.data?.subject.taxRecords.length).toBeGreaterThan(0);
    for (const r of without.body.data!.subject.taxRecords) expect(r).not.toHaveProperty('taxPaid');
    const withPaid = await ask(true);
    const denied = (withPaid.body.errors ?? []).filter((e) => e.path?.[e.path.length - 1] === 'taxPaid');
    expect(denied.length).toBe(withPaid.body.data!.subject.taxRecords.length); // no consent to this guarantor
    for (const e of denied) expect(e.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NO_CONSENT' });
    for (const r of withPaid.body.data!.subject.taxRecords) expect(r.taxPaid).toBeNull();
  });

  it('compiles each operation once and refuses an invalid one with graphql-js validation errors', async () => {
    await hub.query(REPORT, { id: FIXED_SUBJECTS.enterprise }, { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' });
    const source = calls[calls.length - 1];
    const ds = new CachedLocalDataSource(source.schema);
    const operations = (ds as unknown as { operations: Map<string, unknown> }).operations;
    for (let i = 0; i < 3; i++) await ds.process({ ...source.options });
    expect(operations.size).toBe(1);
    const compiled = [...operations.values()][0];
    await ds.process({ ...source.options });
    expect([...operations.values()][0]).toBe(compiled);

    const bad = await ds.process({ ...source.options, request: { query: '{ noSuchField }' } });
    expect(bad.errors?.[0].message).toMatch(/Cannot query field "noSuchField"/);
    expect(operations.size).toBe(2);
  });
});
