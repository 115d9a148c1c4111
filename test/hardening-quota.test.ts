import { FIXED_SUBJECTS } from '../src/demo/seed';
import { Enterprise } from '../src/registry/entities';
import { startGateway } from '../src/gateway/hub';
import { startHardenedHub, type HardenedHub } from './support/hardening';

/** Quotas: 429 with Retry-After, reset with the window, shared by gateway processes over one database, kept across a restart. */
describe('quotas and rate limits', () => {
  let hub: HardenedHub;
  let clock = Date.parse('2026-11-27T03:00:00Z'); // 11:00 in Chongqing
  const now = () => clock;
  let ids: string[] = [];
  beforeAll(async () => {
    hub = await startHardenedHub('hard_quota', {
      now,
      env: { HUB_QUOTA_SUBJECTS_PER_DAY: '100', HUB_QUOTA_SUBJECTS_PER_DAY_REGULATOR: '5', HUB_RATE_LIMIT_RPS: '1000', HUB_RATE_LIMIT_RPS_GUARANTOR: '3' },
    });
    ids = (await hub.db.dataSource.getRepository(Enterprise).find({ select: { id: true }, order: { id: 'ASC' }, take: 120 })).map((e) => e.id);
  });
  afterAll(() => hub?.stop());

  const BATCH = `query($ids: [String!]!) { subjects(ids: $ids) { id } }`;

  it('counts subject lookups per institution and day; refuses past the quota with 429 and Retry-After; resets the next day', async () => {
    const bank = { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' };
    expect((await hub.query(BATCH, { ids: ids.slice(0, 60) }, bank)).status).toBe(200);
    // Repeating an id inside one request counts it once; aliases add up.
    const aliased = await hub.query(`query($a: String!, $b: String!) { x: subject(id: $a) { id } y: subject(id: $b) { id } z: subject(id: $a) { id } }`, { a: ids[60], b: ids[61] }, bank);
    expect(aliased.status).toBe(200); // 62 used
    const over = await hub.query(BATCH, { ids: ids.slice(62, 101) }, bank); // 62 + 39 = 101 > 100
    expect(over.status).toBe(429);
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(over.body.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', quota: 'SUBJECT_LOOKUPS_PER_DAY', limit: 100 });
    // Midnight in Chongqing is 16:00 UTC: 13 hours away.
    expect(retryAfter).toBe(13 * 3600);
    expect(over.body.data).toBeUndefined();
    // A refused request used nothing: 38 more still fit.
    expect((await hub.query(BATCH, { ids: ids.slice(62, 100) }, bank)).status).toBe(200);
    expect((await hub.query(BATCH, { ids: [ids[100]] }, bank)).status).toBe(429);
    // Another institution has its own counter; operations naming no subject are not counted.
    expect((await hub.query(BATCH, { ids: ids.slice(0, 50) }, { org: 'BANK-CQRCB', purpose: 'LOAN_APPROVAL' })).status).toBe(200);
    expect((await hub.query(`{ me { code } }`, {}, bank)).status).toBe(200);
    // The next quota day.
    clock += retryAfter * 1000;
    expect((await hub.query(BATCH, { ids: ids.slice(0, 100) }, bank)).status).toBe(200);
  });

  it('quotas are configured per institution type', async () => {
    const reg = { org: 'CQ-FIN', purpose: 'SUPERVISION' };
    const res = await hub.query(BATCH, { ids: ids.slice(0, 6) }, reg);
    expect(res.status).toBe(429);
    expect(res.body.errors![0].extensions).toMatchObject({ limit: 5 });
  });

  it('limits requests per second with 429 and Retry-After: 1, then lets the next second through', async () => {
    const guar = { org: 'WZ-GUAR', purpose: 'GUARANTEE_APPROVAL' };
    clock = Math.floor(clock / 1000) * 1000 + 100;
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await hub.query(`{ me { code } }`, {}, guar)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const refused = await hub.query(`{ me { code } }`, {}, guar);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', quota: 'REQUESTS_PER_SECOND', limit: 3 });
    clock += 1000;
    expect((await hub.query(`{ me { code } }`, {}, guar)).status).toBe(200);
  });

  it('shares counters between gateway processes on one database and keeps them across a restart', async () => {
    const second = await startGateway({ config: hub.config, db: hub.db, port: 0, now });
    try {
      const token = await hub.token({ org: 'CQ-FIN' });
      const ask = (url: string, id: string) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-hub-purpose': 'SUPERVISION' }, body: JSON.stringify({ query: BATCH, variables: { ids: [id] } }) });
      clock += 86_400_000; // a fresh day for the regulator (quota 5)
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await ask(i % 2 ? second.url : hub.url, ids[i])).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      // "Restart": a new gateway process on the same database still sees the day's usage.
      await second.stop();
      const third = await startGateway({ config: hub.config, db: hub.db, port: 0, now });
      expect((await ask(third.url, FIXED_SUBJECTS.enterprise)).status).toBe(429);
      await third.stop();
    } finally {
      await second.stop();
    }
  });
});
