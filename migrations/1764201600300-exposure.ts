import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

/** exposure: loans reported by banks, guarantees and compensations (代偿) reported by guarantors. */
export class Exposure1764201600300 implements MigrationInterface {
  name = 'Exposure1764201600300';

  async up(q: QueryRunner): Promise<void> {
    const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
    const money = (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: 'bigint', ...extra });
    const rate = (name: string): TableColumnOptions => ({ name, type: 'decimal', precision: 7, scale: 4 });
    const date = (name: string): TableColumnOptions => ({ name, type: 'varchar', length: '10' });
    const reporting: TableColumnOptions[] = [
      { name: 'reported_at', type: 'datetime', precision: 3 },
      { name: 'source_record_id', type: 'varchar', length: '64' },
      { name: 'version', type: 'integer', default: 1 },
      { name: 'is_current', type: 'boolean', default: '1' },
    ];
    const indices = (table: string, orgColumn: string, org: string, extra: TableIndex[] = []) => [
      new TableIndex({ name: `idx_${table}_subject`, columnNames: ['subject_id'] }),
      new TableIndex({ name: `idx_${table}_${org}`, columnNames: [orgColumn] }),
      ...extra,
      new TableIndex({ name: `uq_${table}_source_version`, columnNames: [orgColumn, 'source_record_id', 'version'], isUnique: true }),
    ];

    await q.createTable(
      new Table({
        name: 'exposure_loan',
        columns: [
          id,
          { name: 'contract_no', type: 'varchar', length: '64' },
          { name: 'bank_code', type: 'varchar', length: '32' },
          { name: 'subject_id', type: 'varchar', length: '18' },
          money('amount_fen'),
          money('balance_fen'),
          date('start_date'),
          date('maturity_date'),
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'overdue_days', type: 'integer', default: 0 },
          money('overdue_amount_fen', { default: 0 }),
          rate('interest_rate'),
          { name: 'usage', type: 'varchar', length: '64', isNullable: true },
          { name: 'guarantee_contract_no', type: 'varchar', length: '64', isNullable: true },
          ...reporting,
        ],
        indices: indices('exposure_loan', 'bank_code', 'bank', [
          new TableIndex({ name: 'idx_exposure_loan_contract', columnNames: ['bank_code', 'contract_no'] }),
        ]),
      }),
    );
    await q.createTable(
      new Table({
        name: 'exposure_guarantee',
        columns: [
          id,
          { name: 'contract_no', type: 'varchar', length: '64' },
          { name: 'guarantor_code', type: 'varchar', length: '32' },
          { name: 'bank_code', type: 'varchar', length: '32' },
          { name: 'subject_id', type: 'varchar', length: '18' },
          money('amount_fen'),
          money('balance_fen'),
          date('start_date'),
          date('end_date'),
          { name: 'status', type: 'varchar', length: '16' },
          rate('fee_rate'),
          rate('bank_share'),
          rate('guarantor_share'),
          rate('reguarantee_share'),
          rate('national_fund_share'),
          { name: 'reguarantor_code', type: 'varchar', length: '32', isNullable: true },
          { name: 'small_micro_agri', type: 'boolean', default: '0' },
          ...reporting,
        ],
        indices: indices('exposure_guarantee', 'guarantor_code', 'guarantor', [
          new TableIndex({ name: 'idx_exposure_guarantee_contract', columnNames: ['guarantor_code', 'contract_no'] }),
        ]),
      }),
    );
    await q.createTable(
      new Table({
        name: 'exposure_compensation',
        columns: [
          id,
          { name: 'guarantee_contract_no', type: 'varchar', length: '64' },
          { name: 'guarantor_code', type: 'varchar', length: '32' },
          { name: 'bank_code', type: 'varchar', length: '32' },
          { name: 'subject_id', type: 'varchar', length: '18' },
          money('amount_fen'),
          date('paid_on'),
          money('recovered_amount_fen', { default: 0 }),
          ...reporting,
        ],
        indices: indices('exposure_compensation', 'guarantor_code', 'guarantor'),
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('exposure_compensation');
    await q.dropTable('exposure_guarantee');
    await q.dropTable('exposure_loan');
  }
}
