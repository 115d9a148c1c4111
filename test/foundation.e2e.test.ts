import { SignJWT, exportJWK, generateKeyPair, UnsecuredJWT } from 'jose';
import { FIXED_SUBJECTS } from '../src/demo/seed';
import { Enterprise } from '../src/registry/entities';
import { startTestHub, type TestHub } from './support/hub';

/** One subject across all four subgraphs: registry, credit, exposure (summary + own loans), sharing (lender). */
const CREDIT_REPORT = /* GraphQL */ `
  query CreditReport($id: String!) {
    subject(id: $id) {
      id name kind regionCode
      ... on Enterprise { scale status registeredCapital establishedOn regionName }
      taxRecords { taxYear rating dataAsOf publishedBy }
      socialInsuranceRecords { period insuredHeadcount }
      judicialRecords { caseNumber dishonestListed }
      exposureSummary { totalLoanBalance totalGuaranteeBalance lendingInstitutionCount overdue compensationCount }
      loans { contractNo balance status lender { code name } }
    }
  }`;

const BATCH = /* GraphQL */ `
  query Batch($ids: [String!]!) {
    subjects(ids: $ids) {
      id name
      taxRecords { rating }
      judicialRecords { caseNumber }
      landContractRights { areaMu }
      exposureSummary { totalLoanBalance overdue }
      loans { contractNo lender { name } }
    }
  }`;

/** Each topology's answers, compared at the end: the same code must give the same result either way. */
const answers: Record<string, unknown[]> = {};

describe.each(['in-process', 'multi-process'] as const)('hub foundation over HTTP (%s)', (topology) => {
  let hub: TestHub;
  // Stack traces (development mode only) legitimately differ between topologies.
  // Errors from parallel subgraph fetches may arrive in any order: compare them sorted.
  const record = (body: unknown) =>
    (answers[topology] ??= []).push(
      JSON.parse(
        JSON.stringify(body, (k, v) =>
          k === 'stacktrace' ? undefined : k === 'errors' && Array.isArray(v) ? [...v].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : v,
        ),
      ),
    );
  beforeAll(async () => {
    hub = await startTestHub(`foundation_${topology.replace('-', '_')}`, topology);
  });
  afterAll(() => hub?.stop());

  it('answers a cross-subgraph credit report for the fixed enterprise', async () => {
    const res = await hub.query<{ subject: Record<string, any> }>(CREDIT_REPORT, { id: FIXED_SUBJECTS.enterprise }, { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.headers.get('cache-control')).toBe('no-store'); // subject data is never cached on the way
    record(res.body);
    const s = res.body.data!.subject;
    expect(s).toMatchObject({ id: FIXED_SUBJECTS.enterprise, kind: 'ENTERPRISE', regionCode: '500103', regionName: '渝中区', scale: 'MICRO' });
    expect(s.registeredCapital).toBe('1000000.00');
    expect(s.taxRecords.length).toBeGreaterThan(0);
    expect(s.taxRecords[0].publishedBy).toBe('CQ-TAX');
    expect(s.judicialRecords.length).toBeGreaterThan(0);
    expect(s.exposureSummary.lendingInstitutionCount).toBe(2);
    // The bank sees its own loans in detail (with the lender resolved by the sharing subgraph), never another bank's.
    expect(s.loans.length).toBeGreaterThan(0);
    for (const loan of s.loans) expect(loan.lender).toEqual({ code: 'BANK-CQCB', name: '重庆银行股份有限公司' });
  });

  it('resolves the farmer cooperative and the family-farm operator by their identifiers', async () => {
    const res = await hub.query<{ subjects: Array<Record<string, any>> }>(BATCH, { ids: [FIXED_SUBJECTS.cooperative, FIXED_SUBJECTS.familyFarmOperator] }, { org: 'WZ-GUAR', purpose: 'GUARANTEE_APPROVAL' });
    record(res.body);
    const [coop, farm] = res.body.data!.subjects;
    expect(coop.id).toBe(FIXED_SUBJECTS.cooperative);
    expect(farm.id).toBe(FIXED_SUBJECTS.familyFarmOperator);
    // The cooperative consented to WZ-GUAR; the family farm did not, so only its conditional fields are withheld.
    expect(coop.landContractRights.length).toBeGreaterThan(0);
    expect(coop.landContractRights.every((r: { areaMu: number | null }) => r.areaMu !== null)).toBe(true);
    expect(farm.landContractRights.every((r: { areaMu: number | null }) => r.areaMu === null)).toBe(true);
    const denied = res.body.errors ?? [];
    expect(denied.length).toBeGreaterThan(0);
    for (const e of denied) {
      expect(e.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NO_CONSENT', subjectId: FIXED_SUBJECTS.familyFarmOperator });
    }
  });

  it('keeps the SQL statement count of a batch independent of the number of subjects', async () => {
    const ids = (await hub.db.dataSource.getRepository(Enterprise).find({ select: { id: true }, order: { id: 'ASC' }, take: 50 })).map((e) => e.id);
    const count = async (n: number) => {
      hub.db.sql.record();
      const res = await hub.query<{ subjects: unknown[] }>(BATCH, { ids: ids.slice(0, n) }, { org: 'BANK-CQRCB', purpose: 'LOAN_APPROVAL' });
      const sent = hub.db.sql.take();
      expect(res.body.data?.subjects).toHaveLength(n);
      // Without these subjects' consent, conditional fields are denied (one FORBIDDEN error each); nothing else fails.
      expect((res.body.errors ?? []).filter((e) => e.extensions?.code !== 'FORBIDDEN')).toEqual([]);
      // The access log's signed checkpoints come by the clock (every 60 s per writer), whichever request is running then.
      return sent.filter((q) => !/^INSERT INTO audit_checkpoint\b/.test(q)).length;
    };
    await count(2); // warm the institution cache
    const small = await count(5);
    const large = await count(50);
    expect(large).toBe(small);
    // A constant either way; multi-process pays per service for the caller's approvals and consents,
    // plus the gateway's quota counters and access-log inserts.
    expect(large).toBeLessThanOrEqual(24);
  });

  it('refuses invalid identifiers with the rule that failed, storing nothing', async () => {
    const bad = await hub.query(CREDIT_REPORT, { id: '91500103MA5U7K3D1X' }, { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' });
    expect(bad.body.data?.subject ?? null).toBeNull();
    expect(bad.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'USCC_CHECK_DIGIT' });
    const mixed = await hub.query(BATCH, { ids: [FIXED_SUBJECTS.enterprise, '500233198502303415'] }, { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' });
    expect(mixed.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'RESIDENT_ID_BIRTH_DATE' });
    expect(mixed.body.errors?.[0].message).toContain('index 1');
    record([bad.body, mixed.body]);
  });

  it('lets no one reach a subgraph service without the gateway identity', async () => {
    if (topology !== 'multi-process') return;
    const token = await hub.token({ org: 'BANK-CQCB' });
    for (const url of Object.values(hub.subgraphUrls)) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-hub-identity': token },
        body: JSON.stringify({ query: '{ _service { sdl } }' }),
      });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { data?: unknown; errors: Array<{ extensions: { code: string } }> };
      expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(body.data).toBeUndefined();
    }
  });

  it('returns null for a valid but unknown subject', async () => {
    const res = await hub.query(CREDIT_REPORT, { id: '91350100M000100Y43' }, { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({ subject: null });
  });
});

test('both topologies give identical results', () => {
  expect(answers['in-process']).toHaveLength(3);
  expect(answers['multi-process']).toEqual(answers['in-process']);
});

describe('caller tokens', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('tokens');
  });
  afterAll(() => hub?.stop());

  const ask = (token?: string) => hub.query('{ me { code } }', {}, { token });
  const expectRefused = async (token: string | undefined, message: RegExp) => {
    const res = await ask(token);
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.body.errors?.[0].message).toMatch(message);
    expect(res.body.data).toBeUndefined();
  };

  it('accepts a valid token of a registered institution', async () => {
    const res = await ask(await hub.token({ org: 'CQ-SXG' }));
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ me: { code: 'CQ-SXG' } });
  });

  it('refuses a missing token', () => expectRefused(undefined, /missing Authorization/));

  it('refuses an expired token', async () => {
    const { privateKey } = await import('../src/identity/keys').then((m) => m.loadOrCreateKey(hub.config.keysDir, 'issuer'));
    const kid = (await import('../src/identity/keys').then((m) => m.loadOrCreateKey(hub.config.keysDir, 'issuer'))).kid;
    const expired = await new SignJWT({ org: 'CQ-SXG' })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer(hub.config.issuer)
      .setAudience(hub.config.audience)
      .setSubject('u')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(privateKey);
    await expectRefused(expired, /expired/);
  });

  it('refuses a token forged with another key under the same kid', async () => {
    const kid = (await import('../src/identity/keys').then((m) => m.loadOrCreateKey(hub.config.keysDir, 'issuer'))).kid;
    const other = await generateKeyPair('ES256');
    const forged = await new SignJWT({ org: 'CQ-SXG' })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer(hub.config.issuer)
      .setAudience(hub.config.audience)
      .setSubject('u')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(other.privateKey);
    await expectRefused(forged, /signature/);
    expect(await exportJWK(other.publicKey)).toBeDefined();
  });

  it('refuses a wrong audience', async () => {
    const { loadOrCreateKey } = await import('../src/identity/keys');
    const { signCallerToken } = await import('../src/identity/caller');
    const token = await signCallerToken(await loadOrCreateKey(hub.config.keysDir, 'issuer'), { issuer: hub.config.issuer, audience: 'some-other-api' }, { org: 'CQ-SXG' });
    await expectRefused(token, /aud/);
  });

  it('refuses alg: none', async () => {
    const unsigned = new UnsecuredJWT({ org: 'CQ-SXG' }).setIssuer(hub.config.issuer).setAudience(hub.config.audience).setSubject('u').setIssuedAt().setExpirationTime('1h').encode();
    await expectRefused(unsigned, /algorithm|malformed|not allowed/);
  });

  it('refuses a token of an unregistered institution', async () => {
    await expectRefused(await hub.token({ org: 'NO-SUCH-BANK' }), /not registered/);
  });

  it('refuses an unknown purpose header', async () => {
    const res = await hub.query('{ me { code } }', {}, { org: 'CQ-SXG', purpose: 'MARKETING' });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('serves health and readiness', async () => {
    const base = hub.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });
});
