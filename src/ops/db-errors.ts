import { GraphQLError } from 'graphql';
import { HeaderMap } from '@apollo/server';

/** Code of the error a request gets while the database cannot be reached. */
export const SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE';

const CONNECTION_CODES = new Set([
  // mysql2 / node net
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR', 'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN', 'ER_ACCESS_DENIED_ERROR', 'ER_LOCK_WAIT_TIMEOUT', 'ER_QUERY_INTERRUPTED',
  // better-sqlite3
  'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_READONLY', 'SQLITE_FULL', 'SQLITE_NOTADB', 'SQLITE_CORRUPT',
]);
const CONNECTION_MESSAGES = /connection (is )?(not established|closed|lost)|pool is closed|Can't add new command when connection is in closed state|connect ETIMEDOUT|Connection lost|Too many connections|database connection is not open|The database connection is not open|Driver not Connected/i;

/** True when `e` (or what it wraps) says the database could not be reached or used — not a bad query. */
export function isDatabaseUnavailable(e: unknown, depth = 0): boolean {
  if (!e || typeof e !== 'object' || depth > 5) return false;
  const err = e as { code?: unknown; errno?: unknown; message?: unknown; driverError?: unknown; originalError?: unknown; cause?: unknown; fatal?: unknown };
  if (typeof err.code === 'string' && (CONNECTION_CODES.has(err.code) || err.code.startsWith('SQLITE_IOERR') || err.code.startsWith('SQLITE_CANTOPEN'))) return true;
  if (err.fatal === true) return true;
  if (typeof err.message === 'string' && CONNECTION_MESSAGES.test(err.message)) return true;
  return isDatabaseUnavailable(err.driverError, depth + 1) || isDatabaseUnavailable(err.originalError, depth + 1) || isDatabaseUnavailable(err.cause, depth + 1);
}

export function serviceUnavailableError(retryAfterSeconds = 5): GraphQLError {
  return new GraphQLError('The hub cannot reach its database right now; retry shortly.', {
    extensions: { code: SERVICE_UNAVAILABLE, retryAfterSeconds, http: { status: 503, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) } },
  });
}
