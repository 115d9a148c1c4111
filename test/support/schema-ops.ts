import {
  getIntrospectionQuery,
  buildClientSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isCompositeType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';

/** The gateway's API schema, by introspection (development mode). */
export async function fetchSchema(url: string, token: string): Promise<GraphQLSchema> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: getIntrospectionQuery() }) });
  const body = (await res.json()) as { data: IntrospectionQuery };
  return buildClientSchema(body.data);
}

export interface RootOperation {
  kind: 'query' | 'mutation';
  field: string;
  /** The document: every argument passed as a variable; selection `__typename` (or nothing for scalars). */
  document: string;
  /** Variables with every string position filled by `str()`. */
  variables(str: () => string, rnd?: () => number): Record<string, unknown>;
}

/** One operation per root field, arguments as variables — for injection and fuzz tests. */
export function rootOperations(schema: GraphQLSchema): RootOperation[] {
  const out: RootOperation[] = [];
  for (const [kind, type] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()]] as const) {
    if (!type) continue;
    for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
      const defs = field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
      const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
      const selection = isCompositeType(getNamedType(field.type)) ? ' { __typename }' : '';
      out.push({
        kind,
        field: field.name,
        document: `${kind} ${field.name}Op${defs ? `(${defs})` : ''} { ${field.name}${args ? `(${args})` : ''}${selection} }`,
        variables: (str, rnd = Math.random) => Object.fromEntries(field.args.map((a) => [a.name, valueFor(a.type, str, rnd, 0)])),
      });
    }
  }
  return out;
}

function valueFor(type: GraphQLInputType, str: () => string, rnd: () => number, depth: number): unknown {
  if (isNonNullType(type)) return valueFor(type.ofType, str, rnd, depth);
  if (isListType(type)) return Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => valueFor(getNullableType(type.ofType) as GraphQLInputType, str, rnd, depth));
  if (isEnumType(type)) {
    const values = type.getValues();
    return values[Math.floor(rnd() * values.length)].value;
  }
  if (isInputObjectType(type)) {
    if (depth > 3) return {};
    return Object.fromEntries(Object.values(type.getFields()).map((f) => [f.name, valueFor(f.type, str, rnd, depth + 1)]));
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return 1 + Math.floor(rnd() * 10);
      case 'Float':
        return rnd() * 100;
      case 'Boolean':
        return rnd() < 0.5;
      case 'DateTimeISO':
      case 'DateTime':
        return '2026-11-01T00:00:00.000Z';
      default:
        return str();
    }
  }
  return null;
}
