import { placeholders, selectEntities } from '../db/fast-read';
import type { Database } from '../db/datasource';
import { loader, type HubContext } from '../federation/context';
import { AgriEntity, Enterprise } from './entities';
import { policyInputsLoaded } from '../policy/enforce';

export type SubjectRecord = Enterprise | AgriEntity;

/** Loads subjects by id from both registers: two statements however many ids. */
export async function findSubjects(db: Database, ids: readonly string[]): Promise<Map<string, SubjectRecord>> {
  const found = new Map<string, SubjectRecord>();
  if (!ids.length) return found;
  const unique = [...new Set(ids)];
  const where = `id IN (${placeholders(unique.length)})`;
  const [enterprises, agri] = await Promise.all([selectEntities(db, Enterprise, where, unique), selectEntities(db, AgriEntity, where, unique)]);
  for (const row of enterprises) found.set(row.id, row);
  for (const row of agri) found.set(row.id, row);
  return found;
}

/** The request's subject loader (registry subgraph and anyone in-process asking about subjects). */
export function subjectLoader(ctx: HubContext) {
  return loader<string, SubjectRecord | null>(ctx, 'registry.subject', async (ids) => {
    // The subjects' policy inputs are read alongside (one round trip on MySQL); waiting for them here lets every
    // decision about these subjects be taken synchronously.
    const policy = policyInputsLoaded(ctx, ids);
    const found = await findSubjects(ctx.db, ids);
    if (policy) await policy;
    return ids.map((id) => found.get(id) ?? null);
  });
}
