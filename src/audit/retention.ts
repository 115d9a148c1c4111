import type { JWK } from 'jose';
import type { Database } from '../db/datasource';
import { ChainVerifier, ZERO_HASH } from './chain';
import { BOUNDARY_TABLE, LOG_TABLE, LOG_SOURCE, SELECT_LOG_COLUMNS, num, query, rowToRecord, runWrites, toDbTime, type Statement } from './store';
import { PURGE_SESSION_FLAG } from './triggers';
import { loadBoundaries, writeExport, type ExportManifest } from './verify';

/** How long access records are kept unless configured otherwise (the caller computes the cutoff). */
export const DEFAULT_RETENTION_YEARS = 5;

export class AccessLogIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessLogIntegrityError';
  }
}

export interface PurgeResult {
  export: ExportManifest;
  chains: Array<{ chainId: string; purgedFromSeq: number; purgedThroughSeq: number; boundaryHash: string; deleted: number }>;
  deleted: number;
}

export interface PurgeOptions {
  /** Public key(s) copied into the export's public-keys.jwks.json. */
  publicJwks?: JWK[];
  /** Purge even when the range to delete does not verify (it is exported either way). Default false. */
  force?: boolean;
  pageSize?: number;
}

/**
 * Retention: exports, then deletes, the records older than `cutoff`, chain by chain.
 *
 * A chain is only ever cut at a prefix, so what remains still verifies: per chain the purge removes
 * seq 1 (or the previous boundary + 1) through P, where P is the last record before the first record
 * whose time is ≥ cutoff (a late record is kept a little longer rather than leaving a hole). The
 * deletion and the new boundary (P, hash of P) are written in one transaction per chain;
 * `verifyAccessLog` then starts the chain from that boundary.
 *
 * The export is written to `exportDir` (which must not already hold one) and synced to disk before
 * anything is deleted. The range to delete is verified first; a broken range is not purged unless
 * `force` (the evidence would otherwise disappear).
 *
 * MySQL/MariaDB: run with an account that has DELETE on audit_access_log and INSERT, UPDATE on
 * audit_chain_boundary (the hub's own account has neither); it sets `@hub_audit_purge = 1` for its
 * own session so the append-only triggers let the deletion through. Run one purge at a time.
 */
export async function purgeBefore(db: Database, cutoff: Date, exportDir: string, opts: PurgeOptions = {}): Promise<PurgeResult> {
  if (!(cutoff instanceof Date) || Number.isNaN(cutoff.getTime())) throw new Error('purgeBefore: cutoff must be a valid Date');
  const boundaries = new Map((await loadBoundaries(db)).map((b) => [b.chainId, b]));
  const chains = (await query<{ chain_id: string }>(db, `SELECT DISTINCT chain_id FROM ${LOG_TABLE} ORDER BY chain_id`)).map((r) => String(r.chain_id));

  // Plan: per chain, the seq range to purge.
  const plan: Array<{ chainId: string; fromSeq: number; toSeq: number; startHash: string }> = [];
  for (const chainId of chains) {
    const [first] = await query<{ seq: unknown }>(db, `SELECT seq FROM ${LOG_TABLE} WHERE chain_id = ? ORDER BY seq LIMIT 1`, [chainId]);
    if (!first) continue;
    const [keep] = await query<{ seq: unknown }>(
      db,
      `SELECT seq FROM ${LOG_TABLE} WHERE chain_id = ? AND time >= ? ORDER BY seq LIMIT 1`,
      [chainId, toDbTime(cutoff)],
    );
    let toSeq: number;
    if (keep) toSeq = num(keep.seq) - 1;
    else toSeq = num((await query<{ seq: unknown }>(db, `SELECT MAX(seq) AS seq FROM ${LOG_TABLE} WHERE chain_id = ?`, [chainId]))[0].seq);
    const fromSeq = num(first.seq);
    if (toSeq < fromSeq) continue;
    const b = boundaries.get(chainId);
    plan.push({ chainId, fromSeq, toSeq, startHash: b && b.purgedThroughSeq === fromSeq - 1 ? b.boundaryHash : fromSeq === 1 ? ZERO_HASH : '' });
  }

  // Check what is about to disappear (hashes and links; checkpoints are checked by verifyAccessLog).
  if (!opts.force) {
    for (const p of plan) {
      if (!p.startHash) throw new AccessLogIntegrityError(`chain '${p.chainId}' starts at seq ${p.fromSeq} without a matching purge boundary; run verifyAccessLog`);
      const v = new ChainVerifier(p.chainId, { nextSeq: p.fromSeq, prevHash: p.startHash });
      let cursor = p.fromSeq - 1;
      const pageSize = Math.max(1, opts.pageSize ?? 5000);
      for (;;) {
        const rows = await query(
          db,
          `SELECT ${SELECT_LOG_COLUMNS} FROM ${LOG_SOURCE} WHERE chain_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ${pageSize}`,
          [p.chainId, cursor, p.toSeq],
        );
        for (const row of rows) {
          const f = v.push(rowToRecord(row));
          if (f) throw new AccessLogIntegrityError(`refusing to purge a broken chain: ${f.problem} at chain '${f.chainId}' seq ${f.seq}: ${f.message}`);
        }
        if (rows.length < pageSize) break;
        cursor = num(rows[rows.length - 1].seq);
      }
      const end = v.finish();
      if (!end.ok || end.summary.lastSeq !== p.toSeq) {
        throw new AccessLogIntegrityError(`refusing to purge chain '${p.chainId}': records ${p.fromSeq}..${p.toSeq} are not complete`);
      }
    }
  }

  const manifest = await writeExport(db, plan, { from: null, to: cutoff, dir: exportDir, publicJwks: opts.publicJwks, pageSize: opts.pageSize });

  const result: PurgeResult = { export: manifest, chains: [], deleted: 0 };
  const mysql = db.kind !== 'sqlite';
  for (const p of plan) {
    const [last] = await query<{ hash: string }>(db, `SELECT hash FROM ${LOG_TABLE} WHERE chain_id = ? AND seq = ?`, [p.chainId, p.toSeq]);
    if (!last) throw new AccessLogIntegrityError(`chain '${p.chainId}' lost seq ${p.toSeq} during the purge`);
    const boundaryHash = String(last.hash);
    const now = toDbTime(new Date());
    const statements: Statement[] = [
      { sql: `DELETE FROM ${LOG_TABLE} WHERE chain_id = ? AND seq <= ?`, params: [p.chainId, p.toSeq] },
      mysql
        ? {
            sql:
              `INSERT INTO ${BOUNDARY_TABLE} (chain_id, purged_through_seq, boundary_hash, purged_at) VALUES (?, ?, ?, ?) ` +
              'ON DUPLICATE KEY UPDATE purged_through_seq = VALUES(purged_through_seq), boundary_hash = VALUES(boundary_hash), purged_at = VALUES(purged_at)',
            params: [p.chainId, p.toSeq, boundaryHash, now],
          }
        : {
            sql:
              `INSERT INTO ${BOUNDARY_TABLE} (chain_id, purged_through_seq, boundary_hash, purged_at) VALUES (?, ?, ?, ?) ` +
              'ON CONFLICT (chain_id) DO UPDATE SET purged_through_seq = excluded.purged_through_seq, boundary_hash = excluded.boundary_hash, purged_at = excluded.purged_at',
            params: [p.chainId, p.toSeq, boundaryHash, now],
          },
    ];
    const [deleted] = await runWrites(db, statements, {
      transaction: true,
      sessionBefore: mysql ? [`SET ${PURGE_SESSION_FLAG} = 1`] : [],
      sessionAfter: mysql ? [`SET ${PURGE_SESSION_FLAG} = NULL`] : [],
    });
    result.chains.push({ chainId: p.chainId, purgedFromSeq: p.fromSeq, purgedThroughSeq: p.toSeq, boundaryHash, deleted: deleted.affected });
    result.deleted += deleted.affected;
  }
  return result;
}

/** `cutoff` for a retention of `years` years before `now`. */
export function retentionCutoff(now: Date = new Date(), years: number = DEFAULT_RETENTION_YEARS): Date {
  const d = new Date(now.getTime());
  d.setUTCFullYear(d.getUTCFullYear() - years);
  return d;
}
