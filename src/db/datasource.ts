import fs from 'node:fs';
import path from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { allEntities } from './entities';
import { allMigrations } from '../../migrations';
import { SqlCounter } from './sql-counter';

export type DatabaseKind = 'sqlite' | 'mariadb' | 'mysql';

export interface Database {
  kind: DatabaseKind;
  dataSource: DataSource;
  sql: SqlCounter;
}

/**
 * Parses `DATABASE_URL`: `sqlite:<path>` / `sqlite::memory:`, `mariadb://…` or `mysql://…`.
 * For `mysql://` the server is asked what it is: TypeORM's `mysql` driver misreads MariaDB's
 * column defaults and JSON columns, so MariaDB must use the `mariadb` driver type.
 */
export async function dataSourceOptions(url: string, sql: SqlCounter): Promise<{ kind: DatabaseKind; options: DataSourceOptions }> {
  const common = {
    entities: allEntities,
    migrations: allMigrations,
    synchronize: false,
    migrationsRun: false,
    logger: sql,
    logging: true as const,
  };
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (!file) throw new Error(`DATABASE_URL '${url}' names no file; use sqlite:data/hub.sqlite or sqlite::memory:`);
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return {
      kind: 'sqlite',
      options: {
        ...common,
        type: 'better-sqlite3',
        database: file,
        enableWAL: file !== ':memory:',
        statementCacheSize: 500,
        prepareDatabase: (db: { pragma(s: string): unknown }) => {
          db.pragma('busy_timeout = 5000');
          db.pragma('foreign_keys = ON');
          db.pragma('synchronous = NORMAL');
        },
      },
    };
  }
  const match = /^(mysql|mariadb):\/\//.exec(url);
  if (!match) throw new Error(`DATABASE_URL '${redact(url)}' is neither sqlite:<path> nor mysql://user:pass@host:port/db`);
  const kind: DatabaseKind = match[1] === 'mariadb' ? 'mariadb' : await detectMariaDb(url);
  const mysqlUrl = url.replace(/^mariadb:/, 'mysql:');
  return {
    kind,
    options: {
      ...common,
      type: kind,
      url: mysqlUrl,
      charset: 'utf8mb4',
      timezone: 'Z',
      supportBigNumbers: true,
      bigNumberStrings: true,
      // 2 cores: a small pool keeps MariaDB's threads from fighting the hub for CPU.
      poolSize: Number(process.env.HUB_DB_POOL || 10),
      // mysql2 captures a stack trace at every query call by default ("long stack traces"): a measurable
      // share of a credit report's CPU. Errors still carry the driver's own stack and the SQL state.
      extra: { trace: false },
    } as DataSourceOptions,
  };
}

async function detectMariaDb(url: string): Promise<DatabaseKind> {
  const mysql = await import('mysql2/promise');
  const conn = await mysql.createConnection(url);
  try {
    const [rows] = await conn.query('SELECT VERSION() AS v');
    return /mariadb/i.test(String((rows as Array<{ v: string }>)[0].v)) ? 'mariadb' : 'mysql';
  } finally {
    await conn.end();
  }
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]*)@/, '//$1:***@');
}

/** The parts of TypeORM's MySQL driver the hub's own connections build on. */
interface MysqlDriverInternals {
  options: Record<string, unknown>;
  mysql: { createPool(options: Record<string, unknown>): unknown; format(sql: string, values: unknown[], stringifyObjects?: boolean, timezone?: string): string };
  createConnectionOptions?(options: unknown, credentials: unknown): Record<string, unknown>;
  disconnect(): Promise<void>;
}

/**
 * MySQL/MariaDB: the connection options TypeORM's own pool was opened with (credentials, type casting, time zone,
 * big numbers), for the hub's extra connections (coalesced reads, the access log's write thread); null on SQLite.
 */
export function mysqlConnectionOptions(db: Database): Record<string, unknown> | null {
  const driver = db.dataSource.driver as unknown as MysqlDriverInternals;
  if (db.kind === 'sqlite' || typeof driver.createConnectionOptions !== 'function') return null;
  return driver.createConnectionOptions(driver.options, driver.options);
}

/** mysql2's module as TypeORM loaded it (MySQL/MariaDB only). */
export function mysqlModule(db: Database): MysqlDriverInternals['mysql'] {
  return (db.dataSource.driver as unknown as MysqlDriverInternals).mysql;
}

/** Runs `close` before the database's connections are closed (`dataSource.destroy()`), for connections the hub opened beside TypeORM's. */
export function beforeClose(db: Database, close: () => Promise<void>): void {
  const driver = db.dataSource.driver as unknown as MysqlDriverInternals;
  const disconnect = driver.disconnect.bind(driver);
  driver.disconnect = async () => {
    await close().catch(() => undefined);
    return disconnect();
  };
}

/** Opens the database; with `migrate` it applies pending migrations first (the embedded default does). */
export async function openDatabase(url: string, opts: { migrate?: boolean } = {}): Promise<Database> {
  const sql = new SqlCounter();
  const { kind, options } = await dataSourceOptions(url, sql);
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  if (opts.migrate) await dataSource.runMigrations({ transaction: 'each' });
  return { kind, dataSource, sql };
}
