import crypto from 'node:crypto';

/**
 * The access log's hash chain, as pure functions: canonical encoding, record hashes and chain checks.
 * No database, no clock, no keys — the writer, the database verifier and an outsider checking an
 * export all use exactly this code, so they cannot disagree about what a record's hash is.
 *
 * Hash of a record = sha256 (lower-case hex) of `canonicalJson` of every stored field except `hash`
 * and the database's auto-increment `id`:
 *   { approvalIds, callerOrg, callerType, callerUser, chainId, consentIds, detail, fields,
 *     operationHash, operationName, prevHash, purpose, recordType, requestId, seq, subjectId, time }
 * with `time` as ISO-8601 UTC with milliseconds ("2025-01-02T03:04:05.678Z"), absent optional values
 * as null (`detail`, `callerOrg`, `purpose`, `operationName`) and a field's absent `reason` omitted.
 * The first record of a chain has prevHash = 64 zeros; after a retention purge, the boundary hash.
 */

export const ZERO_HASH = '0'.repeat(64);

export type AccessRecordType = 'READ' | 'PUBLISH';
export type FieldDecision = 'ALLOW' | 'MASK' | 'DENY';

export interface AccessedField {
  dataset: string;
  field: string;
  decision: FieldDecision;
  reason?: string;
}

/** What the gateway hands the writer for one read (or one publication) of subject data. */
export interface AccessRecordInput {
  recordType: AccessRecordType;
  time: Date;
  requestId: string;
  callerType: string;
  callerOrg: string | null;
  callerUser: string;
  purpose: string | null;
  subjectId: string;
  operationName: string | null;
  /** sha256 hex of the normalized operation document. */
  operationHash: string;
  consentIds: readonly string[];
  approvalIds: readonly string[];
  fields: readonly AccessedField[];
  /** PUBLISH: dataset, counts, … Any JSON object. */
  detail?: Record<string, unknown>;
}

/** A record as stored: the input plus its place in a chain. */
export interface AccessRecord extends Omit<AccessRecordInput, 'detail'> {
  /** Database row id (not hashed; absent before insert). */
  id?: number;
  chainId: string;
  seq: number;
  detail: Record<string, unknown> | null;
  prevHash: string;
  hash: string;
}

export type ChainProblem =
  | 'HASH_MISMATCH'
  | 'PREV_HASH_MISMATCH'
  | 'SEQ_GAP'
  | 'SEQ_ORDER'
  | 'CHECKPOINT_MISMATCH'
  | 'CHECKPOINT_SIGNATURE';

/** The first broken place found: which chain, which seq, which row (`id`, null when the row is missing). */
export interface ChainFailure {
  ok: false;
  chainId: string;
  seq: number;
  id: number | null;
  problem: ChainProblem;
  message: string;
  /** For CHECKPOINT_* problems: the checkpoint's row id. */
  checkpointId?: number;
}

export interface ChainSummary {
  chainId: string;
  /** Records checked in this chain. */
  records: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** Hash of the last record checked (or the start hash when none). */
  headHash: string;
  /** Checkpoints whose hash was compared with a record (or boundary). */
  checkpointsMatched: number;
  /** Seq of the last checkpoint that matched, if any: records after it are not yet covered by a signature. */
  lastCheckpointSeq: number | null;
}

export type VerifyResult = { ok: true; count: number; chains: ChainSummary[] } | ChainFailure;

/** A checkpoint as the chain check sees it: its signature already checked by the caller (`problem` set if not). */
export interface CheckpointRef {
  id?: number;
  chainId: string;
  seq: number;
  headHash: string;
  problem?: { problem: 'CHECKPOINT_SIGNATURE' | 'CHECKPOINT_MISMATCH'; message: string };
}

/** Where a chain's check starts: after a purge boundary or a trusted checkpoint. */
export interface ChainStart {
  /** The seq expected of the first record. */
  nextSeq: number;
  /** The prevHash expected of the first record. */
  prevHash: string;
}

// ---------------------------------------------------------------------------------------------------
// Canonical JSON
// ---------------------------------------------------------------------------------------------------

/**
 * Deterministic JSON: object keys sorted (UTF-16 code units, as RFC 8785), no whitespace, arrays in
 * order, Dates as ISO-8601 UTC with milliseconds, `undefined` object members omitted. Numbers must be
 * finite; anything that is not plain JSON data (functions, bigint, Map, class instances) is refused,
 * so a value that would not survive a round trip through the database is caught before it is hashed.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, 0);
}

function encode(v: unknown, depth: number): string {
  if (depth > 64) throw new TypeError('canonicalJson: value nested deeper than 64 levels');
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`canonicalJson: ${v} is not a finite number`);
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) {
          if (i) out += ',';
          out += v[i] === undefined ? 'null' : encode(v[i], depth + 1);
        }
        return out + ']';
      }
      if (v instanceof Date) {
        if (Number.isNaN(v.getTime())) throw new TypeError('canonicalJson: invalid Date');
        return '"' + v.toISOString() + '"';
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`canonicalJson: cannot encode a ${(v as object).constructor?.name ?? 'non-plain'} object`);
      }
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const x = obj[k];
        if (x === undefined) continue;
        if (!first) out += ',';
        first = false;
        out += JSON.stringify(k) + ':' + encode(x, depth + 1);
      }
      return out + '}';
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode a ${typeof v}`);
  }
}

export function sha256Hex(text: string): string {
  // One-shot hashing (Node ≥ 20.12): no Hash object per record — the writer hashes every record on the request path.
  return crypto.hash('sha256', text, 'hex');
}

// ---------------------------------------------------------------------------------------------------
// Record hash
// ---------------------------------------------------------------------------------------------------

/** The hashed content of a record: every stored field except `hash` and `id`. */
export function hashedContent(r: Omit<AccessRecord, 'hash' | 'id'> & { hash?: string; id?: number }): Record<string, unknown> {
  return {
    chainId: r.chainId ?? null,
    seq: r.seq ?? null,
    recordType: r.recordType ?? null,
    time: r.time ?? null,
    requestId: r.requestId ?? null,
    callerType: r.callerType ?? null,
    callerOrg: r.callerOrg ?? null,
    callerUser: r.callerUser ?? null,
    purpose: r.purpose ?? null,
    subjectId: r.subjectId ?? null,
    operationName: r.operationName ?? null,
    operationHash: r.operationHash ?? null,
    consentIds: r.consentIds ?? null,
    approvalIds: r.approvalIds ?? null,
    fields: r.fields ?? null,
    detail: r.detail ?? null,
    prevHash: r.prevHash ?? null,
  };
}

/**
 * sha256 hex over the canonical encoding of the record's hashed content. Equal to
 * `sha256Hex(canonicalJson(hashedContent(r)))` (a test holds it to that); the top level is written out
 * in its fixed sorted key order because the writer hashes every record on the request path.
 */
export function hashRecord(
  r: Omit<AccessRecord, 'hash' | 'id'> & { hash?: string; id?: number },
  /** The canonical JSON of the list and object members, when the caller has it already (the writer does). */
  encoded?: { consentIds: string; approvalIds: string; fields: string; detail: string | null },
): string {
  const s = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : encode(v ?? null, 1));
  const text =
    '{"approvalIds":' + (encoded?.approvalIds ?? s(r.approvalIds)) +
    ',"callerOrg":' + member(0, r.callerOrg) +
    ',"callerType":' + member(1, r.callerType) +
    ',"callerUser":' + member(2, r.callerUser) +
    ',"chainId":' + member(3, r.chainId) +
    ',"consentIds":' + (encoded?.consentIds ?? s(r.consentIds)) +
    ',"detail":' + (encoded ? (encoded.detail ?? 'null') : s(r.detail)) +
    ',"fields":' + (encoded?.fields ?? s(r.fields)) +
    ',"operationHash":' + member(4, r.operationHash) +
    ',"operationName":' + member(5, r.operationName) +
    ',"prevHash":' + s(r.prevHash) +
    ',"purpose":' + member(6, r.purpose) +
    ',"recordType":' + member(7, r.recordType) +
    ',"requestId":' + member(8, r.requestId) +
    ',"seq":' + s(r.seq) +
    ',"subjectId":' + s(r.subjectId) +
    ',"time":' + time(r.time) +
    '}';
  return sha256Hex(text);
}

/**
 * The records of one append share their caller, operation, request and time: each such top-level member's
 * last string value and its JSON text are kept, so a batch encodes them once (the text is the same either way).
 */
const lastMember: Array<{ value: string | null; json: string }> = Array.from({ length: 9 }, () => ({ value: null, json: 'null' }));
function member(slot: number, v: unknown): string {
  const last = lastMember[slot];
  if (v === last.value) return last.json;
  if (typeof v !== 'string') return encode(v ?? null, 1);
  last.value = v;
  return (last.json = JSON.stringify(v));
}
const lastTime = { ms: NaN, json: '' };
function time(v: unknown): string {
  if (!(v instanceof Date)) return typeof v === 'string' ? JSON.stringify(v) : encode(v ?? null, 1);
  const ms = v.getTime();
  if (ms === lastTime.ms) return lastTime.json;
  const json = encode(v, 1);
  lastTime.ms = ms;
  return (lastTime.json = json);
}

/** The checkpoint statement that is signed: canonical JSON of `{ chainId, headHash, seq, time }`. */
export function checkpointPayload(cp: { chainId: string; seq: number; headHash: string; time: Date }): string {
  return canonicalJson({ chainId: cp.chainId, seq: cp.seq, headHash: cp.headHash, time: cp.time });
}

// ---------------------------------------------------------------------------------------------------
// Chain check
// ---------------------------------------------------------------------------------------------------

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Checks one chain incrementally (records pushed in seq order, page by page) so a database of any size
 * is verified in constant memory. Stops at the first problem.
 */
export class ChainVerifier {
  private expectedSeq: number;
  private prevHash: string;
  private readonly checkpoints: CheckpointRef[];
  private cpIndex = 0;
  private failure: ChainFailure | null = null;
  private readonly summary: ChainSummary;

  constructor(
    readonly chainId: string,
    start: ChainStart = { nextSeq: 1, prevHash: ZERO_HASH },
    checkpoints: CheckpointRef[] = [],
  ) {
    this.expectedSeq = start.nextSeq;
    this.prevHash = start.prevHash;
    this.checkpoints = [...checkpoints].sort((a, b) => a.seq - b.seq || (a.id ?? 0) - (b.id ?? 0));
    this.summary = {
      chainId,
      records: 0,
      firstSeq: null,
      lastSeq: null,
      headHash: start.prevHash,
      checkpointsMatched: 0,
      lastCheckpointSeq: null,
    };
    // Checkpoints before the start (purged records, or before a trusted checkpoint): the signature
    // still counts; the one exactly at the start must match the start hash.
    this.failure = this.drainCheckpoints(start.nextSeq - 1, start.prevHash, null, true);
  }

  get failed(): ChainFailure | null {
    return this.failure;
  }

  /** Checks the next record; returns the problem (and keeps returning it) once the chain is broken. */
  push(r: AccessRecord): ChainFailure | null {
    if (this.failure) return this.failure;
    const id = r.id ?? null;
    const fail = (problem: ChainProblem, message: string): ChainFailure =>
      (this.failure = { ok: false, chainId: this.chainId, seq: r.seq, id, problem, message });

    if (r.chainId !== this.chainId) return fail('SEQ_ORDER', `record ${describe(r)} belongs to chain '${r.chainId}', not '${this.chainId}'`);
    if (!Number.isSafeInteger(r.seq) || r.seq < this.expectedSeq) {
      return fail(
        'SEQ_ORDER',
        `record ${describe(r)} comes where seq ${this.expectedSeq} was expected: records are out of order, duplicated, or renumbered into the purged range`,
      );
    }
    if (r.seq > this.expectedSeq) {
      const missing = r.seq - this.expectedSeq === 1 ? `seq ${this.expectedSeq} is` : `seqs ${this.expectedSeq}..${r.seq - 1} are`;
      return fail('SEQ_GAP', `record ${describe(r)} follows seq ${this.expectedSeq - 1}: ${missing} missing (deleted?)`);
    }
    let computed: string;
    try {
      computed = hashRecord(r);
    } catch (e) {
      return fail('HASH_MISMATCH', `record ${describe(r)} cannot be hashed: ${(e as Error).message}`);
    }
    if (typeof r.hash !== 'string' || computed !== r.hash) {
      return fail('HASH_MISMATCH', `record ${describe(r)} was altered: its content hashes to ${computed}, but it is stored with hash ${r.hash}`);
    }
    if (r.prevHash !== this.prevHash) {
      return fail(
        'PREV_HASH_MISMATCH',
        `record ${describe(r)} links to prevHash ${r.prevHash}, but the preceding record's hash is ${this.prevHash}: records were removed, replaced or reordered before it`,
      );
    }
    if (this.summary.firstSeq === null) this.summary.firstSeq = r.seq;
    this.summary.lastSeq = r.seq;
    this.summary.records++;
    this.summary.headHash = r.hash;
    this.expectedSeq = r.seq + 1;
    this.prevHash = r.hash;
    const cpFailure = this.drainCheckpoints(r.seq, r.hash, id, false);
    if (cpFailure) this.failure = cpFailure;
    return this.failure;
  }

  /** Ends the chain: a checkpoint beyond the last record means records at the end are missing. */
  finish(): ChainFailure | { ok: true; summary: ChainSummary } {
    if (this.failure) return this.failure;
    const rest = this.checkpoints[this.cpIndex];
    if (rest) {
      const last = this.expectedSeq - 1;
      this.failure = rest.problem
        ? this.cpFailure(rest, null, rest.problem.problem, rest.problem.message)
        : this.cpFailure(
            rest,
            null,
            'CHECKPOINT_MISMATCH',
            `checkpoint ${rest.id ?? '?'} signs seq ${rest.seq}, but chain '${this.chainId}' ends at seq ${last}: records ${last + 1}..${rest.seq} are missing (deleted from the end?)`,
          );
      return this.failure;
    }
    return { ok: true, summary: { ...this.summary } };
  }

  private drainCheckpoints(seq: number, hash: string, recordId: number | null, atStart: boolean): ChainFailure | null {
    while (this.cpIndex < this.checkpoints.length && this.checkpoints[this.cpIndex].seq <= seq) {
      const cp = this.checkpoints[this.cpIndex++];
      if (cp.problem) return this.cpFailure(cp, cp.seq === seq ? recordId : null, cp.problem.problem, cp.problem.message);
      if (!HEX64.test(cp.headHash)) {
        return this.cpFailure(cp, recordId, 'CHECKPOINT_MISMATCH', `checkpoint ${cp.id ?? '?'} has no valid head hash`);
      }
      if (cp.seq < seq) continue; // before a start boundary: the record is gone, only the signature can be checked
      if (cp.headHash !== hash) {
        const what = atStart ? `the chain's start hash ${hash} (purge boundary or trusted checkpoint)` : `the record's hash ${hash}`;
        return this.cpFailure(cp, recordId, 'CHECKPOINT_MISMATCH', `checkpoint ${cp.id ?? '?'} signs head ${cp.headHash} at seq ${cp.seq}, but ${what} differs: records up to seq ${cp.seq} were rewritten`);
      }
      this.summary.checkpointsMatched++;
      this.summary.lastCheckpointSeq = cp.seq;
    }
    return null;
  }

  private cpFailure(cp: CheckpointRef, id: number | null, problem: ChainProblem, message: string): ChainFailure {
    const f: ChainFailure = { ok: false, chainId: this.chainId, seq: cp.seq, id, problem, message };
    if (cp.id !== undefined) f.checkpointId = cp.id;
    return f;
  }
}

function describe(r: { seq: number; id?: number }): string {
  return r.id !== undefined ? `seq ${r.seq} (row id ${r.id})` : `seq ${r.seq}`;
}

export interface VerifyChainOptions {
  /** Start points per chain (after a purge boundary or a trusted checkpoint); default seq 1 with ZERO_HASH. */
  starts?: Record<string, ChainStart>;
  /** Checkpoints (signatures already checked, see `CheckpointRef.problem`). */
  checkpoints?: CheckpointRef[];
}

/**
 * Verifies records already in memory (tests, exports). Records may mix chains; each chain's records
 * must come in seq order. Returns the first broken record of the first broken chain.
 */
export function verifyChain(records: AccessRecord[], opts: VerifyChainOptions = {}): VerifyResult {
  const byChain = new Map<string, AccessRecord[]>();
  for (const r of records) {
    const list = byChain.get(r.chainId);
    if (list) list.push(r);
    else byChain.set(r.chainId, [r]);
  }
  for (const cp of opts.checkpoints ?? []) if (!byChain.has(cp.chainId)) byChain.set(cp.chainId, []);
  const chains: ChainSummary[] = [];
  let count = 0;
  for (const chainId of [...byChain.keys()].sort()) {
    const v = new ChainVerifier(
      chainId,
      opts.starts?.[chainId],
      (opts.checkpoints ?? []).filter((c) => c.chainId === chainId),
    );
    for (const r of byChain.get(chainId)!) {
      const f = v.push(r);
      if (f) return f;
    }
    const end = v.finish();
    if (!end.ok) return end;
    chains.push(end.summary);
    count += end.summary.records;
  }
  return { ok: true, count, chains };
}
