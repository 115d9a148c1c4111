import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSource } from '@apollo/gateway';
import { CachedLocalDataSource } from './local-datasource';
import { GraphQLError } from 'graphql';
import { limitsFor, type HubConfig } from '../config';
import type { Database } from '../db/datasource';
import type { HubContext } from '../federation/context';
import { markPolicyUndecided } from '../policy/enforce';
import { certainFetches, expectFetches } from '../federation/plan-progress';
import { graphqlRequestListener, RequestError } from '../federation/http';
import type { SubgraphName } from '../federation/subgraph';
import { CallerTokenVerifier } from '../identity/caller';
import { GATEWAY_IDENTITY_HEADER, GatewayIdentity } from '../identity/gateway-identity';
import { parsePurpose, PURPOSE_HEADER, Purpose } from '../policy/purposes';
import { CallerAuthenticator } from './auth';
import { AccessLogWriter, defaultChainId } from '../audit/writer';
import { accessLogPlugin, logPublications } from '../audit/plugin';
import { loadOrCreateKey } from '../identity/keys';
import { buildAllSubgraphs, composeSupergraph } from './subgraphs';
import { armor, operationGuardPlugin } from '../ops/limits';
import { QuotaExceededError, QuotaService } from '../ops/quota';
import { formatError, observabilityPlugin } from '../ops/plugins';
import { logger } from '../ops/logger';
import { metrics, watchPool } from '../ops/metrics';
import { SERVICE_UNAVAILABLE } from '../ops/db-errors';

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
  /** Clock for quota windows (tests move it to see quotas reset). */
  now?: () => number;
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
    // In one process the decisions are taken in the fetches: knowing how many there are lets the access record
    // be committed as soon as the last one answers (see plan-progress.ts).
    experimental_didResolveQueryPlan: remote ? undefined : ({ queryPlan, requestContext }) => expectFetches(requestContext.context as HubContext, certainFetches(queryPlan)),
    buildService: ({ name, url }): GraphQLDataSource<HubContext> => {
      if (!remote) return new CachedLocalDataSource(subgraphs[name as SubgraphName].schema);
      return new HubRemoteDataSource({
        name,
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
  const log = logger(config.logLevel, 'gateway');
  const quotas = new QuotaService(db, config, opts.now);
  const fence = armor(config);
  const server = new ApolloServer<HubContext>({
    gateway,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: !config.production,
    formatError: formatError(config.production),
    validationRules: fence.validationRules,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    // Shutdown is ours (listen → stop): drain HTTP first, then stop Apollo, then the stop hooks.
    stopOnTerminationSignals: false,
    // ── plugins ──
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // No cache hints to collect: every GraphQL answer is sent with Cache-Control: no-store (federation/http.ts).
      ApolloServerPluginCacheControlDisabled(),
      ...fence.plugins,
      operationGuardPlugin(config, quotas),
      observabilityPlugin('gateway', log, logger(config.logLevel, 'gateway', undefined, { redact: false })),
      ...(accessLog ? [accessLogPlugin(accessLog)] : []),
    ],
  });
  await server.start();

  const authenticator = new CallerAuthenticator(await CallerTokenVerifier.create(config), db);
  const lifecycle = { draining: false };
  const unwatch = watchPool('gateway', db);
  const listener = graphqlRequestListener({
    server,
    maxBodyBytes: config.maxBodyBytes,
    ready: () => ping(db),
    role: 'gateway',
    log,
    corsOrigins: config.corsOrigins,
    metrics: { enabled: config.metrics, token: config.metricsToken },
    ide: config.ide,
    maxTokens: (ctx) => limitsFor(config, ctx.caller?.type).maxTokens,
    lifecycle,
    context: async (req, requestId) => {
      const caller = await authenticator.authenticate(req);
      try {
        await quotas.chargeRequest(caller);
      } catch (e) {
        if (!(e instanceof QuotaExceededError)) throw e;
        metrics().quotaRefusals.inc({ kind: e.kind, caller_type: caller.type });
        throw new RequestError(429, 'RATE_LIMITED', e.message, { 'Retry-After': String(e.retryAfterSeconds) }, { quota: e.kind, limit: e.limit, retryAfterSeconds: e.retryAfterSeconds });
      }
      const purposeHeader = headerValue(req.headers[PURPOSE_HEADER]);
      const purpose = parsePurpose(purposeHeader);
      if (purposeHeader && !purpose) {
        throw new RequestError(400, 'BAD_USER_INPUT', `X-Hub-Purpose '${purposeHeader}' is not one of ${Object.values(Purpose).join(', ')}`);
      }
      const ctx: HubContext = { requestId, caller, purpose, purposeHeader, db, loaders: new Map() };
      // The comparison build decides nothing, so it loads no decision inputs either (see enforceFieldPolicies).
      if (opts.enforcePolicy === false) markPolicyUndecided(ctx);
      return ctx;
    },
  });
  return listen(listener, opts.port ?? config.port, config.host, { lifecycle, timeoutMs: config.shutdownTimeoutMs }, async () => {
    unwatch();
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
  const log = logger(config.logLevel, name);
  const server = new ApolloServer<HubContext>({
    schema: subgraph.schema,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: !config.production,
    formatError: formatError(config.production),
    allowBatchedHttpRequests: false,
    stopOnTerminationSignals: false,
    // ── plugins ──
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      observabilityPlugin(name, log, logger(config.logLevel, name, undefined, { redact: false })),
      ...(accessLog ? [accessLogPlugin(accessLog)] : []),
    ],
  });
  await server.start();
  const lifecycle = { draining: false };
  const unwatch = watchPool(name, db);
  const listener = graphqlRequestListener({
    server,
    maxBodyBytes: config.maxBodyBytes,
    ready: () => ping(db),
    role: name,
    log,
    metrics: { enabled: config.metrics, token: config.metricsToken },
    lifecycle,
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
  return listen(listener, opts.port ?? config.port, config.host, { lifecycle, timeoutMs: config.shutdownTimeoutMs }, async () => {
    unwatch();
    await server.stop();
    await accessLog?.close();
  });
}

/**
 * A subgraph service over HTTP. When it cannot be reached (or answers 5xx), the fetch fails with an error
 * naming the subgraph — SUBGRAPH_UNAVAILABLE, or SERVICE_UNAVAILABLE when its database is down — and the
 * gateway still answers every field the other subgraphs can.
 */
class HubRemoteDataSource extends RemoteGraphQLDataSource<HubContext> {
  readonly name: string;

  constructor(opts: ConstructorParameters<typeof RemoteGraphQLDataSource<HubContext>>[0] & { name: string }) {
    const { name, ...rest } = opts;
    super(rest);
    this.name = name;
  }

  override didEncounterError(error: Error, _req: unknown, response?: { status: number }): void {
    if (response && response.status < 500) throw error;
    const dbDown = response?.status === 503;
    throw new GraphQLError(
      dbDown
        ? `The '${this.name}' subgraph cannot reach its database; its fields are missing from this answer.`
        : `The '${this.name}' subgraph is unavailable; its fields are missing from this answer.`,
      { extensions: { code: dbDown ? SERVICE_UNAVAILABLE : 'SUBGRAPH_UNAVAILABLE', serviceName: this.name } },
    );
  }
}

/** The process's access-log writer for one serving role; its chain id names the role so chains are easy to tell apart. */
async function openAccessLog(config: HubConfig, db: Database, role: string, enabled = true): Promise<AccessLogWriter | undefined> {
  if (!enabled) return undefined;
  const key = await loadOrCreateKey(config.keysDir, 'audit');
  const writer = await AccessLogWriter.open(db, key, { chainId: `${role}-${defaultChainId()}`.slice(0, 64) });
  logPublications(writer);
  return writer;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Readiness: a read that reaches the database file or server (a bare `SELECT 1` never touches SQLite's file). */
async function ping(db: Database): Promise<boolean> {
  await db.dataSource.query('SELECT COUNT(*) AS n FROM ops_quota_counter WHERE expires_at < 0');
  return true;
}

/**
 * Serves `listener`. `stop()` is the graceful shutdown: /readyz turns 503 and responses ask clients to
 * close their connections, the server stops accepting, in-flight requests finish (for up to
 * `timeoutMs`; then remaining connections are cut), and only then the stop hooks run (`onStop`).
 */
function listen(
  listener: http.RequestListener,
  port: number,
  host: string,
  shutdown: { lifecycle: { draining: boolean }; timeoutMs: number },
  onStop: () => Promise<void>,
): Promise<RunningService> {
  const httpServer = http.createServer(listener);
  httpServer.keepAliveTimeout = 65_000;
  let stopping: Promise<void> | undefined;
  return new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => {
      const actual = (httpServer.address() as AddressInfo).port;
      resolve({
        url: `http://${host}:${actual}/graphql`,
        port: actual,
        httpServer,
        stop: () =>
          (stopping ??= (async () => {
            shutdown.lifecycle.draining = true;
            await new Promise<void>((done) => {
              const timer = setTimeout(() => httpServer.closeAllConnections(), shutdown.timeoutMs);
              timer.unref();
              // Keep-alive connections become idle as their last request finishes: close them as they do.
              const idle = setInterval(() => httpServer.closeIdleConnections(), 25);
              httpServer.close(() => {
                clearTimeout(timer);
                clearInterval(idle);
                done();
              });
              httpServer.closeIdleConnections();
            });
            await onStop();
          })()),
      });
    });
  });
}
