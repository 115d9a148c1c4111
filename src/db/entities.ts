import { registryEntities } from '../registry/entities';
import { sharingEntities } from '../sharing/entities';
import { creditEntities } from '../credit/entities';
import { exposureEntities } from '../exposure/entities';
import { policyEntities } from '../policy/entities';
import { auditEntities } from '../audit/entities';

/** Every table the hub maps. Each module owns its own; all share one database by default. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const allEntities: Function[] = [
  ...registryEntities,
  ...sharingEntities,
  ...creditEntities,
  ...exposureEntities,
  ...policyEntities,
  ...auditEntities,
];
