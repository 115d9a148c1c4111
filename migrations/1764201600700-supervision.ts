import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

/** supervision: net assets per guarantor and period, circuit-breaker (银担风险熔断) state and history. */
export class Supervision1764201600700 implements MigrationInterface {
  name = 'Supervision1764201600700';

  async up(q: QueryRunner): Promise<void> {
    const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
    const code = (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: 'varchar', length: '32', ...extra });
    const date = (name: string): TableColumnOptions => ({ name, type: 'varchar', length: '10' });
    const rate = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'decimal', precision: 12, scale: 8, isNullable: nullable });
    const time = (name: string): TableColumnOptions => ({ name, type: 'datetime', precision: 3 });
    await q.createTable(
      new Table({
        name: 'supervision_net_assets',
        columns: [
          id,
          code('guarantor_code'),
          { name: 'period', type: 'varchar', length: '7' },
          date('period_end'),
          { name: 'net_assets_fen', type: 'bigint' },
          code('reported_by'),
          time('reported_at'),
        ],
        indices: [new TableIndex({ name: 'idx_supervision_net_assets_guarantor', columnNames: ['guarantor_code', 'period_end'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'supervision_cooperation_state',
        columns: [
          code('bank_code', { isPrimary: true }),
          code('guarantor_code', { isPrimary: true }),
          { name: 'suspended', type: 'boolean', default: '0' },
          rate('compensation_rate', true),
          rate('threshold'),
          { name: 'compensation_fen', type: 'bigint', default: 0 },
          { name: 'released_fen', type: 'bigint', default: 0 },
          date('window_start'),
          date('window_end'),
          time('changed_at'),
          time('evaluated_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'supervision_cooperation_event',
        columns: [id, code('bank_code'), code('guarantor_code'), { name: 'event', type: 'varchar', length: '16' }, rate('compensation_rate', true), rate('threshold'), date('window_start'), date('window_end'), time('at')],
        indices: [new TableIndex({ name: 'idx_supervision_cooperation_event_pair', columnNames: ['bank_code', 'guarantor_code'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('supervision_cooperation_event');
    await q.dropTable('supervision_cooperation_state');
    await q.dropTable('supervision_net_assets');
  }
}
