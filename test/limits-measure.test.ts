import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { measureOperation } from '../src/ops/limits';

/**
 * measureOperation keeps its measure per document and per the variables' list lengths and numbers: a cached
 * measure must equal a fresh walk for every variable set, and the subject ids must always be this call's.
 */
const schema = buildSchema(`
  type Query { subject(id: String!): S  subjects(ids: [String!]!): [S!]!  page(first: Int = 10): [S!]!  crossCheck(subjectIds: [String!]!, amount: Float): [S!]! }
  type S { id: String!  items(first: Int): [S!]!  name: String }
`);

const OPERATIONS = [
  `query A($id: String!) { subject(id: $id) { id name items { id } } }`,
  `query B($ids: [String!]!, $n: Int) { subjects(ids: $ids) { id items(first: $n) { id items { name } } } }`,
  `query C($ids: [String!]!, $id: String!, $n: Int) { ...Root x: subject(id: $id) { id } page(first: $n) { id } } fragment Root on Query { crossCheck(subjectIds: $ids) { id } ... on Query { subject(id: $id) { name } } }`,
  `query D($ids: [String!]!, $amount: Float) { crossCheck(subjectIds: $ids, amount: $amount) { id name } }`,
];

function randomVariables(seed: number): Record<string, unknown> {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const id = () => `ID-${Math.floor(rnd() * 50)}`;
  return {
    id: id(),
    ids: Array.from({ length: Math.floor(rnd() * 4) * 40 }, id),
    ...(rnd() < 0.7 ? { n: Math.floor(rnd() * 3) * 5 } : {}),
    amount: rnd() < 0.5 ? null : rnd() * 1e6,
  };
}

describe('measureOperation', () => {
  it.each(OPERATIONS)('gives the same measure from its memory as a fresh walk, with this call’s subject ids: %s', (text) => {
    const kept = parse(text);
    const op = kept.definitions[0] as OperationDefinitionNode;
    for (let seed = 1; seed <= 200; seed++) {
      const variables = randomVariables(seed);
      const fresh = parse(text); // a new document: nothing remembered
      const opts = { listFactor: 10, stopAt: seed % 7 === 0 ? 500 : 1_000_000 };
      const expected = measureOperation(schema, fresh, fresh.definitions[0] as OperationDefinitionNode, variables, opts);
      expect(measureOperation(schema, kept, op, variables, opts)).toEqual(expected);
    }
  });

  it('counts the list length and page size of each call', () => {
    const doc = parse(OPERATIONS[1]);
    const op = doc.definitions[0] as OperationDefinitionNode;
    const opts = { listFactor: 10, stopAt: 1_000_000 };
    const small = measureOperation(schema, doc, op, { ids: ['A'], n: 1 }, opts);
    const large = measureOperation(schema, doc, op, { ids: Array.from({ length: 100 }, (_, i) => `S${i}`), n: 1 }, opts);
    const deeper = measureOperation(schema, doc, op, { ids: ['A'], n: 20 }, opts);
    expect(large.cost).toBeGreaterThan(small.cost * 50);
    expect(deeper.cost).toBeGreaterThan(small.cost);
    expect(small.subjectIds).toEqual(['A']);
    expect(large.subjectIds).toHaveLength(100);
  });
});
