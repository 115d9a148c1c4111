import './deployed-mode';
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig, type HubConfig } from '../src/config';
import { openDatabase, redact } from '../src/db/datasource';
import { FIXED_SUBJECTS } from '../src/demo/seed';
import { SUBGRAPH_NAMES } from '../src/federation/subgraph';
import { signCallerToken } from '../src/identity/caller';
import { loadOrCreateKey } from '../src/identity/keys';
import { BATCH_REPORT, crossCheckOperation, ONE_SUBJECT_REPORT, QUERY_FIELDS_INTROSPECTION, type Introspection } from './queries';
import { summarizeProfile } from './profile-summary';
import { HUB_NODE_FLAGS } from '../src/ops/node-flags';

// autocannon ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => AutocannonInstance;
interface AutocannonInstance extends Promise<AutocannonResult> {
  on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
interface AutocannonResult {
  requests: { average: number; total: number; sent: number };
  latency: { p50: number; p99: number; average: number; max: number };
  throughput: { average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}

const CALLER_BANK = 'BANK-CQRCB';
const CROSS_CHECK_CONNECTIONS = 4;
const PURPOSE = 'LOAN_APPROVAL';

interface Settings {
  duration: number;
  warmup: number;
  connections: number;
  subjects: number;
  out: string;
  cpuProf: boolean;
  multiProcess: boolean;
}

interface ScenarioResult {
  scenario: string;
  database: string;
  topology: 'in-process' | 'multi-process' | 'raw floor' | 'raw floor, one round trip';
  subjectsPerRequest: number;
  dataSubjects: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; mean: number; max: number };
  sqlStatementsPerRequest: number | null;
  peakRssMb: number;
  rssStartMb: number;
  rssEndMb: number;
  /** Runs of a minute or more: RSS of the hub process(es) every 10 s of the measured load (growth shows here). */
  rssEveryTenSecondsMb?: number[];
  errors: number;
  non2xx: number;
  responseBytes: number;
  note?: string;
}

interface Skipped {
  scenario: string;
  database: string;
  reason: string;
}

// ---------------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------------

interface Proc {
  child: ChildProcess;
  url: string;
  request<T>(type: string): Promise<T>;
  stop(): Promise<void>;
}

function startProc(script: string, args: string[], env: NodeJS.ProcessEnv, execArgv: string[] = []): Promise<Proc> {
  // The hub's own V8 flags (as npm start and the Docker image), unless BENCH_HUB_NODE_FLAGS says otherwise.
  const hubFlags = script === 'hub-process.js' ? (process.env.BENCH_HUB_NODE_FLAGS ?? HUB_NODE_FLAGS.join(' ')).split(' ').filter(Boolean) : [];
  const child = fork(path.join(__dirname, script), args, { env: { ...process.env, ...env }, execArgv: ['--expose-gc', ...hubFlags, ...execArgv], stdio: ['ignore', process.env.BENCH_HUB_STDOUT ? 'inherit' : 'ignore', 'inherit', 'ipc'] });
  const waiting = new Map<string, (msg: unknown) => void>();
  child.on('message', (msg: { type: string }) => {
    const w = waiting.get(msg.type);
    waiting.delete(msg.type);
    w?.(msg);
  });
  const request = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      waiting.set(type, resolve as (m: unknown) => void);
      if (type !== 'ready') child.send({ type }, (e) => e && reject(e));
    });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${script} ${args.join(' ')} exited with ${code} before it was ready`));
    child.once('exit', onExit);
    request<{ url: string }>('ready').then((msg) => {
      child.off('exit', onExit);
      resolve({
        child,
        url: msg.url,
        request,
        stop: () =>
          new Promise<void>((done) => {
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            child.send({ type: 'stop' });
          }),
      });
    });
  });
}

interface Stats {
  statements: number;
  rss: number;
  peakRss: number;
}

/** A running topology: one or more processes, with summed stats. */
class Topology {
  constructor(
    readonly url: string,
    private readonly procs: Proc[],
  ) {}

  async stats(): Promise<Stats> {
    const all = await Promise.all(this.procs.map((p) => p.request<Stats>('stats')));
    return all.reduce((a, s) => ({ statements: a.statements + s.statements, rss: a.rss + s.rss, peakRss: a.peakRss + s.peakRss }), { statements: 0, rss: 0, peakRss: 0 });
  }
  /** Starts / stops the V8 profiler in the first process (the gateway). */
  async profile(type: 'profile-start' | 'profile-stop'): Promise<void> {
    await this.procs[0].request(type);
  }
  async resetPeak(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.request('reset-peak')));
  }
  async stop(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.stop()));
  }
}

async function startInProcess(env: NodeJS.ProcessEnv): Promise<Topology> {
  const gw = await startProc('hub-process.js', ['gateway'], env);
  return new Topology(gw.url, [gw]);
}

async function startMultiProcess(env: NodeJS.ProcessEnv): Promise<Topology> {
  const subs = await Promise.all(SUBGRAPH_NAMES.map((name) => startProc('hub-process.js', ['subgraph', name], env)));
  const gw = await startProc('hub-process.js', ['gateway', ...SUBGRAPH_NAMES.map((n, i) => `${n}=${subs[i].url}`)], env);
  return new Topology(gw.url, [gw, ...subs]);
}

async function startFloor(env: NodeJS.ProcessEnv, databaseUrl: string, oneRoundTrip = false): Promise<Topology> {
  const floor = await startProc('raw-floor.js', [databaseUrl, CALLER_BANK, ...(oneRoundTrip ? ['one-round-trip'] : [])], env);
  return new Topology(floor.url, [floor]);
}

// ---------------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------------

const round2 = (x: number) => Math.round(x * 100) / 100;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function load(url: string, headers: Record<string, string>, body: string, seconds: number, connections: number): Promise<{ result: AutocannonResult; latencies: number[] }> {
  const latencies: number[] = [];
  const instance = autocannon({ url, method: 'POST', headers, body, connections, duration: seconds, pipelining: 1 });
  instance.on('response', (_c, _s, _b, ms) => latencies.push(ms));
  const result = await instance;
  latencies.sort((a, b) => a - b);
  return { result, latencies };
}

/** Runs a scenario; a refusal or failure is recorded as skipped with the reason instead of ending the run. */
async function attempt(out: DbRun, meta: { scenario: string; database: string }, fn: () => Promise<ScenarioResult>): Promise<void> {
  try {
    out.results.push(await fn());
  } catch (e) {
    const reason = (e as Error).message.replace(/"stacktrace":\[[^\]]*\]/g, '').slice(0, 300);
    out.skipped.push({ scenario: meta.scenario, database: meta.database, reason });
    console.error(`  ${meta.database.padEnd(7)} ${meta.scenario}: FAILED — ${reason}`);
  }
}

async function measure(
  s: Settings,
  topology: Topology,
  meta: Pick<ScenarioResult, 'scenario' | 'database' | 'topology' | 'subjectsPerRequest' | 'dataSubjects'>,
  headers: Record<string, string>,
  body: string,
  profile = false,
  connections = s.connections,
): Promise<ScenarioResult> {
  // One request first: it must succeed (and its size is reported).
  const probe = await fetch(topology.url, { method: 'POST', headers, body });
  const text = await probe.text();
  if (probe.status !== 200) throw new Error(`${meta.scenario} on ${meta.database}: HTTP ${probe.status}: ${text.slice(0, 300)}`);
  const parsed = JSON.parse(text) as { errors?: Array<{ message: string }> };
  if (s.warmup > 0) await load(topology.url, headers, body, s.warmup, connections);
  await topology.resetPeak();
  const before = await topology.stats();
  if (profile) await topology.profile('profile-start');
  const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
  // A minute or more of load: RSS sampled every 10 s, so growth over the run is visible, not only its peak.
  const rssSamples: number[] = [];
  const sampler = s.duration >= 60 ? setInterval(() => void topology.stats().then((st) => rssSamples.push(mb(st.rss)), () => undefined), 10_000) : undefined;
  const { result, latencies } = await load(topology.url, headers, body, s.duration, connections).finally(() => clearInterval(sampler));
  if (profile) await topology.profile('profile-stop');
  const after = await topology.stats();
  const completed = latencies.length || result.requests.total;
  const r: ScenarioResult = {
    ...meta,
    requests: completed,
    requestsPerSecond: Math.round((completed / s.duration) * 10) / 10,
    latencyMs: {
      p50: round2(percentile(latencies, 50)),
      p95: round2(percentile(latencies, 95)),
      p99: round2(percentile(latencies, 99)),
      mean: Math.round((latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length)) * 100) / 100,
      max: round2(latencies[latencies.length - 1] ?? 0),
    },
    sqlStatementsPerRequest: Math.round(((after.statements - before.statements) / Math.max(1, completed)) * 100) / 100,
    peakRssMb: mb(after.peakRss),
    rssStartMb: mb(before.rss),
    rssEndMb: mb(after.rss),
    ...(sampler ? { rssEveryTenSecondsMb: rssSamples } : {}),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    responseBytes: Buffer.byteLength(text),
  };
  if (sampler) console.error(`  ${meta.database.padEnd(7)} ${meta.scenario}: RSS every 10 s (MB): ${rssSamples.join(', ')}`);
  if (parsed.errors?.length) r.note = `response carries ${parsed.errors.length} GraphQL error(s): ${parsed.errors[0].message.slice(0, 120)}`;
  console.error(
    `  ${meta.database.padEnd(7)} ${meta.scenario.padEnd(34)} ${String(r.requestsPerSecond).padStart(8)} req/s  p50 ${r.latencyMs.p50} p95 ${r.latencyMs.p95} p99 ${r.latencyMs.p99} ms  ` +
      `${r.sqlStatementsPerRequest ?? '-'} SQL/req  peak RSS ${r.peakRssMb} MB${r.non2xx || r.errors ? `  (${r.non2xx} non-2xx, ${r.errors} errors)` : ''}`,
  );
  return r;
}

// ---------------------------------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------------------------------

async function mysqlReachable(url: string): Promise<string | null> {
  const mysql = await import('mysql2/promise');
  const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
  try {
    const conn = await mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), connectTimeout: 3000 });
    await conn.end();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Counts subjects of an existing database, or null when it is missing or empty. */
async function existingSubjects(url: string): Promise<number | null> {
  try {
    if (url.startsWith('sqlite:') && !fs.existsSync(url.slice(7))) return null;
    const db = await openDatabase(url);
    try {
      const [row] = (await db.dataSource.query('SELECT (SELECT COUNT(*) FROM registry_enterprise) + (SELECT COUNT(*) FROM registry_agri_entity) AS n')) as Array<{ n: number | string }>;
      return Number(row.n) || null;
    } finally {
      await db.dataSource.destroy();
    }
  } catch {
    return null;
  }
}

/** A database holding `subjects` subjects from the generator: reused when it already has exactly that many, else recreated. */
async function prepareDatabase(url: string, subjects: number, reseed: boolean): Promise<void> {
  if (!reseed && (await existingSubjects(url)) === subjects) {
    console.error(`  reusing ${redact(url)} (${subjects.toLocaleString('en')} subjects)`);
    return;
  }
  if (url.startsWith('sqlite:')) {
    const file = url.slice(7);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    fs.mkdirSync(path.dirname(file), { recursive: true });
  } else {
    const mysql = await import('mysql2/promise');
    const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
    const name = u.pathname.slice(1);
    const conn = await mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) });
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await conn.end();
  }
  const { seedScale } = await import('../src/demo/scale');
  const db = await openDatabase(url, { migrate: true });
  try {
    const started = Date.now();
    const summary = await seedScale(db, url, { subjects });
    console.error(`  seeded ${redact(url)}: ${summary.subjects.toLocaleString('en')} subjects, ${summary.totalRows.toLocaleString('en')} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await db.dataSource.destroy();
  }
}

/** Subjects the caller bank may read for loan approval (they consented), in a stable order. */
async function consentedSubjects(url: string, n: number): Promise<string[]> {
  const db = await openDatabase(url);
  try {
    const rows = (await db.dataSource.query(
      `SELECT subject_id AS id FROM policy_subject_consent WHERE grantee_code = ? AND revoked_at IS NULL GROUP BY subject_id ORDER BY subject_id LIMIT ${n}`,
      [CALLER_BANK],
    )) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  } finally {
    await db.dataSource.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------
// Scenarios per database
// ---------------------------------------------------------------------------------------------------

interface DbRun {
  results: ScenarioResult[];
  skipped: Skipped[];
  profile?: string;
}

async function runDatabase(s: Settings, label: string, url: string, opts: { subjects: number; reseed: boolean; scenarios: Set<string>; profileDir?: string }): Promise<DbRun> {
  const out: DbRun = { results: [], skipped: [] };
  console.error(`\n${label}: ${redact(url)}`);
  await prepareDatabase(url, opts.subjects, opts.reseed);
  const keysDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-bench-keys-'));
  // One caller institution sends every request: its per-institution rate limit (100/s) and daily subject quota would
  // refuse most of them, and the cost limit refuses a 1,000-subject cross-check by default — lifted for the benchmark
  // (at 0 the counters are not kept at all: a deployment with quotas pays two more statements per request).
  const env = {
    DATABASE_URL: url,
    HUB_KEYS_DIR: keysDir,
    HUB_LOG_SQL: '0',
    HUB_RATE_LIMIT_RPS: '0',
    HUB_QUOTA_SUBJECTS_PER_DAY: '0',
    HUB_LIMIT_MAX_COST: process.env.HUB_LIMIT_MAX_COST || '100000000',
    // Production mode turns introspection off; the cross-check scenario reads the schema's query fields first.
    HUB_INTROSPECTION: '1',
  };
  const config: HubConfig = { ...loadConfig({ ...process.env, ...env }) };
  const token = await signCallerToken(await loadOrCreateKey(keysDir, 'issuer'), config, { org: CALLER_BANK, ttlSeconds: 24 * 3600 });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-hub-purpose': PURPOSE };
  const consented = await consentedSubjects(url, 1000);
  const batch = consented.slice(0, 20);
  const meta = (scenario: string, topology: ScenarioResult['topology'], n: number) => ({ scenario, database: label, topology, subjectsPerRequest: n, dataSubjects: opts.subjects });
  const one = JSON.stringify({ query: ONE_SUBJECT_REPORT, variables: { id: FIXED_SUBJECTS.enterprise } });
  const want = (name: string) => opts.scenarios.has(name);

  if (want('report') || want('batch') || want('crosscheck')) {
    const profileFile = opts.profileDir ? path.join(opts.profileDir, 'one-subject-in-process.cpuprofile') : undefined;
    const hub = await startInProcess({ ...env, BENCH_PROFILE_FILE: profileFile ?? '' });
    try {
      if (want('report')) await attempt(out, meta('one-subject report', 'in-process', 1), () => measure(s, hub, meta('one-subject report', 'in-process', 1), headers, one, !!profileFile));
      if (want('batch')) {
        const body = JSON.stringify({ query: BATCH_REPORT, variables: { ids: batch } });
        const m = meta('20-subject batch report', 'in-process', batch.length);
        await attempt(out, m, () => measure(s, hub, m, headers, body));
      }
      if (want('crosscheck')) {
        const schema = (await (await fetch(hub.url, { method: 'POST', headers, body: JSON.stringify({ query: QUERY_FIELDS_INTROSPECTION }) })).json()) as { data?: Introspection };
        const op = schema.data ? crossCheckOperation(schema.data) : null;
        if (!op) {
          out.skipped.push({ scenario: 'cross-check 1,000 subjects', database: label, reason: 'the schema has no usable `crossCheck(subjectIds: …)` query yet' });
          console.error(`  ${label.padEnd(7)} cross-check 1,000 subjects: skipped (no crossCheck query in the schema)`);
        } else {
          // A 1,000-subject cross-check is a batch job, not interactive traffic: a few run at once (32 at once only
          // measures queueing, past autocannon's 10 s timeout).
          const body = JSON.stringify({ query: op, variables: { ids: consented } });
          const connections = Math.min(s.connections, CROSS_CHECK_CONNECTIONS);
          const m = meta(`cross-check ${consented.length.toLocaleString('en')} subjects (${connections} conn.)`, 'in-process', consented.length);
          await attempt(out, m, () => measure(s, hub, m, headers, body, false, connections));
        }
      }
    } finally {
      await hub.stop();
    }
    if (profileFile && fs.existsSync(profileFile)) out.profile = profileFile;
  }
  if (want('report') && s.multiProcess) {
    const hub = await startMultiProcess(env);
    try {
      const m1 = meta('one-subject report', 'multi-process', 1);
      await attempt(out, m1, () => measure(s, hub, m1, headers, one));
      if (want('batch')) {
        const body = JSON.stringify({ query: BATCH_REPORT, variables: { ids: batch } });
        const m = meta('20-subject batch report', 'multi-process', batch.length);
        await attempt(out, m, () => measure(s, hub, m, headers, body));
      }
    } finally {
      await hub.stop();
    }
  }
  if (want('floor')) {
    // On MySQL/MariaDB also the floor with its statements in one round trip, as the hub sends its small reads.
    for (const oneRoundTrip of url.startsWith('sqlite:') ? [false] : [false, true]) {
      const floor = await startFloor(env, url, oneRoundTrip);
      try {
        const m = meta('one-subject report', oneRoundTrip ? 'raw floor, one round trip' : 'raw floor', 1);
        await attempt(out, m, () => measure(s, floor, m, headers, one));
      } finally {
        await floor.stop();
      }
    }
  }
  fs.rmSync(keysDir, { recursive: true, force: true });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------

function markdown(report: BenchReport): string {
  const lines: string[] = [];
  lines.push(`# Benchmark results`, '');
  lines.push(
    `${report.startedAt} · ${report.machine.cores} cores (${report.machine.cpu}) · ${report.machine.memoryGb} GB · Node ${report.machine.node} · ` +
      `autocannon ${report.settings.connections} connections, ${report.settings.duration} s after ${report.settings.warmup} s warm-up · ` +
      `load generator, hub and database on this one machine`,
    '',
  );
  lines.push('| database | scenario | topology | data subjects | req/s | p50 ms | p95 ms | p99 ms | SQL/req | peak RSS MB | errors |');
  lines.push('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of report.results) {
    lines.push(
      `| ${r.database} | ${r.scenario} | ${r.topology} | ${r.dataSubjects.toLocaleString('en')} | ${r.requestsPerSecond} | ${r.latencyMs.p50} | ${r.latencyMs.p95} | ${r.latencyMs.p99} | ${r.sqlStatementsPerRequest ?? '–'} | ${r.peakRssMb} | ${r.non2xx + r.errors} |`,
    );
  }
  for (const k of report.skipped) lines.push(`| ${k.database} | ${k.scenario} | – | – | skipped: ${k.reason} | | | | | | |`);
  lines.push('');
  for (const r of report.results) {
    if (r.rssEveryTenSecondsMb?.length) lines.push(`RSS every 10 s, ${r.database} ${r.scenario} (${r.topology}), MB: ${r.rssEveryTenSecondsMb.join(', ')}`, '');
  }
  if (report.ratios.length) {
    lines.push('**Hub / raw floor** (one-subject report, in-process vs the bare `node:http` handler with hand-written SQL):', '');
    for (const r of report.ratios) lines.push(`- ${r.database}: ${r.hubRps} / ${r.floorRps} req/s = **${(r.ratio * 100).toFixed(1)}%** of the floor; p99 ${r.hubP99} ms vs ${r.floorP99} ms`);
    lines.push('');
  }
  if (report.scaleCurve) {
    lines.push(`**Scale curve** (${report.scaleCurve.database}, in-process):`, '');
    lines.push('| subjects | scenario | req/s | p50 ms | p95 ms | p99 ms |', '|---:|---|---:|---:|---:|---:|');
    for (const r of report.scaleCurve.points) lines.push(`| ${r.dataSubjects.toLocaleString('en')} | ${r.scenario} | ${r.requestsPerSecond} | ${r.latencyMs.p50} | ${r.latencyMs.p95} | ${r.latencyMs.p99} |`);
    lines.push('');
    for (const c of report.scaleCurve.ratios) lines.push(`- ${c.scenario}: mean latency at ${c.largest.toLocaleString('en')} / at ${c.smallest.toLocaleString('en')} subjects = **${c.meanRatio.toFixed(2)}×** (p50 ${c.p50Ratio.toFixed(2)}×, p99 ${c.p99Ratio.toFixed(2)}×)`);
    lines.push('');
  }
  if (report.profile) {
    lines.push(`**CPU profile** of the in-process one-subject scenario (${report.profile.database}, self time):`, '');
    lines.push('| self % | function | location |', '|---:|---|---|');
    for (const f of report.profile.top) lines.push(`| ${f.selfPercent.toFixed(1)} | ${f.functionName || '(anonymous)'} | ${f.location} |`);
    lines.push('');
  }
  return lines.join('\n') + '\n';
}

interface BenchReport {
  startedAt: string;
  machine: { cores: number; cpu: string; memoryGb: number; node: string; platform: string };
  settings: Settings & { mysql: string };
  results: ScenarioResult[];
  skipped: Skipped[];
  ratios: Array<{ database: string; hubRps: number; floorRps: number; ratio: number; hubP99: number; floorP99: number }>;
  scaleCurve?: {
    database: string;
    points: ScenarioResult[];
    ratios: Array<{ scenario: string; smallest: number; largest: number; meanRatio: number; p50Ratio: number; p99Ratio: number }>;
  };
  profile?: { database: string; file: string; top: Array<{ selfPercent: number; functionName: string; location: string }> };
}

async function main(): Promise<void> {
  const program = new Command()
    .name('bench')
    .description('政银担 hub benchmark: one-subject report, 20-subject batch, 1,000-subject cross-check and the raw floor on SQLite and MariaDB')
    .option('--duration <s>', 'measured seconds per scenario', Number, 10)
    .option('--warmup <s>', 'warm-up seconds per scenario', Number, 2)
    .option('--connections <n>', 'concurrent connections', Number, 32)
    .option('--subjects <n>', 'subjects in the benchmark databases (generated with seed --scale)', Number, 10_000)
    .option('--mysql <url>', 'MariaDB/MySQL database (dropped and recreated; default BENCH_MYSQL_URL or mysql://hub:hub@127.0.0.1:3306/hub_test_bench)')
    .option('--databases <list>', 'sqlite,mysql', 'sqlite,mysql')
    .option('--scenarios <list>', 'report,batch,crosscheck,floor', 'report,batch,crosscheck,floor')
    .option('--no-multi-process', 'skip the multi-process topology')
    .option('--scale-curve', 'also run the one-subject report and the 1,000-subject cross-check at each --scale-sizes (MariaDB; 1M takes ~5 min to generate once, then reused)')
    .option('--scale-sizes <list>', 'subject counts for --scale-curve', '10000,100000,1000000')
    .option('--reseed', 'regenerate databases even when one with the right size exists')
    .option('--cpu-prof', 'profile the hub process during the in-process scenarios (first database) and list the top self-time functions')
    .option('--profile-dir <dir>', 'with --cpu-prof: where the profile is written while running (default: a temporary directory; either way it is copied to --out as latest.cpuprofile)')
    .option('--out <dir>', 'where latest.json and latest.md go', path.resolve(__dirname, '../../bench/results'));
  program.parse();
  const o = program.opts<{
    duration: number;
    warmup: number;
    connections: number;
    subjects: number;
    mysql?: string;
    databases: string;
    scenarios: string;
    multiProcess: boolean;
    scaleCurve?: boolean;
    scaleSizes: string;
    reseed?: boolean;
    cpuProf?: boolean;
    profileDir?: string;
    out: string;
  }>();
  const mysqlUrl = o.mysql || process.env.BENCH_MYSQL_URL || 'mysql://hub:hub@127.0.0.1:3306/hub_test_bench';
  const s: Settings = { duration: o.duration, warmup: o.warmup, connections: o.connections, subjects: o.subjects, out: o.out, cpuProf: !!o.cpuProf, multiProcess: o.multiProcess };
  const scenarios = new Set(o.scenarios.split(',').map((x) => x.trim()));
  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.versions.node, platform: `${os.platform()} ${os.release()}` },
    settings: { ...s, mysql: redact(mysqlUrl) },
    results: [],
    skipped: [],
    ratios: [],
  };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-bench-'));
  const databases: Array<{ label: string; url: string }> = [];
  for (const d of o.databases.split(',').map((x) => x.trim())) {
    if (d === 'sqlite') databases.push({ label: 'SQLite', url: `sqlite:${path.join(os.tmpdir(), `hub-bench-${s.subjects}`, 'hub.sqlite')}` });
    else if (d === 'mysql') {
      const why = await mysqlReachable(mysqlUrl);
      if (why) {
        console.error(`MariaDB at ${redact(mysqlUrl)} is unreachable (${why}): skipping its scenarios`);
        report.skipped.push({ scenario: 'all scenarios', database: 'MariaDB', reason: `unreachable: ${why}` });
      } else databases.push({ label: 'MariaDB', url: mysqlUrl });
    }
  }
  let profileDb: string | undefined;
  for (const [i, d] of databases.entries()) {
    const profileDir = s.cpuProf && i === 0 ? path.resolve(o.profileDir ?? path.join(work, 'profile')) : undefined;
    if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
    const run = await runDatabase(s, d.label, d.url, { subjects: s.subjects, reseed: !!o.reseed, scenarios, profileDir });
    report.results.push(...run.results);
    report.skipped.push(...run.skipped);
    if (run.profile) {
      profileDb = d.label;
      report.profile = { database: d.label, file: run.profile, top: summarizeProfile(run.profile, 15) };
    }
  }
  for (const d of databases) {
    const hub = report.results.find((r) => r.database === d.label && r.topology === 'in-process' && r.subjectsPerRequest === 1);
    const floor = report.results.find((r) => r.database === d.label && r.topology === 'raw floor');
    if (hub && floor) report.ratios.push({ database: d.label, hubRps: hub.requestsPerSecond, floorRps: floor.requestsPerSecond, ratio: hub.requestsPerSecond / floor.requestsPerSecond, hubP99: hub.latencyMs.p99, floorP99: floor.latencyMs.p99 });
    const batched = report.results.find((r) => r.database === d.label && r.topology === 'raw floor, one round trip');
    if (hub && batched) report.ratios.push({ database: `${d.label} (floor in one round trip)`, hubRps: hub.requestsPerSecond, floorRps: batched.requestsPerSecond, ratio: hub.requestsPerSecond / batched.requestsPerSecond, hubP99: hub.latencyMs.p99, floorP99: batched.latencyMs.p99 });
  }

  if (o.scaleCurve) {
    const why = await mysqlReachable(mysqlUrl);
    if (why) report.skipped.push({ scenario: 'scale curve', database: 'MariaDB', reason: `unreachable: ${why}` });
    else {
      const sizes = o.scaleSizes.split(',').map(Number).filter((n) => n > 0).sort((a, b) => a - b);
      const points: ScenarioResult[] = [];
      for (const size of sizes) {
        const u = new URL(mysqlUrl);
        u.pathname = `${u.pathname}_${size >= 1_000_000 ? `${size / 1_000_000}m` : `${size / 1000}k`}`;
        const run = await runDatabase(s, 'MariaDB', u.toString(), { subjects: size, reseed: !!o.reseed, scenarios: new Set(['report', 'crosscheck']), profileDir: undefined });
        points.push(...run.results.filter((r) => r.topology === 'in-process'));
        report.skipped.push(...run.skipped.map((k) => ({ ...k, scenario: `${k.scenario} (scale ${size})` })));
      }
      const ratios: NonNullable<BenchReport['scaleCurve']>['ratios'] = [];
      for (const scenario of [...new Set(points.map((p) => p.scenario.replace(/[\d,]+ subjects/, 'N subjects')))]) {
        const series = points.filter((p) => p.scenario.replace(/[\d,]+ subjects/, 'N subjects') === scenario).sort((a, b) => a.dataSubjects - b.dataSubjects);
        if (series.length < 2) continue;
        const [lo, hi] = [series[0], series[series.length - 1]];
        ratios.push({ scenario: lo.scenario, smallest: lo.dataSubjects, largest: hi.dataSubjects, meanRatio: hi.latencyMs.mean / lo.latencyMs.mean, p50Ratio: hi.latencyMs.p50 / lo.latencyMs.p50, p99Ratio: hi.latencyMs.p99 / lo.latencyMs.p99 });
      }
      report.scaleCurve = { database: 'MariaDB', points, ratios };
    }
  }

  fs.mkdirSync(s.out, { recursive: true });
  fs.writeFileSync(path.join(s.out, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
  fs.writeFileSync(path.join(s.out, 'latest.md'), markdown(report));
  if (report.profile) fs.copyFileSync(report.profile.file, path.join(s.out, 'latest.cpuprofile'));
  fs.rmSync(work, { recursive: true, force: true });
  console.error(`\nwrote ${path.join(s.out, 'latest.json')} and latest.md${profileDb ? ` (profile: ${profileDb})` : ''}`);
  process.stdout.write(markdown(report));
}

main().catch((e: Error) => {
  console.error(`bench: ${e.stack ?? e.message}`);
  process.exit(1);
});
