import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** ops: quota and rate-limit counters shared by every serving process (src/ops/quota.ts). */
export class Ops1764201600800 implements MigrationInterface {
  name = 'Ops1764201600800';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'ops_quota_counter',
        columns: [
          { name: 'subject', type: 'varchar', length: '64', isPrimary: true },
          { name: 'window_key', type: 'varchar', length: '48', isPrimary: true },
          { name: 'used', type: 'bigint' },
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'idx_ops_quota_counter_expires', columnNames: ['expires_at'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('ops_quota_counter');
  }
}
