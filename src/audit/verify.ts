import fs from 'node:fs';
import path from 'node:path';
import { compactVerify, decodeProtectedHeader, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Database } from '../db/datasource';
import { SIGNING_ALG } from '../identity/keys';
import {
  ChainVerifier,
  ZERO_HASH,
  canonicalJson,
  checkpointPayload,
  type AccessRecord,
  type ChainFailure,
  type ChainStart,
  type ChainSummary,
  type CheckpointRef,
  type VerifyResult,
} from './chain';
import {
  BOUNDARY_TABLE,
  CHECKPOINT_TABLE,
  LOG_TABLE,
  SELECT_LOG_COLUMNS,
  LOG_SOURCE,
  fromDbTime,
  num,
  query,
  rowToRecord,
  toDbTime,
} from './store';
import { CHECKPOINT_JWS_TYPE, type Checkpoint } from './writer';

export const EXPORT_FORMAT = 'zyd-hub-access-log-export/1';
const DEFAULT_PAGE = 5000;

/** A checkpoint as stored (the writer's Checkpoint). */
export type StoredCheckpoint = Checkpoint;

export interface ChainBoundary {
  chainId: string;
  purgedThroughSeq: number;
  boundaryHash: string;
  purgedAt: Date;
}

// ---------------------------------------------------------------------------------------------------
// Checkpoint signatures
// ---------------------------------------------------------------------------------------------------

/** Public keys by kid (ES256 only; other keys in the set are ignored). */
export class CheckpointKeys {
  private readonly keys = new Map<string, Promise<CryptoKey | Uint8Array>>();

  constructor(jwks: JWK[]) {
    for (const jwk of jwks) {
      if (!jwk.kid || jwk.kty !== 'EC' || jwk.crv !== 'P-256') continue;
      if (jwk.alg && jwk.alg !== SIGNING_ALG) continue;
      if ((jwk as { d?: string }).d) throw new Error(`key '${jwk.kid}' is a private key; verification needs public keys only`);
      const imported = importJWK({ ...jwk, alg: SIGNING_ALG }, SIGNING_ALG);
      imported.catch(() => undefined); // a bad key surfaces when a checkpoint names it, not as an unhandled rejection
      this.keys.set(jwk.kid, imported);
    }
  }

  get size(): number {
    return this.keys.size;
  }

  /**
   * Checks a stored checkpoint: signature by a known kid, `typ`, and that the signed statement is what
   * the row says. Returns the statement as signed (the row's own columns are not trusted).
   */
  async check(cp: StoredCheckpoint): Promise<CheckpointRef> {
    const ref: CheckpointRef = { id: cp.id, chainId: cp.chainId, seq: cp.seq, headHash: cp.headHash };
    const bad = (problem: 'CHECKPOINT_SIGNATURE' | 'CHECKPOINT_MISMATCH', message: string): CheckpointRef => ({
      ...ref,
      problem: { problem, message: `checkpoint ${cp.id} (chain '${cp.chainId}', seq ${cp.seq}): ${message}` },
    });
    let header;
    try {
      header = decodeProtectedHeader(cp.jws);
    } catch {
      return bad('CHECKPOINT_SIGNATURE', 'the JWS is malformed');
    }
    if (header.alg !== SIGNING_ALG) return bad('CHECKPOINT_SIGNATURE', `algorithm ${String(header.alg)} is not accepted (ES256 only)`);
    if (header.typ !== CHECKPOINT_JWS_TYPE) return bad('CHECKPOINT_SIGNATURE', `JWS typ '${String(header.typ)}' is not an audit checkpoint`);
    const kid = typeof header.kid === 'string' ? header.kid : '';
    const key = this.keys.get(kid);
    if (!key) return bad('CHECKPOINT_SIGNATURE', `signed with key '${kid}', which is not among the trusted public keys`);
    let payload: Uint8Array;
    let publicKey: CryptoKey | Uint8Array;
    try {
      publicKey = await key;
    } catch {
      return bad('CHECKPOINT_SIGNATURE', `trusted key '${kid}' is not a usable ES256 public key`);
    }
    try {
      ({ payload } = await compactVerify(cp.jws, publicKey, { algorithms: [SIGNING_ALG] }));
    } catch {
      return bad('CHECKPOINT_SIGNATURE', `the signature does not verify with key '${kid}'`);
    }
    let signed: { chainId?: unknown; seq?: unknown; headHash?: unknown; time?: unknown };
    const text = new TextDecoder().decode(payload);
    try {
      signed = JSON.parse(text);
    } catch {
      return bad('CHECKPOINT_MISMATCH', 'the signed statement is not JSON');
    }
    if (typeof signed.chainId !== 'string' || typeof signed.seq !== 'number' || typeof signed.headHash !== 'string' || typeof signed.time !== 'string') {
      return bad('CHECKPOINT_MISMATCH', 'the signed statement lacks chainId, seq, headHash or time');
    }
    const time = new Date(signed.time);
    if (Number.isNaN(time.getTime()) || text !== checkpointPayload({ chainId: signed.chainId, seq: signed.seq, headHash: signed.headHash, time })) {
      return bad('CHECKPOINT_MISMATCH', 'the signed statement is not in canonical form');
    }
    if (kid !== cp.kid) return bad('CHECKPOINT_MISMATCH', `the row says kid '${cp.kid}' but the JWS was signed with '${kid}'`);
    if (signed.chainId !== cp.chainId || signed.seq !== cp.seq || signed.headHash !== cp.headHash || time.getTime() !== cp.time.getTime()) {
      return bad(
        'CHECKPOINT_MISMATCH',
        `the row (chain '${cp.chainId}', seq ${cp.seq}, head ${cp.headHash}) differs from what was signed ` +
          `(chain '${signed.chainId}', seq ${signed.seq}, head ${signed.headHash}, time ${signed.time})`,
      );
    }
    return { id: cp.id, chainId: signed.chainId, seq: signed.seq, headHash: signed.headHash };
  }
}

// ---------------------------------------------------------------------------------------------------
// Database verification
// ---------------------------------------------------------------------------------------------------

export interface VerifyAccessLogOptions {
  /**
   * Incremental check: for each chain, start at its newest checkpoint with id ≤ this one whose signature
   * verifies (records up to it are trusted, having been verified before); chains without one are
   * verified from their start. Combine with `chainId` to check one chain only.
   */
  fromCheckpointId?: number;
  /** Verify only this chain. */
  chainId?: string;
  /** Rows per page (keyset pagination on chain_id, seq). Default 5000. */
  pageSize?: number;
}

/**
 * Verifies the access log in the database: every chain in seq order (streamed page by page), every
 * record's hash and link, every checkpoint's signature against the given public keys and its hash
 * against the record at its seq, and each chain's start against its purge boundary. Reports the first
 * broken record.
 */
export async function verifyAccessLog(db: Database, publicJwks: JWK[], opts: VerifyAccessLogOptions = {}): Promise<VerifyResult> {
  const keys = new CheckpointKeys(publicJwks);
  const pageSize = Math.max(1, opts.pageSize ?? DEFAULT_PAGE);
  const boundaries = new Map((await loadBoundaries(db, opts.chainId)).map((b) => [b.chainId, b]));
  const chainIds = opts.chainId ? [opts.chainId] : await listChains(db);
  const chains: ChainSummary[] = [];
  let count = 0;
  for (const chainId of chainIds) {
    const refs = await Promise.all((await loadCheckpoints(db, chainId)).map((cp) => keys.check(cp)));
    const boundary = boundaries.get(chainId);
    let start: ChainStart = boundary
      ? { nextSeq: boundary.purgedThroughSeq + 1, prevHash: boundary.boundaryHash }
      : { nextSeq: 1, prevHash: ZERO_HASH };
    let checkpoints = refs;
    let cursor = 0; // rows with seq > cursor are read (rows inside a purged range would show as SEQ_ORDER)
    if (opts.fromCheckpointId !== undefined) {
      const trusted = refs
        .filter((r) => !r.problem && r.id !== undefined && r.id <= opts.fromCheckpointId! && r.seq >= start.nextSeq - 1)
        .sort((a, b) => b.seq - a.seq)[0];
      if (trusted) {
        start = { nextSeq: trusted.seq + 1, prevHash: trusted.headHash };
        checkpoints = refs.filter((r) => r.seq > trusted.seq || (r.problem && r.id !== undefined && r.id > opts.fromCheckpointId!));
        cursor = trusted.seq;
      }
    }
    const verifier = new ChainVerifier(chainId, start, checkpoints);
    if (verifier.failed) return verifier.failed;
    for (;;) {
      const rows = await query(
        db,
        `SELECT ${SELECT_LOG_COLUMNS} FROM ${LOG_SOURCE} WHERE chain_id = ? AND seq > ? ORDER BY seq LIMIT ${pageSize}`,
        [chainId, cursor],
      );
      for (const row of rows) {
        const f = verifier.push(rowToRecord(row));
        if (f) return f;
      }
      if (rows.length < pageSize) break;
      cursor = num(rows[rows.length - 1].seq);
    }
    const end = verifier.finish();
    if (!end.ok) return end;
    chains.push(end.summary);
    count += end.summary.records;
  }
  return { ok: true, count, chains };
}

async function listChains(db: Database): Promise<string[]> {
  const ids = new Set<string>();
  for (const table of [LOG_TABLE, CHECKPOINT_TABLE, BOUNDARY_TABLE]) {
    for (const r of await query<{ chain_id: string }>(db, `SELECT DISTINCT chain_id FROM ${table}`)) ids.add(String(r.chain_id));
  }
  return [...ids].sort();
}

export async function loadBoundaries(db: Database, chainId?: string): Promise<ChainBoundary[]> {
  const rows = await query(
    db,
    `SELECT chain_id, purged_through_seq, boundary_hash, purged_at FROM ${BOUNDARY_TABLE}` + (chainId ? ' WHERE chain_id = ?' : '') + ' ORDER BY chain_id',
    chainId ? [chainId] : [],
  );
  return rows.map((r) => ({
    chainId: String(r.chain_id),
    purgedThroughSeq: num(r.purged_through_seq),
    boundaryHash: String(r.boundary_hash),
    purgedAt: fromDbTime(r.purged_at),
  }));
}

export async function loadCheckpoints(db: Database, chainId: string, range?: { fromSeq: number; toSeq: number }): Promise<StoredCheckpoint[]> {
  const rows = await query(
    db,
    `SELECT id, chain_id, seq, head_hash, time, kid, jws FROM ${CHECKPOINT_TABLE} WHERE chain_id = ?` +
      (range ? ' AND seq >= ? AND seq <= ?' : '') +
      ' ORDER BY seq, id',
    range ? [chainId, range.fromSeq, range.toSeq] : [chainId],
  );
  return rows.map((r) => ({
    id: num(r.id),
    chainId: String(r.chain_id),
    seq: num(r.seq),
    headHash: String(r.head_hash),
    time: fromDbTime(r.time),
    kid: String(r.kid),
    jws: String(r.jws),
  }));
}

// ---------------------------------------------------------------------------------------------------
// Export for outsiders
// ---------------------------------------------------------------------------------------------------

/** One contiguous run of a chain in an export. */
export interface ExportSegment {
  chainId: string;
  fromSeq: number;
  toSeq: number;
  count: number;
  /** prevHash of the segment's first record (the previous record's hash, or the purge boundary's). */
  prevHash: string;
  /** Hash of the segment's last record. */
  headHash: string;
}

export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  exportedAt: string;
  /** The time window asked for ([from, to)); `from` is null for a retention export of everything before `to`. */
  from: string | null;
  to: string;
  segments: ExportSegment[];
  /** Retention boundaries of the exported chains at export time. */
  purgeBoundaries: Array<{ chainId: string; purgedThroughSeq: number; boundaryHash: string; purgedAt: string }>;
  records: number;
  checkpoints: number;
}

export interface ExportOptions {
  from: Date;
  to: Date;
  dir: string;
  /** Public keys written to public-keys.jwks.json (the audit checkpoint key(s)); a verifier should get them out of band too. */
  publicJwks?: JWK[];
  pageSize?: number;
}

/**
 * Exports the records whose time lies in [from, to) as contiguous chain segments (one per chain: from
 * the first to the last record in the window, including any record in between whose time falls just
 * outside because requests finish out of order), the checkpoints that fall within them, the chains'
 * purge boundaries and the public keys, plus a README on how to verify. Refuses to overwrite an export.
 */
export async function exportAccessLog(db: Database, opts: ExportOptions): Promise<ExportManifest> {
  if (!(opts.from < opts.to)) throw new Error('exportAccessLog: from must be before to');
  const rows = await query<{ chain_id: string; lo: unknown; hi: unknown }>(
    db,
    `SELECT chain_id, MIN(seq) AS lo, MAX(seq) AS hi FROM ${LOG_TABLE} WHERE time >= ? AND time < ? GROUP BY chain_id ORDER BY chain_id`,
    [toDbTime(opts.from), toDbTime(opts.to)],
  );
  const ranges = rows.map((r) => ({ chainId: String(r.chain_id), fromSeq: num(r.lo), toSeq: num(r.hi) }));
  return writeExport(db, ranges, { ...opts, from: opts.from });
}

/** Writes an export of explicit seq ranges (used by `exportAccessLog` and the retention purge). */
export async function writeExport(
  db: Database,
  ranges: Array<{ chainId: string; fromSeq: number; toSeq: number }>,
  opts: { from: Date | null; to: Date; dir: string; publicJwks?: JWK[]; pageSize?: number },
): Promise<ExportManifest> {
  const pageSize = Math.max(1, opts.pageSize ?? DEFAULT_PAGE);
  fs.mkdirSync(opts.dir, { recursive: true });
  const recordsFile = path.join(opts.dir, 'records.jsonl');
  if (fs.existsSync(recordsFile)) throw new Error(`${recordsFile} already exists: an export is never overwritten; choose a new folder`);
  const boundaries = new Map((await loadBoundaries(db)).map((b) => [b.chainId, b]));
  const segments: ExportSegment[] = [];
  let records = 0;
  let checkpoints = 0;
  const rec = await fs.promises.open(recordsFile, 'wx');
  const cpf = await fs.promises.open(path.join(opts.dir, 'checkpoints.jsonl'), 'wx');
  try {
    for (const range of ranges) {
      let segment: ExportSegment | null = null;
      let cursor = range.fromSeq - 1;
      for (;;) {
        const page = await query(
          db,
          `SELECT ${SELECT_LOG_COLUMNS} FROM ${LOG_SOURCE} WHERE chain_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ${pageSize}`,
          [range.chainId, cursor, range.toSeq],
        );
        let out = '';
        for (const row of page) {
          const r = rowToRecord(row);
          if (segment && r.seq !== segment.toSeq + 1) {
            segments.push(segment); // a hole in the database: the export shows it as separate segments
            segment = null;
          }
          if (!segment) segment = { chainId: r.chainId, fromSeq: r.seq, toSeq: r.seq, count: 0, prevHash: r.prevHash, headHash: r.hash };
          segment.toSeq = r.seq;
          segment.count++;
          segment.headHash = r.hash;
          out += exportLine(r) + '\n';
        }
        if (out) await rec.write(out);
        records += page.length;
        if (page.length < pageSize) break;
        cursor = num(page[page.length - 1].seq);
      }
      if (segment) segments.push(segment);
      // Checkpoints at the segment's start (they sign its prevHash) through its end.
      const cps = await loadCheckpoints(db, range.chainId, { fromSeq: range.fromSeq - 1, toSeq: range.toSeq });
      if (cps.length) await cpf.write(cps.map((c) => canonicalJson({ ...c }) + '\n').join(''));
      checkpoints += cps.length;
    }
    await rec.sync();
    await cpf.sync();
  } finally {
    await rec.close();
    await cpf.close();
  }
  const chainIds = new Set(ranges.map((r) => r.chainId));
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    exportedAt: new Date().toISOString(),
    from: opts.from ? opts.from.toISOString() : null,
    to: opts.to.toISOString(),
    segments,
    purgeBoundaries: [...boundaries.values()]
      .filter((b) => chainIds.has(b.chainId))
      .map((b) => ({ chainId: b.chainId, purgedThroughSeq: b.purgedThroughSeq, boundaryHash: b.boundaryHash, purgedAt: b.purgedAt.toISOString() })),
    records,
    checkpoints,
  };
  const publicKeys = (opts.publicJwks ?? []).map((k) => {
    const { d: _d, ...pub } = k as JWK & { d?: string };
    return pub;
  });
  await writeDurably(path.join(opts.dir, 'boundaries.json'), JSON.stringify(manifest, null, 2) + '\n');
  await writeDurably(path.join(opts.dir, 'public-keys.jwks.json'), JSON.stringify({ keys: publicKeys }, null, 2) + '\n');
  await writeDurably(path.join(opts.dir, 'README.txt'), exportReadme(manifest, publicKeys.length));
  return manifest;
}

function exportLine(r: AccessRecord): string {
  return canonicalJson({ ...r });
}

async function writeDurably(file: string, content: string): Promise<void> {
  const h = await fs.promises.open(file, 'wx');
  try {
    await h.writeFile(content, 'utf8');
    await h.sync();
  } finally {
    await h.close();
  }
}

function exportReadme(m: ExportManifest, keyCount: number): string {
  return `Access log export (${EXPORT_FORMAT})
==========================================

Exported ${m.exportedAt}: ${m.records} access records in ${m.segments.length} chain segment(s) with time in
[${m.from ?? 'the beginning'}, ${m.to}), and ${m.checkpoints} signed checkpoint(s).

Files
  records.jsonl          one access record per line (canonical JSON), each chain's records in seq order
  checkpoints.jsonl      signed checkpoints: a compact JWS (ES256, "kid" header, typ "${CHECKPOINT_JWS_TYPE}")
                         whose payload is the canonical JSON {"chainId","headHash","seq","time"}
  boundaries.json        the segments (chainId, fromSeq..toSeq, prevHash, headHash) and purge boundaries
  public-keys.jwks.json  the hub's checkpoint public key(s) as a JWKS (${keyCount} key(s)). Obtain the keys
                         independently as well (the hub operator publishes them) and verify with those.

How to verify with the hub's code (no database needed)
  node -e "require('./dist/src/audit/verify').verifyExport(process.argv[1]).then(r => console.log(r))" <this folder>
  or, with your own copy of the public keys:
  verifyExport(<this folder>, <array of public JWKs>) -> { ok: true, ... } or the first broken record.

How to verify independently
  1. canonical JSON = JSON with object keys sorted by UTF-16 code units (RFC 8785 order), no whitespace,
     arrays in order, times as ISO-8601 UTC with milliseconds.
  2. For each record: hash = lower-case hex SHA-256 of the canonical JSON of the record without its
     "hash" and "id" members. It must equal the record's "hash".
  3. Within a segment, seqs are consecutive (fromSeq..toSeq, no gaps) and each record's "prevHash"
     equals the previous record's "hash"; the first record's "prevHash" equals the segment's prevHash
     (64 zeros when the segment starts a chain; the purge boundary's hash after a retention purge).
  4. For each checkpoint: verify the JWS with the public key named by its "kid" (ES256, P-256); its
     payload must equal the canonical JSON {"chainId","headHash","seq","time"} of the checkpoint. Where
     the segment holds the record at that seq (or seq = fromSeq - 1), that record's hash (or the
     segment's prevHash) must equal headHash. A checkpoint at or after a segment's last record anchors
     the whole segment: nobody without the private key can rewrite records it covers.
  Records inside a segment after its last checkpoint are covered only by the hash chain until the next
  checkpoint (which a later export includes).
`;
}

// ---------------------------------------------------------------------------------------------------
// Verifying an export with no database
// ---------------------------------------------------------------------------------------------------

export type ExportVerifyResult =
  | (Extract<VerifyResult, { ok: true }> & {
      segments: Array<ExportSegment & { checkpointsMatched: number; lastCheckpointSeq: number | null }>;
      /** Where the public keys came from. */
      keys: 'caller' | 'export';
    })
  | (ChainFailure & { line?: number; file?: string });

/**
 * Verifies an export folder: every record's hash, the contiguity and links of each segment (starting
 * from the segment's recorded prevHash), every checkpoint's signature (with `jwks`, or else the keys in
 * the folder) and its hash where the export holds the record at its seq.
 */
export async function verifyExport(dir: string, jwks?: JWK[]): Promise<ExportVerifyResult> {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'boundaries.json'), 'utf8')) as ExportManifest;
  if (manifest.format !== EXPORT_FORMAT) throw new Error(`${dir} is not a ${EXPORT_FORMAT} export (format '${String(manifest.format)}')`);
  const keySource: 'caller' | 'export' = jwks ? 'caller' : 'export';
  const keys = new CheckpointKeys(
    jwks ?? (JSON.parse(fs.readFileSync(path.join(dir, 'public-keys.jwks.json'), 'utf8')) as { keys: JWK[] }).keys,
  );

  const records = readJsonl(path.join(dir, 'records.jsonl'));
  const cpLines = readJsonl(path.join(dir, 'checkpoints.jsonl'));

  // Group records by chain, keeping file order (which must be seq order).
  const byChain = new Map<string, Array<{ r: AccessRecord; line: number }>>();
  for (const { value, line } of records) {
    const r = parseExportedRecord(value);
    if (!r) return { ok: false, chainId: '', seq: NaN, id: null, problem: 'HASH_MISMATCH', message: `records.jsonl line ${line} is not an access record`, line, file: 'records.jsonl' };
    const list = byChain.get(r.chainId) ?? [];
    list.push({ r, line });
    byChain.set(r.chainId, list);
  }
  const refs: CheckpointRef[] = [];
  for (const { value, line } of cpLines) {
    const c = value as Record<string, unknown>;
    const time = typeof c.time === 'string' ? new Date(c.time) : new Date(NaN);
    if (typeof c.chainId !== 'string' || typeof c.seq !== 'number' || typeof c.jws !== 'string') {
      return { ok: false, chainId: String(c.chainId ?? ''), seq: NaN, id: null, problem: 'CHECKPOINT_MISMATCH', message: `checkpoints.jsonl line ${line} is not a checkpoint`, line, file: 'checkpoints.jsonl' };
    }
    refs.push(
      await keys.check({
        id: num(c.id),
        chainId: c.chainId,
        seq: c.seq,
        headHash: String(c.headHash),
        time,
        kid: String(c.kid),
        jws: c.jws,
      }),
    );
  }

  const outSegments: Array<ExportSegment & { checkpointsMatched: number; lastCheckpointSeq: number | null }> = [];
  const covered = new Set<CheckpointRef>();
  let count = 0;
  for (const seg of manifest.segments) {
    const list = (byChain.get(seg.chainId) ?? []).filter(({ r }) => r.seq >= seg.fromSeq && r.seq <= seg.toSeq);
    // Checkpoints this segment can check: at seq fromSeq-1 (its prevHash) through toSeq.
    const cps = refs.filter((c) => c.chainId === seg.chainId && c.seq >= seg.fromSeq - 1 && c.seq <= seg.toSeq);
    cps.forEach((c) => covered.add(c));
    const v = new ChainVerifier(seg.chainId, { nextSeq: seg.fromSeq, prevHash: seg.prevHash }, cps);
    if (v.failed) return v.failed;
    for (const { r, line } of list) {
      const f = v.push(r);
      if (f) return { ...f, line, file: 'records.jsonl' };
    }
    const end = v.finish();
    if (!end.ok) return end;
    if (end.summary.lastSeq !== seg.toSeq || end.summary.records !== seg.count) {
      const last = end.summary.lastSeq ?? seg.fromSeq - 1;
      return {
        ok: false,
        chainId: seg.chainId,
        seq: last + 1,
        id: null,
        problem: 'SEQ_GAP',
        message: `segment ${seg.chainId} ${seg.fromSeq}..${seg.toSeq} (${seg.count} records) ends at seq ${last} with ${end.summary.records} records: records ${last + 1}..${seg.toSeq} are missing from records.jsonl`,
        file: 'records.jsonl',
      };
    }
    if (end.summary.headHash !== seg.headHash) {
      return { ok: false, chainId: seg.chainId, seq: seg.toSeq, id: null, problem: 'HASH_MISMATCH', message: `segment ${seg.chainId} ${seg.fromSeq}..${seg.toSeq} ends with hash ${end.summary.headHash}, but boundaries.json says ${seg.headHash}` };
    }
    outSegments.push({ ...seg, checkpointsMatched: end.summary.checkpointsMatched, lastCheckpointSeq: end.summary.lastCheckpointSeq });
    count += end.summary.records;
  }
  // Records outside every listed segment would be unverified: refuse them.
  const inSegments = records.length;
  if (inSegments !== count) {
    return { ok: false, chainId: '', seq: NaN, id: null, problem: 'SEQ_ORDER', message: `records.jsonl holds ${inSegments} records but its segments account for ${count}: records were added or duplicated`, file: 'records.jsonl' };
  }
  // Checkpoints no segment covers still need a valid signature.
  for (const c of refs) {
    if (!covered.has(c) && c.problem) return { ok: false, chainId: c.chainId, seq: c.seq, id: null, problem: c.problem.problem, message: c.problem.message, checkpointId: c.id };
  }
  return { ok: true, count, chains: [], segments: outSegments, keys: keySource };
}

function readJsonl(file: string): Array<{ value: unknown; line: number }> {
  const out: Array<{ value: unknown; line: number }> = [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.forEach((text, i) => {
    if (!text.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = null;
    }
    out.push({ value, line: i + 1 });
  });
  return out;
}

function parseExportedRecord(v: unknown): AccessRecord | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  if (typeof o.chainId !== 'string' || typeof o.seq !== 'number') return null;
  return {
    ...(o as unknown as AccessRecord),
    id: typeof o.id === 'number' ? o.id : undefined,
    time: typeof o.time === 'string' ? new Date(o.time) : new Date(NaN),
  };
}
