import { Table, TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * audit: field lists stored once. A bulk read (a 10,000-subject cross-check) logs the same list of fields and
 * decisions for nearly every subject; a list of at least SHARED_FIELD_LIST_MIN_CHARS is kept once in
 * `audit_field_list` under its sha256 and a record names it in `fields_ref` (its `fields` column then empty).
 * Record hashes are unchanged: they cover the list itself, so an edited list breaks every record using it.
 * Adding a nullable column is instant on MariaDB ≥ 10.3, MySQL 8 and SQLite; existing rows keep their lists.
 */
export class AuditFieldLists1764201600900 implements MigrationInterface {
  name = 'AuditFieldLists1764201600900';

  async up(q: QueryRunner): Promise<void> {
    const sqlite = q.connection.driver.options.type === 'better-sqlite3';
    // CHAR(64) for hex digests; TypeORM's SQLite driver only knows the `nchar` spelling (same affinity).
    const hashType = sqlite ? 'nchar' : 'char';
    await q.createTable(
      new Table({
        name: 'audit_field_list',
        columns: [
          { name: 'list_hash', type: hashType, length: '64', isPrimary: true },
          { name: 'list_json', type: 'text' },
        ],
      }),
    );
    await q.addColumn('audit_access_log', new TableColumn({ name: 'fields_ref', type: hashType, length: '64', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('audit_access_log', 'fields_ref');
    await q.dropTable('audit_field_list');
  }
}
