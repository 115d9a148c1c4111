import type { SubgraphDefinition } from '../federation/subgraph';
import type { HubContext } from '../federation/context';
import { AgriEntity, Enterprise, Subject } from './entities';
import { subjectLoader } from './read';
import { SubjectResolver } from './resolvers';

const resolveSubject = { __resolveReference: (ref: { id: string }, ctx: HubContext) => subjectLoader(ctx).load(ref.id) };

/** registry subgraph: 市场主体 — enterprises and agricultural entities. */
export const registrySubgraph: SubgraphDefinition = {
  name: 'registry',
  resolvers: [SubjectResolver],
  orphanedTypes: [Subject, Enterprise, AgriEntity],
  referenceResolvers: { Subject: resolveSubject, Enterprise: resolveSubject, AgriEntity: resolveSubject },
};
