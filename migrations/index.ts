import { Registry1764201600000 } from './1764201600000-registry';
import { Sharing1764201600100 } from './1764201600100-sharing';
import { Credit1764201600200 } from './1764201600200-credit';
import { Exposure1764201600300 } from './1764201600300-exposure';

/** Migrations in order, listed explicitly (file globs break under jest's transforms). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const allMigrations: Function[] = [Registry1764201600000, Sharing1764201600100, Credit1764201600200, Exposure1764201600300];
