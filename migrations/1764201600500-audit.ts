import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * audit: the tamper-evident access log (hash chains per writer), signed checkpoints and retention
 * boundaries. The log is append-only: the hub account needs only SELECT and INSERT on these tables
 * (see `installAppendOnlyTriggers` in src/audit/triggers.ts for the database-side guard).
 */
export class Audit1764201600500 implements MigrationInterface {
  name = 'Audit1764201600500';

  async up(q: QueryRunner): Promise<void> {
    // SQLite auto-increments only an INTEGER PRIMARY KEY (64-bit there); MySQL/MariaDB need BIGINT.
    const sqlite = q.connection.driver.options.type === 'better-sqlite3';
    const bigId = sqlite ? 'integer' : 'bigint';
    const smallId = sqlite ? 'integer' : 'int';
    // CHAR(64) for hex digests; TypeORM's SQLite driver only knows the `nchar` spelling (same affinity).
    const hash = (name: string) => ({ name, type: sqlite ? 'nchar' : 'char', length: '64' });
    await q.createTable(
      new Table({
        name: 'audit_access_log',
        columns: [
          { name: 'id', type: bigId, isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'chain_id', type: 'varchar', length: '64' },
          { name: 'seq', type: 'bigint' },
          { name: 'record_type', type: 'varchar', length: '16' },
          { name: 'time', type: 'datetime', precision: 3 },
          { name: 'request_id', type: 'varchar', length: '64' },
          { name: 'caller_type', type: 'varchar', length: '16' },
          { name: 'caller_org', type: 'varchar', length: '32', isNullable: true },
          { name: 'caller_user', type: 'varchar', length: '191' },
          { name: 'purpose', type: 'varchar', length: '32', isNullable: true },
          { name: 'subject_id', type: 'varchar', length: '18' },
          { name: 'operation_name', type: 'varchar', length: '128', isNullable: true },
          hash('operation_hash'),
          { name: 'consent_ids', type: 'text' },
          { name: 'approval_ids', type: 'text' },
          { name: 'fields', type: 'text' },
          { name: 'detail', type: 'text', isNullable: true },
          hash('prev_hash'),
          hash('hash'),
        ],
        indices: [
          new TableIndex({ name: 'uq_audit_access_log_chain_seq', columnNames: ['chain_id', 'seq'], isUnique: true }),
          new TableIndex({ name: 'idx_audit_access_log_subject', columnNames: ['subject_id', 'time'] }),
          new TableIndex({ name: 'idx_audit_access_log_caller', columnNames: ['caller_org', 'time'] }),
          new TableIndex({ name: 'idx_audit_access_log_time', columnNames: ['time'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_checkpoint',
        columns: [
          { name: 'id', type: smallId, isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'chain_id', type: 'varchar', length: '64' },
          { name: 'seq', type: 'bigint' },
          hash('head_hash'),
          { name: 'time', type: 'datetime', precision: 3 },
          { name: 'kid', type: 'varchar', length: '64' },
          { name: 'jws', type: 'text' },
        ],
        indices: [new TableIndex({ name: 'idx_audit_checkpoint_chain', columnNames: ['chain_id', 'seq'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_chain_boundary',
        columns: [
          { name: 'chain_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'purged_through_seq', type: 'bigint' },
          hash('boundary_hash'),
          { name: 'purged_at', type: 'datetime', precision: 3 },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('audit_chain_boundary');
    await q.dropTable('audit_checkpoint');
    await q.dropTable('audit_access_log');
  }
}
