import { QueryFailedError, type EntityTarget, type ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { beforeClose, mysqlConnectionOptions, mysqlModule, type Database } from './datasource';

interface EntityReader {
  select: string;
  table: string;
  /** Whole statements by WHERE and ORDER BY (see {@link statementOf}). */
  statements: Map<string, string>;
  columns: ColumnMetadata[];
  /** Per column, raw driver value → entity value (see {@link hydratorOf}). */
  hydrators: Hydrator[];
  prototype: object;
  /** A raw row (keyed by column name) → the entity, hydrated (see {@link rowHydrator}). */
  hydrate: (row: Record<string, unknown>) => object;
}

type Hydrator = (value: unknown) => unknown;

const SQLITE_DATETIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/;

/** Column types neither driver converts on the way in (TypeORM's prepareHydratedValue leaves them as they come). */
const AS_READ = new Set<unknown>(['varchar', 'nvarchar', 'char', 'nchar', 'text', 'bigint', 'decimal', 'int', 'integer', String]);

/**
 * How the driver hydrates one column's raw value, decided once per column instead of walking TypeORM's
 * chain of type tests for every value: as read (plus the column's transformer) for the types no driver
 * converts, a split for simple arrays, the driver's own conversion for everything else (dates, booleans…).
 */
export function hydratorOf(db: Database, column: ColumnMetadata): Hydrator {
  const driver = db.dataSource.driver;
  const { transformer } = column;
  if (Array.isArray(transformer)) return (v) => driver.prepareHydratedValue(v, column);
  const from = transformer ? (v: unknown) => transformer.from(v) : null;
  if (AS_READ.has(column.type)) return from ?? ((v) => v);
  if (!transformer && (column.type === 'datetime' || column.type === Date)) {
    const slow = (v: unknown) => driver.prepareHydratedValue(v, column);
    // mysql2 hands over Dates already; SQLite's stored text 'YYYY-MM-DD HH:MM:SS.SSS' is UTC (what TypeORM makes of it).
    if (db.kind !== 'sqlite') return (v) => (v instanceof Date ? v : slow(v));
    return (v) => (typeof v === 'string' && SQLITE_DATETIME.test(v) ? new Date(`${v.slice(0, 10)}T${v.slice(11)}Z`) : slow(v));
  }
  if (column.type === 'simple-array') {
    const split = (v: unknown) => (v === null || v === undefined || typeof v !== 'string' ? v : v.length ? v.split(',') : []);
    return from ? (v) => from(split(v)) : split;
  }
  return (v) => driver.prepareHydratedValue(v, column);
}

interface Mysql2Pool {
  query(sql: string, params: unknown[], callback: (err: Error | null, rows: unknown) => void): void;
  query(sql: string, callback: (err: Error | null, rows: unknown) => void): void;
  /** `columnDefinitions: false`, `keepSql: false`: see {@link multiStatementRead}. */
  query(options: { sql: string; columnDefinitions?: false; keepSql?: false }, callback: (err: Error | null, rows: unknown, fields?: unknown) => void): void;
  format(sql: string, params: unknown[]): string;
  escape(value: unknown): string;
  end(callback?: (err?: Error) => void): void;
}

/** Per SQL text: the text around its placeholders as mysql2's formatter finds them (null: leave it to mysql2). */
const sqlTemplates = new Map<string, readonly string[] | null>();
const MAX_SQL_TEMPLATES = 1000;
/** Larger statements (a cross-check's ids) are formatted by mysql2 each time: their text is not worth keeping. */
const MAX_TEMPLATE_PARAMS = 200;
/** Placeholder stand-ins: 13 digits each for up to MAX_TEMPLATE_PARAMS, unlike anything in the hub's SQL. */
const MARK = 8_264_019_357_000;
/** Values with nothing to escape in any SQL mode (ids, codes, dates as text): quoted as they are. */
const PLAIN_VALUE = /^[0-9A-Za-z_.:+-]*$/;

/**
 * The statement with its values inlined, exactly as mysql2's `format` makes it, without scanning the SQL text
 * for placeholders on every call (that scan and the escaping were ~1.5% of a credit report's CPU): the text is
 * split once per SQL at the positions mysql2 itself puts values (found by formatting it with marker numbers),
 * then each value is escaped by mysql2 (or quoted as is when it holds nothing to escape). Anything unusual —
 * objects such as Dates, many values, a marker in the text — goes through mysql2's format.
 */
export function formatSql(pool: Pick<Mysql2Pool, 'format' | 'escape'>, sql: string, params: readonly unknown[]): string {
  if (params.length > MAX_TEMPLATE_PARAMS) return pool.format(sql, params as unknown[]);
  let parts = sqlTemplates.get(sql);
  if (parts === undefined) {
    parts = sqlTemplate(pool, sql, params.length);
    if (sqlTemplates.size >= MAX_SQL_TEMPLATES) sqlTemplates.clear();
    sqlTemplates.set(sql, parts);
  }
  if (!parts || parts.length !== params.length + 1) return pool.format(sql, params as unknown[]);
  let out = parts[0];
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    if (typeof v === 'string') out += PLAIN_VALUE.test(v) ? `'${v}'` : pool.escape(v);
    else if (typeof v === 'number' || typeof v === 'bigint') out += `${v}`;
    else if (v === null || v === undefined || typeof v === 'boolean') out += pool.escape(v);
    else return pool.format(sql, params as unknown[]);
    out += parts[i + 1];
  }
  return out;
}

function sqlTemplate(pool: Pick<Mysql2Pool, 'format'>, sql: string, n: number): readonly string[] | null {
  if (sql.includes(String(MARK).slice(0, 8))) return null;
  const text = pool.format(sql, Array.from({ length: n }, (_, i) => MARK + i));
  const parts: string[] = [];
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const mark = String(MARK + i);
    const at = text.indexOf(mark, pos);
    // Not where a value goes (an identifier placeholder quotes it): leave the statement to mysql2.
    if (at < 0 || text[at - 1] === '`') return null;
    parts.push(text.slice(pos, at));
    pos = at + mark.length;
  }
  parts.push(text.slice(pos));
  return parts;
}

/**
 * Hot-path reads. On MySQL/MariaDB straight through mysql2's pool: TypeORM's `query()` checks a connection out
 * through a query runner, broadcasts two events and resolves a module per statement — measurable at fifteen
 * statements per credit report. On SQLite straight to the driver's cached statements.
 * Counted and logged by `db.sql` like every statement; failures are TypeORM's QueryFailedError as before.
 *
 * On MySQL/MariaDB, small reads issued in the same turn of the event loop (the DataLoaders of one request's
 * subgraph fetches fire together) travel to the server in one round trip: see {@link coalescedRead}.
 */
export function readRows<T = Record<string, unknown>>(db: Database, sql: string, params: unknown[] = []): Promise<T[]> {
  if (db.kind === 'sqlite') return sqliteRows<T>(db, sql, params);
  const pool = (db.dataSource.driver as unknown as { pool?: Mysql2Pool }).pool;
  if (!pool) return db.dataSource.query(sql, params) as Promise<T[]>;
  db.sql.logQuery(sql, params);
  if (params.length <= COALESCE_MAX_PARAMS) {
    const reads = coalescer(db);
    if (reads) return coalescedRead<T>(db, reads, sql, params);
  }
  return poolRead<T>(db, pool, sql, params);
}

function poolRead<T>(db: Database, pool: Mysql2Pool, sql: string, params: unknown[]): Promise<T[]> {
  return new Promise((resolve, reject) =>
    pool.query(formatSql(pool, sql, params), (err, rows) => {
      if (err) {
        db.sql.logQueryError(err, sql);
        reject(new QueryFailedError(sql, params, err));
      } else resolve(rows as T[]);
    }),
  );
}

/**
 * Reads with at most this many values are coalesced. Larger ones (a cross-check's thousands of ids) are
 * worth running side by side on several connections: the server works on one statement of a round trip at a time.
 */
const COALESCE_MAX_PARAMS = 200;
/**
 * At most this many statements per round trip. Under load the reads of several requests meet in one turn;
 * each socket write saved is CPU the hub and the server get back (16 → 128: ~0.9 → ~0.22 round trips per
 * one-subject report under 32 connections, ~10% more throughput on 2 cores), while one round trip's statements
 * run one after another.
 */
const COALESCE_MAX_STATEMENTS = 128;

interface PendingRead {
  sql: string;
  params: unknown[];
  resolve: (rows: unknown) => void;
  reject: (e: Error) => void;
}

interface Coalescer {
  /** A second pool whose connections accept several statements per query (CLIENT_MULTI_STATEMENTS). */
  pool: Mysql2Pool;
  single: Mysql2Pool;
  queue: PendingRead[];
  scheduled: boolean;
  /** Multi-statement round trips sent, and the statements they carried. */
  stats: { roundTrips: number; statements: number };
}

/** Coalesced reads so far on this database (null where reads are not coalesced: SQLite, or switched off). */
export function coalescedReadStats(db: Database): { roundTrips: number; statements: number } | null {
  return coalescers.get(db)?.stats ?? null;
}

const coalescers = new WeakMap<Database, Coalescer | null>();

/**
 * Every socket write to the database costs a system call and wakes a server thread — on a small VM about as
 * much CPU as the hub's own work for a small read. So reads issued in one turn of the event loop are sent as one
 * multi-statement query (values escaped client-side by mysql2, as for every non-prepared query here) and each
 * caller gets its own result set. The statements run one after another on one connection, each as on its own;
 * if any fails, each is run again on its own so that its caller gets its own error (reads are idempotent).
 * Off with HUB_DB_COALESCE_READS=0.
 */
function coalescer(db: Database): Coalescer | null {
  let found = coalescers.get(db);
  if (found !== undefined) return found;
  found = null;
  const single = (db.dataSource.driver as unknown as { pool?: Mysql2Pool }).pool;
  const options = mysqlConnectionOptions(db);
  if (process.env.HUB_DB_COALESCE_READS !== '0' && single && options) {
    const mysql = mysqlModule(db);
    // Its queries arrive formatted (formatSql): mysql2 would otherwise scan every round trip's text for placeholders.
    const queryFormat = function (this: { config: { stringifyObjects?: boolean; timezone?: string } }, sql: string, values?: unknown[]) {
      return values?.length ? mysql.format(sql, values, this.config.stringifyObjects, this.config.timezone) : sql;
    };
    const pool = mysql.createPool({ ...options, multipleStatements: true, queryFormat }) as Mysql2Pool;
    found = { pool, single, queue: [], scheduled: false, stats: { roundTrips: 0, statements: 0 } };
    beforeClose(db, async () => {
      coalescers.delete(db);
      await new Promise<void>((resolve) => pool.end(() => resolve()));
    });
  }
  coalescers.set(db, found);
  return found;
}

function coalescedRead<T>(db: Database, c: Coalescer, sql: string, params: unknown[]): Promise<T[]> {
  return new Promise((resolve, reject) => {
    c.queue.push({ sql, params, resolve: resolve as (rows: unknown) => void, reject });
    if (!c.scheduled) {
      c.scheduled = true;
      setImmediate(() => flushReads(db, c));
    }
  });
}

function flushReads(db: Database, c: Coalescer): void {
  c.scheduled = false;
  const queued = c.queue;
  c.queue = [];
  for (let i = 0; i < queued.length; i += COALESCE_MAX_STATEMENTS) {
    const part = queued.slice(i, i + COALESCE_MAX_STATEMENTS);
    if (part.length === 1) {
      runAlone(db, c, part[0]);
      continue;
    }
    let text: string;
    try {
      text = part.map((r) => formatSql(c.pool, r.sql, r.params)).join(';\n');
    } catch {
      part.forEach((r) => runAlone(db, c, r));
      continue;
    }
    c.stats.roundTrips++;
    c.stats.statements += part.length;
    multiStatementRead(c.pool, text, (err, results) => {
      if (err || !Array.isArray(results) || results.length !== part.length) {
        part.forEach((r) => runAlone(db, c, r));
        return;
      }
      part.forEach((r, k) => r.resolve(results[k]));
    });
  }
}

/**
 * One multi-statement round trip that keeps only its rows (query options added by the hub's mysql2 patch —
 * patches/README.md): each result set's column definitions are dropped as its rows begin (`columnDefinitions:
 * false`) and the SQL text once it is sent (`keepSql: false`), instead of both living until the last result set
 * arrives. Kept, ~40 KB of definitions and ~5 KB of text per credit report outlived young collections (over 40%
 * of what the collector copied) and made each collection slower. Errors carry no `sql`: a failed round trip's
 * statements are run again one by one (see {@link flushReads}).
 */
export function multiStatementRead(pool: Pick<Mysql2Pool, 'query'>, text: string, callback: (err: Error | null, results: unknown, fields?: unknown) => void): void {
  pool.query({ sql: text, columnDefinitions: false, keepSql: false }, callback);
}

function runAlone(db: Database, c: Coalescer, r: PendingRead): void {
  poolRead(db, c.single, r.sql, r.params).then(r.resolve, r.reject);
}

/** The part of a better-sqlite3 statement the hub uses. */
export interface SqliteStatement {
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}
const sqliteStatements = new WeakMap<object, Map<string, SqliteStatement>>();

/** A prepared statement on TypeORM's one better-sqlite3 connection, prepared once per SQL text (reads and the access log's writes). */
export function sqliteStatement(conn: { prepare(sql: string): SqliteStatement }, sql: string): SqliteStatement {
  let cache = sqliteStatements.get(conn);
  if (!cache) sqliteStatements.set(conn, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) {
    if (cache.size >= 500) cache.clear();
    cache.set(sql, (stmt = conn.prepare(sql)));
  }
  return stmt;
}

/** SQLite: the driver is synchronous; reads skip the query runner's promise and event plumbing. */
function sqliteRows<T>(db: Database, sql: string, params: unknown[]): Promise<T[]> {
  const conn = (db.dataSource.driver as unknown as { databaseConnection?: { prepare(sql: string): SqliteStatement } }).databaseConnection;
  if (!conn) return db.dataSource.query(sql, params) as Promise<T[]>;
  db.sql.logQuery(sql, params);
  try {
    // better-sqlite3 binds no booleans (TypeORM converts them the same way).
    return Promise.resolve(sqliteStatement(conn, sql).all(...params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p))) as T[]);
  } catch (e) {
    db.sql.logQueryError(e as Error, sql);
    return Promise.reject(new QueryFailedError(sql, params, e as Error));
  }
}

const readers = new WeakMap<object, Map<unknown, EntityReader>>();

function readerFor(db: Database, entity: EntityTarget<ObjectLiteral>): EntityReader {
  let perDb = readers.get(db);
  if (!perDb) readers.set(db, (perDb = new Map()));
  let reader = perDb.get(entity);
  if (!reader) {
    const meta = db.dataSource.getMetadata(entity);
    const escape = (name: string) => db.dataSource.driver.escape(name);
    reader = {
      columns: meta.columns,
      hydrators: meta.columns.map((c) => hydratorOf(db, c)),
      select: meta.columns.map((c) => escape(c.databaseName)).join(', '),
      table: escape(meta.tableName),
      statements: new Map(),
      prototype: (meta.target as { prototype: object }).prototype,
      hydrate: null as never,
    };
    reader.hydrate = rowHydrator(
      meta.columns.map((c) => [c.propertyName, c.databaseName]),
      reader.hydrators,
      reader.prototype,
    );
    perDb.set(entity, reader);
  }
  return reader;
}

/**
 * A raw row → a hydrated object with `prototype`, every property through its column's hydrator.
 * Not a constructor made per column list (all properties laid out at once, ~1% fewer bytes per report): V8 then
 * pretenured the records into the old generation, and in about half of the 20 s benchmark runs a full collection
 * counted them live mid-cycle and let the heap grow to ~510 MB RSS (vs ~350 MB).
 */
export function rowHydrator(columns: ReadonlyArray<readonly [property: string, column: string]>, hydrators: readonly Hydrator[], prototype: object | null): (row: Record<string, unknown>) => object {
  const n = columns.length;
  const properties = columns.map(([property]) => property);
  const names = columns.map(([, column]) => column);
  return (row) => {
    const out = Object.create(prototype) as Record<string, unknown>;
    for (let i = 0; i < n; i++) out[properties[i]] = hydrators[i](row[names[i]]);
    return out;
  };
}

/**
 * The statement for a WHERE and ORDER BY, built once: the same string object every time, so neither it nor
 * mysql2's formatting template (keyed by it, see formatSql) is rebuilt and hashed per read — a credit report
 * reads a dozen tables.
 */
function statementOf(reader: EntityReader, where: string, orderBy?: string): string {
  const key = orderBy ? `${where}\u0000${orderBy}` : where;
  let sql = reader.statements.get(key);
  if (sql === undefined) {
    if (reader.statements.size >= 200) reader.statements.clear();
    reader.statements.set(key, (sql = `SELECT ${reader.select} FROM ${reader.table} WHERE ${where}${orderBy ? ` ORDER BY ${orderBy}` : ''}`));
  }
  return sql;
}

/**
 * Hot-path reads of whole entities with hand-written WHERE / ORDER BY: the SELECT list comes from the
 * entity metadata once, rows are hydrated by the driver exactly as TypeORM's find() would (types,
 * transformers), but without building a query tree per call — that costs more CPU than the query itself
 * for the small, indexed reads a credit report makes.
 */
export async function selectEntities<T extends ObjectLiteral>(db: Database, entity: EntityTarget<T>, where: string, params: unknown[], orderBy?: string): Promise<T[]> {
  const reader = readerFor(db, entity as EntityTarget<ObjectLiteral>);
  const rows = (await readRows(db, statementOf(reader, where, orderBy), params)) as Array<Record<string, unknown>>;
  return rows.map(reader.hydrate) as T[];
}

/** Some properties of an entity: their columns (escaped, for a SELECT list) and how a raw row of them becomes values. */
export interface ColumnReader<T, K extends keyof T> {
  table: string;
  /** Escaped column names, in the order of the properties. */
  columns: string[];
  /** The properties from a raw row keyed by column name, hydrated by the driver exactly as TypeORM's find() would. */
  hydrate(row: Record<string, unknown>): Pick<T, K>;
  /** The same from raw values in property order (a row of a UNION whose columns carry another table's names). */
  hydrateValues(values: readonly unknown[]): Pick<T, K>;
  /** The same values hydrated in place, in property order (no object built). */
  hydrateRaw(values: unknown[]): unknown[];
}

const columnReaders = new WeakMap<object, Map<unknown, Map<string, ColumnReader<never, never>>>>();

export function columnReader<T extends ObjectLiteral, K extends keyof T & string>(db: Database, entity: EntityTarget<T>, properties: readonly K[]): ColumnReader<T, K> {
  const key = properties.join(',');
  let perDb = columnReaders.get(db);
  if (!perDb) columnReaders.set(db, (perDb = new Map()));
  let perEntity = perDb.get(entity);
  if (!perEntity) perDb.set(entity, (perEntity = new Map()));
  const cached = perEntity.get(key) as ColumnReader<T, K> | undefined;
  if (cached) return cached;
  const reader = readerFor(db, entity as EntityTarget<ObjectLiteral>);
  const meta = properties.map((p) => {
    const column = reader.columns.find((c) => c.propertyName === p);
    if (!column) throw new Error(`${reader.table} has no property '${p}'`);
    return column;
  });
  const driver = db.dataSource.driver;
  const hydrators = meta.map((c) => hydratorOf(db, c));
  const hydrateValues = (values: readonly unknown[]) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < meta.length; i++) out[meta[i].propertyName] = hydrators[i](values[i]);
    return out as Pick<T, K>;
  };
  const built: ColumnReader<T, K> = {
    table: reader.table,
    columns: meta.map((c) => driver.escape(c.databaseName)),
    hydrate: rowHydrator(
      meta.map((c) => [c.propertyName, c.databaseName]),
      hydrators,
      Object.prototype,
    ) as (row: Record<string, unknown>) => Pick<T, K>,
    hydrateValues,
    hydrateRaw: (values) => {
      for (let i = 0; i < meta.length; i++) values[i] = hydrators[i](values[i]);
      return values;
    },
  };
  perEntity.set(key, built as unknown as ColumnReader<never, never>);
  return built;
}

/**
 * Like {@link selectEntities}, but reads and hydrates only the named properties (hot paths that need a few
 * columns of many rows: the policy's consents of a 10,000-subject cross-check).
 */
export async function selectColumns<T extends ObjectLiteral, K extends keyof T & string>(db: Database, entity: EntityTarget<T>, properties: readonly K[], where: string, params: unknown[]): Promise<Array<Pick<T, K>>> {
  const reader = columnReader(db, entity, properties);
  const rows = (await readRows(db, `SELECT ${reader.columns.join(', ')} FROM ${reader.table} WHERE ${where}`, params)) as Array<Record<string, unknown>>;
  return rows.map(reader.hydrate);
}

const SHORT_LISTS = Array.from({ length: 65 }, (_, n) => new Array(n).fill('?').join(', '));

/** `?, ?, ?` for an IN list of n values (short lists, the per-request reads', made once). */
export function placeholders(n: number): string {
  return n < SHORT_LISTS.length ? SHORT_LISTS[n] : new Array(n).fill('?').join(', ');
}
