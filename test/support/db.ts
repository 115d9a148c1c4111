import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../../src/db/datasource';

/** Which database the suites run on: SQLite files by default, MariaDB/MySQL with HUB_TEST_DB=mysql (npm run test:mysql). */
export const onMysql = process.env.HUB_TEST_DB === 'mysql';
export const mysqlBaseUrl = process.env.TEST_DATABASE_URL || 'mysql://hub:hub@127.0.0.1:3306/hub_test';

/**
 * A fresh, migrated database for one suite: its own SQLite file, or its own MySQL database
 * (`<base>_<name>`; the test account needs CREATE/DROP on hub_test%).
 */
export async function freshDatabaseUrl(name: string): Promise<string> {
  if (!onMysql) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hub-${name}-`));
    return `sqlite:${path.join(dir, 'hub.sqlite')}`;
  }
  const url = new URL(mysqlBaseUrl);
  const dbName = `${url.pathname.slice(1) || 'hub_test'}_${name.replace(/\W/g, '_')}`;
  const mysql = await import('mysql2/promise');
  const admin = await mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) });
  await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
  await admin.query(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  url.pathname = `/${dbName}`;
  return url.toString();
}

export async function freshDatabase(name: string): Promise<{ url: string; db: Database }> {
  const url = await freshDatabaseUrl(name);
  return { url, db: await openDatabase(url, { migrate: true }) };
}

export function tempKeysDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'hub-keys-'));
}
