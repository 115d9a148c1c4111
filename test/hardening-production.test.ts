import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXED_SUBJECTS } from '../src/demo/seed';
import { startHardenedHub, type HardenedHub } from './support/hardening';

/** NODE_ENV=production: no introspection or suggestions, masked internal errors, CSRF prevention, CORS, IDE and metrics switches, JSON logs. */
describe('production mode', () => {
  let hub: HardenedHub;
  let dev: HardenedHub;
  const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hub-log-')), 'hub.log');
  const bank = { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' };
  beforeAll(async () => {
    process.env.HUB_LOG_FILE = logFile;
    hub = await startHardenedHub('hard_prod', {
      env: { NODE_ENV: 'production', HUB_LOG_LEVEL: 'info', HUB_CORS_ORIGINS: 'https://bank.example', HUB_METRICS_TOKEN: 'm-secret' },
    });
    delete process.env.HUB_LOG_FILE;
    dev = await startHardenedHub('hard_prod_dev', { env: { HUB_IDE: '1' } });
  });
  afterAll(async () => {
    await hub?.stop();
    await dev?.stop();
  });

  it('refuses introspection and hides field suggestions (development mode allows both)', async () => {
    const intro = await hub.query(`{ __schema { types { name } } }`, {}, bank);
    expect(intro.status).toBe(400);
    expect(intro.body.errors![0].message).toMatch(/introspection/i);
    const typo = await hub.query(`{ me { cod } }`, {}, bank);
    expect(typo.body.errors![0].message).not.toMatch(/Did you mean/);
    expect((await dev.query(`{ __schema { types { name } } }`, {}, bank)).status).toBe(200);
    expect((await dev.query(`{ me { cod } }`, {}, bank)).body.errors![0].message).toMatch(/Did you mean/);
  });

  it('sends no stack traces, and masks internal errors (no SQL, no driver text)', async () => {
    const bad = await hub.query(`query($id: String!) { subject(id: $id) { id } }`, { id: 'nope' }, bank);
    expect(JSON.stringify(bad.body)).not.toMatch(/stacktrace|at .*\.ts:\d+/);
    expect(bad.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT'); // user errors keep their message
    // Break a table under the running hub: the query fails inside the database.
    await hub.db.dataSource.query('ALTER TABLE credit_tax_record RENAME TO credit_tax_record_away');
    await dev.db.dataSource.query('ALTER TABLE credit_tax_record RENAME TO credit_tax_record_away');
    try {
      const q = `query($id: String!) { subject(id: $id) { id taxRecords { taxYear } } }`;
      const res = await hub.query(q, { id: FIXED_SUBJECTS.enterprise }, bank);
      const text = JSON.stringify(res.body);
      if (process.env.DEBUG_HARD) console.log(text);
      expect(res.body.errors!.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR' && e.message === 'Internal server error')).toBe(true);
      expect(text).not.toMatch(/credit_tax_record|SELECT|SQLITE|ER_NO_SUCH_TABLE|stacktrace/i);
      // Development mode shows what went wrong.
      const devRes = await dev.query(q, { id: FIXED_SUBJECTS.enterprise }, bank);
      expect(JSON.stringify(devRes.body)).toMatch(/credit_tax_record|stacktrace/);
    } finally {
      await hub.db.dataSource.query('ALTER TABLE credit_tax_record_away RENAME TO credit_tax_record');
      await dev.db.dataSource.query('ALTER TABLE credit_tax_record_away RENAME TO credit_tax_record');
    }
  });

  it('keeps CSRF prevention on: simple requests a browser could forge are refused', async () => {
    const token = await hub.token({ org: 'BANK-CQCB' });
    const plain = await fetch(hub.url, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ me { code } }' }) });
    expect(plain.status).toBe(400);
    const get = await fetch(`${hub.url}?query=${encodeURIComponent('{ me { code } }')}`, { headers: { authorization: `Bearer ${token}` } });
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/CSRF/i);
    const preflighted = await fetch(`${hub.url}?query=${encodeURIComponent('{ me { code } }')}`, { headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': '1' } });
    expect(preflighted.status).toBe(200);
  });

  it('answers CORS for configured origins only', async () => {
    const pre = await fetch(hub.url, { method: 'OPTIONS', headers: { origin: 'https://bank.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://bank.example');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const evil = await fetch(hub.url, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const res = await hub.query(`{ me { code } }`, {}, { ...bank, headers: { origin: 'https://bank.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://bank.example');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/X-Request-Id/);
  });

  it('serves the bundled IDE page only when enabled, with no external resources', async () => {
    expect((await fetch(`${hub.base}/ide`)).status).toBe(404);
    const page = await fetch(`${dev.base}/ide`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/<textarea id="query"/);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  });

  it('exposes Prometheus metrics (behind the metrics token): requests by operation, decisions by reason, quota refusals, pool', async () => {
    await hub.query(`query CreditReport($id: String!) { subject(id: $id) { id taxRecords { rating } landContractRights { areaMu } } }`, { id: FIXED_SUBJECTS.enterprise }, bank);
    expect((await fetch(`${hub.base}/metrics`)).status).toBe(401);
    const res = await fetch(`${hub.base}/metrics`, { headers: { authorization: 'Bearer m-secret' } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/hub_graphql_requests_total\{role="gateway",operation="CreditReport",outcome="(ok|error)"\} \d+/);
    expect(text).toMatch(/hub_graphql_request_duration_seconds_bucket\{le="[\d.]+",role="gateway",operation="CreditReport"\}/);
    expect(text).toMatch(/hub_policy_decisions_total\{decision="ALLOW",reason="[A-Z_]+"\} \d+/);
    expect(text).toMatch(/hub_quota_refusals_total/);
    expect(text).toMatch(/hub_db_pool_connections\{role="gateway",state="open"\} \d+/);
    expect(text).toMatch(/hub_process_resident_memory_bytes \d+/);
  });

  it('logs one JSON line per operation with request id, institution and operation name — never variables or subject ids', async () => {
    const res = await hub.query(`query Lookup($id: String!) { subject(id: $id) { id name } }`, { id: FIXED_SUBJECTS.enterprise }, { ...bank, headers: { 'x-request-id': 'req-log-check-1' } });
    expect(res.headers.get('x-request-id')).toBe('req-log-check-1');
    await new Promise((r) => setTimeout(r, 50));
    const lines = fs.readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const line = lines.find((l) => l.requestId === 'req-log-check-1');
    expect(line).toMatchObject({ msg: 'graphql', org: 'BANK-CQCB', callerType: 'BANK', operation: 'Lookup', purpose: 'LOAN_APPROVAL', outcome: 'ok', status: 200 });
    expect(typeof line.ms).toBe('number');
    const all = fs.readFileSync(logFile, 'utf8');
    expect(all).not.toContain(FIXED_SUBJECTS.enterprise);
    expect(all).not.toMatch(/variables|authorization|Bearer/i);
  });
});
