import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

/** Columns every credit record has: identity, versioning, retraction and provenance. */
function recordTable(name: string, columns: TableColumnOptions[]): Table {
  return new Table({
    name,
    columns: [
      // INTEGER: SQLite auto-increments only an INTEGER PRIMARY KEY (see CreditRecordBase.id).
      { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
      { name: 'subject_id', type: 'varchar', length: '18' },
      { name: 'source_record_id', type: 'varchar', length: '64' },
      { name: 'version', type: 'integer', default: 1 },
      { name: 'current', type: 'boolean', default: '1' },
      { name: 'retracted_at', type: 'datetime', precision: 3, isNullable: true },
      { name: 'retraction_reason', type: 'varchar', length: '200', isNullable: true },
      { name: 'department_code', type: 'varchar', length: '32' },
      { name: 'data_as_of', type: 'varchar', length: '10' },
      { name: 'published_at', type: 'datetime', precision: 3 },
      ...columns,
    ],
    indices: [
      new TableIndex({ name: `idx_${name}_subject`, columnNames: ['subject_id', 'current'] }),
      new TableIndex({ name: `uq_${name}_source_version`, columnNames: ['source_record_id', 'version'], isUnique: true }),
    ],
  });
}

const money = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'bigint', isNullable });
const date = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '10', isNullable });
const text = (name: string, length: number, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable });

/** credit: department-published credit records (tax, social insurance, judicial, penalties, agriculture). */
export class Credit1764201600200 implements MigrationInterface {
  name = 'Credit1764201600200';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      recordTable('credit_tax_record', [
        { name: 'tax_year', type: 'integer' },
        text('rating', 2),
        money('tax_paid_fen'),
        money('vat_paid_fen'),
        money('tax_arrears_fen'),
        text('inspection_remark', 500, true),
      ]),
    );
    await q.createTable(
      recordTable('credit_social_insurance_record', [
        text('period', 7),
        { name: 'insured_headcount', type: 'integer' },
        money('paid_base_total_fen'),
        money('arrears_fen'),
        { name: 'arrears_months', type: 'integer' },
      ]),
    );
    await q.createTable(
      recordTable('credit_judicial_record', [
        text('case_number', 64),
        text('court_name', 100),
        text('case_type', 16),
        text('role', 16),
        money('amount_involved_fen', true),
        date('filed_on'),
        date('closed_on', true),
        text('status', 16),
        { name: 'dishonest_listed', type: 'boolean', default: '0' },
        { name: 'consumption_restricted', type: 'boolean', default: '0' },
      ]),
    );
    await q.createTable(
      recordTable('credit_penalty_record', [
        text('decision_number', 100),
        text('authority_name', 100),
        text('penalty_type', 24),
        text('reason', 500),
        money('fine_amount_fen', true),
        date('decided_on'),
        date('publicity_ends_on'),
      ]),
    );
    await q.createTable(
      recordTable('credit_land_contract_right', [
        text('certificate_number', 64),
        { name: 'area_mu', type: 'decimal', precision: 12, scale: 2 },
        date('contract_start_on'),
        date('contract_end_on'),
        text('land_type', 16),
        { name: 'transferred_in_area_mu', type: 'decimal', precision: 12, scale: 2 },
      ]),
    );
    await q.createTable(
      recordTable('credit_agri_insurance_policy', [
        text('policy_number', 64),
        text('insurer_name', 100),
        text('insured_item', 64),
        money('insured_amount_fen'),
        money('premium_fen'),
        { name: 'subsidy_share_percent', type: 'decimal', precision: 5, scale: 2 },
        date('period_start_on'),
        date('period_end_on'),
        money('claims_paid_fen'),
      ]),
    );
    await q.createTable(
      recordTable('credit_agri_subsidy', [
        text('program', 100),
        { name: 'subsidy_year', type: 'integer' },
        money('amount_fen'),
        date('paid_on'),
      ]),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'credit_agri_subsidy',
      'credit_agri_insurance_policy',
      'credit_land_contract_right',
      'credit_penalty_record',
      'credit_judicial_record',
      'credit_social_insurance_record',
      'credit_tax_record',
    ]) {
      await q.dropTable(table);
    }
  }
}
