import { In } from 'typeorm';
import type { Database } from '../db/datasource';
import { groupBy, indexBy, loader, type HubContext } from '../federation/context';
import { Institution, InstitutionKey } from './entities';

/** Institutions by code, for the gateway's caller lookup and for references from other subgraphs. */
export async function findInstitutions(db: Database, codes: readonly string[]): Promise<Array<Institution | null>> {
  if (!codes.length) return [];
  const rows = await db.dataSource.getRepository(Institution).findBy({ code: In([...new Set(codes)]) });
  return indexBy(codes, rows, (r) => r.code);
}

export function institutionLoader(ctx: HubContext) {
  return loader<string, Institution | null>(ctx, 'sharing.institution', (codes) => findInstitutions(ctx.db, codes));
}

export function institutionKeysLoader(ctx: HubContext) {
  return loader<string, InstitutionKey[]>(ctx, 'sharing.institutionKeys', async (codes) => {
    const rows = await ctx.db.dataSource.getRepository(InstitutionKey).find({ where: { institutionCode: In([...codes]) }, order: { createdAt: 'ASC' } });
    return groupBy(codes, rows, (r) => r.institutionCode);
  });
}
