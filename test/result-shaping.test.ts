import { parse } from 'graphql';
import { buildSchema, operationFromDocument } from '@apollo/federation-internals';
import { computeResponse } from '@apollo/gateway/dist/resultShaping';

/**
 * The gateway's result shaping as patched (patches/README.md): what the client did not ask for is dropped, @skip /
 * @include apply, a null or invalid value in a non-null position nulls the nearest nullable parent with exactly one
 * error. The expected answers are GraphQL's (and were checked against the unpatched gateway, which gives the same).
 */
const schema = buildSchema(`
  type Query { a: A, list: [B!], nn: A! }
  type A { x: Int!, y: String, b: [B] }
  type B { z: Int! }
`);

function shape(query: string, input: Record<string, unknown>, variables: Record<string, unknown> = {}) {
  const operation = operationFromDocument(schema, parse(query), { validate: true });
  const { data, errors } = computeResponse({ operation, variables, input, introspectionHandling: () => null });
  return { data: JSON.parse(JSON.stringify(data)) as unknown, errors: errors.map((e) => ({ message: e.message, path: e.path })) };
}

describe('gateway result shaping (patched)', () => {
  it('keeps what was asked, in the order asked, and drops what the subgraphs added', () => {
    expect(shape('{ a { y x } }', { a: { x: 1, y: 'q', extra: 2, __typename: 'A' } })).toEqual({ data: { a: { y: 'q', x: 1 } }, errors: [] });
  });

  it('nulls the nearest nullable parent of a null in a non-null field, with one error', () => {
    expect(shape('{ a { x y } }', { a: { x: null, y: 'q' } })).toEqual({
      data: { a: null },
      errors: [{ message: 'Cannot return null for non-nullable field A.x.', path: ['a', 'x'] }],
    });
    // Up to the root when every parent is non-null.
    expect(shape('{ nn { x } a { y } }', { nn: { x: null }, a: { y: 'k' } })).toEqual({
      data: null,
      errors: [{ message: 'Cannot return null for non-nullable field A.x.', path: ['nn', 'x'] }],
    });
  });

  it('nulls a list whose non-null element is null, and only the element where elements may be null', () => {
    expect(shape('{ list { z } }', { list: [{ z: 1 }, null] })).toEqual({
      data: { list: null },
      errors: [{ message: 'Cannot return null for non-nullable array element of type B at index 1.', path: ['list', 1] }],
    });
    expect(shape('{ a { x b { z } } list { z } }', { a: { x: 1, b: [{ z: 2 }, null, { z: null }] }, list: [] })).toEqual({
      data: { a: { x: 1, b: [{ z: 2 }, null, null] }, list: [] },
      errors: [{ message: 'Cannot return null for non-nullable field B.z.', path: ['a', 'b', 2, 'z'] }],
    });
  });

  it('reports an invalid leaf value once (no second error for the non-null it breaks)', () => {
    expect(shape('{ a { x y } }', { a: { x: 'not a number', y: 'q' } })).toEqual({
      data: { a: null },
      errors: [{ message: 'Invalid value found for field A.x.', path: ['a', 'x'] }],
    });
  });

  it('applies @skip and @include from the variables', () => {
    const q = 'query ($s: Boolean!, $i: Boolean!) { a { x y @skip(if: $s) b @include(if: $i) { z } } }';
    const input = { a: { x: 1, y: 'q', b: [{ z: 3 }] } };
    expect(shape(q, input, { s: true, i: false }).data).toEqual({ a: { x: 1 } });
    expect(shape(q, input, { s: false, i: true }).data).toEqual({ a: { x: 1, y: 'q', b: [{ z: 3 }] } });
  });
});
