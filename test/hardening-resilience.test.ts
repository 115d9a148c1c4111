import net from 'node:net';
import { FIXED_SUBJECTS } from '../src/demo/seed';
import { Enterprise } from '../src/registry/entities';
import { startSubgraphService } from '../src/gateway/hub';
import { onMysql, freshDatabaseUrl } from './support/db';
import { startHardenedHub, type HardenedHub } from './support/hardening';

const bank = { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' };

describe('a subgraph down (multi-process)', () => {
  let hub: HardenedHub;
  beforeAll(async () => {
    hub = await startHardenedHub('hard_subgraph_down', { topology: 'multi-process' });
  });
  afterAll(() => hub?.stop());

  it('answers what the other subgraphs can, names the missing one, and recovers when it is back', async () => {
    const q = `query($id: String!) { subject(id: $id) { id name } me { code } }`;
    const ok = await hub.query<{ subject: { id: string }; me: { code: string } }>(q, { id: FIXED_SUBJECTS.enterprise }, bank);
    expect(ok.body.data).toEqual({ subject: { id: FIXED_SUBJECTS.enterprise, name: expect.any(String) }, me: { code: 'BANK-CQCB' } });
    const sharing = hub.subgraphs.sharing!;
    const port = sharing.port;
    await sharing.stop();
    const partial = await hub.query<{ subject: { id: string } | null; me: unknown }>(q, { id: FIXED_SUBJECTS.enterprise }, bank);
    expect(partial.status).toBe(200);
    expect(partial.body.data?.subject?.id).toBe(FIXED_SUBJECTS.enterprise);
    expect(partial.body.data?.me).toBeNull();
    expect(partial.body.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/'sharing' subgraph is unavailable/), extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'sharing' }) })]);
    // Back on the same address: the gateway uses it again without a restart.
    hub.subgraphs.sharing = await startSubgraphService('sharing', { config: hub.config, db: hub.db, port });
    const again = await hub.query(q, { id: FIXED_SUBJECTS.enterprise }, bank);
    expect(again.body.errors).toBeUndefined();
  });
});

/** A TCP proxy in front of MySQL that the test can cut and restore: the database "goes down" for the hub only. */
function tcpProxy(targetPort: number) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const start = () =>
    new Promise<number>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, '127.0.0.1');
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => resolve((port = (server!.address() as net.AddressInfo).port)));
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server ? server.close(() => resolve()) : resolve();
    });
  return { start, stop, get port() { return port; } };
}

(onMysql ? describe : describe.skip)('the database down and back (MySQL through a TCP proxy)', () => {
  let hub: HardenedHub;
  const proxy = tcpProxy(Number(new URL(process.env.TEST_DATABASE_URL || 'mysql://hub:hub@127.0.0.1:3306/hub_test').port || 3306));
  beforeAll(async () => {
    const direct = new URL(await freshDatabaseUrl('hard_db_down'));
    direct.port = String(await proxy.start());
    hub = await startHardenedHub('hard_db_down', { databaseUrl: direct.toString(), env: { HUB_RATE_LIMIT_RPS: '0' } });
  });
  afterAll(async () => {
    await hub?.stop().catch(() => undefined);
    await proxy.stop();
  });

  it('readiness fails and requests get SERVICE_UNAVAILABLE while it is down; the hub recovers by itself', async () => {
    const q = `query($id: String!) { subject(id: $id) { id taxRecords { taxYear } } }`;
    const answered: string[] = []; // request ids of every response that carried subject data
    const first = await hub.query(q, { id: FIXED_SUBJECTS.enterprise }, bank);
    expect(first.status).toBe(200);
    answered.push(first.headers.get('x-request-id')!);
    expect((await fetch(`${hub.base}/readyz`)).status).toBe(200);
    await proxy.stop();
    const ready = await fetch(`${hub.base}/readyz`);
    expect(ready.status).toBe(503);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await hub.query(q, { id: FIXED_SUBJECTS.enterprise }, bank);
      statuses.push(res.status);
      expect(res.status).toBe(503);
      expect(res.body.errors![0].extensions!.code).toBe('SERVICE_UNAVAILABLE');
      expect(res.headers.get('retry-after')).toBeTruthy();
      expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|mysql/i);
    }
    expect((await fetch(`${hub.base}/healthz`)).status).toBe(200); // the process itself is fine
    await proxy.start();
    let back = false;
    for (let i = 0; i < 50 && !back; i++) {
      back = (await fetch(`${hub.base}/readyz`)).status === 200;
      if (!back) await new Promise((r) => setTimeout(r, 100));
    }
    expect(back).toBe(true);
    const after = await hub.query(q, { id: FIXED_SUBJECTS.enterprise }, bank);
    expect(after.status).toBe(200);
    expect(after.body.errors).toBeUndefined();
    answered.push(after.headers.get('x-request-id')!);
    // No access record lost: every answered request has exactly its one record; refused ones returned no data.
    for (const requestId of answered) {
      const rows = (await hub.db.dataSource.query('SELECT COUNT(*) AS n FROM audit_access_log WHERE request_id = ?', [requestId])) as Array<{ n: number | string }>;
      expect(Number(rows[0].n)).toBe(1);
    }
  });
});

// On SQLite the database is a file held open by this process (WAL mode): another process cannot take it away
// without killing this one, so the outage test runs on MySQL only (HUB_TEST_DB=mysql).

describe('graceful shutdown', () => {
  let hub: HardenedHub;
  beforeAll(async () => {
    hub = await startHardenedHub('hard_shutdown', { env: { HUB_RATE_LIMIT_RPS: '0', HUB_QUOTA_SUBJECTS_PER_DAY: '0' } });
  });
  afterAll(() => hub?.db.dataSource.isInitialized && hub.db.dataSource.destroy());

  it('finishes in-flight requests, then refuses new connections, then runs the stop hooks', async () => {
    const ids = (await hub.db.dataSource.getRepository(Enterprise).find({ select: { id: true }, take: 300 })).map((e) => e.id);
    const slow = `query($ids: [String!]!) { subjects(ids: $ids) { id name taxRecords { rating } judicialRecords { caseNumber } loans { contractNo } } }`;
    await hub.query(`{ me { code } }`, {}, bank); // token signed and cached: the requests below go out at once
    let arrived = 0;
    hub.gateway.httpServer.on('request', () => arrived++);
    const started = Date.now();
    const inflight = Array.from({ length: 4 }, () => hub.query<{ subjects: unknown[] }>(slow, { ids }, bank));
    while (arrived < 4) await new Promise((r) => setTimeout(r, 1)); // all four requests are in the server
    const stopped = hub.gateway.stop();
    const results = await Promise.all(inflight);
    for (const r of results) {
      expect(r.status).toBe(200);
      expect(r.body.data?.subjects).toHaveLength(ids.length);
    }
    await stopped;
    expect(Date.now() - started).toBeLessThan(10_000); // drained, not cut off by the shutdown timeout
    await expect(fetch(hub.url, { method: 'POST', body: '{}' })).rejects.toThrow();
    // The database is still open for the stop hooks that ran; closing it is the caller's last step.
    expect(hub.db.dataSource.isInitialized).toBe(true);
  });
});
