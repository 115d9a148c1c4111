import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bool } from '../db/columns';

/** What a publication-log row records. */
export enum PublicationOperation {
  /** A batch through `publishRecords` / `reportLoans` / … / `hub import`. */
  PUBLISH = 'PUBLISH',
  /** 更正: a new version of one record, with a reason. */
  CORRECT = 'CORRECT',
  /** 撤回: the current version of one record retracted, with a reason. */
  RETRACT = 'RETRACT',
}

/** Whether the batch landed. */
export enum PublicationStatus {
  /** Committed: the accepted records are stored (all of them, or with `partial` the valid ones). */
  COMMITTED = 'COMMITTED',
  /** Nothing stored: the batch had invalid records and was not `partial` (all-or-nothing). */
  REJECTED = 'REJECTED',
}

/**
 * 发布日志 — one row per publication batch, correction or retraction: who, which dataset, the counts,
 * when, under which idempotency key. Written in the same transaction as the records it describes.
 */
@Entity('publishing_publication')
@Index('idx_publishing_publication_dataset', ['dataset', 'createdAt'])
@Index('idx_publishing_publication_org', ['orgCode', 'createdAt'])
export class Publication {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** Institution code of the publishing department or reporting bank/guarantor. */
  @Column({ name: 'org_code', type: 'varchar', length: 32 })
  orgCode!: string;

  /** The user or service account inside the institution (token `sub`, or `<org>/cli` for `hub import`). */
  @Column({ name: 'user_id', type: 'varchar', length: 128 })
  userId!: string;

  /** Publishing dataset code (`tax`, `registration`, `loans`, `compensations`, …). */
  @Column({ type: 'varchar', length: 32 })
  dataset!: string;

  @Column({ type: 'varchar', length: 16 })
  operation!: PublicationOperation;

  @Column({ type: 'varchar', length: 16 })
  status!: PublicationStatus;

  /** API or FILE. */
  @Column({ type: 'varchar', length: 8 })
  channel!: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 128, nullable: true })
  idempotencyKey!: string | null;

  @Column({ type: 'boolean', default: false, transformer: bool })
  partial!: boolean;

  @Column({ type: 'integer' })
  received!: number;

  @Column({ type: 'integer' })
  accepted!: number;

  @Column({ type: 'integer' })
  created!: number;

  @Column({ type: 'integer' })
  changed!: number;

  @Column({ type: 'integer' })
  unchanged!: number;

  @Column({ type: 'integer' })
  rejected!: number;

  /** For CORRECT / RETRACT: the record's source id and the reason given. */
  @Column({ name: 'source_record_id', type: 'varchar', length: 64, nullable: true })
  sourceRecordId!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  reason!: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}

/**
 * The idempotency table (`publishing_idempotency`: org_code + idem_key → request hash, publication id, result JSON)
 * is written and read with plain SQL only and deliberately not mapped: its result column is MEDIUMTEXT on MySQL
 * (a partial batch's result lists up to 5,000 rejections, more than TEXT's 64 KB) and TEXT on SQLite, which no
 * single TypeORM column type expresses on both drivers.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const publishingEntities: Function[] = [Publication];
