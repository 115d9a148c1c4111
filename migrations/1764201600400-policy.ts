import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** policy: data-use applications (共享申请) and subject consents (授权). */
export class Policy1764201600400 implements MigrationInterface {
  name = 'Policy1764201600400';

  async up(q: QueryRunner): Promise<void> {
    // Fixed-length hash column: SQLite knows `nchar`, MySQL/MariaDB get a plain CHAR (not NCHAR's utf8mb3).
    const fixedChar = q.connection.driver.options.type === 'better-sqlite3' ? 'nchar' : 'char';
    await q.createTable(
      new Table({
        name: 'policy_data_use_application',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'consumer_code', type: 'varchar', length: '32' },
          { name: 'dataset', type: 'varchar', length: '32' },
          { name: 'purpose', type: 'varchar', length: '32' },
          { name: 'use_case', type: 'text' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'decided_by', type: 'varchar', length: '32', isNullable: true },
          { name: 'decided_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'decision_reason', type: 'varchar', length: '500', isNullable: true },
          { name: 'expires_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'created_at', type: 'datetime', precision: 3 },
        ],
        indices: [new TableIndex({ name: 'idx_policy_data_use_application_consumer', columnNames: ['consumer_code', 'dataset'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'policy_subject_consent',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'subject_id', type: 'varchar', length: '18' },
          { name: 'grantee_code', type: 'varchar', length: '32' },
          { name: 'purposes', type: 'text' },
          { name: 'datasets', type: 'text' },
          { name: 'valid_from', type: 'datetime', precision: 3 },
          { name: 'valid_to', type: 'datetime', precision: 3 },
          { name: 'evidence_sha256', type: fixedChar, length: '64' },
          { name: 'registered_by', type: 'varchar', length: '128' },
          { name: 'registered_at', type: 'datetime', precision: 3 },
          { name: 'revoked_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'revoked_by', type: 'varchar', length: '128', isNullable: true },
          { name: 'revocation_reason', type: 'varchar', length: '500', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'idx_policy_subject_consent_subject', columnNames: ['subject_id', 'grantee_code'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('policy_subject_consent');
    await q.dropTable('policy_data_use_application');
  }
}
