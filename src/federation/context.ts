import DataLoader from 'dataloader';
import type { Database } from '../db/datasource';
import type { Caller } from '../identity/caller';
import type { Purpose } from '../policy/purposes';

/**
 * The per-request context every resolver sees, in either topology. In one process the gateway's
 * context object reaches the subgraph resolvers as is, so per-request loaders kept here are shared
 * by all fetches of the request; a subgraph service builds the same shape from the forwarded identity.
 */
export interface HubContext {
  requestId: string;
  caller: Caller;
  purpose?: Purpose;
  /** The raw X-Hub-Purpose value, kept to report an unknown purpose precisely. */
  purposeHeader?: string;
  db: Database;
  /** Per-request DataLoaders by name; see `loader()`. */
  loaders: Map<string, DataLoader<unknown, unknown>>;
}

/**
 * The most ids one statement's IN list carries: a whole cross-check (10,000 subjects), so a batch's statement
 * count does not grow with its size. SQLite takes 32,766 parameters; on MariaDB a list of 1,000 or more becomes
 * a materialised subquery joined through the same subject index (EXPLAIN on 1,000,000 subjects: ref lookups on
 * idx_exposure_loan_subject, the same 70 ms as a range scan with the conversion off).
 */
export const MAX_IDS_PER_STATEMENT = 10_000;

/** The request's DataLoader named `name`, created on first use. */
export function loader<K, V>(
  ctx: HubContext,
  name: string,
  batch: (keys: readonly K[]) => Promise<ArrayLike<V | Error>>,
  options?: DataLoader.Options<K, V, K>,
): DataLoader<K, V> {
  let found = ctx.loaders.get(name) as DataLoader<K, V> | undefined;
  if (!found) {
    found = new DataLoader<K, V>(batch, { maxBatchSize: MAX_IDS_PER_STATEMENT, ...options });
    ctx.loaders.set(name, found as DataLoader<unknown, unknown>);
  }
  return found;
}

/** Groups rows by a key, in the order of `keys` — the usual shape of a one-to-many batch function. */
export function groupBy<K, R>(keys: readonly K[], rows: R[], keyOf: (row: R) => K): R[][] {
  const map = new Map<K, R[]>();
  for (const row of rows) {
    const k = keyOf(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return keys.map((k) => map.get(k) ?? []);
}

/** Picks one row per key, in the order of `keys` (null where absent). */
export function indexBy<K, R>(keys: readonly K[], rows: R[], keyOf: (row: R) => K): (R | null)[] {
  const map = new Map<K, R>();
  for (const row of rows) map.set(keyOf(row), row);
  return keys.map((k) => map.get(k) ?? null);
}
