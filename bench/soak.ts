/**
 * Soak test (not a jest test): a fixed request rate for N minutes against the hub, reporting per
 * interval the requests answered, errors, latency percentiles and the process RSS, then access-log
 * completeness (access records written vs. subject reads answered).
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/soak.js [--minutes 10] [--rate 50] [--interval 10] [--topology in-process|multi-process]
 *
 * Runs the hub in this process on a fresh seeded database (DATABASE_URL, default a temporary SQLite
 * file) so RSS is the hub's own; the load generator's share is small (fetch with keep-alive).
 */
import './deployed-mode';
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type HubConfig } from '../src/config';
import { openDatabase } from '../src/db/datasource';
import { seedDemo } from '../src/demo/seed';
import { startGateway, startSubgraphService, type RunningService } from '../src/gateway/hub';
import { SUBGRAPH_NAMES, type SubgraphName } from '../src/federation/subgraph';
import { signCallerToken } from '../src/identity/caller';
import { loadOrCreateKey } from '../src/identity/keys';
import { Enterprise } from '../src/registry/entities';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const REPORT = `query Report($id: String!) { subject(id: $id) { id name kind taxRecords { taxYear rating } judicialRecords { caseNumber }
  exposureSummary { totalLoanBalance overdue } loans { contractNo balance lender { name } } } }`;
const BATCH = `query Batch($ids: [String!]!) { subjects(ids: $ids) { id name taxRecords { rating } exposureSummary { overdue } } }`;

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const minutes = Number(arg('minutes', '10'));
  const rate = Number(arg('rate', '50'));
  const intervalS = Number(arg('interval', '10'));
  const topology = arg('topology', 'in-process');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-soak-'));
  const databaseUrl = process.env.DATABASE_URL || `sqlite:${path.join(dir, 'hub.sqlite')}`;
  const config: HubConfig = { ...loadConfig({ ...process.env, HUB_LOG_LEVEL: process.env.HUB_LOG_LEVEL || 'silent' }), databaseUrl, keysDir: path.join(dir, 'keys'), port: 0 };
  const db = await openDatabase(databaseUrl, { migrate: true });
  await seedDemo(db, { now: new Date('2026-11-20T08:00:00Z') });
  const services: RunningService[] = [];
  let subgraphUrls: Partial<Record<SubgraphName, string>> | undefined;
  if (topology === 'multi-process') {
    subgraphUrls = {};
    for (const name of SUBGRAPH_NAMES) {
      const s = await startSubgraphService(name, { config, db, port: 0 });
      services.push(s);
      subgraphUrls[name] = s.url;
    }
  }
  const gateway = await startGateway({ config, db, port: 0, subgraphUrls });
  const issuer = await loadOrCreateKey(config.keysDir, 'issuer');
  const orgs = [
    { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' },
    { org: 'BANK-CQRCB', purpose: 'LOAN_APPROVAL' },
    { org: 'WZ-GUAR', purpose: 'GUARANTEE_APPROVAL' },
    { org: 'CQ-SXG', purpose: 'GUARANTEE_APPROVAL' },
  ];
  const tokens = await Promise.all(orgs.map((o) => signCallerToken(issuer, config, { org: o.org, ttlSeconds: 24 * 3600 })));
  const ids = (await db.dataSource.getRepository(Enterprise).find({ select: { id: true }, take: 200 })).map((e) => e.id);
  const auditCount = async (): Promise<number | undefined> => {
    try {
      const [row] = (await db.dataSource.query('SELECT COUNT(*) AS n FROM audit_access_log')) as Array<{ n: number | string }>;
      return Number(row.n);
    } catch {
      return undefined;
    }
  };
  const auditBefore = await auditCount();

  console.log(`soak: ${minutes} min at ${rate} req/s, ${topology}, ${databaseUrl.startsWith('sqlite:') ? 'SQLite' : 'MySQL'}; report every ${intervalS} s`);
  console.log('t(s)   sent  ok   err  p50ms  p95ms  p99ms  maxms   rss(MB) heap(MB)');
  let seq = 0;
  let window: number[] = [];
  let windowErr = 0;
  let windowSent = 0;
  let totalOk = 0;
  let totalErr = 0;
  let subjectReads = 0;
  const errorKinds = new Map<string, number>();
  const rows: Array<Record<string, number>> = [];
  const started = Date.now();
  const inflight = new Set<Promise<void>>();

  const fire = () => {
    const n = seq++;
    const who = n % orgs.length;
    const batch = n % 10 === 9;
    const variables = batch ? { ids: Array.from({ length: 20 }, (_, i) => ids[(n + i * 7) % ids.length]) } : { id: ids[n % ids.length] };
    const t0 = performance.now();
    windowSent++;
    const p = fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[who]}`, 'x-hub-purpose': orgs[who].purpose },
      body: JSON.stringify({ query: batch ? BATCH : REPORT, variables }),
    })
      .then(async (res) => {
        const body = (await res.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
        const bad = res.status !== 200 || (body.errors ?? []).some((e) => e.extensions?.code !== 'FORBIDDEN');
        window.push(performance.now() - t0);
        if (bad) {
          windowErr++;
          totalErr++;
          const kind = `${res.status}:${(body.errors ?? []).map((e) => e.extensions?.code).filter((c) => c !== 'FORBIDDEN')[0] ?? ''}`;
          errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
        } else {
          totalOk++;
          subjectReads += batch ? 20 : 1;
        }
      })
      .catch((e: Error) => {
        windowErr++;
        totalErr++;
        errorKinds.set(`network:${e.message}`, (errorKinds.get(`network:${e.message}`) ?? 0) + 1);
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };

  const report = () => {
    const sorted = [...window].sort((a, b) => a - b);
    const mem = process.memoryUsage();
    const row = {
      t: Math.round((Date.now() - started) / 1000),
      sent: windowSent,
      ok: sorted.length - windowErr,
      err: windowErr,
      p50: pct(sorted, 50),
      p95: pct(sorted, 95),
      p99: pct(sorted, 99),
      max: sorted[sorted.length - 1] ?? 0,
      rss: mem.rss / 1048576,
      heap: mem.heapUsed / 1048576,
    };
    rows.push(row);
    console.log(
      `${String(row.t).padStart(4)} ${String(row.sent).padStart(6)} ${String(row.ok).padStart(4)} ${String(row.err).padStart(4)} ${row.p50.toFixed(1).padStart(6)} ${row.p95.toFixed(1).padStart(6)} ${row.p99.toFixed(1).padStart(6)} ${row.max.toFixed(1).padStart(6)} ${row.rss.toFixed(0).padStart(9)} ${row.heap.toFixed(0).padStart(8)}`,
    );
    window = [];
    windowErr = 0;
    windowSent = 0;
  };

  // Fixed rate: the schedule is absolute time, so a slow answer never slows the offered load.
  const periodMs = 1000 / rate;
  const endAt = started + minutes * 60_000;
  let next = started;
  let nextReport = started + intervalS * 1000;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = Date.now();
      while (next <= now && next < endAt) {
        fire();
        next += periodMs;
      }
      if (now >= nextReport) {
        report();
        nextReport += intervalS * 1000;
      }
      if (now >= endAt) return resolve();
      setTimeout(tick, Math.max(1, Math.min(next, nextReport) - Date.now()));
    };
    tick();
  });
  await Promise.all(inflight);
  if (window.length) report();
  await gateway.stop();
  for (const s of services) await s.stop();
  const auditAfter = await auditCount();
  const rss = rows.map((r) => r.rss);
  console.log(`\ntotal: ${seq} sent, ${totalOk} ok, ${totalErr} errors ${JSON.stringify(Object.fromEntries(errorKinds))}`);
  console.log(`RSS: first interval ${rss[0]?.toFixed(0)} MB, last ${rss[rss.length - 1]?.toFixed(0)} MB, max ${Math.max(...rss).toFixed(0)} MB`);
  console.log(`latency p99 by interval (ms): ${rows.map((r) => r.p99.toFixed(0)).join(' ')}`);
  if (auditBefore !== undefined && auditAfter !== undefined) {
    console.log(`access log: ${auditAfter - auditBefore} records written for ${totalOk} answered requests (${subjectReads} subject reads)`);
  } else console.log('access log: audit_access_log not present');
  await db.dataSource.destroy();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
