import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * publishing: the publication log and the idempotency keys of publication batches.
 * Record tables (credit_*, exposure_*, registry_*) are unchanged: the content hash that decides
 * "unchanged vs new version" is computed from the stored columns of the current version.
 */
export class Publishing1764201600600 implements MigrationInterface {
  name = 'Publishing1764201600600';

  async up(q: QueryRunner): Promise<void> {
    const sqlite = q.connection.driver.options.type === 'better-sqlite3';
    const count = (name: string) => ({ name, type: 'integer' });
    await q.createTable(
      new Table({
        name: 'publishing_publication',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'org_code', type: 'varchar', length: '32' },
          { name: 'user_id', type: 'varchar', length: '128' },
          { name: 'dataset', type: 'varchar', length: '32' },
          { name: 'operation', type: 'varchar', length: '16' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'channel', type: 'varchar', length: '8' },
          { name: 'idempotency_key', type: 'varchar', length: '128', isNullable: true },
          { name: 'partial', type: 'boolean', default: '0' },
          count('received'),
          count('accepted'),
          count('created'),
          count('changed'),
          count('unchanged'),
          count('rejected'),
          { name: 'source_record_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'reason', type: 'varchar', length: '200', isNullable: true },
          { name: 'created_at', type: 'datetime', precision: 3 },
        ],
        indices: [
          new TableIndex({ name: 'idx_publishing_publication_dataset', columnNames: ['dataset', 'created_at'] }),
          new TableIndex({ name: 'idx_publishing_publication_org', columnNames: ['org_code', 'created_at'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'publishing_idempotency',
        columns: [
          { name: 'org_code', type: 'varchar', length: '32', isPrimary: true },
          { name: 'idem_key', type: 'varchar', length: '128', isPrimary: true },
          { name: 'request_hash', type: 'varchar', length: '64' },
          { name: 'publication_id', type: 'integer' },
          // A partial batch's result can list 5,000 rejections: more than MySQL TEXT's 64 KB.
          { name: 'result_json', type: sqlite ? 'text' : 'mediumtext' },
          { name: 'created_at', type: 'datetime', precision: 3 },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('publishing_idempotency');
    await q.dropTable('publishing_publication');
  }
}
