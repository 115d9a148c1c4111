import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** sharing: the institution registry and institutions' public keys. */
export class Sharing1764201600100 implements MigrationInterface {
  name = 'Sharing1764201600100';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'sharing_institution',
        columns: [
          { name: 'code', type: 'varchar', length: '32', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'type', type: 'varchar', length: '16' },
          { name: 'guarantor_level', type: 'varchar', length: '16', isNullable: true },
          { name: 'region_code', type: 'varchar', length: '6' },
          { name: 'uscc', type: 'varchar', length: '18', isNullable: true },
          { name: 'status', type: 'varchar', length: '16', default: "'ACTIVE'" },
          { name: 'created_at', type: 'datetime', precision: 3 },
        ],
        indices: [new TableIndex({ name: 'idx_sharing_institution_type', columnNames: ['type'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'sharing_institution_key',
        columns: [
          { name: 'kid', type: 'varchar', length: '64', isPrimary: true },
          { name: 'institution_code', type: 'varchar', length: '32' },
          { name: 'public_jwk', type: 'text' },
          { name: 'status', type: 'varchar', length: '16', default: "'ACTIVE'" },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'retired_at', type: 'datetime', precision: 3, isNullable: true },
        ],
        indices: [new TableIndex({ name: 'idx_sharing_institution_key_org', columnNames: ['institution_code'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('sharing_institution_key');
    await q.dropTable('sharing_institution');
  }
}
