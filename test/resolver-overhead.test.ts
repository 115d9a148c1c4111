import 'reflect-metadata';
import { getNamedType, isLeafType, isObjectType } from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { buildAllSubgraphs } from '../src/gateway/subgraphs';

/**
 * Performance guard (issue 7: "no per-field async overhead where no middleware is needed"): a plain
 * field of a record resolves with graphql-js's default resolver — no type-graphql basic resolver and no
 * per-field policy wrapper (the policy decides per record). Only declared field resolvers (and the
 * policy's wrapper around those that carry subject data) run code per field.
 */
describe('per-field resolver overhead', () => {
  it('leaves every plain scalar field of every subgraph without a resolver of its own', async () => {
    const subgraphs = await buildAllSubgraphs();
    const storage = getMetadataStorage();
    const typeNameOf = (target: unknown) => storage.objectTypes.find((o) => o.target === target)?.name ?? storage.interfaceTypes.find((i) => i.target === target)?.name;
    const declared = new Set(storage.fieldResolvers.map((r) => `${typeNameOf(r.getObjectType?.())}.${r.schemaName}`));
    const withResolver: string[] = [];
    let plain = 0;
    for (const sub of Object.values(subgraphs)) {
      for (const type of Object.values(sub.schema.getTypeMap())) {
        if (!isObjectType(type) || type.name.startsWith('_') || ['Query', 'Mutation'].includes(type.name)) continue;
        for (const field of Object.values(type.getFields())) {
          if (!isLeafType(getNamedType(field.type)) || declared.has(`${type.name}.${field.name}`)) continue;
          if (field.resolve) withResolver.push(`${sub.name}: ${type.name}.${field.name}`);
          else plain++;
        }
      }
    }
    expect(withResolver).toEqual([]);
    expect(plain).toBeGreaterThan(200); // the check looked at the real schema
  });
});
