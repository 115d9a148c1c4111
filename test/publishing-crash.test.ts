import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../src/db/datasource';
import { seedDemo } from '../src/demo/seed';
import { CallerType, type Caller } from '../src/identity/caller';
import { cstToday, minusDays } from '../src/publishing/adapter';
import { importFile } from '../src/publishing/import-file';
import { ROWS_PER_STATEMENT } from '../src/publishing/pipeline';
import { freshDatabase, onMysql } from './support/db';

/**
 * A real crash: a child process runs the file import and is killed with SIGKILL while a batch's transaction
 * is open (the test hook parks it inside the transaction after the first INSERT chunk of the fifth batch).
 * The committed batches stay, the open one leaves nothing, and re-running the import completes the file
 * exactly once.
 */

const ROOT = path.resolve(__dirname, '..');
const TAX: Caller = { type: CallerType.DEPARTMENT, orgCode: 'CQ-TAX', userId: 'CQ-TAX/cli' };

/** The child: TypeScript through @swc/core's require hook (what jest uses), then importFile with the crash hook. */
const CHILD = `
const fs = require('node:fs');
const swc = require(${JSON.stringify(path.join(ROOT, 'node_modules/@swc/core'))});
require.extensions['.ts'] = (m, filename) => {
  const out = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false } },
    module: { type: 'commonjs' },
  });
  m._compile(out.code, filename);
};
require(${JSON.stringify(path.join(ROOT, 'node_modules/reflect-metadata'))});
const { openDatabase } = require(${JSON.stringify(path.join(ROOT, 'src/db/datasource.ts'))});
const { importFile } = require(${JSON.stringify(path.join(ROOT, 'src/publishing/import-file.ts'))});
const { publishingTestHooks } = require(${JSON.stringify(path.join(ROOT, 'src/publishing/pipeline.ts'))});
(async () => {
  const [url, file] = process.argv.slice(2, 4);
  const db = await openDatabase(url);
  let calls = 0;
  publishingTestHooks.beforeInsertChunk = () => {
    // 2 INSERT statements per batch: call 10 is the second of the fifth batch, after its first was written.
    if (++calls === 10) {
      process.stdout.write('IN_TRANSACTION\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
    }
  };
  await importFile(db, { type: 'DEPARTMENT', orgCode: 'CQ-TAX', userId: 'CQ-TAX/cli' }, { dataset: 'tax', file, batchSize: Number(process.argv[4]) });
  process.stdout.write('DONE\\n');
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(2); });
`;

async function count(db: Database, sql: string): Promise<number> {
  return Number(((await db.dataSource.query(sql)) as Array<{ n: unknown }>)[0].n);
}

describe(`hub import killed mid-batch (${onMysql ? 'MariaDB' : 'SQLite'})`, () => {
  let db: Database;
  let url: string;
  beforeAll(async () => {
    ({ db, url } = await freshDatabase('pub_crash'));
    await seedDemo(db, { now: new Date('2026-11-20T08:00:00Z') });
  });
  afterAll(async () => {
    await db?.dataSource.destroy();
  });

  it('leaves no partial batch, and a re-run completes the file exactly once', async () => {
    const subjects = ((await db.dataSource.query(`SELECT id FROM registry_enterprise ORDER BY id`)) as Array<{ id: string }>).map((r) => r.id);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-crash-'));
    const file = path.join(dir, 'tax.csv');
    const asOf = minusDays(cstToday(new Date()), 1);
    const lines = ['sourceRecordId,subjectId,dataAsOf,taxYear,rating,taxPaid,vatPaid,taxArrears'];
    const batchSize = 2 * ROWS_PER_STATEMENT;
    for (let i = 0; i < 8 * batchSize; i++) lines.push(`KILL-${i},${subjects[i % subjects.length]},${asOf},2025,A,1000.00,10.00,0`);
    fs.writeFileSync(file, lines.join('\n'));
    const script = path.join(dir, 'child.js');
    fs.writeFileSync(script, CHILD);

    const child = spawn(process.execPath, [script, url, file, String(batchSize)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += String(d);
        if (out.includes('IN_TRANSACTION')) resolve();
      });
      void exited.then(({ code }) => reject(new Error(`child exited (${code}) before the crash point: ${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toMatchObject({ signal: 'SIGKILL' });

    // Four batches committed; the fifth, killed inside its transaction after one INSERT chunk, left nothing.
    expect(await count(db, `SELECT COUNT(*) AS n FROM credit_tax_record WHERE source_record_id LIKE 'KILL-%'`)).toBe(4 * batchSize);
    expect(await count(db, `SELECT COUNT(*) AS n FROM publishing_publication WHERE channel = 'FILE'`)).toBe(4);

    const resumed = await importFile(db, TAX, { dataset: 'tax', file, batchSize });
    expect(resumed).toMatchObject({ completed: true, batches: 8, resumedBatches: 4, created: 8 * batchSize, rejected: 0 });
    expect(await count(db, `SELECT COUNT(*) AS n FROM credit_tax_record WHERE source_record_id LIKE 'KILL-%'`)).toBe(8 * batchSize);
    expect(await count(db, `SELECT COUNT(DISTINCT source_record_id) AS n FROM credit_tax_record WHERE source_record_id LIKE 'KILL-%'`)).toBe(8 * batchSize);
    expect(await count(db, `SELECT COUNT(*) AS n FROM publishing_publication WHERE channel = 'FILE'`)).toBe(8);
  }, 120_000);
});
