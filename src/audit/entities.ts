import './sqlite-bigint';
import { Column, Entity, Generated, Index, PrimaryColumn, PrimaryGeneratedColumn, type ValueTransformer } from 'typeorm';
import { numeric } from '../db/columns';

/**
 * CHAR(64) for sha256 hex digests. TypeORM's SQLite driver rejects `char` but accepts `nchar`, which its
 * MySQL driver normalizes back to `char`, so one entity matches the migration on both.
 */
const HASH_TYPE = 'nchar';

/**
 * JSON kept in a `text` column (portable across MySQL, MariaDB, TiDB and SQLite). The writer stores
 * the canonical encoding itself (see `chain.ts`); an unreadable value comes back as null instead of
 * throwing, so one damaged row cannot break a listing (verification reports it separately).
 */
export const jsonText: ValueTransformer = {
  to: (value: unknown) => (value === undefined || value === null ? value : JSON.stringify(value)),
  from: (value: string | null) => {
    if (value === null || value === undefined) return null;
    try {
      return JSON.parse(value);
    } catch {
      return null;
    }
  },
};

/**
 * One access record (查询记录): who read which fields of which subject, why, and what was decided.
 * Append-only; each row is linked into its writer's hash chain (`chain_id`, `seq`, `prev_hash`, `hash`).
 * Rows are written by `AccessLogWriter` only (multi-row INSERT); never updated.
 */
@Entity('audit_access_log')
@Index('uq_audit_access_log_chain_seq', ['chainId', 'seq'], { unique: true })
@Index('idx_audit_access_log_subject', ['subjectId', 'time'])
@Index('idx_audit_access_log_caller', ['callerOrg', 'time'])
@Index('idx_audit_access_log_time', ['time'])
export class AccessLogRecordEntity {
  @PrimaryColumn({ type: 'bigint', transformer: numeric })
  @Generated('increment')
  id!: number;

  @Column({ name: 'chain_id', type: 'varchar', length: 64 })
  chainId!: string;

  @Column({ type: 'bigint', transformer: numeric })
  seq!: number;

  /** `READ` (subject data returned to a caller) or `PUBLISH` (a department published data). */
  @Column({ name: 'record_type', type: 'varchar', length: 16 })
  recordType!: string;

  @Column({ type: 'datetime', precision: 3 })
  time!: Date;

  @Column({ name: 'request_id', type: 'varchar', length: 64 })
  requestId!: string;

  @Column({ name: 'caller_type', type: 'varchar', length: 16 })
  callerType!: string;

  @Column({ name: 'caller_org', type: 'varchar', length: 32, nullable: true })
  callerOrg!: string | null;

  @Column({ name: 'caller_user', type: 'varchar', length: 191 })
  callerUser!: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  purpose!: string | null;

  @Column({ name: 'subject_id', type: 'varchar', length: 18 })
  subjectId!: string;

  @Column({ name: 'operation_name', type: 'varchar', length: 128, nullable: true })
  operationName!: string | null;

  /** sha256 hex of the normalized GraphQL operation. */
  @Column({ name: 'operation_hash', type: HASH_TYPE, length: 64 })
  operationHash!: string;

  @Column({ name: 'consent_ids', type: 'text', transformer: jsonText })
  consentIds!: string[];

  @Column({ name: 'approval_ids', type: 'text', transformer: jsonText })
  approvalIds!: string[];

  /** `[{ dataset, field, decision: ALLOW|MASK|DENY, reason? }]`; empty text when `fieldsRef` names a shared list. */
  @Column({ type: 'text', transformer: jsonText })
  fields!: Array<{ dataset: string; field: string; decision: string; reason?: string }>;

  /** sha256 of the field list kept once in `audit_field_list` (long lists that many records share), else null. */
  @Column({ name: 'fields_ref', type: HASH_TYPE, length: 64, nullable: true })
  fieldsRef!: string | null;

  @Column({ type: 'text', nullable: true, transformer: jsonText })
  detail!: Record<string, unknown> | null;

  @Column({ name: 'prev_hash', type: HASH_TYPE, length: 64 })
  prevHash!: string;

  @Column({ type: HASH_TYPE, length: 64 })
  hash!: string;
}

/**
 * A field list stored once (canonical JSON) and named by its sha256 from every record that logged it.
 * Never updated or deleted: records of any age may reference it, and it names no subject.
 */
@Entity('audit_field_list')
export class AuditFieldListEntity {
  @PrimaryColumn({ name: 'list_hash', type: HASH_TYPE, length: 64 })
  listHash!: string;

  @Column({ name: 'list_json', type: 'text' })
  listJson!: string;
}

/** A signed statement "chain `chain_id` had head `head_hash` at `seq`" (compact JWS, ES256, `kid` header). */
@Entity('audit_checkpoint')
@Index('idx_audit_checkpoint_chain', ['chainId', 'seq'])
export class AuditCheckpointEntity {
  @PrimaryGeneratedColumn('increment', { type: 'int' })
  id!: number;

  @Column({ name: 'chain_id', type: 'varchar', length: 64 })
  chainId!: string;

  @Column({ type: 'bigint', transformer: numeric })
  seq!: number;

  @Column({ name: 'head_hash', type: HASH_TYPE, length: 64 })
  headHash!: string;

  @Column({ type: 'datetime', precision: 3 })
  time!: Date;

  @Column({ type: 'varchar', length: 64 })
  kid!: string;

  @Column({ type: 'text' })
  jws!: string;
}

/** Where a chain starts after a retention purge: records up to `purged_through_seq` are gone; the next links to `boundary_hash`. */
@Entity('audit_chain_boundary')
export class AuditChainBoundaryEntity {
  @PrimaryColumn({ name: 'chain_id', type: 'varchar', length: 64 })
  chainId!: string;

  @Column({ name: 'purged_through_seq', type: 'bigint', transformer: numeric })
  purgedThroughSeq!: number;

  @Column({ name: 'boundary_hash', type: HASH_TYPE, length: 64 })
  boundaryHash!: string;

  @Column({ name: 'purged_at', type: 'datetime', precision: 3 })
  purgedAt!: Date;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const auditEntities: Function[] = [AccessLogRecordEntity, AuditFieldListEntity, AuditCheckpointEntity, AuditChainBoundaryEntity];
