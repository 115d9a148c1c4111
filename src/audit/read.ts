import type { Database } from '../db/datasource';
import type { AccessRecord } from './chain';
import { FIELD_LIST_TABLE, LOG_SOURCE, LOG_TABLE, SELECT_LOG_COLUMNS, query, rowToRecord, toDbTime } from './store';

export interface AccessRecordFilter {
  /** 查询记录 of one subject (uses idx_audit_access_log_subject). */
  subjectId?: string;
  /** Records of one calling institution (uses idx_audit_access_log_caller). */
  callerOrg?: string;
  recordType?: 'READ' | 'PUBLISH';
  /** Records of reads declared for this purpose. */
  purpose?: string;
  /** Records in which at least one field got this decision (the fields JSON is canonical, so a text match is exact). */
  decision?: 'ALLOW' | 'MASK' | 'DENY';
  /** time ≥ from */
  from?: Date;
  /** time < to */
  to?: Date;
  /** Keyset paging, newest first: records strictly before this (time, id). */
  before?: { time: Date; id: number };
  /** Default 100, at most 1000. */
  limit?: number;
}

/**
 * Reads access records, newest first — the read function other modules (the `sharing` subgraph's
 * access-log queries) call instead of touching the table. Does not verify the chain.
 */
export async function findAccessRecords(db: Database, filter: AccessRecordFilter = {}): Promise<AccessRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.subjectId !== undefined) {
    where.push('subject_id = ?');
    params.push(filter.subjectId);
  }
  if (filter.callerOrg !== undefined) {
    where.push('caller_org = ?');
    params.push(filter.callerOrg);
  }
  if (filter.recordType) {
    where.push('record_type = ?');
    params.push(filter.recordType);
  }
  if (filter.purpose) {
    where.push('purpose = ?');
    params.push(filter.purpose);
  }
  if (filter.decision) {
    // The list as stored: inline, or the shared one the record names.
    where.push(`COALESCE(${FIELD_LIST_TABLE}.list_json, ${LOG_TABLE}.fields) LIKE ?`);
    params.push(`%"decision":"${filter.decision}"%`);
  }
  if (filter.from) {
    where.push('time >= ?');
    params.push(toDbTime(filter.from));
  }
  if (filter.to) {
    where.push('time < ?');
    params.push(toDbTime(filter.to));
  }
  if (filter.before) {
    where.push('(time < ? OR (time = ? AND id < ?))');
    params.push(toDbTime(filter.before.time), toDbTime(filter.before.time), filter.before.id);
  }
  const limit = Math.min(1000, Math.max(1, Math.floor(filter.limit ?? 100)));
  const rows = await query(
    db,
    `SELECT ${SELECT_LOG_COLUMNS} FROM ${LOG_SOURCE}` + (where.length ? ` WHERE ${where.join(' AND ')}` : '') + ` ORDER BY time DESC, id DESC LIMIT ${limit}`,
    params,
  );
  return rows.map(rowToRecord);
}
