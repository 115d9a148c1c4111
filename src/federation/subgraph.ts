import { buildSchema, createResolversMap, getMetadataStorage, type NonEmptyArray } from 'type-graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { Kind, isAbstractType, parse, visit, type DocumentNode, type GraphQLSchema } from 'graphql';
import { enforceFieldPolicies, fieldPolicies, primePolicy } from '../policy/enforce';
import type { HubContext } from './context';

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
export async function buildSubgraph(def: SubgraphDefinition, opts: { enforcePolicy?: boolean } = {}): Promise<BuiltSubgraph> {
  const typeGraphqlSchema = await buildSchema({
    resolvers: def.resolvers,
    orphanedTypes: def.orphanedTypes,
    validate: false,
    emitSchemaFile: false,
  });
  presortResolverParams();
  const policies = fieldPolicies(typeGraphqlSchema);
  const typeDefs = nullablePolicyFields(parse(FEDERATION_LINK + printSchemaWithDirectives(typeGraphqlSchema)), policies);
  const resolvers = createResolversMap(typeGraphqlSchema) as Record<string, Record<string, unknown>>;
  for (const [typeName, extra] of Object.entries(def.referenceResolvers ?? {})) {
    resolvers[typeName] = { ...(resolvers[typeName] ?? {}), ...withPolicyPriming(typeName, extra) };
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as any });
  // `record` only in the policy-cost benchmark's comparison build (reads logged, nothing decided); never reachable from configuration.
  enforceFieldPolicies(typeGraphqlSchema, schema, { mode: opts.enforcePolicy === false ? 'record' : 'enforce' });
  synchronousTypeResolution(schema);
  const sdl = await serviceSdl(schema);
  return { name: def.name, schema, sdl, typeGraphqlSchema };
}

/**
 * type-graphql 2.0-rc sorts each resolver's parameter list by index on every call (getParams), and V8's sort
 * copies the array each time: a tenth of a credit report's allocations. The lists never change after the
 * build, so they are sorted once here and their per-call sort does nothing. (Each build re-creates the lists,
 * hence after every buildSchema.)
 */
function presortResolverParams(): void {
  const storage = getMetadataStorage();
  for (const def of [...storage.queries, ...storage.mutations, ...storage.subscriptions, ...storage.fieldResolvers]) {
    const params = (def as { params?: Array<{ index: number }> }).params;
    if (!params || Object.prototype.hasOwnProperty.call(params, 'sort')) continue;
    params.sort((a, b) => a.index - b.index);
    Object.defineProperty(params, 'sort', { value: function sorted(this: unknown) { return this; } });
  }
}

/**
 * Abstract types resolve synchronously where the value tells its type (`__typename`, or its type-graphql class):
 * type-graphql wraps every resolveType in an async function — a promise per value, and graphql-js completes every
 * such value asynchronously. Values nothing identifies still go to the original resolver.
 */
function synchronousTypeResolution(schema: GraphQLSchema): void {
  const classes = new Map<string, Function>();
  for (const o of getMetadataStorage().objectTypes) classes.set(o.name, o.target);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isAbstractType(type) || type.name.startsWith('__')) continue;
    const original = type.resolveType;
    const candidates = schema
      .getPossibleTypes(type)
      .map((t) => [t.name, classes.get(t.name)] as const)
      .filter((c): c is readonly [string, Function] => !!c[1]);
    type.resolveType = (value, ctx, info, abstract) => {
      const named = (value as { __typename?: unknown } | null)?.__typename;
      if (typeof named === 'string') return named;
      for (const [name, cls] of candidates) if (value instanceof cls) return name;
      return original ? original(value, ctx, info, abstract) : undefined;
    };
  }
}

async function serviceSdl(schema: GraphQLSchema): Promise<string> {
  const { graphql } = await import('graphql');
  const result = await graphql({ schema, source: '{ _service { sdl } }' });
  if (result.errors?.length) throw new Error(`subgraph SDL: ${result.errors[0].message}`);
  return (result.data as { _service: { sdl: string } })._service.sdl;
}

/**
 * A field the sharing policy may deny must be able to resolve to null (with its FORBIDDEN error) without
 * nulling its parent, so policy-controlled fields — and the interface fields they implement — are nullable.
 */
function nullablePolicyFields(doc: DocumentNode, policies: Map<string, unknown>): DocumentNode {
  const fieldNames = new Set([...policies.keys()].map((k) => k.split('.')[1]));
  const controlled = new Set(policies.keys());
  let typeName = '';
  let interfaceFields = false;
  return visit(doc, {
    ObjectTypeDefinition: { enter: (n) => { typeName = n.name.value; interfaceFields = false; } },
    InterfaceTypeDefinition: { enter: (n) => { typeName = n.name.value; interfaceFields = true; } },
    FieldDefinition: (n) => {
      const relax = controlled.has(`${typeName}.${n.name.value}`) || (interfaceFields && fieldNames.has(n.name.value));
      return relax && n.type.kind === Kind.NON_NULL_TYPE ? { ...n, type: n.type.type } : undefined;
    },
  });
}

const SUBJECT_TYPES = new Set(['Subject', 'Enterprise', 'AgriEntity']);

/** Subjects arriving by reference prime the request's policy lookups (one batch for all of them). */
function withPolicyPriming(typeName: string, resolvers: Record<string, unknown>): Record<string, unknown> {
  const resolve = resolvers.__resolveReference as ((ref: { id: string }, ctx: HubContext, info: unknown) => unknown) | undefined;
  if (!SUBJECT_TYPES.has(typeName) || !resolve) return resolvers;
  return {
    ...resolvers,
    __resolveReference: (ref: { id: string }, ctx: HubContext, info: unknown) => {
      primePolicy(ctx, [ref.id]);
      return resolve(ref, ctx, info);
    },
  };
}
