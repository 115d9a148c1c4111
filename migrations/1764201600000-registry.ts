import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** registry: enterprises and agricultural entities (市场主体). */
export class Registry1764201600000 implements MigrationInterface {
  name = 'Registry1764201600000';

  async up(q: QueryRunner): Promise<void> {
    const provenance = [
      { name: 'department_code', type: 'varchar', length: '32' },
      { name: 'data_as_of', type: 'varchar', length: '10' },
      { name: 'published_at', type: 'datetime', precision: 3 },
    ];
    await q.createTable(
      new Table({
        name: 'registry_enterprise',
        columns: [
          { name: 'id', type: 'varchar', length: '18', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'kind', type: 'varchar', length: '32' },
          { name: 'legal_representative', type: 'varchar', length: '64' },
          { name: 'legal_representative_id', type: 'varchar', length: '18', isNullable: true },
          { name: 'registered_capital_fen', type: 'bigint' },
          { name: 'established_on', type: 'varchar', length: '10' },
          { name: 'region_code', type: 'varchar', length: '6' },
          { name: 'industry_code', type: 'varchar', length: '5' },
          { name: 'industry_name', type: 'varchar', length: '64' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'scale', type: 'varchar', length: '8' },
          { name: 'address', type: 'varchar', length: '200' },
          ...provenance,
        ],
        indices: [new TableIndex({ name: 'idx_registry_enterprise_region', columnNames: ['region_code'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'registry_agri_entity',
        columns: [
          { name: 'id', type: 'varchar', length: '18', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'kind', type: 'varchar', length: '32' },
          { name: 'operator_name', type: 'varchar', length: '64' },
          { name: 'operator_id_number', type: 'varchar', length: '18' },
          { name: 'region_code', type: 'varchar', length: '6' },
          { name: 'village', type: 'varchar', length: '100' },
          { name: 'land_area_mu', type: 'decimal', precision: 12, scale: 2 },
          { name: 'main_products', type: 'text' },
          { name: 'registered_on', type: 'varchar', length: '10', isNullable: true },
          ...provenance,
        ],
        indices: [new TableIndex({ name: 'idx_registry_agri_entity_region', columnNames: ['region_code'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('registry_agri_entity');
    await q.dropTable('registry_enterprise');
  }
}
