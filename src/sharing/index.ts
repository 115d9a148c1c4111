import type { SubgraphDefinition } from '../federation/subgraph';
import type { HubContext } from '../federation/context';
import { institutionLoader } from './read';
import { InstitutionResolver } from './resolvers';
import { AccessLogResolver } from './access-resolvers';
import { CatalogResolver, ConsentResolver, DataUseApplicationResolver, ExplainAccessResolver } from './policy-resolvers';

/** sharing subgraph: the institution registry (and, with the policy and audit cores, catalog, approvals, consents, access log). */
export const sharingSubgraph: SubgraphDefinition = {
  name: 'sharing',
  resolvers: [InstitutionResolver, CatalogResolver, DataUseApplicationResolver, ConsentResolver, ExplainAccessResolver, AccessLogResolver],
  referenceResolvers: {
    Institution: { __resolveReference: (ref: { code: string }, ctx: HubContext) => institutionLoader(ctx).load(ref.code) },
  },
};
