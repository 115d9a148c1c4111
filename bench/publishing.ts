import './deployed-mode';
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig, type HubConfig } from '../src/config';
import { openDatabase, redact, type Database } from '../src/db/datasource';
import { seedDemo } from '../src/demo/seed';
import { CallerType, signCallerToken, type Caller } from '../src/identity/caller';
import { loadOrCreateKey } from '../src/identity/keys';
import { cstToday, minusDays, type PublishRecord } from '../src/publishing/adapter';
import { importFile } from '../src/publishing/import-file';
import { MAX_BATCH_RECORDS, publishBatch } from '../src/publishing/pipeline';
import { rawSqlite } from '../src/publishing/sql';

/**
 * Publishing throughput (issue 5): records/s for
 *   1. the API path, calling publishBatch directly (batches of 5,000, new records);
 *   2. the same via GraphQL through the gateway over HTTP (2,000 records per request by default: the 1 MB body limit),
 *      one uploader sending batch after batch, and two uploaders in parallel;
 *   3. the file path (`hub import` of a CSV, batches of 5,000);
 *   4. an identical re-send through publishBatch (every record recognised as unchanged);
 *   5. the floor: a raw multi-row INSERT of the same rows into the same table (mysql2 / better-sqlite3
 *      directly, 1,000 rows per statement, one transaction per 5,000), in the same run.
 *
 *   npm run build && node dist/bench/publishing.js [--mysql mysql://hub:hub@127.0.0.1:3306] [--rows 100000]
 *
 * With --mysql a fresh database hub_test_bench_pub is created on that server.
 */

interface Settings {
  mysql?: string;
  rows: number;
  graphqlRows: number;
  graphqlBatch: number;
  out?: string;
}

const TAX: Caller = { type: CallerType.DEPARTMENT, orgCode: 'CQ-TAX', userId: 'CQ-TAX/bench' };

async function openBenchDatabase(settings: Settings): Promise<{ url: string; db: Database }> {
  if (settings.mysql) {
    const url = new URL(settings.mysql);
    const mysql = await import('mysql2/promise');
    const admin = await mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) });
    await admin.query('DROP DATABASE IF EXISTS hub_test_bench_pub');
    await admin.query('CREATE DATABASE hub_test_bench_pub CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    await admin.end();
    url.pathname = '/hub_test_bench_pub';
    return { url: url.toString(), db: await openDatabase(url.toString(), { migrate: true }) };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-bench-pub-'));
  const url = `sqlite:${path.join(dir, 'hub.sqlite')}`;
  return { url, db: await openDatabase(url, { migrate: true }) };
}

function records(prefix: string, n: number, subjects: string[], asOf: string): PublishRecord[] {
  const out: PublishRecord[] = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = {
      sourceRecordId: `${prefix}-${i}`,
      subjectId: subjects[i % subjects.length],
      dataAsOf: asOf,
      fields: { taxYear: 2025, rating: 'ABMCD'[i % 5], taxPaid: `${(i % 90000) + 1000}.${String(i % 100).padStart(2, '0')}`, vatPaid: '500.00', taxArrears: '0' },
    };
  }
  return out;
}

const rate = (n: number, ms: number) => Math.round((n * 1000) / ms);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** The floor: the same rows, same table, as raw multi-row INSERTs, no validation, no versioning, no log. */
async function rawInsert(db: Database, url: string, rows: PublishRecord[]): Promise<number> {
  const columns = ['subject_id', 'source_record_id', 'version', 'current', 'department_code', 'data_as_of', 'published_at', 'tax_year', 'rating', 'tax_paid_fen', 'vat_paid_fen', 'tax_arrears_fen'];
  const at = new Date().toISOString().replace('T', ' ').replace('Z', '');
  const tuple = (r: PublishRecord) => {
    const f = r.fields as { taxYear: number; rating: string; taxPaid: string; vatPaid: string };
    return [r.subjectId, r.sourceRecordId, 1, 1, 'CQ-TAX', r.dataAsOf, at, f.taxYear, f.rating, Math.round(Number(f.taxPaid) * 100), Math.round(Number(f.vatPaid) * 100), 0];
  };
  if (db.kind === 'sqlite') {
    const conn = rawSqlite(db);
    return timed(async () => {
      for (let b = 0; b < rows.length; b += MAX_BATCH_RECORDS) {
        conn.exec('BEGIN IMMEDIATE');
        for (let i = b; i < Math.min(b + MAX_BATCH_RECORDS, rows.length); i += 1000) {
          const part = rows.slice(i, Math.min(i + 1000, b + MAX_BATCH_RECORDS, rows.length));
          const sql = `INSERT INTO credit_tax_record (${columns.join(', ')}) VALUES ${part.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ')}`;
          conn.prepare(sql).run(...part.flatMap(tuple));
        }
        conn.exec('COMMIT');
      }
    });
  }
  const mysql = await import('mysql2/promise');
  const conn = await mysql.createConnection(url.replace(/^mariadb:/, 'mysql:'));
  try {
    return await timed(async () => {
      for (let b = 0; b < rows.length; b += MAX_BATCH_RECORDS) {
        await conn.beginTransaction();
        for (let i = b; i < Math.min(b + MAX_BATCH_RECORDS, rows.length); i += 1000) {
          const part = rows.slice(i, Math.min(i + 1000, b + MAX_BATCH_RECORDS, rows.length));
          await conn.query(`INSERT INTO credit_tax_record (${columns.join(', ')}) VALUES ?`, [part.map(tuple)]);
        }
        await conn.commit();
      }
    });
  } finally {
    await conn.end();
  }
}

async function viaGraphQL(db: Database, url: string, rows: PublishRecord[], per: number, clients = 1): Promise<number> {
  const { startGateway } = await import('../src/gateway/hub');
  // 2,000 records fit the default 1 MB body limit; larger batches need HUB_MAX_BODY_BYTES raised (set here accordingly).
  const config: HubConfig = {
    ...loadConfig({}),
    databaseUrl: url,
    keysDir: fs.mkdtempSync(path.join(os.tmpdir(), 'hub-bench-keys-')),
    port: 0,
    maxBodyBytes: Math.max(loadConfig({}).maxBodyBytes, per * 400),
  };
  const gateway = await startGateway({ config, db, port: 0 });
  const token = await signCallerToken(await loadOrCreateKey(config.keysDir, 'issuer'), config, { org: 'CQ-TAX' });
  const query = `mutation($records: [PublishRecordInput!]!, $key: String!) { publishRecords(dataset: "tax", records: $records, idempotencyKey: $key) { status created rejectedCount } }`;
  try {
    const post = async (part: PublishRecord[], i: number) => {
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables: { records: part, key: `bench-gql-${part[0].sourceRecordId}-${i}` } }),
      });
      const body = (await res.json()) as { data?: { publishRecords: { status: string; created: number } }; errors?: unknown[] };
      if (body.errors || body.data?.publishRecords.created !== part.length) throw new Error(`GraphQL batch ${i}: ${JSON.stringify(body).slice(0, 500)}`);
    };
    await post(rows.slice(0, 10).map((r) => ({ ...r, sourceRecordId: `${r.sourceRecordId}-warm` })), -1); // warm-up: schema, query plan
    // `clients` uploaders in parallel, each sending its share of the batches one after the other.
    return await timed(async () => {
      const starts: number[] = [];
      for (let i = 0; i < rows.length; i += per) starts.push(i);
      await Promise.all(
        Array.from({ length: clients }, async (_, c) => {
          for (let k = c; k < starts.length; k += clients) await post(rows.slice(starts[k], starts[k] + per), starts[k]);
        }),
      );
    });
  } finally {
    await gateway.stop();
  }
}

async function main(settings: Settings): Promise<void> {
  const { url, db } = await openBenchDatabase(settings);
  try {
    await seedDemo(db, { now: new Date() });
    const subjects = ((await db.dataSource.query(`SELECT id FROM registry_enterprise ORDER BY id`)) as Array<{ id: string }>).map((r) => r.id);
    const asOf = minusDays(cstToday(new Date()), 1);
    const n = settings.rows;
    process.stderr.write(`publishing bench on ${redact(url)}: ${n} records per path over ${subjects.length} subjects\n`);

    // 5. The raw floor first, on the table before the other paths grow it (conservative for the ratios).
    const rawMs = await rawInsert(db, url, records('RAW', n, subjects, asOf));
    // 1. API path, direct.
    const api = records('API', n, subjects, asOf);
    const apiMs = await timed(async () => {
      for (let i = 0; i < n; i += MAX_BATCH_RECORDS) {
        const r = await publishBatch(db, TAX, { dataset: 'tax', records: api.slice(i, i + MAX_BATCH_RECORDS), idempotencyKey: `bench-api-${i}` });
        if (r.created !== Math.min(MAX_BATCH_RECORDS, n - i)) throw new Error(`API batch ${i}: ${JSON.stringify(r).slice(0, 300)}`);
      }
    });
    // 4. Identical re-send (all unchanged).
    const resendMs = await timed(async () => {
      for (let i = 0; i < n; i += MAX_BATCH_RECORDS) {
        const r = await publishBatch(db, TAX, { dataset: 'tax', records: api.slice(i, i + MAX_BATCH_RECORDS), idempotencyKey: `bench-resend-${i}` });
        if (r.unchanged !== Math.min(MAX_BATCH_RECORDS, n - i)) throw new Error(`re-send batch ${i}: ${JSON.stringify(r).slice(0, 300)}`);
      }
    });
    // 2. GraphQL through the gateway.
    const gqlRows = records('GQL', settings.graphqlRows, subjects, asOf);
    const gqlMs = await viaGraphQL(db, url, gqlRows, settings.graphqlBatch);
    const gql2Ms = await viaGraphQL(db, url, records('GQL2', settings.graphqlRows, subjects, asOf), settings.graphqlBatch, 2);
    // 3. File path.
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hub-bench-csv-')), 'tax.csv');
    const csv = fs.createWriteStream(file);
    csv.write('sourceRecordId,subjectId,dataAsOf,taxYear,rating,taxPaid,vatPaid,taxArrears\n');
    for (const r of records('FILE', n, subjects, asOf)) {
      const f = r.fields as Record<string, string | number>;
      csv.write(`${r.sourceRecordId},${r.subjectId},${r.dataAsOf},${f.taxYear},${f.rating},${f.taxPaid},${f.vatPaid},${f.taxArrears}\n`);
    }
    await new Promise((r) => csv.end(r));
    let fileSummary: Awaited<ReturnType<typeof importFile>> | null = null;
    const fileMs = await timed(async () => {
      fileSummary = await importFile(db, TAX, { dataset: 'tax', file, batchSize: MAX_BATCH_RECORDS, partial: true });
    });
    if (fileSummary!.created !== n) throw new Error(`file import stored ${fileSummary!.created} of ${n}`);

    const raw = rate(n, rawMs);
    const results = {
      database: db.kind,
      rows: n,
      graphqlRows: settings.graphqlRows,
      graphqlBatch: settings.graphqlBatch,
      recordsPerSecond: {
        apiDirect: rate(n, apiMs),
        apiGraphQL: rate(settings.graphqlRows, gqlMs),
        apiGraphQL2Clients: rate(settings.graphqlRows, gql2Ms),
        file: rate(n, fileMs),
        identicalResend: rate(n, resendMs),
        rawInsert: raw,
      },
      ratioToRaw: {
        apiDirect: +(rate(n, apiMs) / raw).toFixed(3),
        apiGraphQL: +(rate(settings.graphqlRows, gqlMs) / raw).toFixed(3),
        apiGraphQL2Clients: +(rate(settings.graphqlRows, gql2Ms) / raw).toFixed(3),
        file: +(rate(n, fileMs) / raw).toFixed(3),
      },
      targets: { recordsPerSecond: 10_000, ratioToRaw: 0.25 },
    };
    process.stdout.write(JSON.stringify(results, null, 2) + '\n');
    if (settings.out) fs.writeFileSync(settings.out, JSON.stringify(results, null, 2) + '\n');
  } finally {
    await db.dataSource.destroy();
  }
}

const program = new Command()
  .name('bench-publishing')
  .option('--mysql <url>', 'MySQL/MariaDB server URL (user with CREATE/DROP on hub_test_bench_pub); default: a temporary SQLite file')
  .option('--rows <n>', 'records per path', (v) => Number(v), 100_000)
  .option('--graphql-rows <n>', 'records through GraphQL', (v) => Number(v), 50_000)
  .option('--graphql-batch <n>', 'records per GraphQL request (2,000 fit the default 1 MB body limit)', (v) => Number(v), 2000)
  .option('--out <file>', 'also write the JSON results here')
  .action(async (opts: { mysql?: string; rows: number; graphqlRows: number; graphqlBatch: number; out?: string }) => {
    await main({ mysql: opts.mysql, rows: opts.rows, graphqlRows: opts.graphqlRows, graphqlBatch: opts.graphqlBatch, out: opts.out });
  });

program.parseAsync(process.argv).catch((e: Error) => {
  console.error(`bench-publishing: ${e.stack ?? e.message}`);
  process.exit(1);
});
