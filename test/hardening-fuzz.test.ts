import fc from 'fast-check';
import { FIXED_SUBJECTS } from '../src/demo/seed';
import { startHardenedHub, type HardenedHub } from './support/hardening';
import { fetchSchema, rootOperations, type RootOperation } from './support/schema-ops';

/**
 * Random operations and variables at the gateway: schema-shaped operations with random strings, ids,
 * aliases, fragments and directives, plus raw garbage documents and bodies. No crash, no 5xx, and the
 * hub still answers a normal query afterwards.
 */
describe('fuzzing the gateway', () => {
  let hub: HardenedHub;
  let ops: RootOperation[] = [];
  let tokens: string[] = [];
  beforeAll(async () => {
    hub = await startHardenedHub('hard_fuzz', { env: { HUB_RATE_LIMIT_RPS: '0', HUB_QUOTA_SUBJECTS_PER_DAY: '0' } });
    ops = rootOperations(await fetchSchema(hub.url, await hub.token({ org: 'HUB-OPS' })));
    tokens = await Promise.all(['BANK-CQCB', 'WZ-GUAR', 'CQ-TAX', 'CQ-FIN', 'HUB-OPS'].map((org) => hub.token({ org })));
    tokens.push(await hub.token({ subjectId: FIXED_SUBJECTS.enterprise }));
  });
  afterAll(() => hub?.stop());

  const stringArb = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.constantFrom(FIXED_SUBJECTS.enterprise, FIXED_SUBJECTS.cooperative, FIXED_SUBJECTS.familyFarmOperator, '91350100M000100Y43', '11010519491231002X', '', ' ', "' OR 1=1 --", '\u0000', 'x'.repeat(5000)),
    fc.stringMatching(/^[0-9A-Z]{18}$/),
  );

  const operationArb = fc.record({
    op: fc.nat(),
    strings: fc.array(stringArb, { minLength: 1, maxLength: 8 }),
    seed: fc.double({ min: 0, max: 1, noNaN: true }),
    alias: fc.boolean(),
    fragment: fc.boolean(),
    directive: fc.constantFrom('', '', '', '@include(if: true)', '@skip(if: false)', '@skip(if: true)', '@deprecated', '@include(if: $nope)'),
    token: fc.nat(),
    purpose: fc.constantFrom(undefined, 'LOAN_APPROVAL', 'LOAN_APPROVAL', 'GUARANTEE_APPROVAL', 'POST_LOAN_MANAGEMENT', 'SUPERVISION', 'SUPERVISION', 'NOPE'),
  });

  const garbageArb = fc.oneof(
    fc.string().map((s) => ({ body: s })),
    fc.string().map((q) => ({ body: JSON.stringify({ query: q }) })),
    fc.jsonValue().map((v) => ({ body: JSON.stringify(v) })),
    fc.record({ query: fc.string(), variables: fc.jsonValue(), operationName: fc.oneof(fc.string(), fc.jsonValue()) }).map((b) => ({ body: JSON.stringify(b) })),
    fc.constantFrom(
      { body: JSON.stringify({ query: '{ '.repeat(500) }) },
      { body: JSON.stringify({ query: 'query { me { code } } query { me { code } }' }) },
      { body: JSON.stringify([{ query: '{ me { code } }' }, { query: '{ me { code } }' }]) },
      { body: JSON.stringify({ query: 'subscription { me { code } }' }) },
      { body: JSON.stringify({ query: 'fragment A on Query { ...B } fragment B on Query { ...A } { ...A }' }) },
      { body: JSON.stringify({ query: `{ ${'a: __typename '.repeat(300)} }` }) },
    ),
  );

  it('survives ~1,000 random operations: no crash, no 5xx', async () => {
    let sent = 0;
    const statuses = new Map<number, number>();
    const record = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
    await fc.assert(
      fc.asyncProperty(operationArb, async (o) => {
        const op = ops[o.op % ops.length];
        let i = 0;
        const str = () => o.strings[i++ % o.strings.length];
        let seed = o.seed;
        const rnd = () => ((seed = (seed * 9301 + 0.49297) % 1), seed);
        let doc = op.document;
        if (o.directive) doc = doc.replace(/\{ (\w+)(\([^)]*\))?/, (_m, f, args) => `{ ${f}${args ?? ''} ${o.directive}`);
        if (o.alias) doc = doc.replace(/\{ (\w+)/, '{ a1: $1').replace(/ \}$/, ` a2: __typename }`);
        if (o.fragment) doc = doc.replace(/^(\w+) (\w+)(\([^)]*\))? \{ (.*) \}$/, (_m, kind, name, defs, body) => `${kind} ${name}${defs ?? ''} { ...F } fragment F on ${kind === 'mutation' ? 'Mutation' : 'Query'} { ${body} }`);
        const res = await hub.query(doc, op.variables(str, rnd), { token: tokens[o.token % tokens.length], purpose: o.purpose });
        sent++;
        record(res.status);
        if (process.env.DEBUG_HARD && res.status === 400) console.log(doc, JSON.stringify(res.body.errors?.[0]?.message));
        if (res.status >= 500) throw new Error(`${res.status} for ${doc} → ${JSON.stringify(res.body).slice(0, 500)}`);
        expect(res.body.errors?.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR') ?? false).toBe(false);
      }),
      { numRuns: 800, seed: 20261127 },
    );
    await fc.assert(
      fc.asyncProperty(garbageArb, fc.nat(), async (g, t) => {
        const res = await hub.post(g.body, { authorization: `Bearer ${tokens[t % tokens.length]}` });
        sent++;
        record(res.status);
        if (res.status >= 500) throw new Error(`${res.status} for ${g.body.slice(0, 300)} → ${(await res.text()).slice(0, 300)}`);
        await res.text();
      }),
      { numRuns: 300, seed: 20261127 },
    );
    expect(sent).toBeGreaterThanOrEqual(1000);
    // Still healthy and answering.
    expect((await fetch(`${hub.base}/readyz`)).status).toBe(200);
    const ok = await hub.query<{ me: { code: string } }>(`{ me { code } }`, {}, { token: tokens[0] });
    expect(ok.body.data?.me.code).toBe('BANK-CQCB');
    console.log(`fuzz: ${sent} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  }, 180_000);
});
