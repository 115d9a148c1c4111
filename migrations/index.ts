import { Registry1764201600000 } from './1764201600000-registry';
import { Sharing1764201600100 } from './1764201600100-sharing';
import { Credit1764201600200 } from './1764201600200-credit';
import { Exposure1764201600300 } from './1764201600300-exposure';
import { Policy1764201600400 } from './1764201600400-policy';
import { Audit1764201600500 } from './1764201600500-audit';
import { Publishing1764201600600 } from './1764201600600-publishing';
import { Supervision1764201600700 } from './1764201600700-supervision';
import { Ops1764201600800 } from './1764201600800-ops';
import { AuditFieldLists1764201600900 } from './1764201600900-audit-field-lists';

/** Migrations in order, listed explicitly (file globs break under jest's transforms). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const allMigrations: Function[] = [
  Registry1764201600000,
  Sharing1764201600100,
  Credit1764201600200,
  Exposure1764201600300,
  Policy1764201600400,
  Audit1764201600500,
  Publishing1764201600600,
  Supervision1764201600700,
  Ops1764201600800,
  AuditFieldLists1764201600900,
];
