import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../src/db/datasource';
import { seedScale, type ScaleSummary } from '../src/demo/scale';
import { FIXED_SUBJECTS } from '../src/demo/seed';
import { checkResidentId, checkSubjectId } from '../src/identifiers';
import { mysqlBaseUrl } from './support/db';

/**
 * `hub seed --scale N`: 2,000 subjects on SQLite (and on MariaDB when one is reachable at
 * TEST_DATABASE_URL's server): deterministic from the seed, valid and unique identifiers,
 * proportionate records, and multi-row INSERTs (far fewer statements than rows).
 */
const N = 2_000;
const NOW = new Date('2026-11-20T08:00:00Z');

function sqliteUrl(name: string): string {
  return `sqlite:${path.join(fs.mkdtempSync(path.join(os.tmpdir(), `hub-scale-${name}-`)), 'hub.sqlite')}`;
}

async function mysqlUrl(name: string): Promise<string | null> {
  const mysql = await import('mysql2/promise');
  const url = new URL(mysqlBaseUrl);
  try {
    const admin = await mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), connectTimeout: 2000 });
    const dbName = `${url.pathname.slice(1) || 'hub_test'}_${name}`;
    await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await admin.query(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.end();
    url.pathname = `/${dbName}`;
    return url.toString();
  } catch {
    return null;
  }
}

interface Generated {
  summary: ScaleSummary;
  ids: string[];
  personIds: string[];
  counts: Record<string, number>;
}

async function generate(url: string, seed: number): Promise<Generated> {
  const db: Database = await openDatabase(url, { migrate: true });
  try {
    const summary = await seedScale(db, url, { subjects: N, seed, now: NOW });
    const ids = ((await db.dataSource.query('SELECT id FROM registry_enterprise UNION ALL SELECT id FROM registry_agri_entity')) as Array<{ id: string }>).map((r) => r.id).sort();
    const personIds = (
      (await db.dataSource.query(
        'SELECT legal_representative_id AS id FROM registry_enterprise WHERE legal_representative_id IS NOT NULL UNION ALL SELECT operator_id_number AS id FROM registry_agri_entity',
      )) as Array<{ id: string }>
    ).map((r) => r.id);
    const counts: Record<string, number> = {};
    for (const table of [
      'registry_enterprise',
      'registry_agri_entity',
      'credit_tax_record',
      'credit_social_insurance_record',
      'credit_judicial_record',
      'credit_penalty_record',
      'credit_land_contract_right',
      'credit_agri_insurance_policy',
      'credit_agri_subsidy',
      'exposure_loan',
      'exposure_guarantee',
      'exposure_compensation',
      'policy_subject_consent',
      'policy_data_use_application',
      'sharing_institution',
    ]) {
      const [row] = (await db.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`)) as Array<{ n: number | string }>;
      counts[table] = Number(row.n);
    }
    return { summary, ids, personIds, counts };
  } finally {
    await db.dataSource.destroy();
  }
}

describe('seed --scale (generator)', () => {
  let a: Generated;
  let b: Generated;

  beforeAll(async () => {
    a = await generate(sqliteUrl('a'), 7);
    b = await generate(sqliteUrl('b'), 7);
  }, 120_000);

  it('writes exactly N subjects, the fixed demo subjects among them', () => {
    expect(a.ids).toHaveLength(N);
    expect(a.summary.subjects).toBe(N);
    expect(a.counts.registry_enterprise + a.counts.registry_agri_entity).toBe(N);
    for (const id of Object.values(FIXED_SUBJECTS)) expect(a.ids).toContain(id);
  });

  it('is deterministic: the same seed gives the same ids and row counts', () => {
    expect(b.ids).toEqual(a.ids);
    expect(b.counts).toEqual(a.counts);
    expect(b.summary.rows).toEqual(a.summary.rows);
  });

  it('gives different data for a different seed', async () => {
    const c = await generate(sqliteUrl('c'), 8);
    expect(c.ids).toHaveLength(N);
    expect(c.counts).not.toEqual(a.counts);
  }, 60_000);

  it('generates only valid, unique identifiers', () => {
    expect(new Set(a.ids).size).toBe(a.ids.length);
    for (const id of a.ids) expect(checkSubjectId(id, NOW)).toMatchObject({ ok: true, id });
    for (const id of a.personIds) expect(checkResidentId(id, NOW)).toMatchObject({ ok: true });
  });

  it('generates proportionate data: every credit category, loans and guarantees across institutions, consents', () => {
    const c = a.counts;
    // about two thirds enterprises, one third agricultural entities
    expect(c.registry_enterprise / N).toBeGreaterThan(0.55);
    expect(c.registry_enterprise / N).toBeLessThan(0.75);
    for (const [table, [lo, hi]] of Object.entries({
      credit_tax_record: [0.8, 1.6],
      credit_social_insurance_record: [0.9, 2.0],
      credit_judicial_record: [0.1, 0.5],
      credit_penalty_record: [0.03, 0.2],
      credit_land_contract_right: [0.3, 0.8],
      credit_agri_insurance_policy: [0.3, 0.8],
      credit_agri_subsidy: [0.4, 1.0],
      exposure_loan: [0.5, 1.0],
      exposure_guarantee: [0.2, 0.5],
      policy_subject_consent: [0.7, 1.3],
    } as Record<string, [number, number]>)) {
      expect([table, c[table] / N]).toEqual([table, expect.any(Number)]);
      expect(c[table] / N).toBeGreaterThanOrEqual(lo);
      expect(c[table] / N).toBeLessThanOrEqual(hi);
    }
    expect(c.exposure_compensation).toBeGreaterThan(0);
    expect(c.policy_data_use_application).toBeGreaterThan(0);
    expect(c.sharing_institution).toBeGreaterThanOrEqual(13);
  });

  it('inserts in chunks: far fewer statements than rows', () => {
    expect(a.summary.totalRows).toBeGreaterThan(10_000);
    expect(a.summary.statements).toBeLessThan(a.summary.totalRows / 20);
  });

  it('produces the same ids and counts on MariaDB/MySQL (skipped when no server is reachable)', async () => {
    const url = await mysqlUrl('scale');
    if (!url) {
      console.warn(`seed --scale on MySQL skipped: no server at ${new URL(mysqlBaseUrl).host}`);
      return;
    }
    const m = await generate(url, 7);
    expect(m.ids).toEqual(a.ids);
    expect(m.counts).toEqual(a.counts);
    expect(m.summary.statements).toBeLessThan(m.summary.totalRows / 20);
  }, 120_000);
});
