import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { bool, numeric } from '../../db/columns';

/**
 * 净资产 reported for a guarantor and period (by the guarantor itself or a regulator). Append-only: a
 * correction is a new row; the latest row (highest id) for a guarantor and period is the one used.
 */
@Entity('supervision_net_assets')
@Index('idx_supervision_net_assets_guarantor', ['guarantorCode', 'periodEnd'])
export class GuarantorNetAssets {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'guarantor_code', type: 'varchar', length: 32 })
  guarantorCode!: string;

  /** `YYYY`, `YYYY-Qn` or `YYYY-MM`. */
  @Column({ type: 'varchar', length: 7 })
  period!: string;

  /** Last day of the period (YYYY-MM-DD): metrics of a later period fall back to the latest earlier report. */
  @Column({ name: 'period_end', type: 'varchar', length: 10 })
  periodEnd!: string;

  @Column({ name: 'net_assets_fen', type: 'bigint', transformer: numeric })
  netAssets!: number;

  @Column({ name: 'reported_by', type: 'varchar', length: 32 })
  reportedBy!: string;

  @Column({ name: 'reported_at', type: 'datetime', precision: 3 })
  reportedAt!: Date;
}

/** Current circuit-breaker (银担风险熔断) state of one cooperation, as last evaluated. */
@Entity('supervision_cooperation_state')
export class CooperationState {
  @PrimaryColumn({ name: 'bank_code', type: 'varchar', length: 32 })
  bankCode!: string;

  @PrimaryColumn({ name: 'guarantor_code', type: 'varchar', length: 32 })
  guarantorCode!: string;

  @Column({ type: 'boolean', default: false, transformer: bool })
  suspended!: boolean;

  /** Compensation rate at the last evaluation (null: nothing released in the window). */
  @Column({ name: 'compensation_rate', type: 'decimal', precision: 12, scale: 8, nullable: true, transformer: numeric })
  compensationRate!: number | null;

  @Column({ type: 'decimal', precision: 12, scale: 8, transformer: numeric })
  threshold!: number;

  @Column({ name: 'compensation_fen', type: 'bigint', transformer: numeric, default: 0 })
  compensationAmount!: number;

  @Column({ name: 'released_fen', type: 'bigint', transformer: numeric, default: 0 })
  releasedAmount!: number;

  @Column({ name: 'window_start', type: 'varchar', length: 10 })
  windowStart!: string;

  @Column({ name: 'window_end', type: 'varchar', length: 10 })
  windowEnd!: string;

  /** When `suspended` last changed (or the state was first recorded). */
  @Column({ name: 'changed_at', type: 'datetime', precision: 3 })
  changedAt!: Date;

  @Column({ name: 'evaluated_at', type: 'datetime', precision: 3 })
  evaluatedAt!: Date;
}

/** History of circuit-breaker transitions: SUSPENDED when a cooperation trips, RESUMED when it falls below. */
@Entity('supervision_cooperation_event')
@Index('idx_supervision_cooperation_event_pair', ['bankCode', 'guarantorCode'])
export class CooperationEvent {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'bank_code', type: 'varchar', length: 32 })
  bankCode!: string;

  @Column({ name: 'guarantor_code', type: 'varchar', length: 32 })
  guarantorCode!: string;

  @Column({ type: 'varchar', length: 16 })
  event!: 'SUSPENDED' | 'RESUMED';

  @Column({ name: 'compensation_rate', type: 'decimal', precision: 12, scale: 8, nullable: true, transformer: numeric })
  compensationRate!: number | null;

  @Column({ type: 'decimal', precision: 12, scale: 8, transformer: numeric })
  threshold!: number;

  @Column({ name: 'window_start', type: 'varchar', length: 10 })
  windowStart!: string;

  @Column({ name: 'window_end', type: 'varchar', length: 10 })
  windowEnd!: string;

  @Column({ type: 'datetime', precision: 3 })
  at!: Date;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const supervisionEntities: Function[] = [GuarantorNetAssets, CooperationState, CooperationEvent];
