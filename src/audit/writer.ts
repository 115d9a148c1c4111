import crypto from 'node:crypto';
import os from 'node:os';
import { CompactSign } from 'jose';
import type { Database } from '../db/datasource';
import { SIGNING_ALG, type SigningKey } from '../identity/keys';
import {
  ZERO_HASH,
  canonicalJson,
  checkpointPayload,
  hashRecord,
  sha256Hex,
  type AccessRecord,
  type AccessRecordInput,
  type AccessedField,
} from './chain';
import {
  BOUNDARY_TABLE,
  CHECKPOINT_TABLE,
  LOG_TABLE,
  SHARED_FIELD_LIST_MIN_CHARS,
  insertFieldListsStatement,
  insertRecordsStatement,
  num,
  query,
  runWrites,
  toDbTime,
  type JsonTexts,
  type Statement,
} from './store';

/** `typ` header of checkpoint JWSs: a checkpoint can never be mistaken for a token signed with the same key. */
export const CHECKPOINT_JWS_TYPE = 'hub-audit-checkpoint+jws';

/**
 * The access record could not be made durable. "No log, no data": whoever asked for the append must
 * not return the data it was about to log.
 */
export class AccessLogUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AccessLogUnavailableError';
  }
}

/** An append was refused before reaching the database (malformed record); other appends are unaffected. */
export class InvalidAccessRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAccessRecordError';
  }
}

export interface Checkpoint {
  id: number;
  chainId: string;
  seq: number;
  headHash: string;
  time: Date;
  kid: string;
  /** Compact JWS (ES256, `kid` header) over `checkpointPayload({ chainId, seq, headHash, time })`. */
  jws: string;
}

export interface AccessLogWriterOptions {
  /** This writer's chain. Default `<host>-<pid>-<start time>-<random>`: unique per writer start. Chain ids compare case-insensitively on MySQL. */
  chainId?: string;
  /** How long the first append of a batch waits for company (group commit window), ms. Default 2. */
  windowMs?: number;
  /** Most records per INSERT statement / batch. Default 500. */
  maxBatch?: number;
  /** Sign a checkpoint after this many records. Default 1000. */
  checkpointEvery?: number;
  /** …or after this long with unsigned records, ms. Default 60000. 0 disables the timer. */
  checkpointIntervalMs?: number;
  /**
   * An append not committed within this many ms rejects with `AccessLogUnavailableError` (the database
   * hangs: the data must not wait forever, nor be returned). Still queued, it is dropped; already being
   * written, it may yet commit — a logged read that was not served. Default 10000; 0 waits forever.
   */
  timeoutMs?: number;
  /** Called when an automatic checkpoint fails (it is retried at the next opportunity). */
  onError?: (error: Error) => void;
}

export interface ChainHead {
  chainId: string;
  /** Seq of the last committed record (0 for an empty chain). */
  seq: number;
  /** Its hash (64 zeros for an empty chain, or the purge boundary's hash). */
  hash: string;
}

const LIMITS = {
  requestId: 64,
  callerType: 16,
  callerOrg: 32,
  callerUser: 191,
  purpose: 32,
  subjectId: 18,
  operationName: 128,
  jsonText: 65_535, // MySQL TEXT, bytes
};
const RECORD_TYPES = new Set(['READ', 'PUBLISH']);
const DECISIONS = new Set(['ALLOW', 'MASK', 'DENY']);
const HEX64 = /^[0-9a-f]{64}$/;
const CHAIN_ID = /^[A-Za-z0-9._:-]{1,64}$/;

type RecordContent = AccessRecord & { json: JsonTexts };

/** Batches of at least this many records are written on the write thread (MySQL/MariaDB; see write-thread.ts). */
export const OFF_THREAD_MIN_RECORDS = 1000;

/** Shared field lists remembered as stored (lists are never deleted); past this many the memory starts over. */
const MAX_KNOWN_LISTS = 10_000;

interface Pending {
  records: RecordContent[];
  resolve: () => void;
  reject: (e: Error) => void;
  done: Promise<void>;
  timer?: NodeJS.Timeout;
}

/**
 * Appends access records to this process's hash chain with group commit.
 *
 * - `append` resolves only after the records are committed. Appends arriving while a batch is being
 *   written (or within `windowMs` of the first one) share one multi-row INSERT (one transaction).
 * - One batch in flight at a time, so seq order is commit order. The in-memory head advances only after
 *   the commit; when a batch fails, every append in it rejects with `AccessLogUnavailableError` and the
 *   next batch re-reads the head from the database (a failure after the server committed cannot fork
 *   the chain).
 * - Signed checkpoints every `checkpointEvery` records or `checkpointIntervalMs`, on demand, and on close.
 *
 * One writer per chain: two processes configured with the same chainId would make each other's
 * batches fail (the UNIQUE (chain_id, seq) index refuses the second) — they would not corrupt the chain.
 */
export class AccessLogWriter {
  private head: ChainHead;
  private headUncertain = false;
  private queue: Pending[] = [];
  private queuedRecords = 0;
  private inFlight: Pending[] = [];
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private intervalTimer: NodeJS.Timeout | null = null;
  private lock: Promise<unknown> = Promise.resolve();
  private lastCheckpointSeq: number;
  private lastCheckpointAt = Date.now();
  private closed = false;
  /** sha256 of the shared field lists this writer has seen committed (so each is inserted once). */
  private readonly storedLists = new Set<string>();
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private readonly checkpointEvery: number;
  private readonly timeoutMs: number;
  private readonly onError: (e: Error) => void;

  /** Batches and statements written, for tests and the benchmark. */
  readonly stats = { appends: 0, records: 0, batches: 0, failedBatches: 0, checkpoints: 0 };

  private constructor(
    private readonly db: Database,
    private readonly key: SigningKey,
    head: ChainHead,
    lastCheckpointSeq: number,
    opts: AccessLogWriterOptions,
  ) {
    this.head = head;
    this.lastCheckpointSeq = lastCheckpointSeq;
    this.windowMs = opts.windowMs ?? 2;
    this.maxBatch = Math.max(1, opts.maxBatch ?? 500);
    this.checkpointEvery = Math.max(1, opts.checkpointEvery ?? 1000);
    this.timeoutMs = Math.max(0, opts.timeoutMs ?? 10_000);
    this.onError = opts.onError ?? ((e) => process.emitWarning(`audit checkpoint failed: ${e.message}`));
    const interval = opts.checkpointIntervalMs ?? 60_000;
    if (interval > 0) {
      this.intervalTimer = setInterval(() => {
        if (this.head.seq > this.lastCheckpointSeq && Date.now() - this.lastCheckpointAt >= interval / 2) {
          this.checkpoint().catch((e: Error) => this.onError(e));
        }
      }, interval);
      this.intervalTimer.unref();
    }
  }

  /** Opens a writer: continues `chainId`'s chain if the database has it, else starts a new one. */
  static async open(db: Database, signingKey: SigningKey, opts: AccessLogWriterOptions = {}): Promise<AccessLogWriter> {
    const chainId = opts.chainId ?? defaultChainId();
    if (!CHAIN_ID.test(chainId)) throw new Error(`audit chainId '${chainId}' must be 1-64 characters of A-Z a-z 0-9 . _ : -`);
    if (!signingKey?.kid || signingKey.kid.length > 64) throw new Error('the audit signing key needs a kid of at most 64 characters');
    const head = await readHead(db, chainId);
    const [cp] = await query<{ seq: unknown }>(
      db,
      `SELECT seq FROM ${CHECKPOINT_TABLE} WHERE chain_id = ? ORDER BY seq DESC LIMIT 1`,
      [chainId],
    );
    return new AccessLogWriter(db, signingKey, head, cp ? num(cp.seq) : 0, opts);
  }

  get chainId(): string {
    return this.head.chainId;
  }

  /** The last committed record of this chain. */
  get committedHead(): ChainHead {
    return { ...this.head };
  }

  /**
   * Appends records; resolves once they are committed. Rejects with `AccessLogUnavailableError` when
   * they could not be written (the caller must then not return the data), or with
   * `InvalidAccessRecordError` when a record is malformed (nothing of this append is written).
   */
  append(records: AccessRecordInput[]): Promise<void> {
    if (this.closed) return Promise.reject(new AccessLogUnavailableError('access log writer is closed: the access cannot be recorded'));
    let normalized: Pending['records'];
    try {
      if (!Array.isArray(records)) throw new InvalidAccessRecordError('append expects an array of access records');
      normalized = records.map((r, i) => normalizeInput(r, i));
    } catch (e) {
      return Promise.reject(e instanceof InvalidAccessRecordError ? e : new InvalidAccessRecordError((e as Error).message));
    }
    if (normalized.length === 0) return Promise.resolve();
    let settle!: { resolve: () => void; reject: (e: Error) => void };
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    const pending: Pending = {
      records: normalized,
      done,
      resolve: () => {
        if (pending.timer) clearTimeout(pending.timer);
        settle.resolve();
      },
      reject: (e) => {
        if (pending.timer) clearTimeout(pending.timer);
        settle.reject(e);
      },
    };
    if (this.timeoutMs > 0) {
      pending.timer = setTimeout(() => this.expire(pending), this.timeoutMs);
      pending.timer.unref();
    }
    this.queue.push(pending);
    this.queuedRecords += normalized.length;
    this.stats.appends++;
    this.schedule();
    return done;
  }

  /** Resolves when every append made before this call has been committed or has failed. */
  async flush(): Promise<void> {
    const waiting = [...this.inFlight, ...this.queue].map((p) => p.done.catch(() => undefined));
    if (this.queue.length && !this.running) this.startNow();
    await Promise.all(waiting);
  }

  /** Signs and stores a checkpoint of the committed head (after flushing earlier appends). */
  async checkpoint(): Promise<Checkpoint> {
    await this.flush();
    return this.exclusive(() => this.writeCheckpoint());
  }

  /** Flushes, writes a final checkpoint (if records were added since the last one) and stops the timers. */
  async close(): Promise<Checkpoint | null> {
    if (this.intervalTimer) clearInterval(this.intervalTimer);
    this.intervalTimer = null;
    this.closed = true; // later appends are refused; earlier ones are still written
    await this.flush();
    if (this.head.seq > this.lastCheckpointSeq && !this.headUncertain) return this.exclusive(() => this.writeCheckpoint());
    return null;
  }

  // -------------------------------------------------------------------------------------------------

  private expire(p: Pending): void {
    const at = this.queue.indexOf(p);
    if (at >= 0) {
      this.queue.splice(at, 1);
      this.queuedRecords -= p.records.length;
    }
    p.reject(
      new AccessLogUnavailableError(
        `access log unavailable: ${p.records.length} access record(s) were not committed within ${this.timeoutMs} ms; the data must not be returned`,
      ),
    );
  }

  private schedule(): void {
    if (this.running) return; // the running loop picks the queue up when the current batch commits
    if (this.queuedRecords >= this.maxBatch || this.windowMs <= 0) {
      this.startNow();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.startNow(), this.windowMs);
    }
  }

  private startNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) return;
    this.running = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.takeBatch();
        this.inFlight = batch; // visible to flush() while it waits for the lock, too
        try {
          await this.exclusive(() => this.writeBatch(batch));
        } finally {
          this.inFlight = [];
        }
        if (this.head.seq - this.lastCheckpointSeq >= this.checkpointEvery && !this.headUncertain) {
          await this.exclusive(() => this.writeCheckpoint()).catch((e: Error) => this.onError(e));
        }
      }
    } finally {
      this.running = false;
      if (this.queue.length) this.schedule();
    }
  }

  /** Whole appends, up to maxBatch records (an append larger than that goes alone, split into several INSERTs). */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let n = 0;
    while (this.queue.length) {
      const next = this.queue[0];
      if (batch.length && n + next.records.length > this.maxBatch) break;
      batch.push(this.queue.shift()!);
      n += next.records.length;
      this.queuedRecords -= next.records.length;
    }
    return batch;
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    try {
      if (this.headUncertain) {
        this.head = await readHead(this.db, this.head.chainId);
        this.headUncertain = false;
      }
      let seq = this.head.seq;
      let prev = this.head.hash;
      const rows: Array<AccessRecord & { json: JsonTexts }> = [];
      const { chainId } = this.head;
      for (const p of batch) {
        // normalizeInput made each record with its chain fields blank; it is the writer's own object.
        for (const r of p.records) {
          r.chainId = chainId;
          r.seq = ++seq;
          r.prevHash = prev;
          r.hash = hashRecord(r, r.json);
          prev = r.hash;
          rows.push(r);
        }
      }
      // Shared field lists not yet known to be stored go first, in the same transaction as the records naming them.
      const newLists = new Map<string, string>();
      for (const r of rows) {
        const ref = r.json.fieldsRef;
        if (ref && !this.storedLists.has(ref)) newLists.set(ref, r.json.fields);
      }
      const statements: Statement[] = newLists.size ? [insertFieldListsStatement(this.db.kind, newLists)] : [];
      for (let i = 0; i < rows.length; i += this.maxBatch) statements.push(insertRecordsStatement(rows.slice(i, i + this.maxBatch)));
      await runWrites(this.db, statements, { transaction: statements.length > 1, offThread: rows.length >= OFF_THREAD_MIN_RECORDS });
      if (this.storedLists.size + newLists.size > MAX_KNOWN_LISTS) this.storedLists.clear();
      for (const ref of newLists.keys()) this.storedLists.add(ref);
      this.head = { chainId: this.head.chainId, seq, hash: prev };
      this.stats.batches++;
      this.stats.records += rows.length;
      for (const p of batch) p.resolve();
    } catch (e) {
      // Not knowing whether the server committed, trust only what the database says next time.
      this.headUncertain = true;
      this.stats.failedBatches++;
      const err = new AccessLogUnavailableError(
        `access log unavailable: ${batch.reduce((n, p) => n + p.records.length, 0)} access record(s) could not be committed ` +
          `to ${LOG_TABLE} (${(e as Error).message}); the data must not be returned`,
        { cause: e },
      );
      for (const p of batch) p.reject(err);
    }
  }

  private async writeCheckpoint(): Promise<Checkpoint> {
    if (this.headUncertain) {
      this.head = await readHead(this.db, this.head.chainId);
      this.headUncertain = false;
    }
    const { chainId, seq, hash } = this.head;
    const time = new Date();
    const jws = await new CompactSign(new TextEncoder().encode(checkpointPayload({ chainId, seq, headHash: hash, time })))
      .setProtectedHeader({ alg: SIGNING_ALG, kid: this.key.kid, typ: CHECKPOINT_JWS_TYPE })
      .sign(this.key.privateKey);
    const [inserted] = await runWrites(
      this.db,
      [
        {
          sql: `INSERT INTO ${CHECKPOINT_TABLE} (chain_id, seq, head_hash, time, kid, jws) VALUES (?, ?, ?, ?, ?, ?)`,
          params: [chainId, seq, hash, toDbTime(time), this.key.kid, jws],
        },
      ],
      { transaction: false },
    );
    this.lastCheckpointSeq = seq;
    this.lastCheckpointAt = Date.now();
    this.stats.checkpoints++;
    return { id: inserted.insertId, chainId, seq, headHash: hash, time, kid: this.key.kid, jws };
  }

  /** Batches and checkpoints run one at a time, in the order asked. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }
}

/** Default chain id: one chain per writer process start (`<host>-<pid>-<start ms, base36>-<random>`, ≤ 54 chars). */
export function defaultChainId(): string {
  const host = os.hostname().replace(/[^A-Za-z0-9.-]/g, '').slice(0, 32) || 'host';
  return `${host}-${process.pid}-${Date.now().toString(36)}-${crypto.randomBytes(2).toString('hex')}`;
}

/** The last committed record of a chain, or its purge boundary, or the empty start. */
export async function readHead(db: Database, chainId: string): Promise<ChainHead> {
  const [last] = await query<{ seq: unknown; hash: string }>(
    db,
    `SELECT seq, hash FROM ${LOG_TABLE} WHERE chain_id = ? ORDER BY seq DESC LIMIT 1`,
    [chainId],
  );
  if (last) return { chainId, seq: num(last.seq), hash: String(last.hash) };
  const [boundary] = await query<{ purged_through_seq: unknown; boundary_hash: string }>(
    db,
    `SELECT purged_through_seq, boundary_hash FROM ${BOUNDARY_TABLE} WHERE chain_id = ?`,
    [chainId],
  );
  if (boundary) return { chainId, seq: num(boundary.purged_through_seq), hash: String(boundary.boundary_hash) };
  return { chainId, seq: 0, hash: ZERO_HASH };
}

// ---------------------------------------------------------------------------------------------------
// Input normalization: what is hashed must be exactly what the database gives back.
// ---------------------------------------------------------------------------------------------------

/** Lone UTF-16 surrogates cannot be stored as UTF-8; replace them so stored text equals hashed text. */
function wellFormed(s: string): string {
  // Most text holds no surrogate at all: nothing to repair.
  if (!/[\uD800-\uDFFF]/.test(s)) return s;
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function text(r: AccessRecordInput, i: number, name: keyof typeof LIMITS & keyof AccessRecordInput, opts: { nullable?: boolean; empty?: boolean } = {}): string | null {
  const v = r[name] as unknown;
  if (v === null || v === undefined) {
    if (opts.nullable) return null;
    throw new InvalidAccessRecordError(`access record #${i}: ${name} is required`);
  }
  if (typeof v !== 'string') throw new InvalidAccessRecordError(`access record #${i}: ${name} must be a string`);
  const s = wellFormed(v);
  if (!s && !opts.empty) throw new InvalidAccessRecordError(`access record #${i}: ${name} must not be empty`);
  if (s.length > LIMITS[name] && [...s].length > LIMITS[name]) throw new InvalidAccessRecordError(`access record #${i}: ${name} is longer than ${LIMITS[name]} characters`);
  return s;
}

/** The value as it will read back from the database, and its canonical text (what is stored). */
function jsonValue<T>(value: T, i: number, name: string): [T, string] {
  let encoded: string;
  let normalized = value;
  try {
    encoded = canonicalJson(value);
    // JSON.stringify escapes lone surrogates (\udXXX); only then is the value rebuilt with U+FFFD in their
    // place (what the database can store). Any other value is stored and hashed as this very text.
    if (/\\ud[89a-f]/i.test(encoded)) {
      encoded = canonicalJson(deepWellFormed(value));
      normalized = JSON.parse(encoded) as T;
    }
  } catch (e) {
    throw new InvalidAccessRecordError(`access record #${i}: ${name} is not plain JSON data (${(e as Error).message})`);
  }
  if (Buffer.byteLength(encoded, 'utf8') > LIMITS.jsonText) {
    throw new InvalidAccessRecordError(`access record #${i}: ${name} is larger than ${LIMITS.jsonText} bytes as JSON`);
  }
  return [normalized, encoded];
}

/** Frozen field lists (the gateway shares one between the subjects of a request) are checked and encoded once. */
const encodedFieldLists = new WeakMap<readonly AccessedField[], [AccessedField[], string, string | null]>();

/** The list as it reads back, its canonical text, and its sha256 when it is long enough to be stored once. */
function fieldList(list: readonly AccessedField[], i: number): [AccessedField[], string, string | null] {
  const cached = Object.isFrozen(list) ? encodedFieldLists.get(list) : undefined;
  if (cached) return cached;
  const fields: AccessedField[] = list.map((f, j) => {
    if (!f || typeof f.dataset !== 'string' || typeof f.field !== 'string' || !DECISIONS.has(f.decision)) {
      throw new InvalidAccessRecordError(`access record #${i}: fields[${j}] needs dataset, field and decision ALLOW|MASK|DENY`);
    }
    if (f.reason !== undefined && typeof f.reason !== 'string') throw new InvalidAccessRecordError(`access record #${i}: fields[${j}].reason must be a string`);
    const out: AccessedField = { dataset: f.dataset, field: f.field, decision: f.decision };
    if (f.reason !== undefined) out.reason = f.reason;
    return out;
  });
  const [normalized, text] = jsonValue(fields, i, 'fields');
  const result: [AccessedField[], string, string | null] = [normalized, text, text.length >= SHARED_FIELD_LIST_MIN_CHARS ? sha256Hex(text) : null];
  // Only a list whose members cannot change either may be reused.
  if (Object.isFrozen(list) && list.every((f) => Object.isFrozen(f))) encodedFieldLists.set(list, result);
  return result;
}

function deepWellFormed(v: unknown): unknown {
  if (typeof v === 'string') return wellFormed(v);
  if (Array.isArray(v)) return v.map(deepWellFormed);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return v; // canonicalJson refuses it with a clear message
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [wellFormed(k), deepWellFormed(x)]));
  }
  return v;
}

/** Frozen id lists (the gateway shares one between the subjects of a request relying on the same ids) are checked and encoded once. */
const encodedIdLists = new WeakMap<readonly string[], [readonly string[], string]>();
/** Per id field, the shared list checked last and its encoding: a request's records mostly name the same approvals one after another. */
const lastIdLists = new Map<string, [readonly string[], [readonly string[], string]]>();
const PLAIN_ID = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
/** Within the JSON text limit for sure: 64 characters + 3 per id. */
const MAX_PLAIN_IDS = Math.floor(LIMITS.jsonText / 70);

function idList(v: unknown, i: number, name: string): [readonly string[], string] {
  const last = lastIdLists.get(name);
  if (last && v === last[0]) return last[1];
  // A list of one id is mostly a subject's own consent, seen once: checked and encoded without being remembered.
  const shared = Array.isArray(v) && v.length > 1 && Object.isFrozen(v);
  const cached = shared ? encodedIdLists.get(v as readonly string[]) : undefined;
  if (cached) {
    lastIdLists.set(name, [v as readonly string[], cached]);
    return cached;
  }
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw new InvalidAccessRecordError(`access record #${i}: ${name} must be an array of strings`);
  }
  // Ids (UUIDs) are printable ASCII without quotes or backslashes: their JSON is the quoted list as it stands.
  const plain = v.length <= MAX_PLAIN_IDS && (v as string[]).every((x) => x.length <= 64 && PLAIN_ID.test(x));
  const result: [readonly string[], string] = plain ? [v as readonly string[], v.length ? `["${v.join('","')}"]` : '[]'] : jsonValue(v as readonly string[], i, name);
  if (shared) {
    encodedIdLists.set(v as readonly string[], result);
    lastIdLists.set(name, [v as readonly string[], result]);
  }
  return result;
}

function normalizeInput(r: AccessRecordInput, i: number): RecordContent {
  if (!r || typeof r !== 'object') throw new InvalidAccessRecordError(`access record #${i} is not an object`);
  if (!RECORD_TYPES.has(r.recordType)) throw new InvalidAccessRecordError(`access record #${i}: recordType must be READ or PUBLISH`);
  if (!(r.time instanceof Date) || Number.isNaN(r.time.getTime())) throw new InvalidAccessRecordError(`access record #${i}: time must be a valid Date`);
  const year = r.time.getUTCFullYear();
  if (year < 2000 || year > 9999) throw new InvalidAccessRecordError(`access record #${i}: time ${r.time.toISOString()} is out of range`);
  if (typeof r.operationHash !== 'string' || !HEX64.test(r.operationHash)) {
    throw new InvalidAccessRecordError(`access record #${i}: operationHash must be 64 lower-case hex characters (sha256)`);
  }
  if (!Array.isArray(r.fields)) throw new InvalidAccessRecordError(`access record #${i}: fields must be an array`);
  const [normFields, fieldsText, fieldsRef] = fieldList(r.fields, i);
  if (r.detail !== undefined && r.detail !== null && (typeof r.detail !== 'object' || Array.isArray(r.detail))) {
    throw new InvalidAccessRecordError(`access record #${i}: detail must be a JSON object`);
  }
  let operationName = r.operationName ?? null;
  if (typeof operationName === 'string') {
    // Client-chosen and only descriptive (operationHash identifies the operation): shortened, not refused.
    const chars = [...wellFormed(operationName)];
    operationName = chars.length > LIMITS.operationName ? chars.slice(0, LIMITS.operationName - 1).join('') + '…' : chars.join('');
  } else if (operationName !== null) {
    throw new InvalidAccessRecordError(`access record #${i}: operationName must be a string or null`);
  }
  const [consentIds, consentText] = idList(r.consentIds, i, 'consentIds');
  const [approvalIds, approvalText] = idList(r.approvalIds, i, 'approvalIds');
  const [detail, detailText] = r.detail === undefined || r.detail === null ? [null, null] : jsonValue(r.detail, i, 'detail');
  return {
    // Filled in when the record is written (one shape for every record: no copy per record then).
    chainId: '',
    seq: 0,
    prevHash: '',
    hash: '',
    recordType: r.recordType,
    time: new Date(r.time.getTime()),
    requestId: text(r, i, 'requestId')!,
    callerType: text(r, i, 'callerType')!,
    callerOrg: text(r, i, 'callerOrg', { nullable: true }),
    callerUser: text(r, i, 'callerUser')!,
    purpose: text(r, i, 'purpose', { nullable: true }),
    subjectId: text(r, i, 'subjectId', { empty: r.recordType === 'PUBLISH' })!,
    operationName,
    operationHash: r.operationHash,
    consentIds,
    approvalIds,
    fields: normFields,
    detail,
    json: { consentIds: consentText, approvalIds: approvalText, fields: fieldsText, fieldsRef, detail: detailText },
  };
}
