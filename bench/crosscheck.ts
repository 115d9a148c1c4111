/**
 * Cross-check benchmark: `npm run build && node dist/bench/crosscheck.js --mysql mysql://hub:hub@127.0.0.1:3306/hub_bench [--subjects 1000000] [--checks 10000] [--runs 5] [--profile runs.cpuprofile]`
 *
 * 1. Generates (or reuses, when the database already holds enough) a MariaDB database with `--subjects`
 *    registry subjects and about 3 contracts per subject: 2 loans each, a guarantee on 45% of the loans,
 *    a compensation (代偿) on 10% of the guarantees. Ids come from the demo's `uscc()` helper (valid check
 *    characters); rows go in with mysql2 multi-row INSERTs, 2,000 rows per statement, in subject order.
 * 2. Starts the real gateway in-process over that database, gives BANK-CQCB approvals and consents for the
 *    sampled subjects (so the policy does its full work), refreshes the circuit-breaker states once, then
 *    times `crossCheck` of `--checks` random subjects over HTTP (`--runs` times after a warm-up) and counts
 *    the SQL statements the hub sent per call, also at 100 and 1,000 subjects to show the count does not
 *    grow with the number of subjects.
 */
import './deployed-mode';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { loadConfig, type HubConfig } from '../src/config';
import { openDatabase, type Database } from '../src/db/datasource';
import { insertRows } from '../src/db/bulk';
import { isDatabaseEmpty, seedDemo } from '../src/demo/seed';
import { seededRandom } from '../src/demo/random';
import { uscc } from '../src/demo/subjects';
import { evaluateCooperations } from '../src/exposure/supervision/store';
import { startGateway } from '../src/gateway/hub';
import { signCallerToken } from '../src/identity/caller';
import { loadOrCreateKey } from '../src/identity/keys';
import type { DatasetCode } from '../src/policy/catalog';
import { DATASETS } from '../src/policy/datasets';
import { DataUseApplication, SubjectConsent } from '../src/policy/entities';
import { Purpose } from '../src/policy/purposes';
import { CHONGQING_REGIONS } from '../src/registry/regions';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const url = arg('mysql');
if (!url) {
  process.stderr.write('usage: node dist/bench/crosscheck.js --mysql mysql://user:pass@host:3306/db [--subjects 1000000] [--checks 10000] [--runs 5] [--max-generate-seconds 600]\n');
  process.exit(2);
}
const SUBJECTS = Number(arg('subjects', '1000000'));
const CHECKS = Number(arg('checks', '10000'));
const RUNS = Number(arg('runs', '5'));
/** `--profile <file.cpuprofile>`: a V8 CPU profile of the measured runs only (the hub runs in this process). */
const PROFILE = arg('profile');
const MAX_GENERATE_MS = Number(arg('max-generate-seconds', '600')) * 1000;
const ROWS_PER_INSERT = 2000;
const BANKS = ['BANK-CQRCB', 'BANK-CQCB', ...Array.from({ length: 8 }, (_, i) => `BANK-B${String(i + 3).padStart(2, '0')}`)];
const GUARANTORS = ['CQ-SXG', 'WZ-GUAR', 'CQ-REGUAR', ...Array.from({ length: 17 }, (_, i) => `GUAR-G${String(i + 4).padStart(2, '0')}`)];
const DISTRICTS = Object.keys(CHONGQING_REGIONS).filter((c) => c !== '500000');
const log = (s: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);

async function count(db: Database, table: string): Promise<number> {
  const [row] = (await db.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`)) as Array<{ n: string | number }>;
  return Number(row.n);
}

const q = (s: string) => `'${s}'`;

async function generate(db: Database, mysqlUrl: string): Promise<void> {
  const have = await count(db, 'registry_enterprise');
  if (have >= SUBJECTS && (await count(db, 'exposure_loan')) >= SUBJECTS) {
    log(`reusing: ${have} enterprises already present`);
    return;
  }
  const mysql = await import('mysql2/promise');
  const pool = mysql.createPool({ uri: mysqlUrl.replace(/^mariadb:/, 'mysql:'), connectionLimit: 3, multipleStatements: false });
  await pool.query('SET SESSION unique_checks = 0');
  const started = Date.now();
  const rng = seededRandom(4242);
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const dayOffset = (d: number) => new Date(Date.parse(`${today}T00:00:00Z`) + d * 86_400_000).toISOString().slice(0, 10);
  const int = (a: number, b: number) => a + Math.floor(rng() * (b - a + 1));
  const ids = new Set<string>();
  // Existing subjects (the demo's) are kept; generated ones are new USCCs.
  while (ids.size < SUBJECTS - have) ids.add(uscc(rng, '91', DISTRICTS[Math.floor(rng() * DISTRICTS.length)]));
  const sorted = [...ids].sort();
  log(`generated ${sorted.length} subject ids in ${Date.now() - started} ms`);
  const now = new Date().toISOString().slice(0, 23).replace('T', ' ');
  let loanSeq = 0;
  let guaranteeSeq = 0;
  let compSeq = 0;
  let inFlight: Promise<unknown>[] = [];
  const flush = async (table: string, cols: string, rows: string[]) => {
    if (!rows.length) return;
    inFlight.push(pool.query(`INSERT INTO ${table} (${cols}) VALUES ${rows.join(',')}`));
    if (inFlight.length >= 3) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  };
  const E_COLS = 'id, name, kind, legal_representative, legal_representative_id, registered_capital_fen, established_on, region_code, industry_code, industry_name, status, scale, address, department_code, data_as_of, published_at';
  const L_COLS = 'contract_no, bank_code, subject_id, amount_fen, balance_fen, start_date, maturity_date, status, overdue_days, overdue_amount_fen, interest_rate, `usage`, guarantee_contract_no, reported_at, source_record_id, version, is_current';
  const G_COLS = 'contract_no, guarantor_code, bank_code, subject_id, amount_fen, balance_fen, start_date, end_date, status, fee_rate, bank_share, guarantor_share, reguarantee_share, national_fund_share, reguarantor_code, small_micro_agri, reported_at, source_record_id, version, is_current';
  const C_COLS = 'guarantee_contract_no, guarantor_code, bank_code, subject_id, amount_fen, paid_on, recovered_amount_fen, reported_at, source_record_id, version, is_current';
  let e: string[] = [];
  let l: string[] = [];
  let g: string[] = [];
  let c: string[] = [];
  let done = 0;
  for (const id of sorted) {
    if (Date.now() - started > MAX_GENERATE_MS) {
      log(`generation time limit reached after ${done} subjects`);
      break;
    }
    const region = id.slice(2, 8);
    e.push(`(${q(id)},'重庆基准测试${done}有限公司','ENTERPRISE','张三',NULL,${int(10, 500) * 1_000_000},${q(dayOffset(-int(300, 5000)))},${q(region)},'F5211','百货零售','OPERATING','SMALL','重庆市','CQ-AMR',${q(today)},'${now}')`);
    for (let k = 0; k < 2; k++) {
      const bank = BANKS[Math.floor(rng() * BANKS.length)];
      const amount = int(5, 800) * 1_000_000;
      const roll = rng();
      const status = roll < 0.75 ? 'NORMAL' : roll < 0.82 ? 'OVERDUE' : roll < 0.98 ? 'SETTLED' : 'WRITTEN_OFF';
      const balance = status === 'SETTLED' ? 0 : Math.round(amount * (0.3 + 0.7 * rng()));
      const overdueDays = status === 'OVERDUE' ? int(1, 200) : status === 'WRITTEN_OFF' ? 365 : 0;
      const start = dayOffset(-int(20, 1500));
      const maturity = dayOffset(int(-300, 700));
      const loanNo = `BL${++loanSeq}`;
      let gNo = 'NULL';
      if (rng() < 0.45) {
        const guarantor = GUARANTORS[Math.floor(rng() * GUARANTORS.length)];
        const gStatus = status === 'SETTLED' ? 'RELEASED' : status === 'WRITTEN_OFF' || rng() < 0.02 ? 'COMPENSATED' : 'ACTIVE';
        const contract = `BG${++guaranteeSeq}`;
        gNo = q(contract);
        const reg = rng() < 0.8;
        g.push(
          `(${q(contract)},${q(guarantor)},${q(bank)},${q(id)},${amount},${gStatus === 'ACTIVE' ? balance : 0},${q(start)},${q(maturity)},${q(gStatus)},${[0.5, 0.8, 1.0, 1.5][Math.floor(rng() * 4)]},20,${reg ? 40 : 80},${reg ? 20 : 0},${reg ? 20 : 0},${reg ? "'CQ-REGUAR'" : 'NULL'},${rng() < 0.85 ? 1 : 0},'${now}',${q(`S-${contract}`)},1,1)`,
        );
        if (gStatus === 'COMPENSATED' || rng() < 0.2) {
          const paid = dayOffset(-int(1, 1800));
          c.push(`(${q(contract)},${q(guarantor)},${q(bank)},${q(id)},${Math.round(amount * 0.8 * rng())},${q(paid)},0,'${now}',${q(`C-${++compSeq}`)},1,1)`);
        }
      }
      l.push(`(${q(loanNo)},${q(bank)},${q(id)},${amount},${balance},${q(start)},${q(maturity)},${q(status)},${overdueDays},${status === 'OVERDUE' ? Math.round(balance * 0.1) : 0},3.85,'流动资金',${gNo},'${now}',${q(`S-${loanNo}`)},1,1)`);
    }
    done++;
    if (e.length >= ROWS_PER_INSERT) (await flush('registry_enterprise', E_COLS, e), (e = []));
    if (l.length >= ROWS_PER_INSERT) (await flush('exposure_loan', L_COLS, l), (l = []));
    if (g.length >= ROWS_PER_INSERT) (await flush('exposure_guarantee', G_COLS, g), (g = []));
    if (c.length >= ROWS_PER_INSERT) (await flush('exposure_compensation', C_COLS, c), (c = []));
    if (done % 100_000 === 0) log(`${done} subjects, ${loanSeq} loans, ${guaranteeSeq} guarantees, ${compSeq} compensations, ${Math.round((Date.now() - started) / 1000)} s`);
  }
  await flush('registry_enterprise', E_COLS, e);
  await flush('exposure_loan', L_COLS, l);
  await flush('exposure_guarantee', G_COLS, g);
  await flush('exposure_compensation', C_COLS, c);
  await Promise.all(inFlight);
  await pool.end();
  log(`generated ${done} subjects, ${loanSeq + guaranteeSeq + compSeq} contracts (${loanSeq} loans, ${guaranteeSeq} guarantees, ${compSeq} compensations) in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function grant(db: Database, org: string, subjectIds: string[]): Promise<void> {
  const now = Date.now();
  const year = 365 * 86_400_000;
  const datasets = Object.keys(DATASETS) as DatasetCode[];
  await db.dataSource.query('DELETE FROM policy_subject_consent WHERE grantee_code = ?', [org]).catch(() => undefined);
  await insertRows(
    db.dataSource.manager,
    SubjectConsent,
    subjectIds.map(
      (subjectId) =>
        ({
          id: randomUUID(),
          subjectId,
          granteeCode: org,
          purposes: [Purpose.LOAN_APPROVAL],
          datasets,
          validFrom: new Date(now - 60_000),
          validTo: new Date(now + year),
          evidenceSha256: createHash('sha256').update(subjectId).digest('hex'),
          registeredBy: org,
          registeredAt: new Date(now - 60_000),
          revokedAt: null,
          revokedBy: null,
          revocationReason: null,
        }) as SubjectConsent,
    ),
    1000,
  );
  void DataUseApplication; // approvals for BANK-CQCB come from the demo seed
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const db = await openDatabase(url!, { migrate: true });
  if (await isDatabaseEmpty(db)) {
    log('seeding demo institutions and approvals');
    await seedDemo(db);
  }
  await generate(db, url!);
  const totals = {
    subjects: (await count(db, 'registry_enterprise')) + (await count(db, 'registry_agri_entity')),
    loans: await count(db, 'exposure_loan'),
    guarantees: await count(db, 'exposure_guarantee'),
    compensations: await count(db, 'exposure_compensation'),
  };
  log(`database: ${JSON.stringify(totals)} (contracts: ${totals.loans + totals.guarantees + totals.compensations})`);

  let t0 = Date.now();
  const coops = await evaluateCooperations(db);
  log(`circuit-breaker refresh over all cooperations: ${coops.length} cooperations, ${coops.filter((c) => c.suspended).length} suspended, ${Date.now() - t0} ms`);

  const org = 'BANK-CQCB';
  const rng = seededRandom(777);
  const all = ((await db.dataSource.query('SELECT id FROM registry_enterprise')) as Array<{ id: string }>).map((r) => r.id);
  const samples: string[][] = [];
  for (let r = 0; r < RUNS + 1; r++) {
    const pick = new Set<string>();
    while (pick.size < Math.min(CHECKS, all.length)) pick.add(all[Math.floor(rng() * all.length)]);
    samples.push([...pick]);
  }
  log(`granting consents to ${org} for ${samples.flat().length} sampled subjects`);
  await grant(db, org, [...new Set(samples.flat())]);

  // A 10,000-subject cross-check costs ~30 fields × 10,000 in the gateway's operation-cost estimate and names
  // 10,000 subjects against the daily lookup quota: raise both for banks here (defaults are 60,000 and 50,000/day).
  const env = { HUB_LIMIT_MAX_COST_BANK: '2000000', HUB_QUOTA_SUBJECTS_PER_DAY_BANK: '100000000', HUB_RATE_LIMIT_RPS: '1000', HUB_LOG_LEVEL: 'warn', ...process.env };
  const config: HubConfig = { ...loadConfig(env), databaseUrl: url!, keysDir: fs.mkdtempSync(path.join(os.tmpdir(), 'hub-bench-keys-')), port: 0, maxBodyBytes: 5_000_000 };
  const gateway = await startGateway({ config, db, port: 0 });
  const token = await signCallerToken(await loadOrCreateKey(config.keysDir, 'issuer'), config, { org });
  const query = `query($ids: [String!]!, $p: Money) { crossCheck(subjectIds: $ids, proposedGuaranteeAmount: $p) {
    subjectId totalLoanBalance activeLoanCount lendingInstitutionCount overdue maxOverdueDays othersLoanBalance othersActiveLoanCount
    totalGuaranteeBalance activeGuaranteeCount guaranteeInstitutionCount othersGuaranteeBalance compensationCount compensationTotal compensationSince
    focusLine exceedsFocusLine focusLineHeadroom guaranteeBalanceWithProposal proposalExceedsFocusLine cooperationSuspended suspendedCounterparties
    ownLoans { contractNo balance status overdueDays } } }`;
  const call = async (ids: string[]) => {
    const before = db.sql.statements;
    const t = performance.now();
    const res = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-hub-purpose': 'LOAN_APPROVAL' },
      body: JSON.stringify({ query, variables: { ids, p: '1000000.00' } }),
    });
    const text = await res.text();
    const ms = performance.now() - t;
    // Server time: what the gateway reports (Server-Timing), without this client's download and JSON parsing.
    const timing = res.headers.get('server-timing') ?? '';
    const serverMs = Number(/hub;dur=([\d.]+)/.exec(timing)?.[1] ?? NaN);
    // Of which: waiting for the access log's commit after the answer was computed.
    const logWaitMs = Number(/log;dur=([\d.]+)/.exec(timing)?.[1] ?? NaN);
    const body = JSON.parse(text) as { data?: { crossCheck: unknown[] }; errors?: Array<{ message: string }> };
    if (!body.data?.crossCheck) throw new Error(`crossCheck failed: ${JSON.stringify(body.errors?.slice(0, 3))}`);
    return { ms, serverMs, logWaitMs, bytes: text.length, statements: db.sql.statements - before, results: body.data.crossCheck.length, errors: body.errors?.length ?? 0 };
  };
  // Warm-up (plans, caches, JIT).
  const warm = await call(samples[0]);
  log(`warm-up: ${warm.results} results, ${warm.ms.toFixed(0)} ms, ${warm.statements} statements, ${warm.errors} errors`);
  for (const n of [1, 100, 1000]) {
    const r = await call(samples[1].slice(0, n));
    log(`crossCheck of ${n} subjects: ${r.ms.toFixed(0)} ms, ${r.statements} statements`);
  }
  const times: number[] = [];
  const serverTimes: number[] = [];
  const inspector = PROFILE ? new Session() : undefined;
  if (inspector) {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.start');
  }
  let statements = 0;
  for (let r = 1; r <= RUNS; r++) {
    const res = await call(samples[r]);
    times.push(res.ms);
    serverTimes.push(res.serverMs);
    statements = res.statements;
    log(`run ${r}: ${res.results} subjects, ${res.ms.toFixed(0)} ms at the client (server ${res.serverMs.toFixed(0)} ms, of which ${res.logWaitMs.toFixed(0)} ms waiting for the access log), ${(res.bytes / 1e6).toFixed(1)} MB, ${res.statements} statements, ${res.errors} errors`);
  }
  if (inspector) {
    const { profile } = await inspector.post('Profiler.stop');
    fs.writeFileSync(PROFILE!, JSON.stringify(profile));
    inspector.disconnect();
    log(`CPU profile of the measured runs: ${PROFILE}`);
  }
  // Where the time goes: the database part alone (the same statements, no GraphQL).
  const { crossCheck } = await import('../src/exposure/crosscheck');
  t0 = Date.now();
  await crossCheck(db, { type: 'BANK' as never, orgCode: org, userId: 'bench' }, samples[1]);
  const dbOnly = Date.now() - t0;
  log(`SUMMARY subjects=${totals.subjects} contracts=${totals.loans + totals.guarantees + totals.compensations} crossCheck(${CHECKS}) server median=${median(serverTimes).toFixed(0)} ms, client median=${median(times).toFixed(0)} ms min=${Math.min(...times).toFixed(0)} ms max=${Math.max(...times).toFixed(0)} ms statements=${statements} dbQueriesOnly=${dbOnly} ms`);
  await gateway.stop();
  await db.dataSource.destroy();
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
