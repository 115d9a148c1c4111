import type { QueryRunner } from 'typeorm';
import type { Database } from '../db/datasource';
import { writeThread } from './write-thread';
import { sqliteStatement, type SqliteStatement } from '../db/fast-read';
import { canonicalJson, type AccessRecord } from './chain';

/**
 * Low-level SQL for the audit tables, shared by the writer, the verifier and the retention purge.
 * Plain parameterized SQL (no entity manager): the same statements run on SQLite, MariaDB and MySQL,
 * and every statement is still reported to `db.sql` so statement counts stay honest.
 */

export const LOG_TABLE = 'audit_access_log';
export const CHECKPOINT_TABLE = 'audit_checkpoint';
export const BOUNDARY_TABLE = 'audit_chain_boundary';
export const FIELD_LIST_TABLE = 'audit_field_list';

/**
 * Field lists whose canonical JSON is at least this long are stored once in `audit_field_list` and named by
 * their sha256 (`fields_ref`): a credit report's or cross-check's list is 1.5–3 KB, the same for every subject
 * of the request, and would otherwise be most of each row. Shorter lists stay inline.
 */
export const SHARED_FIELD_LIST_MIN_CHARS = 512;

/** Column order of a stored record (everything but the auto-increment id). */
export const LOG_COLUMNS = [
  'chain_id',
  'seq',
  'record_type',
  'time',
  'request_id',
  'caller_type',
  'caller_org',
  'caller_user',
  'purpose',
  'subject_id',
  'operation_name',
  'operation_hash',
  'consent_ids',
  'approval_ids',
  'fields',
  'detail',
  'prev_hash',
  'hash',
  'fields_ref',
] as const;

/** Where records are read from: the log with each shared field list joined back in. */
export const LOG_SOURCE = `${LOG_TABLE} LEFT JOIN ${FIELD_LIST_TABLE} ON ${FIELD_LIST_TABLE}.list_hash = ${LOG_TABLE}.fields_ref`;

/**
 * The columns of a stored record, read from {@link LOG_SOURCE}: `fields` is the shared list where the record
 * names one. A missing list reads as the empty inline text, which no record hash matches (the check reports it).
 */
export const SELECT_LOG_COLUMNS = [
  `${LOG_TABLE}.id`,
  ...LOG_COLUMNS.filter((c) => c !== 'fields' && c !== 'fields_ref').map((c) => `${LOG_TABLE}.${c}`),
  `COALESCE(${FIELD_LIST_TABLE}.list_json, ${LOG_TABLE}.fields) AS fields`,
].join(', ');

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC: what DATETIME(3) holds on MySQL and what TypeORM writes on SQLite. */
export function toDbTime(d: Date): string {
  // The records of one request share their time: convert each distinct instant once.
  const ms = d.getTime();
  if (ms !== lastTime.ms) lastTime = { ms, text: d.toISOString().replace('T', ' ').replace('Z', '') };
  return lastTime.text;
}
let lastTime = { ms: NaN, text: '' };

/** mysql2 returns DATETIME as a Date (timezone 'Z'); better-sqlite3 returns the stored text. */
export function fromDbTime(v: unknown): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'string') {
    let s = v.trim();
    if (/^\d{4}-\d\d-\d\d \d\d:\d\d/.test(s)) s = s.replace(' ', 'T');
    if (!/(Z|[+-]\d\d:?\d\d)$/.test(s)) s += 'Z';
    return new Date(s);
  }
  if (typeof v === 'number') return new Date(v);
  return new Date(NaN);
}

export function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

/** Canonical JSON texts of a record's JSON columns, when the writer has them already. */
export interface JsonTexts {
  consentIds: string;
  approvalIds: string;
  fields: string;
  /** sha256 of `fields` when the list is stored once in audit_field_list (see SHARED_FIELD_LIST_MIN_CHARS). */
  fieldsRef?: string | null;
  detail: string | null;
}

export function recordParams(r: AccessRecord & { json?: JsonTexts }): unknown[] {
  const j = r.json;
  return [
    r.chainId,
    r.seq,
    r.recordType,
    toDbTime(r.time),
    r.requestId,
    r.callerType,
    r.callerOrg,
    r.callerUser,
    r.purpose,
    r.subjectId,
    r.operationName,
    r.operationHash,
    j ? j.consentIds : canonicalJson(r.consentIds),
    j ? j.approvalIds : canonicalJson(r.approvalIds),
    j?.fieldsRef ? '' : j ? j.fields : canonicalJson(r.fields),
    j ? j.detail : r.detail === null ? null : canonicalJson(r.detail),
    r.prevHash,
    r.hash,
    j?.fieldsRef ?? null,
  ];
}

/** JSON text back to a value; text that is not JSON stays a string, so the record's hash no longer matches. */
function parseJson(text: unknown): unknown {
  if (text === null || text === undefined) return null;
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function str(v: unknown): string {
  return v === null || v === undefined ? (v as unknown as string) : String(v);
}

function strOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

/** A raw row (either driver) as a record, without judging it — the chain check does that. */
export function rowToRecord(row: Record<string, unknown>): AccessRecord {
  return {
    id: num(row.id),
    chainId: str(row.chain_id),
    seq: num(row.seq),
    recordType: str(row.record_type) as AccessRecord['recordType'],
    time: fromDbTime(row.time),
    requestId: str(row.request_id),
    callerType: str(row.caller_type),
    callerOrg: strOrNull(row.caller_org),
    callerUser: str(row.caller_user),
    purpose: strOrNull(row.purpose),
    subjectId: str(row.subject_id),
    operationName: strOrNull(row.operation_name),
    operationHash: str(row.operation_hash),
    consentIds: parseJson(row.consent_ids) as string[],
    approvalIds: parseJson(row.approval_ids) as string[],
    fields: parseJson(row.fields) as AccessRecord['fields'],
    detail: parseJson(row.detail) as AccessRecord['detail'],
    prevHash: str(row.prev_hash),
    hash: str(row.hash),
  };
}

/** Reads: plain parameterized queries through TypeORM (counted by `db.sql`). */
export async function query<T = Record<string, unknown>>(db: Database, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await db.dataSource.query(sql, params)) as T[];
}

// ---------------------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------------------

export interface Statement {
  sql: string;
  params: unknown[];
  /**
   * MySQL: send as a server-side prepared statement (binary protocol) — about 3× faster than the text protocol
   * for large multi-row INSERTs of JSON, which the client would otherwise escape and the server parse.
   */
  prepared?: boolean;
}

/**
 * Access-record INSERTs of at least this many rows go prepared. Fewer distinct statements than that many sizes
 * are ever prepared per connection (≤ batch size − this), well inside MySQL's max_prepared_stmt_count.
 */
export const PREPARED_INSERT_MIN_ROWS = 100;

/** Minimal view of a better-sqlite3 connection. */
interface SqliteConnection {
  inTransaction: boolean;
  prepare(sql: string): SqliteStatement;
  transaction<F extends (...args: never[]) => unknown>(fn: F): F;
}

function sqliteConnection(db: Database): SqliteConnection {
  const conn = (db.dataSource.driver as unknown as { databaseConnection?: SqliteConnection }).databaseConnection;
  if (!conn) throw new Error('the SQLite database is not open');
  return conn;
}

export interface WriteOptions {
  /** Wrap the statements in one transaction (a single statement is atomic on its own). */
  transaction: boolean;
  /** MySQL session statements run on the same connection before / after (e.g. the purge flag). */
  sessionBefore?: string[];
  sessionAfter?: string[];
  /** SQLite: how long to wait for another transaction on the shared connection to end. */
  sqliteWaitMs?: number;
  /** MySQL/MariaDB: run on the write thread's own connection (a large append; see write-thread.ts). */
  offThread?: boolean;
}

export interface WriteResult {
  affected: number;
  /** Auto-increment id of the (first, on MySQL; last, on SQLite) inserted row — use only for one-row inserts. */
  insertId: number;
}

/**
 * Runs write statements atomically and returns each statement's affected-row count and insert id.
 *
 * SQLite: TypeORM's better-sqlite3 driver shares ONE connection between all callers, so a write issued
 * while some other code has a transaction open would silently become part of it (and vanish if that
 * transaction rolls back — a log record "committed" that is not). We therefore wait until the
 * connection is outside any transaction and then run the statements synchronously, which nothing else
 * in the process can interleave with.
 *
 * MySQL/MariaDB: one pooled connection; explicit transaction when asked.
 */
export async function runWrites(db: Database, statements: Statement[], opts: WriteOptions): Promise<WriteResult[]> {
  if (db.kind === 'sqlite') {
    const conn = sqliteConnection(db);
    await waitUntilIdle(conn, opts.sqliteWaitMs ?? 10_000);
    const runAll = () =>
      statements.map((s) => {
        db.sql.logQuery(s.sql, s.params);
        const res = sqliteStatement(conn, s.sql).run(...s.params);
        return { affected: res.changes, insertId: Number(res.lastInsertRowid) };
      });
    if (!opts.transaction) return runAll();
    db.sql.logQuery('BEGIN');
    try {
      const out = conn.transaction(runAll)();
      db.sql.logQuery('COMMIT');
      return out;
    } catch (e) {
      db.sql.logQuery('ROLLBACK');
      throw e;
    }
  }
  const thread = opts.offThread && !opts.sessionBefore && !opts.sessionAfter ? writeThread(db) : null;
  if (thread) {
    if (opts.transaction) db.sql.logQuery('START TRANSACTION');
    for (const s of statements) db.sql.logQuery(s.sql, s.params);
    try {
      const results = await thread.run(statements, opts.transaction);
      if (opts.transaction) db.sql.logQuery('COMMIT');
      return results.map((r) => ({ affected: r.affectedRows, insertId: r.insertId }));
    } catch (e) {
      db.sql.logQueryError(e as Error, statements[0]?.sql ?? '');
      throw e;
    }
  }
  const qr = db.dataSource.createQueryRunner('master');
  let inTx = false;
  try {
    for (const s of opts.sessionBefore ?? []) await qr.query(s);
    if (opts.transaction) {
      await qr.startTransaction();
      inTx = true;
    }
    // Inside a transaction the statements are sent without waiting for each answer (one connection runs them
    // in order): the server works on one chunk of a large batch while the next is encoded. Any failure rolls back.
    const run = (s: Statement) =>
      (s.prepared ? executePrepared(db, qr, s) : qr.query(s.sql, s.params)) as Promise<{ affectedRows?: number; insertId?: number | string }>;
    const results = inTx ? await settleInOrder(statements.map(run)) : [];
    if (!inTx) for (const s of statements) results.push(await run(s));
    const out: WriteResult[] = results.map((res) => ({ affected: res?.affectedRows ?? 0, insertId: Number(res?.insertId ?? 0) }));
    if (inTx) {
      await qr.commitTransaction();
      inTx = false;
    }
    return out;
  } catch (e) {
    if (inTx) await qr.rollbackTransaction().catch(() => undefined);
    throw e;
  } finally {
    try {
      for (const s of opts.sessionAfter ?? []) await qr.query(s);
    } finally {
      await qr.release();
    }
  }
}

/** Like Promise.all, but waits for every statement to settle before rejecting (none is left running on the connection). */
async function settleInOrder<T>(pending: Array<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(pending);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** A prepared statement on the query runner's own mysql2 connection (inside its transaction, if any). */
async function executePrepared(db: Database, qr: QueryRunner, s: Statement): Promise<unknown> {
  db.sql.logQuery(s.sql, s.params);
  const conn = (await qr.connect()) as { execute(sql: string, params: unknown[], cb: (err: Error | null, result: unknown) => void): void };
  return new Promise((resolve, reject) => conn.execute(s.sql, s.params, (err, result) => (err ? reject(err) : resolve(result))));
}

async function waitUntilIdle(conn: SqliteConnection, maxMs: number): Promise<void> {
  if (!conn.inTransaction) return;
  const until = Date.now() + maxMs;
  while (conn.inTransaction) {
    if (Date.now() > until) {
      throw new Error(`the SQLite connection stayed inside another transaction for more than ${maxMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Stores shared field lists (canonical JSON by sha256); a list already there is left as it is. */
export function insertFieldListsStatement(kind: Database['kind'], lists: Map<string, string>): Statement {
  const verb = kind === 'sqlite' ? 'INSERT OR IGNORE' : 'INSERT IGNORE';
  return {
    sql: `${verb} INTO ${FIELD_LIST_TABLE} (list_hash, list_json) VALUES ` + [...lists.keys()].map(() => '(?, ?)').join(', '),
    params: [...lists].flat(),
  };
}

/** `INSERT INTO audit_access_log (...) VALUES (...), (...)` for `rows` records. */
export function insertRecordsStatement(records: Array<AccessRecord & { json?: JsonTexts }>): Statement {
  let sql = insertSql.get(records.length);
  if (!sql) {
    const one = '(' + LOG_COLUMNS.map(() => '?').join(', ') + ')';
    sql = `INSERT INTO ${LOG_TABLE} (${LOG_COLUMNS.join(', ')}) VALUES ` + new Array(records.length).fill(one).join(', ');
    if (insertSql.size > 1000) insertSql.clear();
    insertSql.set(records.length, sql);
  }
  const params: unknown[] = [];
  for (const r of records) params.push(...recordParams(r));
  return { sql, params, prepared: records.length >= PREPARED_INSERT_MIN_ROWS };
}
/** INSERT texts by row count (a batch is at most the writer's maxBatch rows). */
const insertSql = new Map<number, string>();
