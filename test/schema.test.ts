import fs from 'node:fs';
import path from 'node:path';
import { parse, visit } from 'graphql';
import { printedSchemas } from '../src/gateway/printed-schema';

describe('schema/ (printed subgraph SDLs and supergraph)', () => {
  let files: Record<string, string>;
  beforeAll(async () => {
    files = await printedSchemas();
  });

  it('is current: npm run schema regenerates it', () => {
    for (const [name, text] of Object.entries(files)) {
      const onDisk = path.join(__dirname, '..', 'schema', name);
      expect(fs.existsSync(onDisk) ? fs.readFileSync(onDisk, 'utf8') : `(missing ${name})`).toBe(text);
    }
  });

  it('describes every type, field, argument and enum value an integrator sees', () => {
    const undocumented: string[] = [];
    const ast = parse(files['supergraph.graphql']);
    const internal = /^(@|join__|link__|_Service|_Any|_Entity|Query\._|federation__)/;
    let typeName = '';
    visit(ast, {
      DirectiveDefinition: { enter: (n) => { typeName = `@${n.name.value}`; } },
      ObjectTypeDefinition: { enter: (n) => { typeName = n.name.value; if (!n.description && !internal.test(typeName) && !['Query', 'Mutation'].includes(typeName)) undocumented.push(typeName); } },
      InterfaceTypeDefinition: { enter: (n) => { typeName = n.name.value; if (!n.description) undocumented.push(typeName); } },
      EnumTypeDefinition: { enter: (n) => { typeName = n.name.value; if (!n.description && !internal.test(typeName)) undocumented.push(typeName); } },
      ScalarTypeDefinition: { enter: (n) => { if (!n.description && !internal.test(n.name.value) && !['link__Import', 'join__FieldSet', 'federation__FieldSet'].includes(n.name.value)) undocumented.push(n.name.value); } },
      InputObjectTypeDefinition: { enter: (n) => { typeName = n.name.value; if (!n.description) undocumented.push(typeName); } },
      FieldDefinition: (n) => { if (!n.description && !internal.test(typeName) && !internal.test(`${typeName}.${n.name.value}`)) undocumented.push(`${typeName}.${n.name.value}`); },
      InputValueDefinition: (n) => { if (!n.description && !internal.test(typeName) && typeName !== '') undocumented.push(`${typeName}(${n.name.value})`); },
      EnumValueDefinition: (n) => { if (!n.description && !internal.test(typeName)) undocumented.push(`${typeName}.${n.name.value}`); },
    });
    expect(undocumented).toEqual([]);
  });
});
