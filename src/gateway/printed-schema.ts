import { buildAllSubgraphs, composeSupergraph } from './subgraphs';
import { SUBGRAPH_NAMES } from '../federation/subgraph';

/** The files in schema/: each subgraph's SDL as composition reads it, and the composed supergraph. */
export async function printedSchemas(): Promise<Record<string, string>> {
  const subgraphs = await buildAllSubgraphs();
  const files: Record<string, string> = {};
  for (const name of SUBGRAPH_NAMES) files[`${name}.graphql`] = subgraphs[name].sdl.trimEnd() + '\n';
  files['supergraph.graphql'] = composeSupergraph(subgraphs).trimEnd() + '\n';
  return files;
}
