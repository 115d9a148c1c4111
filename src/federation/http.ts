import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { AuthenticationError } from '../identity/caller';
import type { HubContext } from './context';

export interface GraphQLHttpOptions {
  server: ApolloServer<HubContext>;
  /** Builds the request's context, or throws AuthenticationError (→ 401) / RequestError (→ its status). */
  context: (req: http.IncomingMessage, requestId: string) => Promise<HubContext>;
  maxBodyBytes: number;
  /** `/readyz`: true when the database answers. */
  ready: () => Promise<boolean>;
}

/** A refusal before GraphQL execution, answered as a GraphQL error with an HTTP status. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

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
    handle(opts, req, res, requestId).catch((e) => {
      if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'internal error');
      else res.end();
      process.stderr.write(`request ${requestId} failed: ${(e as Error).stack ?? e}\n`);
    });
  };
}

async function handle(opts: GraphQLHttpOptions, req: http.IncomingMessage, res: http.ServerResponse, requestId: string): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://hub.local');
  if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
  if (url.pathname === '/readyz') {
    const ok = await opts.ready().catch(() => false);
    return sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'database unavailable' });
  }
  if (url.pathname !== '/graphql') return sendJson(res, 404, { error: 'not found; GraphQL is served at /graphql' });

  let body: unknown = undefined;
  try {
    if (req.method === 'POST') body = await readJsonBody(req, opts.maxBodyBytes);
  } catch (e) {
    if (e instanceof RequestError) return sendError(res, e.status, e.code, e.message);
    throw e;
  }

  let context: HubContext;
  try {
    context = await opts.context(req, requestId);
  } catch (e) {
    if (e instanceof AuthenticationError) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return sendError(res, 401, 'UNAUTHENTICATED', e.message);
    }
    if (e instanceof RequestError) return sendError(res, e.status, e.code, e.message);
    throw e;
  }

  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const response = await opts.server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
    context: async () => context,
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

function readJsonBody(req: http.IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      return reject(new RequestError(413, 'PAYLOAD_TOO_LARGE', `request body exceeds ${limit} bytes`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.destroy();
        reject(new RequestError(413, 'PAYLOAD_TOO_LARGE', `request body exceeds ${limit} bytes`));
      } else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
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

function sendError(res: http.ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}
