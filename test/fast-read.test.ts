import { freshDatabase, onMysql } from './support/db';
import type { Database } from '../src/db/datasource';
import { mysqlConnectionOptions, mysqlModule } from '../src/db/datasource';
import { coalescedReadStats, formatSql, hydratorOf, multiStatementRead, placeholders, readRows, rowHydrator, selectColumns, selectEntities } from '../src/db/fast-read';
import { Guarantee, Loan } from '../src/exposure/entities';
import { guaranteeRow, insertExposure, loanRow, testSubject } from './support/exposure-rows';

/**
 * Hot-path reads: on MySQL/MariaDB small reads of one event-loop turn share a round trip (one multi-statement
 * query); each caller still gets exactly its own rows, typed as a read on its own would be, and its own error.
 */
let db: Database;

// SQLite binds no Date: the text TypeORM would store.
const at = (ms: number) => (onMysql ? new Date(Date.UTC(2026, 0, 1, 8, 0, 0, ms)) : `2026-01-01 08:00:00.${String(ms).padStart(3, '0')}`);

beforeAll(async () => {
  db = (await freshDatabase('fast_read')).db;
  await db.dataSource.query('CREATE TABLE fr_sample (id INT PRIMARY KEY, name VARCHAR(40), amount BIGINT, at DATETIME(3), note TEXT)');
  const rows = Array.from({ length: 300 }, (_, i) => [i + 1, `名称-${i + 1}`, String(9_007_199_254_740_000 + i), at(i), i % 2 ? null : `it's "quoted"; -- ${i}`]);
  for (let i = 0; i < rows.length; i += 100) {
    const part = rows.slice(i, i + 100);
    await db.dataSource.query(`INSERT INTO fr_sample (id, name, amount, at, note) VALUES ${part.map(() => '(?, ?, ?, ?, ?)').join(', ')}`, part.flat());
  }
});

afterAll(async () => {
  await db?.dataSource.destroy();
});

const one = (id: number) => readRows<Record<string, unknown>>(db, 'SELECT id, name, amount, at, note FROM fr_sample WHERE id = ?', [id]);

describe(`readRows (${onMysql ? 'MariaDB/MySQL' : 'SQLite'})`, () => {
  it('gives every caller of one turn its own rows, typed as a read on its own', async () => {
    const alone = [];
    for (const id of [1, 2, 7, 150, 299]) alone.push(await one(id));
    const before = coalescedReadStats(db) ? { ...coalescedReadStats(db)! } : null;
    const together = await Promise.all([1, 2, 7, 150, 299].map(one));
    expect(together).toEqual(alone);
    expect(together[0][0]).toMatchObject({ id: 1, name: '名称-1', note: `it's "quoted"; -- 0` });
    expect(together[1][0].note).toBeNull();
    if (onMysql) {
      // One round trip for the five statements (values escaped client-side, quotes and semicolons included).
      expect(coalescedReadStats(db)).toEqual({ roundTrips: before!.roundTrips + 1, statements: before!.statements + 5 });
      expect(together[4][0].amount).toBe('9007199254740298'); // bigNumberStrings, as TypeORM's pool
      expect(together[4][0].at).toEqual(new Date(Date.UTC(2026, 0, 1, 8, 0, 0, 298)));
    } else {
      expect(coalescedReadStats(db)).toBeNull();
    }
  });

  it('sends the small reads of several requests met in one turn as one round trip (up to 128 statements)', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => i + 1);
    const before = coalescedReadStats(db) ? { ...coalescedReadStats(db)! } : null;
    const rows = await Promise.all(ids.map(one));
    expect(rows.map((r) => r[0].id)).toEqual(ids);
    if (onMysql) expect(coalescedReadStats(db)).toEqual({ roundTrips: before!.roundTrips + 1, statements: before!.statements + 100 });
    const more = Array.from({ length: 130 }, (_, i) => i + 1);
    const again = coalescedReadStats(db) ? { ...coalescedReadStats(db)! } : null;
    expect((await Promise.all(more.map(one))).map((r) => r[0].id)).toEqual(more);
    // 130 statements: 128 in one round trip, the last two in another.
    if (onMysql) expect(coalescedReadStats(db)).toEqual({ roundTrips: again!.roundTrips + 2, statements: again!.statements + 130 });
  });

  it('fails only the statement that fails; the others of its round trip still answer', async () => {
    const results = await Promise.allSettled([one(3), readRows(db, 'SELECT no_such_column FROM fr_sample WHERE id = ?', [3]), one(4)]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: [{ id: 3 }] });
    expect(results[1].status).toBe('rejected');
    expect(String((results[1] as PromiseRejectedResult).reason.message)).toMatch(/no_such_column/);
    expect(results[2]).toMatchObject({ status: 'fulfilled', value: [{ id: 4 }] });
  });

  it('runs large reads (hundreds of ids) on their own connections, side by side', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => i + 1);
    const before = coalescedReadStats(db) ? { ...coalescedReadStats(db)! } : null;
    const [a, b] = await Promise.all([
      readRows(db, `SELECT id FROM fr_sample WHERE id IN (${placeholders(ids.length)}) ORDER BY id`, ids),
      readRows(db, `SELECT id FROM fr_sample WHERE id IN (${placeholders(ids.length)}) ORDER BY id DESC`, ids),
    ]);
    expect(a).toHaveLength(250);
    expect(b[0]).toEqual({ id: 250 });
    if (onMysql) expect(coalescedReadStats(db)).toEqual(before);
  });

  (onMysql ? it : it.skip)('keeps only the rows of a coalesced round trip: no column definitions (one shared list of column encodings) and no SQL text once sent (mysql2 patch)', async () => {
    const mysql = mysqlModule(db) as unknown as { createPool(o: object): { query: (...a: unknown[]) => void; end(cb: () => void): void } };
    const pool = mysql.createPool({ ...mysqlConnectionOptions(db), multipleStatements: true, connectionLimit: 1 });
    const text = [3, 4].map((id) => `SELECT id, name, amount, at, note FROM fr_sample WHERE id = ${id}`).concat('SELECT name FROM fr_sample WHERE id = 5').join(';\n');
    type Answer = { rows: unknown[][]; fields: Array<Array<Record<string, unknown>>> };
    const ask = (run: (cb: (err: Error | null, rows: unknown, fields?: unknown) => void) => void) =>
      new Promise<Answer>((resolve, reject) => run((err, rows, fields) => (err ? reject(err) : resolve({ rows, fields } as Answer))));
    try {
      let keptQuery: { sql?: string } = {};
      let leanQuery: { sql?: string } = {};
      const kept = await ask((cb) => (keptQuery = pool.query(text, cb) as unknown as { sql?: string }));
      const lean = await ask((cb) => multiStatementRead({ query: (...a: unknown[]) => (leanQuery = pool.query(...a) as unknown as { sql?: string }) }, text, cb));
      expect(keptQuery.sql).toBe(text);
      expect(leanQuery.sql).toBeUndefined();
      // Nor in the options it was given or made of them.
      const held = (o: object) => Object.values(o).filter((v) => typeof v === 'string' && v.includes('fr_sample'));
      const { options, _queryOptions } = leanQuery as { options: object; _queryOptions: object };
      expect([...held(leanQuery), ...held(options), ...held(_queryOptions)]).toEqual([]);
      expect(held((keptQuery as { options: object }).options)).toEqual([text]);
      expect(lean.rows).toEqual(kept.rows);
      expect(lean.rows[0][0]).toMatchObject({ id: 3, name: '名称-3', amount: '9007199254740002', at: new Date(Date.UTC(2026, 0, 1, 8, 0, 0, 2)) });
      expect(kept.fields[0][1]).toMatchObject({ name: 'name', encoding: 'utf8' }); // mysql2's ColumnDefinition, without the option
      // With it: per column only what the row parser reads, one frozen list shared by result sets of the same columns.
      expect(lean.fields.map((f) => f.map((c) => ({ ...c })))).toEqual(kept.fields.map((f) => f.map((c) => ({ encoding: c.encoding }))));
      expect(lean.fields[0]).toBe(lean.fields[1]);
      expect(Object.isFrozen(lean.fields[0])).toBe(true);
      expect(lean.fields[2]).toHaveLength(1);
    } finally {
      await new Promise<void>((resolve) => pool.end(() => resolve()));
    }
  });

  it('counts every statement, coalesced or not', async () => {
    const before = db.sql.statements;
    await Promise.all([one(10), one(11), one(12)]);
    expect(db.sql.statements - before).toBe(3);
  });
});

describe(`hydratorOf (${onMysql ? 'MariaDB/MySQL' : 'SQLite'})`, () => {
  it("hydrates every column of every entity exactly as the driver's prepareHydratedValue does", () => {
    const driver = db.dataSource.driver;
    const samples: unknown[] = [null, undefined, '', 'a', 'a,b,,c', '0', '1', '42', '9007199254740993', '12.50', 0, 1, 42, true, false];
    samples.push('2026-01-01 08:00:00.123', '2026-13-45 99:00:00.000', '2026-01-01 08:00:00', '2026-01-01T08:00:00Z', '2026-01-01', new Date(Date.UTC(2026, 0, 1, 8)), '{"a":1}');
    let columns = 0;
    for (const meta of db.dataSource.entityMetadatas) {
      for (const column of meta.columns) {
        const hydrate = hydratorOf(db, column);
        columns++;
        for (const raw of samples) {
          let expected: unknown;
          try {
            expected = driver.prepareHydratedValue(raw, column);
          } catch (e) {
            expect(() => hydrate(raw)).toThrow();
            continue;
          }
          // Dates compare by value (each conversion builds its own object; Jest tells no two invalid dates equal).
          const comparable = (v: unknown) => (v instanceof Date ? `Date(${v.getTime()})` : v);
          expect([meta.name, column.propertyName, raw, comparable(hydrate(raw))]).toEqual([meta.name, column.propertyName, raw, comparable(expected)]);
        }
      }
    }
    expect(columns).toBeGreaterThan(100);
  });
});

describe(`selectEntities / selectColumns (${onMysql ? 'MariaDB/MySQL' : 'SQLite'})`, () => {
  it("hydrates records exactly as TypeORM's find() does: same values, same class, every column", async () => {
    const subject = testSubject(7, 1);
    await insertExposure(db, {
      loans: [loanRow(subject, 'BANK-A'), loanRow(subject, 'BANK-B', { overdueDays: 12, interestRate: 4.35 })],
      guarantees: [guaranteeRow(subject, 'GUAR-A', 'BANK-A')],
    });
    for (const entity of [Loan, Guarantee] as const) {
      const expected = await db.dataSource.getRepository(entity).find({ where: { subjectId: subject }, order: { id: 'ASC' } });
      const got = await selectEntities(db, entity, 'subject_id = ?', [subject], 'id ASC');
      expect(expected.length).toBeGreaterThan(0);
      expect(got).toEqual(expected);
      for (const r of got) expect(Object.getPrototypeOf(r)).toBe(entity.prototype);
      // Every column is an own property, in the entity's column order, even when NULL.
      expect(Object.keys(got[0])).toEqual(db.dataSource.getMetadata(entity).columns.map((c) => c.propertyName));
    }
    const some = await selectColumns(db, Loan, ['contractNo', 'balance', 'startDate'], 'subject_id = ?', [subject]);
    const full = await db.dataSource.getRepository(Loan).find({ where: { subjectId: subject } });
    expect(some).toEqual(full.map((l) => ({ contractNo: l.contractNo, balance: l.balance, startDate: l.startDate })));
  });

  it('rowHydrator: one object per row with the given prototype, every property through its hydrator, odd names too', () => {
    class Sample {}
    const twice = (v: unknown) => (typeof v === 'number' ? v * 2 : v);
    const plain = rowHydrator([['a', 'col_a'], ['b', 'col b']], [twice, String], Sample.prototype);
    const odd = rowHydrator([['a', 'col_a'], ['not-an-identifier', 'x']], [twice, String], Sample.prototype);
    for (const hydrate of [plain, odd]) {
      const one = hydrate({ col_a: 21, 'col b': 5, x: 7 }) as Record<string, unknown>;
      const two = hydrate({ col_a: null, 'col b': null, x: null }) as Record<string, unknown>;
      expect(one).toBeInstanceOf(Sample);
      expect(one).not.toBe(two);
      expect(two.a).toBeNull();
    }
    expect({ ...(plain({ col_a: 21, 'col b': 5 }) as object) }).toEqual({ a: 42, b: '5' });
    expect({ ...(odd({ col_a: 21, x: 7 }) as object) }).toEqual({ a: 42, 'not-an-identifier': '7' });
  });
});

describe('formatSql', () => {
  it("inlines values exactly as mysql2's format does, statement after statement", async () => {
    const mysql = await import('mysql2');
    // format and escape need no connection: the pool never connects.
    const pool = mysql.createPool({ host: '127.0.0.1', user: 'nobody', timezone: 'Z' }) as unknown as Parameters<typeof formatSql>[0] & { end(): void };
    try {
      const statements: Array<[string, unknown[][]]> = [
        ['SELECT id FROM t WHERE a = ? AND b IN (?, ?)', [['x', 'y', 'z'], ["it's", 'back\\slash', '名称 ✓'], [1, 2.5, 9007199254740993n], [null, true, false], [undefined, '', 'a-b_c.d:e+f']]],
        ["SELECT '?' AS q, \"?\" AS r, id FROM t /* ? */ WHERE a = ? -- ?\n AND b = ?", [['1', '2'], ["'; DROP TABLE t; --", '\\\'']]],
        ['SELECT 1', [[]]],
        ['UPDATE t SET ?? = ? WHERE id = ?', [['col', 'v', 1]]],
        ['INSERT INTO t (at) VALUES (?)', [[new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6))], ['2026-01-02 03:04:05.006']]],
        ['SELECT 8264019357000, ? FROM t', [['x']]],
      ];
      for (const [sql, runs] of statements) {
        for (const params of runs) {
          // Twice: the first call learns the statement's shape, the second uses it.
          expect(formatSql(pool, sql, params)).toBe(pool.format(sql, params));
          expect(formatSql(pool, sql, params)).toBe(pool.format(sql, params));
        }
      }
      const many = Array.from({ length: 250 }, (_, i) => `id-${i}`);
      expect(formatSql(pool, `SELECT 1 FROM t WHERE id IN (${placeholders(many.length)})`, many)).toBe(pool.format(`SELECT 1 FROM t WHERE id IN (${placeholders(many.length)})`, many));
    } finally {
      pool.end();
    }
  });
});
