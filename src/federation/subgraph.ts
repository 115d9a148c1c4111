import { buildSchema, createResolversMap, type NonEmptyArray } from 'type-graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { parse, type GraphQLSchema } from 'graphql';

export type SubgraphName = 'registry' | 'credit' | 'exposure' | 'sharing';
export const SUBGRAPH_NAMES: SubgraphName[] = ['registry', 'credit', 'exposure', 'sharing'];

/** What a subgraph module declares: its type-graphql resolvers and how its entities are fetched by key. */
export interface SubgraphDefinition {
  name: SubgraphName;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  resolvers: NonEmptyArray<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  orphanedTypes?: Function[];
  /** `__resolveReference` (and `__resolveType` for entity interfaces) per entity type. */
  referenceResolvers?: Record<string, Record<string, unknown>>;
}

export interface BuiltSubgraph {
  name: SubgraphName;
  /** The executable subgraph schema (with `_service` and `_entities`). */
  schema: GraphQLSchema;
  /** The SDL composition reads: what `{ _service { sdl } }` returns. */
  sdl: string;
  /** The type-graphql schema, which still carries field extensions (the sharing catalog). */
  typeGraphqlSchema: GraphQLSchema;
}

const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@interfaceObject", "@external", "@requires"])\n\n';

/**
 * type-graphql builds the schema from decorated classes; printing it with directives keeps `@key`,
 * and `buildSubgraphSchema` adds the federation fields. Resolvers come back from type-graphql's map.
 */
export async function buildSubgraph(def: SubgraphDefinition): Promise<BuiltSubgraph> {
  const typeGraphqlSchema = await buildSchema({
    resolvers: def.resolvers,
    orphanedTypes: def.orphanedTypes,
    validate: false,
    emitSchemaFile: false,
  });
  const typeDefs = parse(FEDERATION_LINK + printSchemaWithDirectives(typeGraphqlSchema));
  const resolvers = createResolversMap(typeGraphqlSchema) as Record<string, Record<string, unknown>>;
  for (const [typeName, extra] of Object.entries(def.referenceResolvers ?? {})) {
    resolvers[typeName] = { ...(resolvers[typeName] ?? {}), ...extra };
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as any });
  const sdl = await serviceSdl(schema);
  return { name: def.name, schema, sdl, typeGraphqlSchema };
}

async function serviceSdl(schema: GraphQLSchema): Promise<string> {
  const { graphql } = await import('graphql');
  const result = await graphql({ schema, source: '{ _service { sdl } }' });
  if (result.errors?.length) throw new Error(`subgraph SDL: ${result.errors[0].message}`);
  return (result.data as { _service: { sdl: string } })._service.sdl;
}
