import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { buildSubgraph, SUBGRAPH_NAMES, type BuiltSubgraph, type SubgraphDefinition, type SubgraphName } from '../federation/subgraph';
import { registrySubgraph } from '../registry';
import { creditSubgraph } from '../credit';
import { exposureSubgraph } from '../exposure';
import { sharingSubgraph } from '../sharing';

export const SUBGRAPHS: Record<SubgraphName, SubgraphDefinition> = {
  registry: registrySubgraph,
  credit: creditSubgraph,
  exposure: exposureSubgraph,
  sharing: sharingSubgraph,
};

const built = new Map<boolean, Promise<Record<SubgraphName, BuiltSubgraph>>>();

/**
 * Builds every subgraph schema once per process (type-graphql metadata is process-wide anyway).
 * `enforcePolicy: false` exists only for the policy-cost benchmark's comparison build.
 */
export function buildAllSubgraphs(opts: { enforcePolicy?: boolean } = {}): Promise<Record<SubgraphName, BuiltSubgraph>> {
  const enforcePolicy = opts.enforcePolicy !== false;
  let found = built.get(enforcePolicy);
  if (!found) {
    found = (async () => {
      const entries = await Promise.all(SUBGRAPH_NAMES.map(async (name) => [name, await buildSubgraph(SUBGRAPHS[name], { enforcePolicy })] as const));
      return Object.fromEntries(entries) as Record<SubgraphName, BuiltSubgraph>;
    })();
    built.set(enforcePolicy, found);
  }
  return found;
}

/** URL placeholder used in the printed supergraph and the in-process topology (never fetched). */
export const inProcessUrl = (name: string) => `http://in-process.hub/${name}/graphql`;

/** Composes the static supergraph from the subgraph SDLs (no runtime introspection). */
export function composeSupergraph(subgraphs: Record<SubgraphName, BuiltSubgraph>, urls: Partial<Record<SubgraphName, string>> = {}): string {
  const result = composeServices(
    SUBGRAPH_NAMES.map((name) => ({ name, url: urls[name] ?? inProcessUrl(name), typeDefs: parse(subgraphs[name].sdl) })),
  );
  if (result.errors?.length) throw new Error(`supergraph composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  return result.supergraphSdl as string;
}
