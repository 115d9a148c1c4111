import { createHash } from 'node:crypto';
import type { Database } from '../db/datasource';
import { CallerType, type Caller } from '../identity/caller';
import { DATASETS } from '../policy/datasets';
import { findSubjects } from '../registry/read';
import { findInstitutions } from '../sharing/read';
import {
  contentHash,
  cstToday,
  fieldsForDisplay,
  isBlank,
  MAX_SOURCE_RECORD_ID_LENGTH,
  minusDays,
  validateField,
  validateSubjectId,
  type DatasetAdapter,
  type NormalizedRecord,
  type PublishRecord,
  type Rejection,
  type ValidationContext,
} from './adapter';
import { ADAPTERS, adapterFor } from './adapters';
import { PublicationOperation, PublicationStatus } from './entities';
import { isRetryableLockError, isUniqueViolation, placeholders, q, read, runRead, runTransaction, sqlDateTime, write, type TxProgram, type WriteResult } from './sql';

/** Largest batch one call publishes (API and each `hub import` batch). Larger sets are split by the caller. */
export const MAX_BATCH_RECORDS = 5000;
/** Rows per multi-row INSERT: well under MySQL's and SQLite's placeholder limits for the widest table (~25 columns). */
export const ROWS_PER_STATEMENT = 1000;
/**
 * Keys per IN list (lookups of current versions, supersede UPDATEs, subject checks). Below 1000 on purpose:
 * MariaDB turns an IN list of 1000+ values into a join with a derived table (in_predicate_conversion_threshold)
 * and then scans the whole table instead of probing the index.
 */
export const KEYS_PER_IN_LIST = 500;
/** Attempts of a batch's transaction when concurrent publications deadlock or collide on the same records. */
const MAX_ATTEMPTS = 4;
/** Longest idempotency key. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;

/** A publishing failure that is the caller's (mapped to a GraphQL error code by the resolvers). */
export class PublishingError extends Error {
  constructor(
    readonly code: 'FORBIDDEN' | 'BAD_USER_INPUT' | 'CONFLICT' | 'NOT_FOUND',
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'PublishingError';
  }
}

/** What a publication batch (or a correction / retraction) did. */
export interface PublicationOutcome {
  /** Publication-log id of the batch (a REJECTED all-or-nothing batch is logged too). */
  publicationId: string;
  dataset: string;
  status: PublicationStatus;
  /** Records received. */
  received: number;
  /** Records that landed or were already identical: created + changed + unchanged. */
  accepted: number;
  /** New records (version 1). */
  created: number;
  /** Records stored as a new version (the previous version is kept in history). */
  changed: number;
  /** Identical re-sends: nothing written. */
  unchanged: number;
  /** Number of records rejected. */
  rejectedCount: number;
  /** Every problem found: a record may appear more than once (one entry per field at fault). */
  rejected: Rejection[];
  /** Records accepted but flagged for the reporter's attention (same shape as rejections; they did land). */
  flagged: Rejection[];
  /** Set when the idempotency key had been used: the publication whose stored result this is. */
  duplicateOf: string | null;
  /** When the batch was committed (or rejected), ISO 8601. */
  at: string;
}

export interface PublishOptions {
  dataset: string;
  records: PublishRecord[];
  idempotencyKey: string;
  /** Store the valid records and report the rest, instead of all-or-nothing. */
  partial?: boolean;
  channel?: 'API' | 'FILE';
  /** Clock (tests). */
  now?: Date;
}

/** After-commit notification of a publication (the lead connects it to the access log). */
export interface PublicationEvent {
  publicationId: string;
  caller: Caller;
  dataset: string;
  operation: PublicationOperation;
  counts: { received: number; created: number; changed: number; unchanged: number; rejected: number };
  /** Subjects whose data was written (created, changed or retracted records). */
  subjectIds: string[];
  at: Date;
}

let publicationListener: ((event: PublicationEvent) => void | Promise<void>) | null = null;

/** Registers the function told about every committed publication, correction and retraction (one listener). */
export function setPublicationListener(fn: ((event: PublicationEvent) => void | Promise<void>) | null): void {
  publicationListener = fn;
}

/** Test hooks: fault injection inside the write transaction. Never set outside tests. */
export const publishingTestHooks: { beforeInsertChunk: ((info: { dataset: string; chunk: number }) => void) | null } = { beforeInsertChunk: null };

async function notify(event: PublicationEvent): Promise<void> {
  if (!publicationListener) return;
  try {
    await publicationListener(event);
  } catch (e) {
    // The publication is committed; a listener failure must not turn it into an error the caller retries.
    process.stderr.write(`publishing: publication listener failed for publication ${event.publicationId}: ${(e as Error).message}\n`);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function requireAdapter(dataset: string): DatasetAdapter {
  const adapter = adapterFor(dataset);
  if (!adapter) throw new PublishingError('BAD_USER_INPUT', `unknown dataset '${dataset}'; one of ${[...ADAPTERS.keys()].join(', ')}`, { argument: 'dataset' });
  return adapter;
}

function authorize(adapter: DatasetAdapter, caller: Caller): string {
  const denied = adapter.authorize(caller);
  if (denied) throw new PublishingError('FORBIDDEN', denied, { reason: 'NOT_PUBLISHER', dataset: adapter.dataset });
  return caller.orgCode!;
}

// ---------------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------------

/** Validates a batch: every problem of every record, then subject existence per the dataset's policy. */
export async function validateBatch(
  db: Database,
  adapter: DatasetAdapter,
  records: readonly PublishRecord[],
  now: Date,
): Promise<{ valid: NormalizedRecord[]; rejected: Rejection[]; rejectedCount: number }> {
  const today = cstToday(now);
  const oldest = minusDays(today, adapter.maxAsOfAgeDays);
  const known = new Set(adapter.fields.map((f) => f.name));
  const orgFields = adapter.fields.filter((f) => f.kind === 'org');
  const codes = new Set<string>();
  for (const r of records) for (const f of orgFields) {
    const v = r?.fields?.[f.name];
    if (typeof v === 'string' && v.trim()) codes.add(v.trim().toUpperCase());
  }
  const institutions = new Map<string, { type: string }>();
  if (codes.size) {
    const list = [...codes];
    (await findInstitutions(db, list)).forEach((inst, i) => inst && institutions.set(list[i], { type: inst.type }));
  }
  const ctx: ValidationContext = { today, institutions };

  const rejected: Rejection[] = [];
  const bad = new Set<number>();
  const seen = new Map<string, number>();
  const candidates: NormalizedRecord[] = [];
  records.forEach((rec, index) => {
    const problems: Array<[string | null, string]> = [];
    const rawSource = typeof rec?.sourceRecordId === 'string' ? rec.sourceRecordId.trim() : rec?.sourceRecordId == null ? '' : String(rec.sourceRecordId);
    const sourceRecordId = rawSource || null;
    if (!sourceRecordId) problems.push(['sourceRecordId', 'required']);
    else if (sourceRecordId.length > MAX_SOURCE_RECORD_ID_LENGTH) problems.push(['sourceRecordId', `longer than ${MAX_SOURCE_RECORD_ID_LENGTH} characters`]);
    else if (/[\u0000-\u001f]/.test(sourceRecordId)) problems.push(['sourceRecordId', 'contains control characters']);

    const subject = validateSubjectId(adapter, rec?.subjectId);
    if (!subject.ok) problems.push(['subjectId', subject.reason]);

    let dataAsOf: string | null = null;
    if (isBlank(rec?.dataAsOf)) {
      if (adapter.asOfRequired) problems.push(['dataAsOf', 'required']);
    } else {
      const r = validateField({ name: 'dataAsOf', column: '', kind: 'date', notFuture: true }, rec.dataAsOf, ctx);
      if (!r.ok) problems.push(['dataAsOf', r.reason]);
      else if ((r.value as string) < oldest) problems.push(['dataAsOf', `older than the ${adapter.maxAsOfAgeDays} days this dataset accepts (before ${oldest})`]);
      else dataAsOf = r.value as string;
    }

    const values: Record<string, string | number | boolean | null> = {};
    const fields = rec?.fields;
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
      problems.push(['fields', 'must be an object of field values']);
    } else {
      for (const key of Object.keys(fields)) {
        const forbidden = adapter.forbiddenFields?.[key];
        if (forbidden) problems.push([`fields.${key}`, forbidden]);
        else if (!known.has(key)) problems.push([`fields.${key}`, `unknown field for dataset '${adapter.dataset}'`]);
      }
      for (const spec of adapter.fields) {
        const r = validateField(spec, (fields as Record<string, unknown>)[spec.name], ctx);
        if (r.ok) values[spec.name] = r.value;
        else problems.push([`fields.${spec.name}`, r.reason]);
      }
      if (!problems.length && adapter.check) for (const [field, reason] of adapter.check(values)) problems.push([`fields.${field}`, reason]);
    }

    const subjectId = subject.ok ? subject.id : '';
    const key = adapter.storage.mode === 'registry' ? subjectId : sourceRecordId ?? '';
    if (!problems.length) {
      const first = seen.get(key);
      if (first !== undefined) problems.push([adapter.storage.mode === 'registry' ? 'subjectId' : 'sourceRecordId', `duplicate of record ${first} in this batch`]);
      else seen.set(key, index);
    }
    if (problems.length) {
      bad.add(index);
      for (const [field, reason] of problems) rejected.push({ index, sourceRecordId, field, reason });
      return;
    }
    candidates.push({ index, sourceRecordId: sourceRecordId!, subjectId, dataAsOf, values, hash: contentHash(adapter, subjectId, dataAsOf, values) });
  });

  let valid = candidates;
  if (adapter.unknownSubject === 'reject' && candidates.length) {
    const ids = [...new Set(candidates.map((c) => c.subjectId))];
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += KEYS_PER_IN_LIST) for (const id of (await findSubjects(db, ids.slice(i, i + KEYS_PER_IN_LIST))).keys()) found.add(id);
    valid = [];
    for (const c of candidates) {
      if (found.has(c.subjectId)) valid.push(c);
      else {
        bad.add(c.index);
        rejected.push({ index: c.index, sourceRecordId: c.sourceRecordId, field: 'subjectId', reason: 'unknown subject: not in the registry (its registration must be published first)' });
      }
    }
  }
  rejected.sort((a, b) => a.index - b.index);
  return { valid, rejected, rejectedCount: bad.size };
}

// ---------------------------------------------------------------------------------------------------
// Idempotency
// ---------------------------------------------------------------------------------------------------

interface StoredKey {
  requestHash: string;
  result: PublicationOutcome;
}

function* lookupKey(org: string, key: string): TxProgram<StoredKey | null> {
  const rows = (yield read(`SELECT request_hash, result_json FROM publishing_idempotency WHERE org_code = ? AND idem_key = ?`, [org, key])) as Array<{ request_hash: string; result_json: string }>;
  if (!rows.length) return null;
  return { requestHash: rows[0].request_hash, result: JSON.parse(rows[0].result_json) as PublicationOutcome };
}

function replay(stored: StoredKey, requestHash: string, key: string): PublicationOutcome {
  if (stored.requestHash !== requestHash) {
    throw new PublishingError('CONFLICT', `idempotency key '${key}' was already used for a different request (publication ${stored.result.publicationId}); use a new key`, {
      reason: 'IDEMPOTENCY_KEY_REUSED',
      publicationId: stored.result.publicationId,
    });
  }
  return { ...stored.result, duplicateOf: stored.result.publicationId };
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || !key.trim() || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || /[\u0000-\u001f]/.test(key)) {
    throw new PublishingError('BAD_USER_INPUT', `idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable characters`, { argument: 'idempotencyKey' });
  }
}

// ---------------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------------

interface LogRow {
  org: string;
  userId: string;
  dataset: string;
  operation: PublicationOperation;
  status: PublicationStatus;
  channel: string;
  key: string | null;
  partial: boolean;
  counts: { received: number; accepted: number; created: number; changed: number; unchanged: number; rejected: number };
  sourceRecordId?: string | null;
  reason?: string | null;
  at: Date;
}

function* insertLog(row: LogRow): TxProgram<string> {
  const c = row.counts;
  const r = (yield write(
    `INSERT INTO publishing_publication (org_code, user_id, dataset, operation, status, channel, idempotency_key, ${q('partial')}, received, accepted, created, changed, unchanged, rejected, source_record_id, reason, created_at)
     VALUES (${placeholders(17)})`,
    [row.org, row.userId.slice(0, 128), row.dataset, row.operation, row.status, row.channel, row.key, row.partial ? 1 : 0, c.received, c.accepted, c.created, c.changed, c.unchanged, c.rejected, row.sourceRecordId ?? null, row.reason ?? null, sqlDateTime(row.at)],
  )) as WriteResult;
  return String(r.insertId);
}

function chunks<T>(items: readonly T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Columns read back from the current version to compare content. */
function compareColumns(adapter: DatasetAdapter): string[] {
  const s = adapter.storage;
  const cols = [s.subjectColumn, ...adapter.fields.map((f) => f.column)];
  if (s.asOfColumn) cols.push(s.asOfColumn);
  if (s.mode === 'versioned') cols.push('id', 'source_record_id', 'version');
  if (s.retractable) cols.push('retracted_at');
  return [...new Set(cols)];
}

function storedHash(adapter: DatasetAdapter, row: Record<string, unknown>): string {
  const values: Record<string, unknown> = {};
  for (const f of adapter.fields) values[f.name] = row[f.column];
  const asOf = adapter.storage.asOfColumn ? (row[adapter.storage.asOfColumn] as string | null) : null;
  return contentHash(adapter, String(row[adapter.storage.subjectColumn]), asOf, values);
}

interface Plan {
  inserts: Array<{ rec: NormalizedRecord; version: number }>;
  supersede: Array<string | number>;
  created: number;
  changed: number;
  unchanged: number;
}

/** Loads the current versions of the batch's records (locking them on MySQL) and decides new / changed / unchanged. */
function* plan(db: Database, adapter: DatasetAdapter, org: string, valid: NormalizedRecord[]): TxProgram<Plan> {
  const s = adapter.storage;
  const cols = compareColumns(adapter).map(q).join(', ');
  const lock = db.kind === 'sqlite' ? '' : ' FOR UPDATE';
  // With more than eq_range_index_dive_limit (200) keys MariaDB estimates from statistics and may pick a full scan
  // (seen on a 130k-row table with 500 keys): the lookup is by the record key, so say which index to use.
  const index = db.kind === 'sqlite' ? '' : ` FORCE INDEX (${s.mode === 'registry' ? 'PRIMARY' : q(`uq_${s.table}_source_version`)})`;
  const current = new Map<string, Record<string, unknown>>();
  const keyOf = (r: NormalizedRecord) => (s.mode === 'registry' ? r.subjectId : r.sourceRecordId);
  for (const part of chunks(valid, KEYS_PER_IN_LIST)) {
    const keys = part.map(keyOf);
    const rows = (
      s.mode === 'registry'
        ? yield read(`SELECT ${cols} FROM ${q(s.table)}${index} WHERE ${q(s.subjectColumn)} IN (${placeholders(keys.length)})${lock}`, keys)
        : yield read(
            `SELECT ${cols} FROM ${q(s.table)}${index} WHERE ${q(s.currentColumn!)} = 1${s.orgScoped ? ` AND ${q(s.orgColumn)} = ?` : ''} AND source_record_id IN (${placeholders(keys.length)})${lock}`,
            s.orgScoped ? [org, ...keys] : keys,
          )
    ) as Array<Record<string, unknown>>;
    for (const row of rows) current.set(String(s.mode === 'registry' ? row[s.subjectColumn] : row.source_record_id), row);
  }
  const p: Plan = { inserts: [], supersede: [], created: 0, changed: 0, unchanged: 0 };
  for (const rec of valid) {
    const row = current.get(keyOf(rec));
    if (!row) {
      p.created++;
      p.inserts.push({ rec, version: 1 });
    } else if (storedHash(adapter, row) === rec.hash && !(s.retractable && row.retracted_at)) {
      p.unchanged++;
    } else {
      p.changed++;
      p.inserts.push({ rec, version: s.mode === 'registry' ? 1 : Number(row.version) + 1 });
      p.supersede.push(s.mode === 'registry' ? rec.subjectId : (row.id as number));
    }
  }
  return p;
}

/** Applies a plan: supersede (or replace) the changed records' current rows, multi-row INSERT the new versions. */
function* apply(adapter: DatasetAdapter, org: string, p: Plan, at: Date): TxProgram<void> {
  const s = adapter.storage;
  for (const ids of chunks(p.supersede, KEYS_PER_IN_LIST)) {
    if (s.mode === 'registry') yield write(`DELETE FROM ${q(s.table)} WHERE ${q(s.subjectColumn)} IN (${placeholders(ids.length)})`, ids);
    else yield write(`UPDATE ${q(s.table)} SET ${q(s.currentColumn!)} = 0 WHERE id IN (${placeholders(ids.length)})`, ids);
  }
  const columns = [s.subjectColumn, s.orgColumn, s.timeColumn];
  if (s.asOfColumn) columns.push(s.asOfColumn);
  if (s.mode === 'versioned') columns.push('source_record_id', 'version', s.currentColumn!);
  columns.push(...adapter.fields.map((f) => f.column));
  const time = sqlDateTime(at);
  const rowSql = `(${placeholders(columns.length)})`;
  let chunk = 0;
  for (const part of chunks(p.inserts)) {
    publishingTestHooks.beforeInsertChunk?.({ dataset: adapter.dataset, chunk: chunk++ });
    const params: unknown[] = [];
    for (const { rec, version } of part) {
      params.push(rec.subjectId, org, time);
      if (s.asOfColumn) params.push(rec.dataAsOf);
      if (s.mode === 'versioned') params.push(rec.sourceRecordId, version, 1);
      for (const f of adapter.fields) {
        const v = rec.values[f.name];
        params.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
      }
    }
    yield write(`INSERT INTO ${q(s.table)} (${columns.map(q).join(', ')}) VALUES ${new Array(part.length).fill(rowSql).join(', ')}`, params);
  }
}

function outcome(
  publicationId: string,
  dataset: string,
  status: PublicationStatus,
  received: number,
  counts: { created: number; changed: number; unchanged: number },
  rejected: Rejection[],
  rejectedCount: number,
  at: Date,
): PublicationOutcome {
  return {
    publicationId,
    dataset,
    status,
    received,
    accepted: counts.created + counts.changed + counts.unchanged,
    created: counts.created,
    changed: counts.changed,
    unchanged: counts.unchanged,
    rejectedCount,
    rejected,
    flagged: [],
    duplicateOf: null,
    at: at.toISOString(),
  };
}

interface BatchRun extends PublishOptions {
  operation?: PublicationOperation;
  reason?: string | null;
  /** CORRECT: the record must exist. */
  requireExisting?: boolean;
}

async function runBatch(db: Database, caller: Caller, opts: BatchRun): Promise<PublicationOutcome> {
  const adapter = requireAdapter(opts.dataset);
  const org = authorize(adapter, caller);
  checkKey(opts.idempotencyKey);
  const records = opts.records;
  if (!Array.isArray(records) || records.length === 0) throw new PublishingError('BAD_USER_INPUT', 'a batch needs at least one record', { argument: 'records' });
  if (records.length > MAX_BATCH_RECORDS) {
    throw new PublishingError('BAD_USER_INPUT', `at most ${MAX_BATCH_RECORDS} records per batch, got ${records.length}; split the set into batches`, { argument: 'records' });
  }
  const now = opts.now ?? new Date();
  const operation = opts.operation ?? PublicationOperation.PUBLISH;
  const partial = !!opts.partial;
  const requestHash = sha256(JSON.stringify([operation, adapter.dataset, partial, opts.reason ?? null, records]));
  const key = opts.idempotencyKey;

  const stored = await runRead(db, lookupKey(org, key));
  if (stored) return replay(stored, requestHash, key);

  const { valid, rejected, rejectedCount } = await validateBatch(db, adapter, records, now);
  const log = (status: PublicationStatus, counts: LogRow['counts']): LogRow => ({
    org,
    userId: caller.userId,
    dataset: adapter.dataset,
    operation,
    status,
    channel: opts.channel ?? 'API',
    key,
    partial,
    counts,
    sourceRecordId: operation === PublicationOperation.PUBLISH ? null : records[0]?.sourceRecordId ?? null,
    reason: opts.reason ?? null,
    at: now,
  });

  if (rejectedCount && (!partial || !valid.length)) {
    // All-or-nothing: nothing stored. The attempt is logged, but the key is not consumed: the outcome depends on
    // the registry and the clock, so the same batch may be retried under the same key once its subjects exist.
    const id = await runTransaction(db, () => insertLog(log(PublicationStatus.REJECTED, { received: records.length, accepted: 0, created: 0, changed: 0, unchanged: 0, rejected: rejectedCount })));
    return outcome(id, adapter.dataset, PublicationStatus.REJECTED, records.length, { created: 0, changed: 0, unchanged: 0 }, rejected, rejectedCount, now);
  }

  const flagged = adapter.flag ? await adapter.flag(db, caller, valid) : [];
  let written: string[] = [];
  let result: PublicationOutcome | null = null;
  for (let attempt = 1; !result; attempt++) {
    try {
        result = await runTransaction(db, function* () {
        const p = yield* plan(db, adapter, org, valid);
        if (opts.requireExisting && p.created) throw new PublishingError('NOT_FOUND', `no record '${valid[0].sourceRecordId}' in dataset '${adapter.dataset}' to correct`, { reason: 'NO_SUCH_RECORD' });
        yield* apply(adapter, org, p, now);
        const id = yield* insertLog(log(PublicationStatus.COMMITTED, { received: records.length, accepted: valid.length, created: p.created, changed: p.changed, unchanged: p.unchanged, rejected: rejectedCount }));
        const res = { ...outcome(id, adapter.dataset, PublicationStatus.COMMITTED, records.length, p, rejected, rejectedCount, now), flagged };
        yield write(`INSERT INTO publishing_idempotency (org_code, idem_key, request_hash, publication_id, result_json, created_at) VALUES (?, ?, ?, ?, ?, ?)`, [
          org,
          key,
          requestHash,
          Number(id),
          JSON.stringify(res),
          sqlDateTime(now),
        ]);
        written = [...new Set(p.inserts.map((i) => i.rec.subjectId))];
        return res;
      });
    } catch (e) {
      if (!isUniqueViolation(e) && !isRetryableLockError(e)) throw e;
      // A concurrent request with the same key, or touching the same records, got there first (or deadlocked
      // with this one): nothing of this attempt is stored. Its stored result if it had the same key, else retry.
      const again = await runRead(db, lookupKey(org, key));
      if (again) return replay(again, requestHash, key);
      if (attempt >= MAX_ATTEMPTS) {
        throw new PublishingError('CONFLICT', 'other publications kept changing the same records at the same time; retry the batch with the same idempotency key', { reason: 'CONCURRENT_PUBLICATION' });
      }
      await new Promise((r) => setTimeout(r, 10 * attempt + Math.random() * 20));
    }
  }
  await notify({
    publicationId: result.publicationId,
    caller,
    dataset: adapter.dataset,
    operation,
    counts: { received: result.received, created: result.created, changed: result.changed, unchanged: result.unchanged, rejected: result.rejectedCount },
    subjectIds: written,
    at: now,
  });
  return result;
}

/**
 * Publishes one batch of one dataset: authorization (the caller publishes only its own datasets / reports
 * only its own contracts), validation, then in ONE transaction the idempotency key, the upsert by
 * (dataset, source record id) with versioning, and the publication-log row. All-or-nothing unless `partial`.
 */
export function publishBatch(db: Database, caller: Caller, opts: PublishOptions): Promise<PublicationOutcome> {
  return runBatch(db, caller, opts);
}

/** 更正: publishes a new version of one existing record, with a reason (logged). Identical content changes nothing. */
export async function correctRecord(
  db: Database,
  caller: Caller,
  opts: { dataset: string; record: PublishRecord; reason: string; idempotencyKey?: string | null; now?: Date },
): Promise<PublicationOutcome> {
  const reason = requireReason(opts.reason);
  const adapter = requireAdapter(opts.dataset);
  if (adapter.storage.mode !== 'versioned') throw new PublishingError('BAD_USER_INPUT', `dataset '${adapter.dataset}' keeps no versions: publish the record again instead`);
  const key = opts.idempotencyKey || `correct:${sha256(JSON.stringify([opts.dataset, opts.record, reason]))}`;
  return runBatch(db, caller, { dataset: opts.dataset, records: [opts.record], idempotencyKey: key, operation: PublicationOperation.CORRECT, reason, requireExisting: true, now: opts.now });
}

function requireReason(reason: string): string {
  const r = typeof reason === 'string' ? reason.trim() : '';
  if (!r || r.length > 200) throw new PublishingError('BAD_USER_INPUT', 'a reason of 1 to 200 characters is required', { argument: 'reason' });
  return r;
}

/**
 * 撤回: stamps the current version of a record retracted (time + reason). Readers stop seeing it; its
 * history keeps it. Retracting an already retracted record changes nothing.
 */
export async function retractRecord(
  db: Database,
  caller: Caller,
  opts: { dataset: string; sourceRecordId: string; reason: string; now?: Date },
): Promise<PublicationOutcome> {
  const adapter = requireAdapter(opts.dataset);
  const org = authorize(adapter, caller);
  const reason = requireReason(opts.reason);
  const s = adapter.storage;
  if (!s.retractable) throw new PublishingError('BAD_USER_INPUT', `records of dataset '${adapter.dataset}' cannot be retracted; report a corrected version instead`, { argument: 'dataset' });
  const now = opts.now ?? new Date();
  const sourceRecordId = String(opts.sourceRecordId ?? '').trim();
  const { result, subjectId } = await runTransaction(db, function* () {
    const rows = (yield read(
      `SELECT id, ${q(s.subjectColumn)} AS subject_id, retracted_at FROM ${q(s.table)} WHERE ${q(s.currentColumn!)} = 1 AND source_record_id = ?${db.kind === 'sqlite' ? '' : ' FOR UPDATE'}`,
      [sourceRecordId],
    )) as Array<{ id: number; subject_id: string; retracted_at: unknown }>;
    if (!rows.length) throw new PublishingError('NOT_FOUND', `no record '${sourceRecordId}' in dataset '${adapter.dataset}'`, { reason: 'NO_SUCH_RECORD' });
    const already = !!rows[0].retracted_at;
    if (!already) yield write(`UPDATE ${q(s.table)} SET retracted_at = ?, retraction_reason = ? WHERE id = ?`, [sqlDateTime(now), reason, rows[0].id]);
    const counts = { created: 0, changed: already ? 0 : 1, unchanged: already ? 1 : 0 };
    const id = yield* insertLog({
      org,
      userId: caller.userId,
      dataset: adapter.dataset,
      operation: PublicationOperation.RETRACT,
      status: PublicationStatus.COMMITTED,
      channel: 'API',
      key: null,
      partial: false,
      counts: { received: 1, accepted: 1, ...counts, rejected: 0 },
      sourceRecordId,
      reason,
      at: now,
    });
    return { result: outcome(id, adapter.dataset, PublicationStatus.COMMITTED, 1, counts, [], 0, now), subjectId: rows[0].subject_id };
  });
  await notify({ publicationId: result.publicationId, caller, dataset: adapter.dataset, operation: PublicationOperation.RETRACT, counts: { received: 1, created: 0, changed: result.changed, unchanged: result.unchanged, rejected: 0 }, subjectIds: result.changed ? [subjectId] : [], at: now });
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Reading: history, publication log, freshness
// ---------------------------------------------------------------------------------------------------

/** Dates come back as Date (mysql2) or 'YYYY-MM-DD HH:MM:SS.mmm' UTC text (SQLite). */
export function dbDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const s = String(v);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s.replace(' ', 'T')}Z`);
}

export interface RecordVersionRow {
  id: string;
  dataset: string;
  sourceRecordId: string;
  version: number;
  current: boolean;
  subjectId: string;
  dataAsOf: string | null;
  publishedBy: string;
  receivedAt: Date;
  retractedAt: Date | null;
  retractionReason: string | null;
  fields: Record<string, unknown>;
}

/** May the caller read this dataset's history and publication log? The publisher (or reporter) and the operator. */
function canReadOwn(adapter: DatasetAdapter, caller: Caller): boolean {
  return caller.type === CallerType.OPERATOR || adapter.authorize(caller) === null;
}

/**
 * Every stored version of one record, oldest first, retracted ones included (the publisher's and the
 * operator's view; exposure records only the caller's own unless the caller is the operator).
 */
export async function recordHistory(db: Database, caller: Caller, dataset: string, sourceRecordId: string): Promise<RecordVersionRow[]> {
  const adapter = requireAdapter(dataset);
  if (!canReadOwn(adapter, caller)) throw new PublishingError('FORBIDDEN', `only the publisher of dataset '${dataset}' and the hub operator see its record history`, { reason: 'NOT_PUBLISHER' });
  const s = adapter.storage;
  const cols = [...new Set(['id', s.subjectColumn, s.orgColumn, s.timeColumn, ...(s.asOfColumn ? [s.asOfColumn] : []), ...adapter.fields.map((f) => f.column)])];
  if (s.mode === 'versioned') cols.push('source_record_id', 'version', s.currentColumn!);
  if (s.retractable) cols.push('retracted_at', 'retraction_reason');
  const id = String(sourceRecordId ?? '').trim();
  const own = s.orgScoped && caller.type !== CallerType.OPERATOR;
  const rows = await runRead(
    db,
    (function* () {
      return (yield s.mode === 'registry'
        ? read(`SELECT ${cols.map(q).join(', ')} FROM ${q(s.table)} WHERE ${q(s.subjectColumn)} = ?`, [id])
        : read(`SELECT ${cols.map(q).join(', ')} FROM ${q(s.table)} WHERE source_record_id = ?${own ? ` AND ${q(s.orgColumn)} = ?` : ''} ORDER BY ${q(s.orgColumn)}, version`, own ? [id, caller.orgCode] : [id])) as Array<
        Record<string, unknown>
      >;
    })(),
  );
  return rows.map((row) => ({
    id: String(row.id),
    dataset: adapter.dataset,
    sourceRecordId: s.mode === 'registry' ? id : String(row.source_record_id),
    version: s.mode === 'registry' ? 1 : Number(row.version),
    current: s.mode === 'registry' ? true : Number(row[s.currentColumn!]) === 1 || row[s.currentColumn!] === true,
    subjectId: String(row[s.subjectColumn]),
    dataAsOf: s.asOfColumn ? (row[s.asOfColumn] as string) : null,
    publishedBy: String(row[s.orgColumn]),
    receivedAt: dbDate(row[s.timeColumn])!,
    retractedAt: s.retractable ? dbDate(row.retracted_at) : null,
    retractionReason: s.retractable ? ((row.retraction_reason as string | null) ?? null) : null,
    fields: fieldsForDisplay(adapter, row),
  }));
}

export interface PublicationRow {
  id: string;
  orgCode: string;
  userId: string;
  dataset: string;
  operation: PublicationOperation;
  status: PublicationStatus;
  channel: string;
  idempotencyKey: string | null;
  partial: boolean;
  received: number;
  accepted: number;
  created: number;
  changed: number;
  unchanged: number;
  rejected: number;
  sourceRecordId: string | null;
  reason: string | null;
  createdAt: Date;
}

/** Largest page of the publication log. */
export const MAX_PUBLICATIONS_PAGE = 500;

/**
 * The publication log, newest first: an institution sees its own publications, the operator everyone's.
 * `after` is the id of the last publication of the previous page.
 */
export async function listPublications(db: Database, caller: Caller, opts: { dataset?: string | null; first?: number | null; after?: string | null }): Promise<PublicationRow[]> {
  const first = opts.first ?? 50;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PUBLICATIONS_PAGE) throw new PublishingError('BAD_USER_INPUT', `'first' must be between 1 and ${MAX_PUBLICATIONS_PAGE}`, { argument: 'first' });
  if (opts.after && !/^\d{1,15}$/.test(opts.after)) throw new PublishingError('BAD_USER_INPUT', `'after' must be the id of the last publication of the previous page`, { argument: 'after' });
  if (opts.dataset) requireAdapter(opts.dataset);
  const where: string[] = [];
  const params: unknown[] = [];
  if (caller.type !== CallerType.OPERATOR) {
    if (!caller.orgCode) throw new PublishingError('FORBIDDEN', 'the publication log is for institutions', { reason: 'NO_INSTITUTION' });
    where.push('org_code = ?');
    params.push(caller.orgCode);
  }
  if (opts.dataset) {
    where.push('dataset = ?');
    params.push(opts.dataset);
  }
  if (opts.after) {
    where.push('id < ?');
    params.push(Number(opts.after));
  }
  const rows = await runRead(
    db,
    (function* () {
      return (yield read(`SELECT * FROM publishing_publication${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${first}`, params)) as Array<Record<string, unknown>>;
    })(),
  );
  return rows.map((r) => ({
    id: String(r.id),
    orgCode: String(r.org_code),
    userId: String(r.user_id),
    dataset: String(r.dataset),
    operation: r.operation as PublicationOperation,
    status: r.status as PublicationStatus,
    channel: String(r.channel),
    idempotencyKey: (r.idempotency_key as string | null) ?? null,
    partial: Number(r.partial) === 1 || r.partial === true,
    received: Number(r.received),
    accepted: Number(r.accepted),
    created: Number(r.created),
    changed: Number(r.changed),
    unchanged: Number(r.unchanged),
    rejected: Number(r.rejected),
    sourceRecordId: (r.source_record_id as string | null) ?? null,
    reason: (r.reason as string | null) ?? null,
    createdAt: dbDate(r.created_at)!,
  }));
}

export interface DatasetStatusRow {
  dataset: string;
  name: string;
  publisher: string | null;
  updateCycleDays: number;
  lastPublishedAt: Date | null;
  daysSinceLastPublication: number | null;
  overdue: boolean;
}

/**
 * Freshness of every publishable dataset: when data last arrived (the last committed publication, or for
 * data loaded before the publication log existed the newest receive time in the table) against the
 * catalog's expected update cycle. Overdue = nothing ever arrived, or the cycle has passed since.
 */
export async function datasetStatus(db: Database, now: Date = new Date()): Promise<DatasetStatusRow[]> {
  const adapters = [...ADAPTERS.values()];
  const last = await runRead(
    db,
    (function* () {
      const rows = (yield read(`SELECT dataset, MAX(created_at) AS last_at FROM publishing_publication WHERE status = ? AND operation = ? GROUP BY dataset`, [
        PublicationStatus.COMMITTED,
        PublicationOperation.PUBLISH,
      ])) as Array<{ dataset: string; last_at: unknown }>;
      const map = new Map(rows.map((r) => [r.dataset, dbDate(r.last_at)]));
      const missing = adapters.filter((a) => !map.get(a.dataset));
      if (missing.length) {
        const union = missing.map((a) => `SELECT '${a.dataset}' AS dataset, MAX(${q(a.storage.timeColumn)}) AS last_at FROM ${q(a.storage.table)}`).join(' UNION ALL ');
        for (const r of (yield read(union)) as Array<{ dataset: string; last_at: unknown }>) map.set(r.dataset, dbDate(r.last_at));
      }
      return map;
    })(),
  );
  return adapters.map((a) => {
    const def = DATASETS[a.catalogDataset];
    const at = last.get(a.dataset) ?? null;
    const days = at ? Math.floor((now.getTime() - at.getTime()) / 86_400_000) : null;
    return {
      dataset: a.dataset,
      name: a.title,
      publisher: def.publisher,
      updateCycleDays: def.updateCycleDays,
      lastPublishedAt: at,
      daysSinceLastPublication: days,
      overdue: days === null || days > def.updateCycleDays,
    };
  });
}
