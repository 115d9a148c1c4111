import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { Lexer, Source, TokenKind } from 'graphql';
import type { Logger } from 'pino';
import { AuthenticationError } from '../identity/caller';
import { isDatabaseUnavailable, SERVICE_UNAVAILABLE } from '../ops/db-errors';
import { serveIde } from '../ops/ide';
import { metrics } from '../ops/metrics';
import type { HubContext } from './context';
import { accessLogAwaitedByTransport, accessLogUnavailable, pendingAccessLogCommit } from '../audit/plugin';
import { AccessLogUnavailableError } from '../audit/writer';

export interface GraphQLHttpOptions {
  server: ApolloServer<HubContext>;
  /** Builds the request's context, or throws AuthenticationError (→ 401) / RequestError (→ its status). */
  context: (req: http.IncomingMessage, requestId: string) => Promise<HubContext>;
  maxBodyBytes: number;
  /** `/readyz`: true when the database answers. */
  ready: () => Promise<boolean>;
  /** Which service this is (`gateway`, `registry`, …): a metrics label and a log field. */
  role?: string;
  log?: Logger;
  /** Origins allowed by CORS (`*` for any). */
  corsOrigins?: string[];
  /** Serve Prometheus metrics at /metrics; with `token`, only to `Authorization: Bearer <token>`. */
  metrics?: { enabled: boolean; token?: string };
  /** Serve the bundled GraphQL IDE page at /ide. */
  ide?: boolean;
  /** Largest number of lexical tokens in the document for this caller (counted before parsing; 400 past it). */
  maxTokens?: (context: HubContext) => number;
  /** Set once graceful shutdown begins: /readyz answers 503 and connections are not kept alive. */
  lifecycle?: { draining: boolean };
}

/** A refusal before GraphQL execution, answered as a GraphQL error with an HTTP status. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const PLAIN_GRAPHQL_URL: Pick<URL, 'pathname' | 'search' | 'searchParams'> = Object.freeze({ pathname: '/graphql', search: '', searchParams: new URLSearchParams() });
const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The node:http face of a GraphQL service (the gateway, or one subgraph service): health endpoints,
 * body limit, authentication before any execution, then Apollo Server's HTTP entry point.
 */
export function graphqlRequestListener(opts: GraphQLHttpOptions): http.RequestListener {
  return (req, res) => {
    const header = req.headers['x-request-id'];
    const requestId = typeof header === 'string' && REQUEST_ID_RE.test(header) ? header : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const role = opts.role ?? 'hub';
    res.once('finish', () => metrics().httpResponses.inc({ role, status: String(res.statusCode) }));
    if (opts.lifecycle?.draining) res.setHeader('Connection', 'close');
    handle(opts, req, res, requestId).catch((e) => {
      if (isDatabaseUnavailable(e)) {
        if (!res.headersSent) sendError(res, 503, SERVICE_UNAVAILABLE, 'The hub cannot reach its database right now; retry shortly.', { 'Retry-After': '5' });
        else res.end();
        opts.log?.warn({ requestId }, 'database unavailable');
        return;
      }
      if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'internal error');
      else res.end();
      if (opts.log) opts.log.error({ requestId, err: { name: (e as Error).name } }, 'request failed');
      else process.stderr.write(`request ${requestId} failed: ${(e as Error).stack ?? e}\n`);
    });
  };
}

const CORS_ALLOW_HEADERS = 'authorization, content-type, x-hub-purpose, x-request-id, apollo-require-preflight, x-apollo-operation-name';

/** CORS for configured origins only; answers preflights. Returns true when the request was a preflight. */
function cors(opts: GraphQLHttpOptions, req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const origin = req.headers.origin;
  const allowed = opts.corsOrigins ?? [];
  const ok = !!origin && (allowed.includes('*') || allowed.includes(origin));
  if (ok) {
    res.setHeader('Access-Control-Allow-Origin', allowed.includes('*') ? '*' : origin!);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id, Retry-After, Server-Timing');
  }
  if (req.method !== 'OPTIONS') return false;
  if (ok) {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', CORS_ALLOW_HEADERS);
    res.setHeader('Access-Control-Max-Age', '600');
  }
  res.statusCode = 204;
  res.end();
  return true;
}

async function handle(opts: GraphQLHttpOptions, req: http.IncomingMessage, res: http.ServerResponse, requestId: string): Promise<void> {
  const started = process.hrtime.bigint();
  // The usual request, a POST to /graphql, needs no URL object.
  const url = req.url === '/graphql' ? PLAIN_GRAPHQL_URL : new URL(req.url ?? '/', 'http://hub.local');
  if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
  if (url.pathname === '/readyz') {
    if (opts.lifecycle?.draining) return sendJson(res, 503, { status: 'shutting down' });
    const ok = await opts.ready().catch(() => false);
    metrics().databaseUp.set({ role: opts.role ?? 'hub' }, ok ? 1 : 0);
    return sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'database unavailable' });
  }
  if (url.pathname === '/metrics' && opts.metrics?.enabled) {
    if (opts.metrics.token && req.headers.authorization !== `Bearer ${opts.metrics.token}`) return sendJson(res, 401, { error: 'metrics need the metrics bearer token' });
    const registry = metrics().registry;
    res.statusCode = 200;
    res.setHeader('Content-Type', registry.contentType);
    res.end(await registry.metrics());
    return;
  }
  if (url.pathname === '/ide' && opts.ide && req.method === 'GET') return serveIde(res);
  if (url.pathname !== '/graphql') return sendJson(res, 404, { error: 'not found; GraphQL is served at /graphql' });
  if (cors(opts, req, res)) return;

  let body: unknown = undefined;
  try {
    if (req.method === 'POST') body = await readJsonBody(req, opts.maxBodyBytes);
  } catch (e) {
    if (e instanceof RequestError) return sendError(res, e.status, e.code, e.message, e.headers, e.extensions);
    throw e;
  }

  let context: HubContext;
  try {
    context = await opts.context(req, requestId);
  } catch (e) {
    if (e instanceof AuthenticationError) {
      opts.log?.info({ requestId, status: 401, reason: e.message }, 'refused');
      res.setHeader('WWW-Authenticate', 'Bearer');
      return sendError(res, 401, 'UNAUTHENTICATED', e.message);
    }
    if (e instanceof RequestError) {
      opts.log?.info({ requestId, status: e.status, code: e.code }, 'refused');
      return sendError(res, e.status, e.code, e.message, e.headers, e.extensions);
    }
    throw e;
  }

  if (opts.maxTokens) {
    const query = req.method === 'POST' ? (body as { query?: unknown } | undefined)?.query : url.searchParams.get('query');
    const max = opts.maxTokens(context);
    if (typeof query === 'string' && query.length > max && countTokens(query, max) > max) {
      return sendError(res, 400, 'OPERATION_LIMIT_EXCEEDED', `Operation refused: it has more than ${max} tokens.`, {}, { limit: 'maxTokens', max });
    }
  }

  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  accessLogAwaitedByTransport(context);
  const response = await opts.server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
    context: async () => context,
  });
  // No log, no data: nothing of the response leaves before the request's access records are committed.
  const commit = pendingAccessLogCommit(context);
  const answered = process.hrtime.bigint();
  if (commit) {
    try {
      await commit;
    } catch (e) {
      if (!(e instanceof AccessLogUnavailableError)) process.stderr.write(`access log append failed: ${(e as Error).message}\n`);
      const unavailable = accessLogUnavailable(requestId);
      return sendError(res, 503, 'SERVICE_UNAVAILABLE', unavailable.message, {}, { requestId });
    }
  }
  // Subject data: never kept by a browser or an intermediary cache.
  res.setHeader('Cache-Control', 'no-store');
  for (const [key, value] of response.headers) res.setHeader(key, value);
  // W3C Server-Timing: the time this service spent, from the request's arrival to its answer being ready, and the
  // part of it spent waiting for the access log's commit once the answer was computed.
  const done = process.hrtime.bigint();
  res.setHeader('Server-Timing', `hub;dur=${(Number(done - started) / 1e6).toFixed(1)}, log;dur=${(Number(done - answered) / 1e6).toFixed(1)}`);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** Lexical tokens in `query`, counting stops at max + 1; a syntax error ends the count (the parser reports it). */
function countTokens(query: string, max: number): number {
  const lexer = new Lexer(new Source(query));
  let n = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) if (++n > max) break;
  } catch {
    /* syntax error: left to the parser */
  }
  return n;
}

function readJsonBody(req: http.IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    // The rest of an oversized body is not read: the 413 closes the connection.
    const tooLarge = () => new RequestError(413, 'PAYLOAD_TOO_LARGE', `request body exceeds ${limit} bytes`, { Connection: 'close' }, { maxBodyBytes: limit });
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        req.pause();
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (refused) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text) return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new RequestError(400, 'BAD_REQUEST', 'request body is not valid JSON'));
      }
    });
  });
}

function sendJson(res: http.ServerResponse, status: number, payload: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(payload));
}

function sendError(res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}, extensions: Record<string, unknown> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  sendJson(res, status, { errors: [{ message, extensions: { code, ...extensions } }] });
}
