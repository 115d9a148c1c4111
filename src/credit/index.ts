import type { SubgraphDefinition } from '../federation/subgraph';
import { CreditSubject } from './entities';
import { CreditSubjectResolver, DishonestListingResolver } from './resolvers';
import { PublishingResolver } from './publish-resolvers';

/** A Subject reference from the gateway: credit needs only the id to add its records. */
function resolveSubjectReference(ref: { id: string }): CreditSubject {
  return Object.assign(new CreditSubject(), { id: ref.id });
}

/** credit subgraph: department-published credit records (tax, social insurance, judicial, penalties, agriculture) on every Subject. */
export const creditSubgraph: SubgraphDefinition = {
  name: 'credit',
  resolvers: [CreditSubjectResolver, DishonestListingResolver, PublishingResolver],
  orphanedTypes: [CreditSubject],
  referenceResolvers: { Subject: { __resolveReference: resolveSubjectReference } },
};
