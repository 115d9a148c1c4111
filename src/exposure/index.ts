import type { SubgraphDefinition } from '../federation/subgraph';
import { CompensationResolver, ExposureSubjectResolver, GuaranteeResolver, LoanResolver } from './resolvers';
import { ExposureSubject, InstitutionRef } from './types';
import { ReportingResolver } from './report-resolvers';

/**
 * exposure subgraph: loans reported by banks, guarantees and compensations (代偿) reported by guarantors.
 * Adds `exposureSummary`, `loans`, `guarantees` and `compensations` to every `Subject` (as an
 * `@interfaceObject` of registry's interface) and references sharing's `Institution` by code.
 */
export const exposureSubgraph: SubgraphDefinition = {
  name: 'exposure',
  resolvers: [ExposureSubjectResolver, LoanResolver, GuaranteeResolver, CompensationResolver, require('./crosscheck-resolvers').CrossCheckResolver, require('./supervision-resolvers').SupervisionResolver, ReportingResolver],
  orphanedTypes: [ExposureSubject, InstitutionRef],
  referenceResolvers: {
    // Exposure keeps no subject rows: any subject id is resolvable, its fields come from the loaders.
    Subject: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
  },
};
