import { freshDatabase, onMysql } from './support/db';
import { allMigrations } from '../migrations';
import { allEntities } from '../src/db/entities';

describe(`migrations (${onMysql ? 'MariaDB/MySQL' : 'SQLite'})`, () => {
  it('create exactly the tables, columns and indexes the entities map', async () => {
    const { db } = await freshDatabase('migrations');
    try {
      const pending = await db.dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await db.dataSource.destroy();
    }
  });

  it('roll back cleanly and apply again', async () => {
    const { db } = await freshDatabase('migrations_down');
    try {
      for (let i = 0; i < db.dataSource.migrations.length; i++) await db.dataSource.undoLastMigration();
      expect(await db.dataSource.showMigrations()).toBe(true);
      await db.dataSource.runMigrations();
      expect(await db.dataSource.showMigrations()).toBe(false);
    } finally {
      await db.dataSource.destroy();
    }
  });

  it("ormconfig.ts hands the TypeORM CLI the hub's own entities and migrations", async () => {
    const before = process.env.DATABASE_URL;
    process.env.DATABASE_URL = 'sqlite::memory:';
    try {
      const { hubDataSource } = await import('../ormconfig');
      const ds = await hubDataSource;
      expect(ds.options.migrations).toBe(allMigrations);
      expect(ds.options.entities).toBe(allEntities);
    } finally {
      if (before === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = before;
    }
  });
});
