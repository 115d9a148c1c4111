import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  valueFromAST,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { limitsFor, type HubConfig, type OperationLimits } from '../config';
import type { HubContext } from '../federation/context';
import { metrics } from './metrics';
import { QuotaExceededError, type QuotaService } from './quota';
import { isDatabaseUnavailable, serviceUnavailableError } from './db-errors';

/** Error code of every operation-limit refusal (extensions.code). */
export const OPERATION_LIMIT_CODE = 'OPERATION_LIMIT_EXCEEDED';

/** Root-field arguments that name subjects: what the daily subject-lookup quota counts. */
export const SUBJECT_ID_ARGUMENTS = new Set(['id', 'ids', 'subjectId', 'subjectIds']);

/** Arguments whose integer value sizes a list result (page size). */
const PAGE_SIZE_ARGUMENTS = new Set(['first', 'last', 'limit']);

export interface OperationMeasure {
  depth: number;
  aliases: number;
  rootFields: number;
  directives: number;
  /** Estimated cost; stops counting once past `stopAt`, so a fragment bomb cannot make the estimate itself expensive. */
  cost: number;
  /** Distinct subject ids named by Query root-field arguments (`id`, `ids`, `subjectId`, `subjectIds`). */
  subjectIds: string[];
}

/**
 * Measures an operation as it will execute: fragments inlined (spread twice, counted twice), aliases
 * counted, list arguments resolved from the variables. Cost: every field selection costs 1 times the
 * product of the list sizes above it; a list's size is the length of its list argument (`ids: [...]`),
 * else its page-size argument (`first`, default from the schema), else `listFactor`. A field returning one
 * object from a list argument (a batch of records to publish) adds the list's length once.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  opts: { listFactor: number; stopAt: number },
): OperationMeasure {
  // Clients send the same operations with other values: the measure is kept per document and per what of the
  // variables the cost reads (list lengths, numbers); only the subject ids are looked up again.
  const key = costKey(operation, variables, opts);
  let known = measures.get(document);
  if (known?.schema !== schema) measures.set(document, (known = { schema, byKey: new Map() }));
  let shape = known.byKey.get(key);
  if (!shape) {
    shape = measureWalk(schema, document, operation, variables, opts);
    if (known.byKey.size >= MAX_MEASURES_PER_DOCUMENT) known.byKey.clear();
    known.byKey.set(key, shape);
  }
  return { ...shape, subjectIds: rootSubjectIds(schema, document, operation, variables) };
}

const MAX_MEASURES_PER_DOCUMENT = 64;
const measures = new WeakMap<DocumentNode, { schema: GraphQLSchema; byKey: Map<string, Omit<OperationMeasure, 'subjectIds'>> }>();

/** What of an operation's variables its cost depends on: each list's length and each number; other values not. */
function costKey(operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined, opts: { listFactor: number; stopAt: number }): string {
  let key = `${operation.name?.value ?? ''}|${operation.loc?.start ?? ''}|${opts.listFactor}|${opts.stopAt}`;
  for (const def of operation.variableDefinitions ?? []) {
    const v = variables?.[def.variable.name.value];
    key += Array.isArray(v) ? `|L${v.length}` : typeof v === 'number' ? `|N${v}` : v === undefined ? '|u' : v === null ? '|n' : '|_';
  }
  return key;
}

/** The argument values of one field selection (variables and defaults resolved). */
function argValues(field: GraphQLField<unknown, unknown>, node: { arguments?: readonly import('graphql').ArgumentNode[] }, vars: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const arg of field.args) {
    const given = node.arguments?.find((a) => a.name.value === arg.name);
    let value: unknown = undefined;
    if (given) value = valueFromAST(given.value, arg.type, vars);
    else if (arg.defaultValue !== undefined) value = arg.defaultValue;
    if (value !== undefined) out[arg.name] = value;
  }
  return out;
}

/** Subject ids named by a query's root-field arguments (through fragments at the root), normalised and distinct. */
function rootSubjectIds(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): string[] {
  const rootType = schema.getQueryType();
  if (operation.operation !== 'query' || !rootType) return [];
  const vars = variables ?? {};
  const found = new Set<string>();
  const visit = (set: SelectionSetNode, seen: string[]): void => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const frag = document.definitions.find((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === sel.name.value);
        if (frag && !seen.includes(frag.name.value)) visit(frag.selectionSet, [...seen, frag.name.value]);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        visit(sel.selectionSet, seen);
      } else {
        const field = rootType.getFields()[sel.name.value];
        if (!field) continue;
        for (const [argName, value] of Object.entries(argValues(field, sel, vars))) {
          if (!SUBJECT_ID_ARGUMENTS.has(argName)) continue;
          for (const id of Array.isArray(value) ? value : [value]) if (typeof id === 'string') found.add(id.trim().toUpperCase());
        }
      }
    }
  };
  visit(operation.selectionSet, []);
  return [...found];
}

function measureWalk(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  opts: { listFactor: number; stopAt: number },
): Omit<OperationMeasure, 'subjectIds'> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const m = { depth: 0, aliases: 0, rootFields: 0, directives: 0, cost: 0 };
  const vars = variables ?? {};
  let directivesCounted = false;

  const rootType = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  if (!rootType) return m;

  const walk = (set: SelectionSetNode, parent: GraphQLCompositeType, depth: number, multiplier: number, root: boolean, seen: string[]): void => {
    for (const sel of set.selections) {
      if (m.cost > opts.stopAt) return;
      if (!directivesCounted) m.directives += sel.directives?.length ?? 0;
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const frag = fragments.get(sel.name.value);
        if (!frag || seen.includes(frag.name.value)) continue; // validation already refused cycles and unknown fragments
        const type = schema.getType(frag.typeCondition.name.value);
        walk(frag.selectionSet, isCompositeType(type) ? type : parent, depth, multiplier, root, [...seen, frag.name.value]);
        continue;
      }
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const type = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        walk(sel.selectionSet, isCompositeType(type) ? type : parent, depth, multiplier, root, seen);
        continue;
      }
      const name = sel.name.value;
      if (sel.alias) m.aliases++;
      if (root) m.rootFields++;
      m.depth = Math.max(m.depth, depth + 1);
      if (name.startsWith('__')) {
        m.cost += multiplier;
        continue;
      }
      const field = 'getFields' in parent ? parent.getFields()[name] : undefined; // unions have only __typename
      if (!field) {
        m.cost += multiplier;
        continue;
      }
      const args = argValues(field, sel, vars);
      let listArg = 0;
      let pageSize = 0;
      for (const [argName, value] of Object.entries(args)) {
        if (Array.isArray(value)) listArg = Math.max(listArg, value.length);
        else if (PAGE_SIZE_ARGUMENTS.has(argName) && typeof value === 'number') pageSize = Math.max(pageSize, value);
      }
      const returnsList = isListType(getNullableType(field.type));
      // A list result is as long as its list argument (one entry per id), else its page size, else listFactor.
      const size = returnsList ? Math.max(1, listArg || pageSize || opts.listFactor) : 1;
      // A single result computed from a list argument (a batch report) costs its length once, not per selected field.
      const work = !returnsList ? listArg : 0;
      const named = getNamedType(field.type);
      if (sel.selectionSet && isCompositeType(named)) {
        m.cost += multiplier * (1 + work);
        walk(sel.selectionSet, named, depth + 1, Math.min(multiplier * size, Number.MAX_SAFE_INTEGER), false, seen);
      } else {
        m.cost += multiplier * (size + work);
      }
    }
  };
  // Directives are a property of the document text: count them once, over every definition.
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION || def.kind === Kind.FRAGMENT_DEFINITION) {
      m.directives += def.directives?.length ?? 0;
      countDirectives(def.selectionSet, m);
    }
  }
  directivesCounted = true;
  walk(operation.selectionSet, rootType, 0, 1, true, []);
  return m;
}

function countDirectives(set: SelectionSetNode, m: { directives: number }): void {
  for (const sel of set.selections) {
    m.directives += sel.directives?.length ?? 0;
    if ('selectionSet' in sel && sel.selectionSet) countDirectives(sel.selectionSet, m);
  }
}

/** The first limit an operation breaks, or undefined. */
export function firstExceeded(m: OperationMeasure, limits: OperationLimits): { limit: keyof OperationLimits; found: number; max: number } | undefined {
  const checks: Array<[keyof OperationLimits, number]> = [
    ['maxDepth', m.depth],
    ['maxAliases', m.aliases],
    ['maxRootFields', m.rootFields],
    ['maxDirectives', m.directives],
    ['maxCost', m.cost],
  ];
  for (const [limit, found] of checks) if (found > limits[limit]) return { limit, found, max: limits[limit] };
  return undefined;
}

const LIMIT_WORDS: Record<string, string> = {
  maxDepth: 'depth',
  maxAliases: 'alias count',
  maxRootFields: 'root field count',
  maxDirectives: 'directive count',
  maxCost: 'estimated cost',
  maxTokens: 'token count',
};

export function operationLimitError(limit: string, found: number, max: number, callerType?: string): GraphQLError {
  return new GraphQLError(
    `Operation refused: its ${LIMIT_WORDS[limit] ?? limit} ${limit === 'maxCost' && found > max ? `exceeds ${max}` : `is ${found}, more than the ${max} allowed`}${callerType ? ` for ${callerType} callers` : ''}.`,
    { extensions: { code: OPERATION_LIMIT_CODE, limit, max, ...(limit === 'maxCost' ? {} : { found }), http: { status: 400, headers: new HeaderMap() } } },
  );
}

/**
 * Per-caller-type operation limits, checked after validation on the operation that will run (with its
 * variables), then the daily subject-lookup quota charged with the subject ids the operation names.
 * One hook for both: Apollo runs plugins' didResolveOperation hooks concurrently.
 */
export function operationGuardPlugin(config: Pick<HubConfig, 'limits'>, quotas?: QuotaService): ApolloServerPlugin<HubContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (!operation) return;
          if (operation.operation === 'subscription') {
            throw new GraphQLError('The hub serves queries and mutations only; subscriptions are not supported.', {
              extensions: { code: 'BAD_REQUEST', http: { status: 400, headers: new HeaderMap() } },
            });
          }
          const callerType = contextValue.caller?.type;
          const limits = limitsFor(config, callerType);
          const m = measureOperation(schema, document, operation, request.variables, { listFactor: limits.listFactor, stopAt: limits.maxCost });
          (contextValue as HubContext & { operationMeasure?: OperationMeasure }).operationMeasure = m;
          const over = firstExceeded(m, limits);
          if (over) {
            metrics().limitRefusals.inc({ limit: over.limit });
            throw operationLimitError(over.limit, over.found, over.max, callerType);
          }
          if (!quotas || !contextValue.caller || !m.subjectIds.length) return;
          metrics().subjectLookups.inc({ caller_type: callerType }, m.subjectIds.length);
          try {
            await quotas.chargeSubjectLookups(contextValue.caller, m.subjectIds.length);
          } catch (e) {
            if (e instanceof QuotaExceededError) {
              metrics().quotaRefusals.inc({ kind: e.kind, caller_type: callerType });
              throw e.toGraphQLError();
            }
            if (isDatabaseUnavailable(e)) throw serviceUnavailableError();
            throw e;
          }
        },
      };
    },
  };
}

/** The measure `operationLimitsPlugin` took of this request's operation (undefined before it ran). */
export function operationMeasure(ctx: HubContext): OperationMeasure | undefined {
  return (ctx as HubContext & { operationMeasure?: OperationMeasure }).operationMeasure;
}

/**
 * graphql-armor: process-wide ceilings checked while validating (depth, aliases,
 * directives, cost with fragments flattened), before any per-caller work — the outer fence. The largest
 * value over all caller-type profiles is used, so the per-type plugin above stays the one that decides.
 * Field suggestions are removed from validation errors unless enabled.
 */
export function armor(config: Pick<HubConfig, 'limits' | 'fieldSuggestions'>) {
  const all = [config.limits.default, ...Object.values(config.limits.byType).map((p) => ({ ...config.limits.default, ...p }))];
  const max = (k: keyof OperationLimits) => Math.max(...all.map((p) => p[k]));
  const reject = (limit: string) => [() => metrics().limitRefusals.inc({ limit })];
  return new ApolloArmor({
    // Tokens are counted by the HTTP layer before parsing, per caller type (armor's Apollo plugin answers 500).
    maxTokens: { enabled: false },
    maxDepth: { n: max('maxDepth'), flattenFragments: true, onReject: reject('maxDepth') },
    maxAliases: { n: max('maxAliases'), onReject: reject('maxAliases') },
    maxDirectives: { n: max('maxDirectives'), onReject: reject('maxDirectives') },
    // armor's cost model ignores list arguments given as variables; it only bounds the document's shape here.
    costLimit: { maxCost: max('maxCost'), flattenFragments: true, onReject: reject('maxCost') },
    blockFieldSuggestion: { enabled: !config.fieldSuggestions },
  }).protect();
}
