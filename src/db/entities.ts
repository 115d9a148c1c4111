import { registryEntities } from '../registry/entities';
import { sharingEntities } from '../sharing/entities';
import { creditEntities } from '../credit/entities';
import { exposureEntities } from '../exposure/entities';
import { supervisionEntities } from '../exposure/supervision/entities';
import { policyEntities } from '../policy/entities';
import { auditEntities } from '../audit/entities';
import { publishingEntities } from '../publishing/entities';
import { opsEntities } from '../ops/entities';

/** Every table the hub maps. Each module owns its own; all share one database by default. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const allEntities: Function[] = [
  ...registryEntities,
  ...sharingEntities,
  ...creditEntities,
  ...exposureEntities,
  ...supervisionEntities,
  ...policyEntities,
  ...auditEntities,
  ...publishingEntities,
  ...opsEntities,
];
