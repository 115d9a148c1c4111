import { DataSource, type DataSourceOptions } from 'typeorm';
import { loadConfig } from './src/config';
import { dataSourceOptions } from './src/db/datasource';
import { SqlCounter } from './src/db/sql-counter';

/**
 * The TypeORM CLI's data source, built from the same `DATABASE_URL` and options the hub opens (src/db/datasource.ts),
 * for a DBA who wants TypeORM's own tools next to `hub migrate`:
 *
 *   npm run build && DATABASE_URL=mysql://hub:…@db:3306/hub npx typeorm migration:show -d dist/ormconfig.js
 */
export const hubDataSource: Promise<DataSource> = dataSourceOptions(loadConfig().databaseUrl, new SqlCounter()).then(
  // The hub's statement counter stays quiet; the CLI reports migrations and errors on the console.
  ({ options }) => new DataSource({ ...options, logger: 'simple-console', logging: ['migration', 'error', 'warn'] } as DataSourceOptions),
);
