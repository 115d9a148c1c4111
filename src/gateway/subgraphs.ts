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

let built: Promise<Record<SubgraphName, BuiltSubgraph>> | undefined;

/** Builds every subgraph schema once per process (type-graphql metadata is process-wide anyway). */
export function buildAllSubgraphs(): Promise<Record<SubgraphName, BuiltSubgraph>> {
  built ??= (async () => {
    const entries = await Promise.all(SUBGRAPH_NAMES.map(async (name) => [name, await buildSubgraph(SUBGRAPHS[name])] as const));
    return Object.fromEntries(entries) as Record<SubgraphName, BuiltSubgraph>;
  })();
  return built;
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
