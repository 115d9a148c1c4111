import { AbstractSqliteDriver } from 'typeorm/driver/sqlite-abstract/AbstractSqliteDriver';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * SQLite auto-increments only a column declared exactly `INTEGER PRIMARY KEY` (a 64-bit rowid), so
 * TypeORM's `bigint` + `increment` column ("bigint PRIMARY KEY AUTOINCREMENT") cannot be created there,
 * and a migration that declares it `integer` shows up as pending in `createSchemaBuilder().log()`.
 * On SQLite an INTEGER is already 64 bits, so this maps exactly that one case to `integer` and leaves
 * every other column (and every other driver) alone. MySQL/MariaDB keep `bigint AUTO_INCREMENT`.
 *
 * Imported for its side effect by `src/audit/entities.ts`; idempotent.
 */
type NormalizeType = (column: Partial<ColumnMetadata> & { type?: unknown }) => string;
const proto = AbstractSqliteDriver.prototype as unknown as { normalizeType: NormalizeType; __hubBigintIncrement?: boolean };

if (!proto.__hubBigintIncrement) {
  const original = proto.normalizeType;
  proto.normalizeType = function normalizeType(this: unknown, column) {
    if (column.type === 'bigint' && column.isGenerated && column.generationStrategy === 'increment') return 'integer';
    return original.call(this, column);
  };
  proto.__hubBigintIncrement = true;
}
