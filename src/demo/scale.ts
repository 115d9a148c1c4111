import { createHash } from 'node:crypto';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { Database } from '../db/datasource';
import { completeResidentId, completeUscc } from '../identifiers';
import { demoCreditRecords } from '../credit/demo';
import { demoExposure } from '../exposure/demo';
import type { DatasetCode } from '../policy/catalog';
import { DATASETS } from '../policy/datasets';
import { Purpose } from '../policy/purposes';
import { SubjectKind, type AgriEntity, type Enterprise } from '../registry/entities';
import { isDatabaseEmpty, seedDemo } from './seed';
import { seededRandom } from './random';
import { generateSubjects } from './subjects';

/**
 * `hub seed --scale N`: the demo data (institutions, approvals, the fixed subjects and their consents)
 * plus generated subjects up to N in total, with proportionate credit records, loans, guarantees,
 * compensations and consents — deterministic from the seed, written with large multi-row INSERTs.
 *
 * Identifiers come from counters, not from the random stream, so they are unique however many are
 * generated, and they still carry valid check characters (completeUscc / completeResidentId). Counters
 * also make them nearly ascending within each (class, region) bucket, which keeps InnoDB's B-tree
 * inserts at a few hot pages instead of scattering them over a table larger than the buffer pool.
 */

/** Subjects generated per batch. Fixed: each batch has its own random stream, so the data depends on the seed only. */
export const SCALE_BATCH_SUBJECTS = 5_000;
/** Share of generated subjects that are enterprises / individual businesses / cooperatives (the rest agricultural), as in the demo. */
const ENTERPRISE_SHARE = 0.65;
/** First day of the birth dates counter-generated resident ids use, and how many days they span (1960–1999). */
const BIRTH_BASE = Date.UTC(1960, 0, 1);
const BIRTH_DAYS = 14_610;
/** USCC org-code body alphabet (valid in both the USCC and GB 11714 sets). */
const ORG_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CONDITIONAL_DATASETS = Object.keys(DATASETS) as DatasetCode[];

export interface ScaleProgress {
  /** Called after each batch is written, and once at the end. */
  (p: { subjectsDone: number; subjectsTotal: number; rows: number; elapsedMs: number }): void;
}

export interface ScaleOptions {
  /** Total subjects in the database when done (the demo's subjects included). */
  subjects: number;
  seed?: number;
  now?: Date;
  progress?: ScaleProgress;
  /** Subjects per transaction (default 200,000 on MySQL; SQLite uses one transaction). */
  subjectsPerTransaction?: number;
}

export interface ScaleSummary {
  subjects: number;
  enterprises: number;
  agriEntities: number;
  /** Rows written per entity, the demo's included. */
  rows: Record<string, number>;
  totalRows: number;
  /** SQL statements the generator sent (demo seed included). */
  statements: number;
  elapsedMs: number;
}

type Row = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------
// Identifiers from counters
// ---------------------------------------------------------------------------------------------------

/** Counter → 6 base-31 characters, most significant first (ascending with the counter). */
function base31(n: number, width: number): string {
  let s = '';
  for (let i = 0; i < width; i++) {
    s = ORG_CHARS[n % 31] + s;
    n = Math.floor(n / 31);
  }
  return s;
}

/**
 * Unique identifiers from counters. USCC bodies are 'MB' + 6 base-31 characters (887 million of them;
 * the demo's random ones start with 'MA', so the two never meet). Resident ids walk birth dates
 * 1960–1999 and then the 3-digit sequence: 14.6 million per region before they would repeat.
 */
export class IdCounters {
  private org = 0;
  private person = 0;
  constructor(
    private readonly taken: Set<string>,
    start: { org?: number; person?: number } = {},
  ) {
    this.org = start.org ?? 0;
    this.person = start.person ?? 0;
  }

  uscc(classCode: string, regionCode: string): string {
    for (;;) {
      const id = completeUscc(`${classCode}${regionCode}MB${base31(this.org++, 6)}`);
      if (!this.taken.has(id)) return id;
    }
  }

  residentId(regionCode: string): string {
    for (;;) {
      const p = this.person++;
      const seq = Math.floor(p / BIRTH_DAYS);
      if (seq > 999) throw new Error('resident id counter exhausted');
      const birth = new Date(BIRTH_BASE + (p % BIRTH_DAYS) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
      const id = completeResidentId(`${regionCode}${birth}${String(seq).padStart(3, '0')}`);
      if (!this.taken.has(id)) return id;
    }
  }

  state(): { org: number; person: number } {
    return { org: this.org, person: this.person };
  }
}

// ---------------------------------------------------------------------------------------------------
// One batch of generated data
// ---------------------------------------------------------------------------------------------------

/** Per-prefix sequence offsets, so contract numbers stay unique across batches (demoExposure numbers from 1 per call). */
class ContractNumbers {
  readonly offsets = new Map<string, number>();

  /** Registers an existing contract number (`PREFIX-YYYY-NNNNNN`). */
  seen(contractNo: string): void {
    const m = /^(.*)-(\d{4})-(\d+)$/.exec(contractNo);
    if (m) this.offsets.set(m[1], Math.max(this.offsets.get(m[1]) ?? 0, Number(m[3])));
  }

  /** Renumbers one batch's loans, guarantees and compensations after the numbers used so far. */
  renumber(exposure: { Loan: Row[]; Guarantee: Row[]; Compensation: Row[] }): void {
    const used = new Map<string, number>();
    const map = (no: string | null | undefined): string | null | undefined => {
      if (!no) return no;
      const m = /^(.*)-(\d{4})-(\d+)$/.exec(no);
      if (!m) return no;
      const n = Number(m[3]) + (this.offsets.get(m[1]) ?? 0);
      used.set(m[1], Math.max(used.get(m[1]) ?? 0, n));
      return `${m[1]}-${m[2]}-${String(n).padStart(6, '0')}`;
    };
    for (const l of exposure.Loan) {
      l.contractNo = map(l.contractNo as string);
      l.sourceRecordId = `LN-${l.contractNo}`;
      l.guaranteeContractNo = map(l.guaranteeContractNo as string | null);
    }
    for (const g of exposure.Guarantee) {
      g.contractNo = map(g.contractNo as string);
      g.sourceRecordId = `GT-${g.contractNo}`;
    }
    for (const c of exposure.Compensation) {
      c.guaranteeContractNo = map(c.guaranteeContractNo as string);
      c.sourceRecordId = `DC-${c.guaranteeContractNo}`;
    }
    for (const [prefix, n] of used) this.offsets.set(prefix, Math.max(this.offsets.get(prefix) ?? 0, n));
  }
}

/** Seed of batch `index`'s random stream (FNV-1a over seed and index). */
function batchSeed(seed: number, index: number): number {
  let h = 0x811c9dc5;
  for (const v of [seed >>> 0, index >>> 0, 0x5ca1e]) {
    for (let k = 0; k < 4; k++) {
      h ^= (v >>> (8 * k)) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h;
}

/** A deterministic v4-shaped UUID from a namespace and a counter (unique by construction). */
function counterUuid(namespace: number, n: number): string {
  const hex = (namespace >>> 0).toString(16).padStart(8, '0') + n.toString(16).padStart(24, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface GeneratedBatch {
  enterprises: Enterprise[];
  agriEntities: AgriEntity[];
  tables: Record<string, Row[]>;
}

/**
 * Generates `count` subjects with their records: the demo's own generators (generateSubjects,
 * demoCreditRecords, demoExposure) on the batch's random stream, identifiers replaced by counter ones,
 * contract numbers renumbered, and consents of each borrower to its lenders and guarantors.
 */
export function generateBatch(
  index: number,
  count: number,
  ctx: { seed: number; now: Date; ids: IdCounters; contracts: ContractNumbers; consentCounter: { n: number } },
): GeneratedBatch {
  const rng = seededRandom(batchSeed(ctx.seed, index));
  const nEnterprises = Math.round(count * ENTERPRISE_SHARE);
  const { enterprises, agriEntities } = generateSubjects(rng, { enterprises: nEnterprises, agriEntities: count - nEnterprises }, ctx.now);
  for (const e of enterprises) {
    const classCode = e.kind === SubjectKind.ENTERPRISE ? '91' : e.kind === SubjectKind.INDIVIDUAL_BUSINESS ? '92' : '93';
    e.id = ctx.ids.uscc(classCode, e.regionCode);
    e.legalRepresentativeId = ctx.ids.residentId(e.regionCode);
  }
  for (const a of agriEntities) {
    const household = a.id === a.operatorIdNumber;
    a.operatorIdNumber = ctx.ids.residentId(a.regionCode);
    a.id = household ? a.operatorIdNumber : ctx.ids.uscc('92', a.regionCode);
  }
  const subjects = [
    ...enterprises.map((e) => ({ id: e.id, kind: e.kind, regionCode: e.regionCode, isAgri: e.kind === SubjectKind.FARMER_COOPERATIVE })),
    ...agriEntities.map((a) => ({ id: a.id, kind: a.kind, regionCode: a.regionCode, isAgri: true })),
  ];
  const credit = demoCreditRecords(subjects, rng, ctx.now) as Record<string, Row[]>;
  const exposure = demoExposure(subjects, rng, ctx.now) as unknown as { Loan: Row[]; Guarantee: Row[]; Compensation: Row[] };
  ctx.contracts.renumber(exposure);

  // 授权: each borrower consents to its banks (授信审批) and guarantors (担保审批), signed when the loan was applied for.
  const day = 86_400_000;
  const grants = new Map<string, Purpose>();
  for (const l of exposure.Loan) grants.set(`${l.subjectId}|${l.bankCode}`, Purpose.LOAN_APPROVAL);
  for (const g of exposure.Guarantee) grants.set(`${g.subjectId}|${g.guarantorCode}`, Purpose.GUARANTEE_APPROVAL);
  const consents: Row[] = [];
  for (const [key, purpose] of grants) {
    const [subjectId, granteeCode] = key.split('|');
    const since = Math.floor(rng() * 300) + 1;
    const validFrom = new Date(ctx.now.getTime() - since * day);
    consents.push({
      id: counterUuid(ctx.seed, ctx.consentCounter.n++),
      subjectId,
      granteeCode,
      purposes: [purpose],
      datasets: CONDITIONAL_DATASETS,
      validFrom,
      validTo: new Date(validFrom.getTime() + 365 * day),
      evidenceSha256: createHash('sha256').update(`授权书 ${subjectId} ${granteeCode}`).digest('hex'),
      registeredBy: granteeCode,
      registeredAt: validFrom,
      revokedAt: null,
      revokedBy: null,
      revocationReason: null,
    });
  }
  return {
    enterprises,
    agriEntities,
    tables: {
      Enterprise: enterprises as unknown as Row[],
      AgriEntity: agriEntities as unknown as Row[],
      ...credit,
      ...exposure,
      SubjectConsent: consents,
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Writers: raw multi-row INSERTs on the driver's own connection
// ---------------------------------------------------------------------------------------------------

interface TableShape {
  table: string;
  columns: ColumnMetadata[];
  columnList: string;
}

interface RowWriter {
  begin(): Promise<void>;
  commit(): Promise<void>;
  /** Queues rows; the returned promise settles when they are written. */
  write(shape: TableShape, rows: Row[]): Promise<void>;
  close(): Promise<void>;
}

function shapeOf(db: Database, entity: string): TableShape {
  const meta = db.dataSource.getMetadata(entity);
  const columns = meta.columns.filter((c) => !(c.isGenerated && c.generationStrategy === 'increment'));
  const q = db.kind === 'sqlite' ? (n: string) => `"${n}"` : (n: string) => `\`${n}\``;
  return { table: meta.tableName, columns, columnList: columns.map((c) => q(c.databaseName)).join(', ') };
}

function toValues(db: Database, shape: TableShape, row: Row): unknown[] {
  const driver = db.dataSource.driver;
  const out = new Array(shape.columns.length);
  for (let i = 0; i < shape.columns.length; i++) {
    const c = shape.columns[i];
    const v = driver.preparePersistentValue(row[c.propertyName], c);
    out[i] = v === undefined ? null : v;
  }
  return out;
}

/** MySQL/MariaDB: its own mysql2 connection, client-side formatted multi-row INSERTs of up to ~4 MB each, pipelined with generation. */
async function mysqlWriter(db: Database, url: string): Promise<RowWriter> {
  const mysql = await import('mysql2/promise');
  const conn = await mysql.createConnection({
    uri: url.replace(/^mariadb:/, 'mysql:'),
    charset: 'utf8mb4',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  const run = async (sql: string, label = sql) => {
    db.sql.logQuery(label);
    await conn.query(sql);
  };
  const [[packet]] = (await conn.query('SELECT @@max_allowed_packet AS p')) as unknown as [[{ p: number | string }]];
  const maxBytes = Math.min(4 * 1024 * 1024, Math.floor(Number(packet.p) / 2));
  await run('SET SESSION unique_checks = 0');
  await run('SET SESSION foreign_key_checks = 0');
  let chain: Promise<void> = Promise.resolve();
  return {
    begin: () => run('START TRANSACTION'),
    commit: async () => {
      await chain;
      await run('COMMIT');
    },
    write(shape, rows) {
      // Format now (CPU, in this tick) and send in order; the next batch is generated while MariaDB works.
      const head = `INSERT INTO \`${shape.table}\` (${shape.columnList}) VALUES `;
      const statements: Array<{ sql: string; n: number }> = [];
      let parts: string[] = [];
      let bytes = head.length;
      for (const row of rows) {
        const tuple = mysql.format('(?)', [toValues(db, shape, row) as never]);
        if (parts.length && bytes + tuple.length + 1 > maxBytes) {
          statements.push({ sql: head + parts.join(','), n: parts.length });
          parts = [];
          bytes = head.length;
        }
        parts.push(tuple);
        bytes += tuple.length + 1;
      }
      if (parts.length) statements.push({ sql: head + parts.join(','), n: parts.length });
      chain = chain.then(async () => {
        for (const s of statements) await run(s.sql, `INSERT INTO ${shape.table} … (${s.n} rows)`);
      });
      return chain;
    },
    close: async () => {
      await chain.catch(() => undefined);
      await conn.end();
    },
  };
}

interface SqliteStatement {
  run(...params: unknown[]): unknown;
}
interface SqliteHandle {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
}

/** SQLite: better-sqlite3's connection, prepared multi-row INSERTs (≤ 32,766 parameters each), one transaction. */
function sqliteWriter(db: Database): RowWriter {
  const handle = (db.dataSource.driver as unknown as { databaseConnection: SqliteHandle }).databaseConnection;
  const cache = new Map<string, SqliteStatement>();
  const statement = (shape: TableShape, n: number) => {
    const key = `${shape.table}:${n}`;
    let s = cache.get(key);
    if (!s) {
      const tuple = `(${shape.columns.map(() => '?').join(',')})`;
      s = handle.prepare(`INSERT INTO "${shape.table}" (${shape.columnList}) VALUES ${Array(n).fill(tuple).join(',')}`);
      cache.set(key, s);
    }
    return s;
  };
  return {
    begin: async () => {
      db.sql.logQuery('BEGIN');
      handle.exec('BEGIN');
    },
    commit: async () => {
      db.sql.logQuery('COMMIT');
      handle.exec('COMMIT');
    },
    async write(shape, rows) {
      const perStatement = Math.max(1, Math.min(1000, Math.floor(32_766 / shape.columns.length)));
      for (let i = 0; i < rows.length; i += perStatement) {
        const slice = rows.slice(i, i + perStatement);
        const params: unknown[] = [];
        for (const row of slice) for (const v of toValues(db, shape, row)) params.push(v);
        db.sql.logQuery(`INSERT INTO ${shape.table} … (${slice.length} rows)`);
        statement(shape, slice.length).run(...params);
      }
    },
    close: async () => undefined,
  };
}

// ---------------------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------------------

/**
 * Fills an empty, migrated database: the demo seed, then generated subjects up to `opts.subjects`.
 * `url` is the database URL (MySQL/MariaDB: the generator opens its own connection for the bulk load).
 */
export async function seedScale(db: Database, url: string, opts: ScaleOptions): Promise<ScaleSummary> {
  const started = Date.now();
  const statementsBefore = db.sql.statements;
  const seed = (opts.seed ?? 20251127) >>> 0;
  const now = opts.now ?? new Date();
  if (!(await isDatabaseEmpty(db))) throw new Error('database is not empty: --scale fills an empty, migrated database');
  const demo = await seedDemo(db, { now, seed });
  const demoSubjects = demo.enterprises + demo.agriEntities;
  if (opts.subjects < demoSubjects) throw new Error(`--scale must be at least ${demoSubjects} (the demo's own subjects)`);
  const rows: Record<string, number> = {
    Institution: demo.institutions,
    Enterprise: demo.enterprises,
    AgriEntity: demo.agriEntities,
    ...demo.rows,
  };

  // What the demo already holds: its subject ids (so counters skip them) and its contract numbers.
  const existing = (await db.dataSource.query('SELECT id FROM registry_enterprise UNION ALL SELECT id FROM registry_agri_entity')) as Array<{ id: string }>;
  const taken = new Set(existing.map((r) => r.id));
  const contracts = new ContractNumbers();
  for (const table of ['exposure_loan', 'exposure_guarantee']) {
    for (const r of (await db.dataSource.query(`SELECT contract_no AS c FROM ${table}`)) as Array<{ c: string }>) contracts.seen(r.c);
  }
  const ctx = { seed, now, ids: new IdCounters(taken), contracts, consentCounter: { n: 0 } };

  const shapes = new Map<string, TableShape>();
  const shape = (entity: string) => {
    let s = shapes.get(entity);
    if (!s) shapes.set(entity, (s = shapeOf(db, entity)));
    return s;
  };
  const writer = db.kind === 'sqlite' ? sqliteWriter(db) : await mysqlWriter(db, url);
  const perTransaction = db.kind === 'sqlite' ? Infinity : (opts.subjectsPerTransaction ?? 200_000);
  const toGenerate = opts.subjects - demoSubjects;
  let done = 0;
  let written = Object.values(rows).reduce((a, b) => a + b, 0);
  let inTransaction = 0;
  let enterprises = demo.enterprises;
  let agriEntities = demo.agriEntities;
  let pending: Promise<void> = Promise.resolve();
  try {
    await writer.begin();
    for (let index = 0; done < toGenerate; index++) {
      const count = Math.min(SCALE_BATCH_SUBJECTS, toGenerate - done);
      const batch = generateBatch(index, count, ctx);
      // The previous batch has been written by now (or fails here).
      await pending;
      if (inTransaction >= perTransaction) {
        await writer.commit();
        await writer.begin();
        inTransaction = 0;
      }
      const writes: Promise<void>[] = [];
      let batchRows = 0;
      for (const [entity, list] of Object.entries(batch.tables)) {
        if (!list.length) continue;
        rows[entity] = (rows[entity] ?? 0) + list.length;
        batchRows += list.length;
        writes.push(writer.write(shape(entity), list));
      }
      enterprises += batch.enterprises.length;
      agriEntities += batch.agriEntities.length;
      done += count;
      inTransaction += count;
      const doneNow = done;
      pending = Promise.all(writes).then(() => {
        written += batchRows;
        opts.progress?.({ subjectsDone: demoSubjects + doneNow, subjectsTotal: opts.subjects, rows: written, elapsedMs: Date.now() - started });
      });
    }
    await pending;
    await writer.commit();
  } finally {
    await writer.close();
  }
  opts.progress?.({ subjectsDone: opts.subjects, subjectsTotal: opts.subjects, rows: written, elapsedMs: Date.now() - started });
  return {
    subjects: enterprises + agriEntities,
    enterprises,
    agriEntities,
    rows,
    totalRows: Object.values(rows).reduce((a, b) => a + b, 0),
    statements: db.sql.statements - statementsBefore,
    elapsedMs: Date.now() - started,
  };
}
