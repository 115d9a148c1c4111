import { loadConfig, type HubConfig } from '../../src/config';
import { openDatabase, type Database } from '../../src/db/datasource';
import { seedDemo } from '../../src/demo/seed';
import { startGateway, startSubgraphService, type RunningService } from '../../src/gateway/hub';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../src/federation/subgraph';
import { signCallerToken } from '../../src/identity/caller';
import { loadOrCreateKey } from '../../src/identity/keys';
import { freshDatabaseUrl, tempKeysDir } from './db';
import type { GraphQLResponse } from './hub';

/** The hardening suites' hub: like startTestHub, with environment overrides, a clock, and handles on every service. */
export interface HardenedHub {
  url: string;
  base: string;
  config: HubConfig;
  db: Database;
  gateway: RunningService;
  subgraphs: Partial<Record<SubgraphName, RunningService>>;
  token(claims: { org?: string; subjectId?: string; ttlSeconds?: number }): Promise<string>;
  query<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    opts?: { token?: string; org?: string; purpose?: string; headers?: Record<string, string>; operationName?: string },
  ): Promise<GraphQLResponse<T>>;
  /** POSTs a raw body. */
  post(body: string, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

export async function startHardenedHub(
  name: string,
  opts: { env?: Record<string, string>; topology?: 'in-process' | 'multi-process'; now?: () => number; databaseUrl?: string; keysDir?: string; seed?: boolean } = {},
): Promise<HardenedHub> {
  const databaseUrl = opts.databaseUrl ?? (await freshDatabaseUrl(name));
  const config: HubConfig = { ...loadConfig({ ...(opts.env ?? {}) }), databaseUrl, keysDir: opts.keysDir ?? tempKeysDir(), port: 0 };
  const db = await openDatabase(databaseUrl, { migrate: true });
  if (opts.seed !== false) await seedDemo(db, { now: new Date('2026-11-20T08:00:00Z') });
  const subgraphs: Partial<Record<SubgraphName, RunningService>> = {};
  let subgraphUrls: Partial<Record<SubgraphName, string>> | undefined;
  if (opts.topology === 'multi-process') {
    subgraphUrls = {};
    for (const sub of SUBGRAPH_NAMES) {
      subgraphs[sub] = await startSubgraphService(sub, { config, db, port: 0 });
      subgraphUrls[sub] = subgraphs[sub]!.url;
    }
  }
  const gateway = await startGateway({ config, db, port: 0, subgraphUrls, now: opts.now });
  const issuer = await loadOrCreateKey(config.keysDir, 'issuer');
  const tokens = new Map<string, string>();
  const hub: HardenedHub = {
    url: gateway.url,
    base: gateway.url.replace(/\/graphql$/, ''),
    config,
    db,
    gateway,
    subgraphs,
    token: (claims) => signCallerToken(issuer, config, claims),
    async query(query, variables, o = {}) {
      let token = o.token;
      if (!token && o.org) {
        token = tokens.get(o.org) ?? (await hub.token({ org: o.org }));
        tokens.set(o.org, token);
      }
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(o.headers ?? {}) };
      if (token) headers.authorization = `Bearer ${token}`;
      if (o.purpose) headers['x-hub-purpose'] = o.purpose;
      const res = await fetch(gateway.url, { method: 'POST', headers, body: JSON.stringify({ query, variables, operationName: o.operationName }) });
      const text = await res.text();
      let body: GraphQLResponse['body'];
      try {
        body = JSON.parse(text);
      } catch {
        body = { errors: [{ message: `non-JSON response: ${text.slice(0, 200)}` }] };
      }
      return { status: res.status, headers: res.headers, body } as GraphQLResponse<never>;
    },
    post: (body, headers = {}) => fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }),
    async stop() {
      await gateway.stop();
      for (const s of Object.values(subgraphs)) await s!.stop();
      if (db.dataSource.isInitialized) await db.dataSource.destroy();
    },
  };
  return hub;
}
