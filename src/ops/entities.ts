import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { numeric } from '../db/columns';

/**
 * One quota or rate-limit counter: how much `subject` (an institution code, or `subject:<id>`) used in one
 * window (`rps:<epoch second>`, `subjects:<yyyy-mm-dd>`). Incremented with an atomic upsert, so every
 * gateway process sharing the database counts against the same row, and a restart loses nothing.
 */
@Entity('ops_quota_counter')
@Index('idx_ops_quota_counter_expires', ['expiresAt'])
export class QuotaCounter {
  @PrimaryColumn({ name: 'subject', type: 'varchar', length: 64 })
  subject!: string;

  @PrimaryColumn({ name: 'window_key', type: 'varchar', length: 48 })
  windowKey!: string;

  @Column({ name: 'used', type: 'bigint', transformer: numeric })
  used!: number;

  /** When the window has passed and the row may be deleted (epoch milliseconds). */
  @Column({ name: 'expires_at', type: 'bigint', transformer: numeric })
  expiresAt!: number;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const opsEntities: Function[] = [QuotaCounter];
