/**
 * Access-log load check (a script, not a test): N concurrent clients send a fixed number of requests,
 * each reading 3 subjects, to a gateway with the access log on and to one with it off (same database).
 * Afterwards the log must hold exactly one record per (request, subject) answered, and the chains must
 * verify. Prints throughput with the log on next to off.
 *
 *   npm run build && node dist/bench/audit-load.js [--mysql mysql://hub:hub@127.0.0.1:3306/hub_test_bench_audit] [--connections 32] [--requests 4000]
 */
import './deployed-mode';
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<AutocannonResult>;
import { loadConfig, type HubConfig } from '../src/config';
import { openDatabase } from '../src/db/datasource';
import { seedDemo, FIXED_SUBJECTS } from '../src/demo/seed';
import { startGateway } from '../src/gateway/hub';
import { signCallerToken } from '../src/identity/caller';
import { loadOrCreateKey } from '../src/identity/keys';
import { verifyAccessLog } from '../src/audit';

interface AutocannonResult {
  /** seconds */
  duration: number;
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; p97_5: number };
  '2xx': number;
  non2xx: number;
  errors: number;
}

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function main() {
  const connections = Number(arg('connections', '32'));
  const amount = Number(arg('requests', '4000'));
  const mysql = arg('mysql');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-audit-load-'));
  const databaseUrl = mysql ?? `sqlite:${path.join(dir, 'hub.sqlite')}`;
  // One caller sends everything: lift its rate limit and daily subject quota (their bookkeeping still runs).
  const config: HubConfig = {
    ...loadConfig({ HUB_RATE_LIMIT_RPS: '0', HUB_QUOTA_SUBJECTS_PER_DAY: '0', HUB_LOG_LEVEL: 'warn' }),
    databaseUrl,
    keysDir: path.join(dir, 'keys'),
    port: 0,
  };
  const db = await openDatabase(databaseUrl, { migrate: true });
  if (mysql) {
    for (const t of ['audit_access_log', 'audit_checkpoint', 'audit_chain_boundary']) await db.dataSource.query(`DELETE FROM ${t}`);
  }
  if ((await db.dataSource.query('SELECT COUNT(*) AS n FROM sharing_institution'))[0].n == 0) await seedDemo(db);
  const token = await signCallerToken(await loadOrCreateKey(config.keysDir, 'issuer'), config, { org: 'BANK-CQRCB' });
  const ids = [FIXED_SUBJECTS.enterprise, FIXED_SUBJECTS.cooperative, FIXED_SUBJECTS.familyFarmOperator];
  const body = JSON.stringify({
    query: 'query Batch($ids:[String!]!){ subjects(ids:$ids){ id name kind regionCode taxRecords { taxYear rating taxPaid } exposureSummary { totalLoanBalance overdue } } }',
    variables: { ids },
  });
  const run = async (url: string) =>
    autocannon({
      url,
      method: 'POST',
      connections,
      amount,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-hub-purpose': 'LOAN_APPROVAL' },
      body,
    });

  const results: Record<string, AutocannonResult> = {};
  for (const mode of ['off', 'on'] as const) {
    const gateway = await startGateway({ config, db, port: 0, accessLog: mode === 'on' });
    await run(gateway.url); // warm-up pass: caches, JIT, connection pool
    const before = Number((await db.dataSource.query('SELECT COUNT(*) AS n FROM audit_access_log'))[0].n);
    results[mode] = await run(gateway.url);
    if (results[mode].non2xx || results[mode].errors) throw new Error(`log ${mode}: ${results[mode].non2xx} non-2xx responses, ${results[mode].errors} errors — the measurement is void`);
    await gateway.stop(); // flushes the writer and signs a final checkpoint
    const after = Number((await db.dataSource.query('SELECT COUNT(*) AS n FROM audit_access_log'))[0].n);
    if (mode === 'off' && after !== before) throw new Error('log off still wrote records');
    if (mode === 'on') {
      const answered = results.on['2xx'];
      const distinct = Number(
        (await db.dataSource.query('SELECT COUNT(*) AS n FROM (SELECT DISTINCT request_id, subject_id FROM audit_access_log) t'))[0].n,
      );
      const total = Number((await db.dataSource.query('SELECT COUNT(*) AS n FROM audit_access_log'))[0].n);
      // The warm-up pass of the "on" gateway also logged: expected = (warm-up 2xx + measured 2xx) × subjects.
      process.stdout.write(`log on: ${answered} measured requests answered 2xx; ${total} records, ${distinct} distinct (request, subject)\n`);
      if (total !== distinct) throw new Error(`duplicate access records: ${total} rows for ${distinct} (request, subject) pairs`);
      if (total !== (answered + amount) * ids.length && results.on.non2xx === 0) {
        throw new Error(`expected ${(answered + amount) * ids.length} records, found ${total}`);
      }
      const verified = await verifyAccessLog(db, [(await loadOrCreateKey(config.keysDir, 'audit')).publicJwk]);
      process.stdout.write(`chain verification: ${verified.ok ? `ok (${verified.count} records)` : `BROKEN ${JSON.stringify(verified)}`}\n`);
      if (!verified.ok) process.exitCode = 1;
    }
  }
  await db.dataSource.destroy();
  // A fixed number of requests: throughput is answered requests over the run's wall time.
  const rps = (r: AutocannonResult) => r['2xx'] / r.duration;
  const row = (m: string, r: AutocannonResult) => `| ${m} | ${rps(r).toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${r['2xx']} | ${r.non2xx + r.errors} |`;
  process.stdout.write(
    [
      `\nAccess-log cost — ${db.kind}, ${os.cpus().length} cores, ${connections} connections, ${amount} requests of 3 subjects each`,
      '| access log | req/s | p50 ms | p99 ms | 2xx | errors |',
      '|---|---|---|---|---|---|',
      row('off', results.off),
      row('on', results.on),
      `\nthroughput with the log on = ${((rps(results.on) / rps(results.off)) * 100).toFixed(1)}% of off (cost ${((1 - rps(results.on) / rps(results.off)) * 100).toFixed(1)}%)\n`,
    ].join('\n'),
  );
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
