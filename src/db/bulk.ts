import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Multi-row INSERT in chunks (TypeORM's save() inserts and reloads one row at a time on MySQL).
 * Chunk size keeps each statement under MySQL's placeholder limit for wide tables.
 */
export async function insertRows<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, rows: T[], chunkSize = 500): Promise<void> {
  for (let i = 0; i < rows.length; i += chunkSize) {
    // updateEntity(false): no read-back of generated columns — we don't need them and it costs a query per row.
    await manager.createQueryBuilder().insert().into(target).values(rows.slice(i, i + chunkSize)).updateEntity(false).execute();
  }
}
