import { loadConfig, type HubConfig } from '../../src/config';
import type { Database } from '../../src/db/datasource';
import { openDatabase } from '../../src/db/datasource';
import { seedDemo } from '../../src/demo/seed';
import { startGateway, startSubgraphService, type RunningService } from '../../src/gateway/hub';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../src/federation/subgraph';
import { signCallerToken } from '../../src/identity/caller';
import { loadOrCreateKey } from '../../src/identity/keys';
import { freshDatabaseUrl, tempKeysDir } from './db';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: T; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }> };
}

export interface TestHub {
  url: string;
  /** Subgraph service URLs in the multi-process topology (empty in-process). */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  config: HubConfig;
  db: Database;
  /** Signs a real ES256 token with the hub's local issuer key. */
  token(claims: { org?: string; subjectId?: string; ttlSeconds?: number }): Promise<string>;
  /** POSTs a GraphQL operation with variables, a bearer token and an optional purpose. */
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, opts?: { token?: string; org?: string; purpose?: string; headers?: Record<string, string> }): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

/**
 * Starts the real hub over HTTP on a fresh database seeded with the demo data:
 * `in-process` (one process) or `multi-process` (each subgraph its own HTTP service, gateway in front).
 */
export async function startTestHub(name: string, topology: 'in-process' | 'multi-process' = 'in-process'): Promise<TestHub> {
  const databaseUrl = await freshDatabaseUrl(name);
  const config: HubConfig = { ...loadConfig({}), databaseUrl, keysDir: tempKeysDir(), port: 0 };
  const db = await openDatabase(databaseUrl, { migrate: true });
  await seedDemo(db, { now: new Date('2026-11-20T08:00:00Z') });
  const services: RunningService[] = [];
  let subgraphUrls: Partial<Record<SubgraphName, string>> | undefined;
  if (topology === 'multi-process') {
    subgraphUrls = {};
    for (const sub of SUBGRAPH_NAMES) {
      const service = await startSubgraphService(sub, { config, db, port: 0 });
      services.push(service);
      subgraphUrls[sub] = service.url;
    }
  }
  const gateway = await startGateway({ config, db, port: 0, subgraphUrls });
  const issuer = await loadOrCreateKey(config.keysDir, 'issuer');
  const tokens = new Map<string, string>();
  const hub: TestHub = {
    url: gateway.url,
    subgraphUrls: subgraphUrls ?? {},
    config,
    db,
    token: (claims) => signCallerToken(issuer, config, claims),
    async query(query, variables, opts = {}) {
      let token = opts.token;
      if (!token && opts.org) {
        token = tokens.get(opts.org) ?? (await hub.token({ org: opts.org }));
        tokens.set(opts.org, token);
      }
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(opts.headers ?? {}) };
      if (token) headers.authorization = `Bearer ${token}`;
      if (opts.purpose) headers['x-hub-purpose'] = opts.purpose;
      const res = await fetch(gateway.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      return { status: res.status, headers: res.headers, body: (await res.json()) as GraphQLResponse<never>["body"] };
    },
    async stop() {
      await gateway.stop();
      for (const s of services) await s.stop();
      await db.dataSource.destroy();
    },
  };
  return hub;
}
