/**
 * Policy cost (a script, not a test): the same 20-subject credit query (registry + credit + exposure
 * fields, arguments as variables) as BANK-CQCB / LOAN_APPROVAL against two in-process gateways on the
 * same database — one normal, one built with `enforcePolicy: false` — with autocannon, in alternating
 * rounds. Prints a Markdown table (requests/s, p50/p95/p99 ms, server CPU per request), the ratios of the median
 * rounds and the median of each round's own on/off ratio; then, steadier, the server CPU per request of both
 * gateways in alternating blocks at 2 requests at a time (see cpuInBlocks); writes bench/results/policy-cost.json.
 *
 *   npm run build && node dist/bench/policy-cost.js [--mysql mysql://hub:hub@127.0.0.1:3306/hub_test_bench_policy]
 *        [--connections 32] [--duration 10] [--warmup 2] [--subjects 20] [--rounds 3] [--blocks 20] [--block-requests 100] [--pairs 1] [--no-access-log] [--no-pin]
 *        [--profile-dir dir]   (a V8 CPU profile of each gateway process)
 *
 * SQLite always runs; with --mysql the same measurement follows on MariaDB/MySQL. Each gateway runs in a
 * child process of its own, so the load generator does not share the server's event loop (2-core machines)
 * and neither gateway pays for the other's garbage.
 * BANK-CQCB is given consent for the 20 subjects, so both gateways return the same data (checked before
 * measuring): the difference is the cost of deciding and enforcing, not of a smaller answer.
 */
import './deployed-mode';
import 'reflect-metadata';
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type HubConfig } from '../src/config';
import { insertRows } from '../src/db/bulk';
import { openDatabase } from '../src/db/datasource';
import { FIXED_SUBJECTS, seedDemo } from '../src/demo/seed';
import { startGateway } from '../src/gateway/hub';
import { signCallerToken } from '../src/identity/caller';
import { loadOrCreateKey } from '../src/identity/keys';
import type { DatasetCode } from '../src/policy/catalog';
import { DATASETS } from '../src/policy/datasets';
import { SubjectConsent } from '../src/policy/entities';
import { Purpose } from '../src/policy/purposes';
import { Enterprise } from '../src/registry/entities';
import { In } from 'typeorm';
import { HUB_NODE_FLAGS } from '../src/ops/node-flags';

// autocannon ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>, cb: (err: Error | null, result: AutocannonResult) => void) => AutocannonInstance;
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  duration: number;
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface AutocannonInstance {
  on(event: 'response', fn: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
}

const ORG = 'BANK-CQCB';
const PURPOSE = Purpose.LOAN_APPROVAL;

/** Registry + every enterprise credit dataset + the exposure subgraph, for each subject. */
export const POLICY_COST_QUERY = /* GraphQL */ `
  query CreditBatch($ids: [String!]!) {
    subjects(ids: $ids) {
      id
      name
      kind
      regionCode
      ... on Enterprise { legalRepresentative legalRepresentativeId registeredCapital establishedOn industryName status scale }
      taxRecords { taxYear rating taxPaid vatPaid taxArrears }
      socialInsuranceRecords { period insuredHeadcount paidBaseTotal arrearsAmount arrearsMonths }
      judicialRecords { caseNumber caseType role status amountInvolved dishonestListed }
      penaltyRecords { decisionNumber penaltyType fineAmount decidedOn }
      exposureSummary { totalLoanBalance activeLoanCount lendingInstitutionCount overdue totalGuaranteeBalance compensationCount }
      loans { contractNo amount balance status overdueDays }
    }
  }`;

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

// ------------------------------------------------------------------------------------------------
// Server side: one child process per gateway (policy on / off) over the same database. Apart, neither
// run pays for the other's garbage or shares its JIT feedback — in one process the run after the other's
// measured up to 20% slower with two identical gateways.
// ------------------------------------------------------------------------------------------------

interface Served {
  url: string;
  token: string;
  ids: string[];
}

async function serve(databaseUrl: string, subjects: number, enforcePolicy: boolean): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-policy-cost-'));
  // Request logging off (warnings only) and quotas off: both gateways would pay for them alike, the daily
  // subject-lookup quota would turn later runs into 429s, and on SQLite their two writes per request stall the
  // event loop whenever a WAL checkpoint lands in one — noise far larger than the cost measured here.
  const env = { HUB_LOG_LEVEL: process.env.HUB_LOG_LEVEL || 'warn', HUB_QUOTA_SUBJECTS_PER_DAY: '0', HUB_RATE_LIMIT_RPS: '0' };
  const config: HubConfig = { ...loadConfig(env), databaseUrl, keysDir: path.join(dir, 'keys'), port: 0, host: '127.0.0.1' };
  if (!databaseUrl.startsWith('sqlite:')) await createMysqlDatabase(databaseUrl);
  const db = await openDatabase(databaseUrl, { migrate: true });
  if (Number((await db.dataSource.query('SELECT COUNT(*) AS n FROM sharing_institution'))[0].n) === 0) await seedDemo(db);
  const others = await db.dataSource.getRepository(Enterprise).find({ select: { id: true }, order: { id: 'ASC' }, take: subjects + 2 });
  const ids = [FIXED_SUBJECTS.enterprise, ...others.map((e) => e.id).filter((id) => id !== FIXED_SUBJECTS.enterprise)].slice(0, subjects);
  // Consent of every subject to the bank (the demo has approvals for every dataset already); a rerun over the
  // same database replaces the previous run's consents rather than piling up more for the policy to scan.
  const now = Date.now();
  const all = Object.keys(DATASETS) as DatasetCode[];
  await db.dataSource.getRepository(SubjectConsent).delete({ granteeCode: ORG, registeredBy: ORG, subjectId: In(ids) });
  await insertRows(
    db.dataSource.manager,
    SubjectConsent,
    ids.map(
      (subjectId) =>
        ({
          id: randomUUID(),
          subjectId,
          granteeCode: ORG,
          purposes: [PURPOSE],
          datasets: all,
          validFrom: new Date(now - 86_400_000),
          validTo: new Date(now + 30 * 86_400_000),
          evidenceSha256: createHash('sha256').update(`bench ${subjectId}`).digest('hex'),
          registeredBy: ORG,
          registeredAt: new Date(now - 86_400_000),
          revokedAt: null,
          revokedBy: null,
          revocationReason: null,
        }) as SubjectConsent,
    ),
  );
  const accessLog = !process.argv.includes('--no-access-log');
  const gateway = await startGateway({ config, db, port: 0, accessLog, enforcePolicy });
  const token = await signCallerToken(await loadOrCreateKey(config.keysDir, 'issuer'), config, { org: ORG, ttlSeconds: 3600 });
  const served: Served = { url: gateway.url, token, ids };
  process.send!(served);
  process.on('message', async (m) => {
    // Server CPU time (user + system, µs) so the load side can compute CPU per request: steadier than
    // throughput on a 2-core machine where the load generator competes for the same cores.
    if (m === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send!({ cpuMicros: user + system });
    }
    if (m === 'stop') {
      await gateway.stop();
      await db.dataSource.destroy();
      process.exit(0);
    }
  });
}

/** Creates the MySQL/MariaDB database named in the URL if it does not exist yet. */
async function createMysqlDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl.replace(/^mariadb:/, 'mysql:'));
  const name = url.pathname.slice(1);
  if (!/^\w+$/.test(name)) throw new Error(`--mysql URL must name a database, e.g. mysql://hub:hub@127.0.0.1:3306/hub_test_bench_policy`);
  const mysql = await import('mysql2/promise');
  const admin = await mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) });
  try {
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
}

// ------------------------------------------------------------------------------------------------
// Load side (parent)
// ------------------------------------------------------------------------------------------------

interface Measured {
  requestsPerSecond: number;
  /** Server CPU (both gateways share the process; only one is loaded at a time) per answered request. */
  cpuMsPerRequest: number;
  p50: number;
  p95: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function load(url: string, body: string, token: string, connections: number, duration: number): Promise<Measured> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        connections,
        duration,
        body,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-hub-purpose': PURPOSE },
      },
      (err, result) => {
        if (err) return reject(err);
        latencies.sort((a, b) => a - b);
        resolve({
          requestsPerSecond: result.requests.total / result.duration,
          cpuMsPerRequest: NaN,
          p50: percentile(latencies, 50),
          p95: percentile(latencies, 95),
          p99: percentile(latencies, 99),
          requests: result.requests.total,
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

function serverCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      if (m && typeof m === 'object' && 'cpuMicros' in m) {
        child.off('message', onMessage);
        resolve((m as { cpuMicros: number }).cpuMicros);
      }
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}

async function post(url: string, body: string, token: string): Promise<{ data?: unknown; errors?: Array<{ extensions?: { code?: string } }> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-hub-purpose': PURPOSE }, body });
  return (await res.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
}

/**
 * On Linux with two or more cores, the gateways run pinned to the last core and the load generator to the
 * first (`taskset`), so the two sides do not trade places on the cores between runs — on a shared 2-core
 * machine that alone moved results by ±15%. `--no-pin` turns it off; the database is never pinned.
 */
const PIN = !process.argv.includes('--no-pin') && os.cpus().length >= 2 && hasTaskset();
const SERVER_CORE = String(os.cpus().length - 1);

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function pin(pid: number, cores: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { stdio: 'ignore' });
}

function startServer(databaseUrl: string, subjects: number, which: 'on' | 'off'): Promise<{ child: ChildProcess; served: Served }> {
  const args = ['--serve', databaseUrl, '--subjects', String(subjects), '--policy', which, ...(process.argv.includes('--no-access-log') ? ['--no-access-log'] : [])];
  // --profile-dir <dir>: each gateway process writes a V8 CPU profile there when it stops.
  const profileDir = arg('profile-dir');
  const hubArgv = [...process.execArgv, ...HUB_NODE_FLAGS]; // the hub's own V8 flags, as npm start
  const execArgv = profileDir ? [...hubArgv, '--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`, `--cpu-prof-name=policy-${which}-${/^sqlite:/.test(databaseUrl) ? 'sqlite' : 'mysql'}.cpuprofile`] : hubArgv;
  const child: ChildProcess = fork(__filename, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => {
      if (PIN) pin(child.pid!, SERVER_CORE);
      resolve({ child, served: m as Served });
    });
    child.once('exit', (code) => reject(new Error(`gateway process exited with ${code}`)));
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  child.send('stop');
  await new Promise((done) => child.once('exit', done));
}

async function measure(
  database: string,
  databaseUrl: string,
  opts: { connections: number; duration: number; warmup: number; subjects: number; rounds: number; blocks: number; blockRequests: number },
) {
  // One after the other: both register the same consents; the second replaces the first's, which changes nothing.
  const servers = { on: await startServer(databaseUrl, opts.subjects, 'on'), off: await startServer(databaseUrl, opts.subjects, 'off') };
  try {
    const { ids } = servers.on.served;
    const body = JSON.stringify({ query: POLICY_COST_QUERY, variables: { ids } });
    // Same query, same answer: the policy decides ALLOW everywhere (approvals + consents), so only its cost differs.
    const [a, b] = await Promise.all([post(servers.on.served.url, body, servers.on.served.token), post(servers.off.served.url, body, servers.off.served.token)]);
    if (a.errors?.length || b.errors?.length) throw new Error(`the benchmark query fails: ${JSON.stringify(a.errors?.[0] ?? b.errors?.[0])}`);
    const identical = JSON.stringify(a.data) === JSON.stringify(b.data);
    if (!identical) console.warn(`[${database}] warning: policy-on and policy-off answers differ`);
    const runs: Record<'on' | 'off', Measured[]> = { on: [], off: [] };
    for (let round = 0; round < opts.rounds; round++) {
      // Alternate which side goes first, so neither always follows the other.
      for (const which of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        const { child, served } = servers[which];
        if (opts.warmup > 0) await load(served.url, body, served.token, opts.connections, opts.warmup);
        const before = await serverCpu(child);
        const m = await load(served.url, body, served.token, opts.connections, opts.duration);
        m.cpuMsPerRequest = ((await serverCpu(child)) - before) / 1000 / Math.max(1, m.requests);
        runs[which].push(m);
      }
    }
    const blocks = await cpuInBlocks(servers, body, opts.blocks, opts.blockRequests);
    // The median round of each side is compared (one lucky or unlucky round moves nothing).
    const median = (list: Measured[], key: 'requestsPerSecond' | 'cpuMsPerRequest') => [...list].sort((x, y) => x[key] - y[key])[Math.floor((list.length - 1) / 2)];
    const on = median(runs.on, 'requestsPerSecond');
    const off = median(runs.off, 'requestsPerSecond');
    const cpuOn = median(runs.on, 'cpuMsPerRequest').cpuMsPerRequest;
    const cpuOff = median(runs.off, 'cpuMsPerRequest').cpuMsPerRequest;
    // Each round pairs two runs minutes apart at most: the median of the per-round ratios cancels the machine's
    // drift between rounds (on a shared VM it moves both sides by more than the policy costs).
    const middle = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)];
    const paired = {
      cpuCost: middle(runs.on.map((m, i) => 1 - runs.off[i].cpuMsPerRequest / m.cpuMsPerRequest)),
      throughputCost: middle(runs.on.map((m, i) => 1 - m.requestsPerSecond / runs.off[i].requestsPerSecond)),
    };
    return {
      paired,
      database,
      subjects: ids.length,
      identicalAnswers: identical,
      policyOn: on,
      policyOff: off,
      ratio: on.requestsPerSecond / off.requestsPerSecond,
      cpuMsPerRequest: { on: cpuOn, off: cpuOff, ratio: cpuOff / cpuOn },
      rounds: runs,
      blocks,
    };
  } finally {
    await stopServer(servers.on.child);
    await stopServer(servers.off.child);
  }
}

/**
 * More pairs of gateway processes, each started afresh and measured in blocks only: a process's own JIT and heap
 * state persists for its lifetime (the alternation within a pair does not cancel it), so independent pairs are
 * what tells the policy's cost from one pair's luck.
 */
async function blocksOfFreshPair(databaseUrl: string, opts: { subjects: number; blocks: number; blockRequests: number }) {
  const servers = { on: await startServer(databaseUrl, opts.subjects, 'on'), off: await startServer(databaseUrl, opts.subjects, 'off') };
  try {
    const body = JSON.stringify({ query: POLICY_COST_QUERY, variables: { ids: servers.on.served.ids } });
    const [a, b] = await Promise.all([post(servers.on.served.url, body, servers.on.served.token), post(servers.off.served.url, body, servers.off.served.token)]);
    if (JSON.stringify(a.data) !== JSON.stringify(b.data) || a.errors?.length || b.errors?.length) throw new Error('policy-on and policy-off answers differ');
    return await cpuInBlocks(servers, body, opts.blocks, opts.blockRequests);
  } finally {
    await stopServer(servers.on.child);
    await stopServer(servers.off.child);
  }
}

/**
 * The policy's CPU cost with the least noise this machine allows: the server CPU per request of both gateways in
 * alternating blocks of `perBlock` requests, 2 at a time (no queue, no load generator competing for the cores),
 * after 300 warm-up requests each. Throughput at saturation is the inverse of CPU per request; measured under
 * 32 connections (above) the same comparison moves by ±15% from round to round on a shared 2-core VM.
 */
async function cpuInBlocks(servers: Record<'on' | 'off', { child: ChildProcess; served: Served }>, body: string, blocks: number, perBlock: number) {
  if (blocks <= 0) return null;
  const send = async (which: 'on' | 'off', n: number) => {
    const { url, token } = servers[which].served;
    let left = n;
    await Promise.all(
      [0, 1].map(async () => {
        while (left-- > 0) {
          const answer = await post(url, body, token);
          if (answer.errors?.length) throw new Error(`policy-${which} gateway answered with errors: ${JSON.stringify(answer.errors[0])}`);
        }
      }),
    );
  };
  const perRequest: Record<'on' | 'off', number[]> = { on: [], off: [] };
  await send('on', 300);
  await send('off', 300);
  for (let b = 0; b < blocks; b++) {
    for (const which of b % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const before = await serverCpu(servers[which].child);
      await send(which, perBlock);
      perRequest[which].push(((await serverCpu(servers[which].child)) - before) / 1000 / perBlock);
    }
  }
  const middle = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)];
  const on = middle(perRequest.on);
  const off = middle(perRequest.off);
  return { blocks, perBlock, cpuMsPerRequest: { on, off }, cost: 1 - off / on, pairedCost: middle(perRequest.on.map((x, i) => 1 - perRequest.off[i] / x)), perRequest };
}

/**
 * Every block of every pair taken together: the mean of the blocks' paired ratios (each "on" block against the
 * "off" block next to it) with its standard error, and the cost from the medians of all blocks of each side. One
 * pair's median moves by ±4 points with the noise of its own blocks; the pooled mean of 100+ paired blocks is the
 * steadier estimate, and its standard error says how far to trust it.
 */
function pooledCost(pairs: Array<{ perRequest: Record<'on' | 'off', number[]> }>) {
  const on = pairs.flatMap((p) => p.perRequest.on);
  const off = pairs.flatMap((p) => p.perRequest.off);
  const paired = pairs.flatMap((p) => p.perRequest.on.map((x, i) => 1 - p.perRequest.off[i] / x));
  if (!paired.length) return null;
  const mean = paired.reduce((a, b) => a + b, 0) / paired.length;
  const variance = paired.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, paired.length - 1);
  return { blocks: paired.length, meanPairedCost: mean, standardError: Math.sqrt(variance / paired.length), medianCost: 1 - median(off) / median(on) };
}

/** The median; an even count averages the middle two (the lower one alone would flatter the policy). */
function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
}

const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');

async function main(): Promise<void> {
  if (process.argv.includes('--serve')) return serve(arg('serve')!, Number(arg('subjects', '20')), arg('policy') !== 'off');
  const opts = {
    connections: Number(arg('connections', '32')),
    duration: Number(arg('duration', '10')),
    warmup: Number(arg('warmup', '2')),
    subjects: Number(arg('subjects', '20')),
    rounds: Number(arg('rounds', '3')),
    blocks: Number(arg('blocks', '20')),
    blockRequests: Number(arg('block-requests', '100')),
    pairs: Number(arg('pairs', '1')),
  };
  if (PIN) pin(process.pid, Array.from({ length: os.cpus().length - 1 }, (_, i) => i).join(','));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-policy-cost-db-'));
  const targets: Array<[string, string]> = [['SQLite', `sqlite:${path.join(dir, 'hub.sqlite')}`]];
  const mysql = arg('mysql');
  if (mysql) targets.push(['MariaDB/MySQL', mysql]);

  const results = [];
  for (const [name, url] of targets) {
    console.error(`[${name}] ${opts.subjects} subjects, ${opts.connections} connections, ${opts.warmup} s warm-up + ${opts.duration} s per gateway…`);
    const r = await measure(name, url, opts);
    const pairs = [r.blocks];
    for (let p = 1; p < opts.pairs && r.blocks; p++) {
      console.error(`[${name}] blocks with a fresh pair of gateways (${p + 1} of ${opts.pairs})…`);
      pairs.push(await blocksOfFreshPair(url, opts));
    }
    const costs = pairs.filter((x) => x !== null).map((x) => x!.cost);
    const medianPairCost = costs.length ? median(costs) : null;
    results.push({ ...r, blockPairs: pairs, medianPairCost, pooled: pooledCost(pairs.filter((x) => x !== null).map((x) => x!)) });
  }

  const lines = [
    `Policy cost: ${opts.subjects}-subject credit query as ${ORG} / ${PURPOSE}, access log ${process.argv.includes('--no-access-log') ? 'off' : 'on'}, ${opts.connections} connections, ${opts.duration} s (after ${opts.warmup} s warm-up), ${os.cpus().length} CPUs${PIN ? ` (gateways pinned to core ${SERVER_CORE}, load generator to the others)` : ""}, Node ${process.version}`,
    '',
    '| database | gateway | requests/s (median of rounds) | p50 ms | p95 ms | p99 ms | server CPU ms/request | non-2xx / errors |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    for (const [label, m, cpu] of [['policy on', r.policyOn, r.cpuMsPerRequest.on], ['policy off', r.policyOff, r.cpuMsPerRequest.off]] as const) {
      lines.push(`| ${r.database} | ${label} | ${fmt(m.requestsPerSecond)} | ${fmt(m.p50, 0)} | ${fmt(m.p95, 0)} | ${fmt(m.p99, 0)} | ${fmt(cpu, 2)} | ${m.non2xx} / ${m.errors} |`);
    }
  }
  lines.push('');
  for (const r of results) {
    lines.push(
      `- ${r.database}: throughput ratio on/off = ${fmt(r.ratio, 3)} → policy costs ${fmt((1 - r.ratio) * 100)}% of throughput; ` +
        `server CPU per request ${fmt(r.cpuMsPerRequest.on, 2)} vs ${fmt(r.cpuMsPerRequest.off, 2)} ms → ${fmt((1 - r.cpuMsPerRequest.ratio) * 100)}% (target ≤ 10%)` +
        `; median of the rounds' own ratios: ${fmt(r.paired.cpuCost * 100)}% of CPU, ${fmt(r.paired.throughputCost * 100)}% of throughput` +
        `; rounds on: ${r.rounds.on.map((m) => fmt(m.requestsPerSecond, 0)).join(', ')}; off: ${r.rounds.off.map((m) => fmt(m.requestsPerSecond, 0)).join(', ')}` +
        ` (CPU ms/request on: ${r.rounds.on.map((m) => fmt(m.cpuMsPerRequest, 1)).join(', ')}; off: ${r.rounds.off.map((m) => fmt(m.cpuMsPerRequest, 1)).join(', ')})${r.identicalAnswers ? '' : ' — answers differed!'}`,
    );
    if (r.blocks) {
      lines.push(
        `- ${r.database}, CPU per request in ${r.blocks.blocks} alternating blocks of ${r.blocks.perBlock} requests (2 at a time): ` +
          `policy on ${fmt(r.blocks.cpuMsPerRequest.on, 2)} ms, off ${fmt(r.blocks.cpuMsPerRequest.off, 2)} ms → **policy costs ${fmt(r.blocks.cost * 100)}%** ` +
          `(median of the blocks' paired ratios ${fmt(r.blocks.pairedCost * 100)}%; target ≤ 10%)`,
      );
    }
    if (r.blockPairs.length > 1 && r.medianPairCost !== null) {
      lines.push(
        `- ${r.database}, ${r.blockPairs.length} pairs of fresh gateway processes, blocks as above: policy costs ` +
          `${r.blockPairs.map((b) => `${fmt(b!.cost * 100)}% (${fmt(b!.cpuMsPerRequest.on, 2)} / ${fmt(b!.cpuMsPerRequest.off, 2)} ms)`).join(', ')} → **median ${fmt(r.medianPairCost * 100)}%** (target ≤ 10%)`,
      );
    }
    if (r.pooled) {
      lines.push(
        `- ${r.database}, all ${r.pooled.blocks} blocks of all pairs: **mean paired cost ${fmt(r.pooled.meanPairedCost * 100)}% ± ${fmt(r.pooled.standardError * 100)}** (standard error); ` +
          `from the medians of all blocks ${fmt(r.pooled.medianCost * 100)}% (target ≤ 10%)`,
      );
    }
  }
  console.log(lines.join('\n'));

  const outDir = path.basename(path.dirname(__dirname)) === 'dist' ? path.resolve(__dirname, '../../bench/results') : path.resolve(__dirname, 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, 'policy-cost.json');
  fs.writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, org: ORG, purpose: PURPOSE, options: opts, results }, null, 2) + '\n');
  console.error(`wrote ${out}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
