import type { Database } from '../db/datasource';

/**
 * One write transaction, written once as a generator of SQL steps and driven per driver:
 *
 * - SQLite: TypeORM's better-sqlite3 driver has ONE shared connection, so an async transaction would let
 *   other requests' statements run inside it (and see or join its uncommitted rows). The generator is driven
 *   synchronously on the raw better-sqlite3 handle inside BEGIN IMMEDIATE … COMMIT: nothing interleaves.
 * - MySQL/MariaDB: a dedicated pooled connection (TypeORM QueryRunner) with a real transaction.
 *
 * Steps yield `{ sql, params }` and receive rows (reads) or `{ insertId, changes }` (writes).
 */
export interface SqlStep {
  sql: string;
  params: unknown[];
  read: boolean;
}
export interface WriteResult {
  insertId: number;
  changes: number;
}
export type TxProgram<T> = Generator<SqlStep, T, unknown>;

export const read = (sql: string, params: unknown[] = []): SqlStep => ({ sql, params, read: true });
export const write = (sql: string, params: unknown[] = []): SqlStep => ({ sql, params, read: false });

/** better-sqlite3 binds neither booleans nor Dates. */
function sqliteParam(v: unknown): unknown {
  if (v === true) return 1;
  if (v === false) return 0;
  if (v === undefined) return null;
  if (v instanceof Date) return sqlDateTime(v);
  return v;
}

/** DATETIME(3) text in UTC, as TypeORM stores and reads it on both drivers. */
export function sqlDateTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

interface RawSqlite {
  prepare(sql: string): { reader: boolean; all(...p: unknown[]): unknown[]; run(...p: unknown[]): { lastInsertRowid: number | bigint; changes: number } };
  exec(sql: string): void;
  inTransaction: boolean;
}

/** The raw better-sqlite3 handle under TypeORM. */
export function rawSqlite(db: Database): RawSqlite {
  return (db.dataSource.driver as unknown as { databaseConnection: RawSqlite }).databaseConnection;
}

const stmtCache = new WeakMap<RawSqlite, Map<string, ReturnType<RawSqlite['prepare']>>>();

function sqliteStep(conn: RawSqlite, step: SqlStep): unknown {
  let cache = stmtCache.get(conn);
  if (!cache) stmtCache.set(conn, (cache = new Map()));
  let stmt = cache.get(step.sql);
  if (!stmt) {
    stmt = conn.prepare(step.sql);
    if (cache.size > 200) cache.clear();
    cache.set(step.sql, stmt);
  }
  const params = step.params.map(sqliteParam);
  if (stmt.reader) return stmt.all(...params);
  const r = stmt.run(...params);
  return { insertId: Number(r.lastInsertRowid), changes: r.changes } satisfies WriteResult;
}

/** Runs a read-only program outside a transaction (the same drivers, no locking). */
export async function runRead<T>(db: Database, program: TxProgram<T>): Promise<T> {
  if (db.kind === 'sqlite') {
    const conn = rawSqlite(db);
    let r = program.next();
    while (!r.done) {
      db.sql.statements++;
      r = program.next(sqliteStep(conn, r.value));
    }
    return r.value;
  }
  let r = program.next();
  while (!r.done) r = program.next(await mysqlStep(db, undefined, r.value));
  return r.value;
}

async function mysqlStep(db: Database, runner: import('typeorm').QueryRunner | undefined, step: SqlStep): Promise<unknown> {
  const raw = runner ? await runner.query(step.sql, step.params) : await db.dataSource.query(step.sql, step.params);
  if (step.read) return raw;
  const header = raw as { insertId?: number; affectedRows?: number };
  return { insertId: Number(header.insertId ?? 0), changes: Number(header.affectedRows ?? 0) } satisfies WriteResult;
}

/** Runs a program in one transaction: all of it commits, or none of it. */
export async function runTransaction<T>(db: Database, program: () => TxProgram<T>): Promise<T> {
  if (db.kind === 'sqlite') {
    const conn = rawSqlite(db);
    // Another module's (async) TypeORM transaction may be open on the shared connection: let it finish. From the
    // last check on, this function runs synchronously to COMMIT, so nothing can slip in between.
    for (let waited = 0; conn.inTransaction; waited += 2) {
      if (waited > 10_000) throw new Error('publishing: the SQLite connection stayed inside another transaction for 10 s');
      await new Promise((r) => setTimeout(r, 2));
    }
    conn.exec('BEGIN IMMEDIATE');
    try {
      const gen = program();
      let r = gen.next();
      while (!r.done) {
        db.sql.statements++;
        r = gen.next(sqliteStep(conn, r.value));
      }
      conn.exec('COMMIT');
      return r.value;
    } catch (e) {
      if (conn.inTransaction) conn.exec('ROLLBACK');
      throw e;
    }
  }
  const runner = db.dataSource.createQueryRunner('master');
  await runner.connect();
  try {
    // READ COMMITTED: the FOR UPDATE reads of current versions lock the rows that exist and no gaps, so concurrent
    // batches inserting new records do not deadlock on each other's gap locks; two batches creating the same new
    // record collide on the unique key instead, and the loser retries (and then sees the winner's row).
    await runner.startTransaction('READ COMMITTED');
    try {
      const gen = program();
      let r = gen.next();
      while (!r.done) r = gen.next(await mysqlStep(db, runner, r.value));
      await runner.commitTransaction();
      return r.value;
    } catch (e) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw e;
    }
  } finally {
    await runner.release();
  }
}

/** Whether an error is a unique/primary key violation (both drivers). */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } };
  const code = err?.code ?? err?.driverError?.code ?? '';
  const errno = err?.errno ?? err?.driverError?.errno;
  return errno === 1062 || code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Whether an error is a deadlock or lock wait timeout (MySQL/MariaDB), after which the transaction may be retried. */
export function isRetryableLockError(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } };
  const errno = err?.errno ?? err?.driverError?.errno;
  const code = err?.code ?? err?.driverError?.code ?? '';
  return errno === 1213 || errno === 1205 || code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || code === 'SQLITE_BUSY';
}

export const placeholders = (n: number) => new Array(n).fill('?').join(', ');
/** Identifiers are quoted with backticks: both MySQL and SQLite accept them (and `usage` is reserved in MySQL). */
export const q = (name: string) => `\`${name}\``;
