import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSource } from '@apollo/gateway';
import { CachedLocalDataSource } from './local-datasource';
import type { HubConfig } from '../config';
import type { Database } from '../db/datasource';
import type { HubContext } from '../federation/context';
import { graphqlRequestListener, RequestError } from '../federation/http';
import type { SubgraphName } from '../federation/subgraph';
import { CallerTokenVerifier } from '../identity/caller';
import { GATEWAY_IDENTITY_HEADER, GatewayIdentity } from '../identity/gateway-identity';
import { parsePurpose, PURPOSE_HEADER, Purpose } from '../policy/purposes';
import { CallerAuthenticator } from './auth';
import { AccessLogWriter, defaultChainId } from '../audit/writer';
import { accessLogPlugin } from '../audit/plugin';
import { loadOrCreateKey } from '../identity/keys';
import { buildAllSubgraphs, composeSupergraph } from './subgraphs';

export interface RunningService {
  url: string;
  port: number;
  httpServer: http.Server;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  config: HubConfig;
  db: Database;
  /** Subgraph service URLs for the multi-process topology; omitted, every subgraph runs in this process. */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
  port?: number;
  /** Benchmark-only: compare against a build without field policy. Not exposed through configuration. */
  enforcePolicy?: boolean;
  /** Benchmark-only: `false` runs without the access log, to measure its cost. Not exposed through configuration. */
  accessLog?: boolean;
}

/** The gateway: verifies callers, plans queries over the static supergraph, forwards a signed identity. */
export async function startGateway(opts: GatewayOptions): Promise<RunningService> {
  const { config, db } = opts;
  const subgraphs = await buildAllSubgraphs({ enforcePolicy: opts.enforcePolicy });
  const remote = opts.subgraphUrls && Object.keys(opts.subgraphUrls).length > 0;
  if (remote) {
    const missing = (Object.keys(subgraphs) as SubgraphName[]).filter((n) => !opts.subgraphUrls?.[n]);
    if (missing.length) throw new Error(`gateway needs a URL for every subgraph; missing: ${missing.join(', ')}`);
  }
  const supergraphSdl = composeSupergraph(subgraphs, remote ? opts.subgraphUrls : {});
  const identity = await GatewayIdentity.create(config.keysDir, config.gatewayIdentityTtlSeconds);

  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }): GraphQLDataSource<HubContext> => {
      if (!remote) return new CachedLocalDataSource(subgraphs[name as SubgraphName].schema);
      return new RemoteGraphQLDataSource<HubContext>({
        url,
        // One signature per request, shared by all its subgraph fetches.
        willSendRequest: async ({ request, context }) => {
          if (!context?.caller) return; // health checks carry no request context
          const ctx = context as HubContext & { forwardedIdentity?: Promise<string> };
          ctx.forwardedIdentity ??= identity.sign({ caller: ctx.caller, purpose: ctx.purpose, requestId: ctx.requestId });
          request.http?.headers.set(GATEWAY_IDENTITY_HEADER, await ctx.forwardedIdentity);
          request.http?.headers.set('x-request-id', ctx.requestId);
        },
      });
    },
  });

  // Each serving process keeps its own hash chain of access records (a writer per process and role).
  const accessLog = await openAccessLog(config, db, 'gateway', opts.accessLog);
  const server = new ApolloServer<HubContext>({
    gateway,
    introspection: !config.production,
    includeStacktraceInErrorResponses: !config.production,
    plugins: [ApolloServerPluginLandingPageDisabled(), ...(accessLog ? [accessLogPlugin(accessLog)] : [])],
  });
  await server.start();

  const authenticator = new CallerAuthenticator(await CallerTokenVerifier.create(config), db);
  const listener = graphqlRequestListener({
    server,
    maxBodyBytes: config.maxBodyBytes,
    ready: () => ping(db),
    context: async (req, requestId) => {
      const caller = await authenticator.authenticate(req);
      const purposeHeader = headerValue(req.headers[PURPOSE_HEADER]);
      const purpose = parsePurpose(purposeHeader);
      if (purposeHeader && !purpose) {
        throw new RequestError(400, 'BAD_USER_INPUT', `X-Hub-Purpose '${purposeHeader}' is not one of ${Object.values(Purpose).join(', ')}`);
      }
      return { requestId, caller, purpose, purposeHeader, db, loaders: new Map() };
    },
  });
  return listen(listener, opts.port ?? config.port, config.host, async () => {
    await server.stop();
    await accessLog?.close();
  });
}

/** One subgraph as its own HTTP service: it trusts only the gateway-signed identity. */
export async function startSubgraphService(name: SubgraphName, opts: { config: HubConfig; db: Database; port?: number }): Promise<RunningService> {
  const { config, db } = opts;
  const subgraph = (await buildAllSubgraphs())[name];
  const identity = await GatewayIdentity.create(config.keysDir, config.gatewayIdentityTtlSeconds);
  const accessLog = await openAccessLog(config, db, name);
  const server = new ApolloServer<HubContext>({
    schema: subgraph.schema,
    introspection: !config.production,
    includeStacktraceInErrorResponses: !config.production,
    plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginLandingPageDisabled(), ...(accessLog ? [accessLogPlugin(accessLog)] : [])],
  });
  await server.start();
  const listener = graphqlRequestListener({
    server,
    maxBodyBytes: config.maxBodyBytes,
    ready: () => ping(db),
    context: async (req) => {
      const forwarded = await identity.verify(headerValue(req.headers[GATEWAY_IDENTITY_HEADER]));
      return {
        requestId: forwarded.requestId,
        caller: forwarded.caller,
        purpose: parsePurpose(forwarded.purpose),
        purposeHeader: forwarded.purpose,
        db,
        loaders: new Map(),
      };
    },
  });
  return listen(listener, opts.port ?? config.port, config.host, async () => {
    await server.stop();
    await accessLog?.close();
  });
}

/** The process's access-log writer for one serving role; its chain id names the role so chains are easy to tell apart. */
async function openAccessLog(config: HubConfig, db: Database, role: string, enabled = true): Promise<AccessLogWriter | undefined> {
  if (!enabled) return undefined;
  const key = await loadOrCreateKey(config.keysDir, 'audit');
  return AccessLogWriter.open(db, key, { chainId: `${role}-${defaultChainId()}`.slice(0, 64) });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function ping(db: Database): Promise<boolean> {
  await db.dataSource.query('SELECT 1');
  return true;
}

function listen(listener: http.RequestListener, port: number, host: string, onStop: () => Promise<void>): Promise<RunningService> {
  const httpServer = http.createServer(listener);
  httpServer.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => {
      const actual = (httpServer.address() as AddressInfo).port;
      resolve({
        url: `http://${host}:${actual}/graphql`,
        port: actual,
        httpServer,
        stop: async () => {
          await new Promise<void>((done) => {
            httpServer.close(() => done());
            httpServer.closeIdleConnections();
          });
          await onStop();
        },
      });
    });
  });
}
