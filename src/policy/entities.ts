import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { DatasetCode } from './catalog';
import type { Purpose } from './purposes';

/**
 * Tables owned by the policy core. TypeORM entities only: the GraphQL face (the `sharing` subgraph)
 * maps them to its own types. Timestamps are set by the store from an injected clock, not by
 * database defaults, so both drivers hold identical millisecond values.
 */

export type ApplicationStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'WITHDRAWN';
export const APPLICATION_STATUSES: readonly ApplicationStatus[] = ['PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN'];

/** 共享申请: a consumer institution's application to use a dataset for a purpose, decided by its publisher. */
@Entity('policy_data_use_application')
@Index('idx_policy_data_use_application_consumer', ['consumerCode', 'dataset'])
export class DataUseApplication {
  /** UUID. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Applying institution. */
  @Column({ name: 'consumer_code', type: 'varchar', length: 32 })
  consumerCode!: string;

  @Column({ type: 'varchar', length: 32 })
  dataset!: DatasetCode;

  @Column({ type: 'varchar', length: 32 })
  purpose!: Purpose;

  /** 使用场景: what the data will be used for, in the applicant's words. */
  @Column({ name: 'use_case', type: 'text' })
  useCase!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: ApplicationStatus;

  /** Publishing department that approved or rejected it. */
  @Column({ name: 'decided_by', type: 'varchar', length: 32, nullable: true })
  decidedBy!: string | null;

  @Column({ name: 'decided_at', type: 'datetime', precision: 3, nullable: true })
  decidedAt!: Date | null;

  /** Why it was rejected (or a note on the approval / withdrawal). */
  @Column({ name: 'decision_reason', type: 'varchar', length: 500, nullable: true })
  decisionReason!: string | null;

  /** End of an approval's validity (exclusive). Set on every approval. */
  @Column({ name: 'expires_at', type: 'datetime', precision: 3, nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}

/** 授权: a subject's written consent to one institution for purposes and datasets, for a period; revocable. */
@Entity('policy_subject_consent')
@Index('idx_policy_subject_consent_subject', ['subjectId', 'granteeCode'])
export class SubjectConsent {
  /** UUID. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** 统一社会信用代码 or 公民身份号码 (normalised). */
  @Column({ name: 'subject_id', type: 'varchar', length: 18 })
  subjectId!: string;

  /** Institution the subject authorised. */
  @Column({ name: 'grantee_code', type: 'varchar', length: 32 })
  granteeCode!: string;

  @Column({ type: 'simple-array' })
  purposes!: Purpose[];

  @Column({ type: 'simple-array' })
  datasets!: DatasetCode[];

  /** Start of validity (inclusive). */
  @Column({ name: 'valid_from', type: 'datetime', precision: 3 })
  validFrom!: Date;

  /** End of validity (exclusive). */
  @Column({ name: 'valid_to', type: 'datetime', precision: 3 })
  validTo!: Date;

  /** SHA-256 (lower-case hex) of the signed authorisation document kept by the grantee. */
  // `nchar` is the one fixed-length character type both drivers accept: CHAR(64) on MySQL/MariaDB.
  @Column({ name: 'evidence_sha256', type: 'nchar', length: 64 })
  evidenceSha256!: string;

  /** Who registered it (user or institution). */
  @Column({ name: 'registered_by', type: 'varchar', length: 128 })
  registeredBy!: string;

  @Column({ name: 'registered_at', type: 'datetime', precision: 3 })
  registeredAt!: Date;

  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true })
  revokedAt!: Date | null;

  /** Who revoked it (institution code, or user). */
  @Column({ name: 'revoked_by', type: 'varchar', length: 128, nullable: true })
  revokedBy!: string | null;

  @Column({ name: 'revocation_reason', type: 'varchar', length: 500, nullable: true })
  revocationReason!: string | null;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const policyEntities: Function[] = [DataUseApplication, SubjectConsent];
