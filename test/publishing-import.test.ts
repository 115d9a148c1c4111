import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import type { Database } from '../src/db/datasource';
import { findJudicialRecords, findTaxRecords } from '../src/credit/read';
import { seedDemo } from '../src/demo/seed';
import { completeUscc } from '../src/identifiers';
import { CallerType, type Caller } from '../src/identity/caller';
import { cstToday, minusDays } from '../src/publishing/adapter';
import { detectEncoding, importFile } from '../src/publishing/import-file';
import { publishingTestHooks, ROWS_PER_STATEMENT } from '../src/publishing/pipeline';
import { freshDatabase, onMysql } from './support/db';

const TAX: Caller = { type: CallerType.DEPARTMENT, orgCode: 'CQ-TAX', userId: 'CQ-TAX/cli' };
const COURT: Caller = { type: CallerType.DEPARTMENT, orgCode: 'CQ-COURT', userId: 'CQ-COURT/cli' };
const asOf = minusDays(cstToday(new Date()), 2);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-import-'));
const ROWS = 100_000;
const BAD_EVERY = 333; // ≈ 300 bad rows

const TAX_HEADER = 'sourceRecordId,subjectId,dataAsOf,taxYear,rating,taxPaid,vatPaid,taxArrears,inspectionRemark';

async function count(db: Database, sql: string): Promise<number> {
  return Number(((await db.dataSource.query(sql)) as Array<{ n: unknown }>)[0].n);
}

describe(`hub import (${onMysql ? 'MariaDB' : 'SQLite'})`, () => {
  let db: Database;
  let subjects: string[];

  beforeAll(async () => {
    ({ db } = await freshDatabase('pub_import'));
    await seedDemo(db, { now: new Date('2026-11-20T08:00:00Z') });
    subjects = ((await db.dataSource.query(`SELECT id FROM registry_enterprise ORDER BY id`)) as Array<{ id: string }>).map((r) => r.id);
  });
  afterAll(async () => {
    await db?.dataSource.destroy();
  });

  test(`a generated ${ROWS.toLocaleString('en')}-row CSV with a few hundred bad rows: bad rows reported, the rest stored and queryable`, async () => {
    const file = path.join(dir, 'tax-big.csv');
    const out = fs.createWriteStream(file);
    const badKinds = ['subject', 'rating', 'money', 'future', 'unknown'];
    const expectedBad = new Map<number, string>(); // line → field
    out.write(TAX_HEADER + '\n');
    for (let i = 0; i < ROWS; i++) {
      const line = i + 2;
      let subject = subjects[i % subjects.length];
      let rating = 'ABMCD'[i % 5];
      let taxPaid = `${(i % 9000) + 1000}.${String(i % 100).padStart(2, '0')}`;
      let date = asOf;
      if (i % BAD_EVERY === 7) {
        const kind = badKinds[(i / BAD_EVERY) % badKinds.length | 0];
        if (kind === 'subject') (subject = subject.slice(0, 17) + (subject[17] === '0' ? '1' : '0')), expectedBad.set(line, 'subjectId');
        if (kind === 'rating') (rating = 'Z'), expectedBad.set(line, 'fields.rating');
        if (kind === 'money') (taxPaid = '-5.00'), expectedBad.set(line, 'fields.taxPaid');
        if (kind === 'future') (date = '2099-01-01'), expectedBad.set(line, 'dataAsOf');
        if (kind === 'unknown') (subject = completeUscc(`91500199MA${String(100000 + i).slice(-6)}`)), expectedBad.set(line, 'subjectId');
      }
      out.write(`BIG-${i},${subject},${date},2025,${rating},${taxPaid},100.00,0,${i % 10 === 0 ? '"抽查, 无异常"' : ''}\n`);
    }
    await new Promise((r) => out.end(r));

    const rejectsFile = path.join(dir, 'tax-big.rejects.csv');
    const progress: number[] = [];
    const summary = await importFile(db, TAX, { dataset: 'tax', file, partial: true, batchSize: 5000, rejectsFile, onProgress: (p) => progress.push(p.records) });
    expect(summary).toMatchObject({ encoding: 'utf8', completed: true, records: ROWS, rejected: expectedBad.size, created: ROWS - expectedBad.size, changed: 0, unchanged: 0 });
    expect(expectedBad.size).toBeGreaterThan(250);
    expect(progress.at(-1)).toBe(ROWS);

    const rejects = parse(fs.readFileSync(rejectsFile), { columns: true }) as Array<{ line: string; sourceRecordId: string; field: string; reason: string }>;
    expect(new Map(rejects.map((r) => [Number(r.line), r.field]))).toEqual(expectedBad);
    expect(rejects.every((r) => r.sourceRecordId === `BIG-${Number(r.line) - 2}` && r.reason)).toBe(true);
    expect(await count(db, `SELECT COUNT(*) AS n FROM credit_tax_record WHERE source_record_id LIKE 'BIG-%'`)).toBe(ROWS - expectedBad.size);

    // Queryable: a subject's served records include the imported ones, with the quoted remark intact.
    const [served] = await findTaxRecords(db, [subjects[0]]);
    expect(served.filter((t) => t.sourceRecordId.startsWith('BIG-')).length).toBeGreaterThan(ROWS / subjects.length - 5);
    const row = (await db.dataSource.query(`SELECT inspection_remark AS r FROM credit_tax_record WHERE source_record_id = 'BIG-10'`)) as Array<{ r: string }>;
    expect(row[0].r).toBe('抽查, 无异常');

    // Re-running the same file: every batch returns its stored result; nothing is written twice.
    const again = await importFile(db, TAX, { dataset: 'tax', file, partial: true, batchSize: 5000 });
    expect(again.resumedBatches).toBe(again.batches);
    expect(await count(db, `SELECT COUNT(*) AS n FROM credit_tax_record WHERE source_record_id LIKE 'BIG-%'`)).toBe(ROWS - expectedBad.size);
  }, 180_000);

  test('GBK and UTF-8 (with and without BOM) files both import, encoding detected', async () => {
    const header = 'sourceRecordId,subjectId,dataAsOf,caseNumber,courtName,caseType,role,amountInvolved,filedOn,closedOn,status,dishonestListed,consumptionRestricted';
    const rows = (prefix: string) =>
      [0, 1, 2].map((i) => `${prefix}-${i},${subjects[i]},${asOf},（2025）渝0103执${prefix}${i}号,重庆市渝中区人民法院,ENFORCEMENT,EXECUTED_PERSON,12000.00,2025-03-0${i + 1},,ENFORCING,是,否`).join('\r\n');
    const gbk = path.join(dir, 'court-gbk.csv');
    fs.writeFileSync(gbk, iconv.encode(`${header}\r\n${rows('GBK')}\r\n`, 'gbk'));
    const utf8 = path.join(dir, 'court-utf8.csv');
    fs.writeFileSync(utf8, `${header}\n${rows('UTF')}\n`);
    const bom = path.join(dir, 'court-bom.csv');
    fs.writeFileSync(bom, `\uFEFF${header}\n${rows('BOM')}\n`);
    expect(detectEncoding(fs.readFileSync(gbk))).toBe('gbk');

    for (const [file, enc, prefix] of [[gbk, 'gbk', 'GBK'], [utf8, 'utf8', 'UTF'], [bom, 'utf8', 'BOM']] as const) {
      const s = await importFile(db, COURT, { dataset: 'judicial', file });
      expect(s).toMatchObject({ encoding: enc, completed: true, created: 3, rejected: 0 });
      const [served] = await findJudicialRecords(db, [subjects[1]]);
      expect(served.find((r) => r.sourceRecordId === `${prefix}-1`)).toMatchObject({
        courtName: '重庆市渝中区人民法院',
        caseNumber: `（2025）渝0103执${prefix}1号`,
        dishonestListed: expect.anything(),
      });
    }
    // Explicit --encoding gbk on the GBK file gives the same (unchanged) data.
    expect(await importFile(db, COURT, { dataset: 'judicial', file: gbk, encoding: 'gbk', batchSize: 2 })).toMatchObject({ unchanged: 3, created: 0 });
  });

  test('an import interrupted mid-file (transaction failing mid-batch) resumes without duplicates', async () => {
    const file = path.join(dir, 'tax-resume.csv');
    const batchSize = 2 * ROWS_PER_STATEMENT; // two INSERT statements per batch
    const total = 3 * batchSize + batchSize / 2;
    const lines = [TAX_HEADER];
    for (let i = 0; i < total; i++) lines.push(`RES-${i},${subjects[i % subjects.length]},${asOf},2024,B,2000.00,100.00,0,`);
    fs.writeFileSync(file, lines.join('\n'));
    let calls = 0;
    publishingTestHooks.beforeInsertChunk = () => {
      // fail before the second INSERT of the third batch, after its first INSERT ran
      if (++calls === 6) throw new Error('simulated crash');
    };
    try {
      await expect(importFile(db, TAX, { dataset: 'tax', file, batchSize })).rejects.toThrow('simulated crash');
    } finally {
      publishingTestHooks.beforeInsertChunk = null;
    }
    expect(await count(db, `SELECT COUNT(*) AS n FROM credit_tax_record WHERE source_record_id LIKE 'RES-%'`)).toBe(2 * batchSize);
    const resumed = await importFile(db, TAX, { dataset: 'tax', file, batchSize });
    // created includes the stored results of the two batches committed by the first run.
    expect(resumed).toMatchObject({ completed: true, batches: 4, resumedBatches: 2, created: total, rejected: 0 });
    expect(await count(db, `SELECT COUNT(*) AS n FROM credit_tax_record WHERE source_record_id LIKE 'RES-%'`)).toBe(total);
    expect(await count(db, `SELECT COUNT(*) AS n FROM (SELECT source_record_id FROM credit_tax_record WHERE source_record_id LIKE 'RES-%' GROUP BY source_record_id HAVING COUNT(*) > 1) d`)).toBe(0);
  });

  test('without --partial the import stops at the first batch with a bad row and stores none of that batch', async () => {
    const file = path.join(dir, 'tax-strict.csv');
    const lines = [TAX_HEADER];
    for (let i = 0; i < 30; i++) lines.push(`STRICT-${i},${subjects[i]},${asOf},2024,${i === 14 ? 'X' : 'A'},2000.00,100.00,0,`);
    fs.writeFileSync(file, lines.join('\n'));
    const rejectsFile = path.join(dir, 'strict.rejects.csv');
    const s = await importFile(db, TAX, { dataset: 'tax', file, batchSize: 10, rejectsFile });
    expect(s).toMatchObject({ completed: false, stoppedAtLine: 12, batches: 2, created: 10, rejected: 1 });
    expect(fs.readFileSync(rejectsFile, 'utf8')).toContain('16,STRICT-14,fields.rating');
    expect(await count(db, `SELECT COUNT(*) AS n FROM credit_tax_record WHERE source_record_id LIKE 'STRICT-%'`)).toBe(10);
    await expect(importFile(db, TAX, { dataset: 'tax', file: path.join(dir, 'x.xlsx') })).rejects.toThrow('Excel');
    fs.writeFileSync(path.join(dir, 'bad-header.csv'), 'sourceRecordId,subjectId,dataAsOf,taxYear,grade\n1,2,3,4,5\n');
    await expect(importFile(db, TAX, { dataset: 'tax', file: path.join(dir, 'bad-header.csv') })).rejects.toThrow(/unknown column\(s\) grade/);
  });
});
