import { FIXED_SUBJECTS } from '../src/demo/seed';
import { Enterprise } from '../src/registry/entities';
import { startHardenedHub, type HardenedHub } from './support/hardening';

/** Operation limits: each one refuses an abusive operation (with a code) and accepts a normal one, fragments and aliases included. */
describe('operation limits and body size', () => {
  let hub: HardenedHub;
  const bank = { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' };
  let ids: string[] = [];
  beforeAll(async () => {
    hub = await startHardenedHub('hard_limits', {
      env: {
        HUB_LIMIT_MAX_DEPTH: '6',
        HUB_LIMIT_MAX_ALIASES: '8',
        HUB_LIMIT_MAX_ROOT_FIELDS: '6',
        HUB_LIMIT_MAX_DIRECTIVES: '6',
        HUB_LIMIT_MAX_TOKENS: '3000',
        HUB_LIMIT_MAX_COST: '20000',
        // A department gets a tighter cost budget than a bank.
        HUB_LIMIT_MAX_COST_DEPARTMENT: '500',
        HUB_LIMIT_MAX_DEPTH_DEPARTMENT: '3',
        HUB_MAX_BODY_BYTES: '400000',
        HUB_RATE_LIMIT_RPS: '0',
        HUB_QUOTA_SUBJECTS_PER_DAY: '0',
      },
    });
    ids = (await hub.db.dataSource.getRepository(Enterprise).find({ select: { id: true }, order: { id: 'ASC' }, take: 100 })).map((e) => e.id);
  });
  afterAll(() => hub?.stop());

  const codes = (res: { body: { errors?: Array<{ extensions?: Record<string, unknown> }> } }) => (res.body.errors ?? []).map((e) => e.extensions?.code);

  it('accepts a normal cross-subgraph operation', async () => {
    const res = await hub.query(
      `query Report($id: String!) { subject(id: $id) { id name taxRecords { taxYear rating } loans { contractNo lender { name } } } }`,
      { id: FIXED_SUBJECTS.enterprise },
      bank,
    );
    expect(res.status).toBe(200);
    expect(codes(res).filter((c) => c !== 'FORBIDDEN')).toEqual([]);
  });

  it('@skip / @include shape the gateway response, with literals and variables, aliases kept (patched result shaping)', async () => {
    const res = await hub.query(
      `query($yes: Boolean!, $no: Boolean!) { subject(id: "${FIXED_SUBJECTS.enterprise}") {
        id a: name @include(if: $yes) b: name @include(if: $no) c: name @skip(if: true) d: name
        loans @include(if: $yes) { contractNo @skip(if: $yes) lender { code } } } }`,
      { yes: true, no: false },
      bank,
    );
    expect(res.status).toBe(200);
    const subject = (res.body.data as { subject: Record<string, unknown> & { loans: Array<Record<string, unknown>> } }).subject;
    expect(Object.keys(subject)).toEqual(['id', 'a', 'd', 'loans']);
    expect(typeof subject.a).toBe('string');
    expect(subject.d).toBe(subject.a);
    expect(subject.loans.length).toBeGreaterThan(0);
    for (const loan of subject.loans) expect(Object.keys(loan)).toEqual(['lender']);
    // The same document again and again (the gateway builds its operation once per parsed document): the variables
    // of each request decide.
    const op = `query($no: Boolean!) { subject(id: "${FIXED_SUBJECTS.enterprise}") { id loans @include(if: $no) { contractNo } } }`;
    for (const no of [false, true, false]) {
      const res2 = await hub.query(op, { no }, bank);
      expect(Object.keys((res2.body.data as { subject: object }).subject)).toEqual(no ? ['id', 'loans'] : ['id']);
    }
  });

  it('depth: refuses nesting past the limit, also when hidden in fragments', async () => {
    const ok = await hub.query(`query { subject(id: "${FIXED_SUBJECTS.enterprise}") { loans { lender { code } } } }`, {}, bank);
    expect(codes(ok).filter((c) => c !== 'FORBIDDEN')).toEqual([]);
    // Fragments cannot nest loans→lender deeper than the schema allows, so nest through inline fragments on the same path.
    const deep = `query { subject(id: "${FIXED_SUBJECTS.enterprise}") { ...A } }
      fragment A on Subject { loans { ...B } }
      fragment B on Loan { lender { ...C } }
      fragment C on Institution { code ... on Institution { ... on Institution { name } } }`;
    expect(codes(await hub.query(deep, {}, bank))).not.toContain('OPERATION_LIMIT_EXCEEDED'); // depth 4 ≤ 6 for a bank
    // A department's limit is 3: the same depth-4 operation, split over fragments, is refused.
    const dept = await hub.query(deep, {}, { org: 'CQ-TAX' });
    expect(dept.status).toBe(400);
    expect(dept.body.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxDepth', max: 3, found: 4 });
    expect(codes(await hub.query(`query { subject(id: "${FIXED_SUBJECTS.enterprise}") { id name } }`, {}, { org: 'CQ-TAX' }))).not.toContain('OPERATION_LIMIT_EXCEEDED');
  });

  it('aliases: refuses more aliases than allowed, counted after fragments are inlined', async () => {
    const few = await hub.query(`query { a: me { code } b: me { name } }`, {}, bank);
    expect(codes(few)).toEqual([]);
    const many = Array.from({ length: 9 }, (_, i) => `a${i}: me { code }`).join(' ');
    const res = await hub.query(`query { ${many} }`, {}, bank);
    expect(res.status).toBe(400);
    expect(codes(res)).toContain('OPERATION_LIMIT_EXCEEDED');
    // The same aliases spread from a fragment used twice: 5 aliases in the text, 10 in the operation.
    const spread = await hub.query(
      `query { ...F ...G } fragment F on Query { ${Array.from({ length: 5 }, (_, i) => `f${i}: me { code }`).join(' ')} } fragment G on Query { ...F }`,
      {},
      bank,
    );
    expect(spread.status).toBe(400);
    expect(codes(spread)).toContain('OPERATION_LIMIT_EXCEEDED');
  });

  it('root fields: refuses too many root fields, even when repeated through fragments', async () => {
    const res = await hub.query(`query { ...R } fragment R on Query { me { code } catalog { code } institutions { code } }`, {}, bank);
    expect(codes(res)).toEqual([]);
    // The same fragment spread again (directly and through another fragment) counts each time: 3 + 3 + 1 = 7 > 6.
    const repeated = await hub.query(`query { ...R ...R2 } fragment R on Query { me { code } catalog { code } institutions { code } } fragment R2 on Query { ...R me { name } }`, {}, bank);
    expect(repeated.body.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxRootFields' });
    const aliased = await hub.query(`query { ${Array.from({ length: 7 }, (_, i) => `r${i}: institutions { code }`).join(' ')} }`, {}, { ...bank });
    expect(aliased.status).toBe(400);
    expect(aliased.body.errors![0].extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED' });
  });

  it('directives: refuses a directive flood', async () => {
    const ok = await hub.query(`query($t: Boolean = true) { me @include(if: $t) { code } }`, {}, bank);
    expect(codes(ok)).toEqual([]);
    const flood = await hub.query(`query { me ${'@include(if: true) '.repeat(10)} { code } }`, {}, bank);
    expect(flood.status).toBe(400);
    expect(codes(flood)).toContain('OPERATION_LIMIT_EXCEEDED');
  });

  it('tokens: refuses an oversized document while parsing', async () => {
    const res = await hub.query(`query { me { ${'code '.repeat(4000)} } }`, {}, bank);
    expect(res.status).toBe(400);
    expect(codes(res)).toContain('OPERATION_LIMIT_EXCEEDED');
  });

  it('cost: a list argument multiplies the cost — 100 ids pass, 10,000 ids are refused, as literal or variable', async () => {
    const BATCH = `query Batch($ids: [String!]!) { subjects(ids: $ids) { id name taxRecords { rating } loans { contractNo lender { name } } } }`;
    const ok = await hub.query(BATCH, { ids }, bank);
    expect(ok.status).toBe(200);
    expect(codes(ok).filter((c) => c !== 'FORBIDDEN')).toEqual([]);
    const huge = Array.from({ length: 10_000 }, (_, i) => ids[i % ids.length]);
    const refused = await hub.query(BATCH, { ids: huge }, bank);
    expect(refused.status).toBe(400);
    expect(refused.body.errors![0].extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxCost', max: 20000 });
    expect(refused.body.data).toBeUndefined();
    // Ids inline in the document (under the token limit) are counted the same: 1,000 × 24 > 20,000.
    const inline = await hub.query(`query { subjects(ids: [${huge.slice(0, 1000).map((s) => `"${s}"`).join(',')}]) { id name taxRecords { rating } loans { contractNo lender { name } } } }`, {}, bank);
    expect(codes(inline)).toContain('OPERATION_LIMIT_EXCEEDED');
    // Aliases cannot split the list under the limit: the cost is the sum.
    const split = await hub.query(
      `query($a: [String!]!, $b: [String!]!) { x: subjects(ids: $a) { ...S } y: subjects(ids: $b) { ...S } } fragment S on Subject { id name taxRecords { rating } loans { contractNo lender { name } } }`,
      { a: huge.slice(0, 600), b: huge.slice(600, 1200) },
      bank,
    );
    expect(split.body.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxCost' });
  });

  it('limits are configurable per institution type', async () => {
    const q = `query($ids: [String!]!) { dishonestListing(subjectIds: $ids) { subjectId dishonestListed } }`;
    const many = Array.from({ length: 300 }, (_, i) => ids[i % ids.length]);
    // 300 ids × 2 fields: 601 — over a department's 500, well under a bank's 20,000.
    const dept = await hub.query(q, { ids: many }, { org: 'CQ-TAX' });
    expect(dept.body.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxCost', max: 500 });
    const deptSmall = await hub.query(q, { ids: ids.slice(0, 100) }, { org: 'CQ-TAX' });
    expect(codes(deptSmall)).not.toContain('OPERATION_LIMIT_EXCEEDED');
    const bankRes = await hub.query(q, { ids: many }, bank);
    expect(codes(bankRes)).toEqual([]);
  });

  it('body size: refuses a body over HUB_MAX_BODY_BYTES with 413, declared or streamed', async () => {
    const big = JSON.stringify({ query: 'query { me { code } }', variables: { pad: 'x'.repeat(450_000) } });
    const token = await hub.token({ org: 'BANK-CQCB' });
    const res = await hub.post(big, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).errors[0].extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', maxBodyBytes: 400000 });
    // Chunked (no Content-Length): counted while reading.
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 50; i++) c.enqueue(new TextEncoder().encode('x'.repeat(10_000)));
        c.close();
      },
    });
    const chunked = await fetch(hub.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    // Just under the limit is fine.
    const fits = await hub.post(JSON.stringify({ query: 'query { me { code } }', variables: { pad: 'x'.repeat(350_000) } }), { authorization: `Bearer ${token}` });
    expect(fits.status).toBe(200);
    // The hub still serves after refusing.
    expect((await hub.query(`{ me { code } }`, {}, bank)).status).toBe(200);
  });
});
