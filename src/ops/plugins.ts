import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import type { HubContext } from '../federation/context';
import { decisionCounts } from '../policy/enforce';
import { isDatabaseUnavailable, SERVICE_UNAVAILABLE } from './db-errors';
import { OPERATION_LIMIT_CODE } from './limits';
import { metrics, operationLabel } from './metrics';

/** graphql-armor's refusals ("Syntax Error: Token limit of 4000 exceeded, found 4001.") → one code for every limit. */
const ARMOR_LIMIT_RE = /^Syntax Error: ((Token|Aliases|Directives|Depth|Query Cost) limit of \d+ exceeded.*)$/;

/**
 * Error shaping for every service. Always: graphql-armor refusals get code OPERATION_LIMIT_EXCEEDED, and
 * database outages SERVICE_UNAVAILABLE. In production, internal errors lose their message (no SQL, no
 * driver text) and nothing carries a stack trace.
 */
export function formatError(production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const { stacktrace, exception, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
    const base = { locations: formatted.locations, path: formatted.path };
    const armorHit = ARMOR_LIMIT_RE.exec(formatted.message);
    if (armorHit) return { message: `Operation refused: ${armorHit[1]}`, locations: formatted.locations, extensions: { code: OPERATION_LIMIT_CODE } };
    if (extensions.code !== SERVICE_UNAVAILABLE && isDatabaseUnavailable(original)) {
      return { ...base, message: 'The hub cannot reach its database right now; retry shortly.', extensions: { code: SERVICE_UNAVAILABLE } };
    }
    if (!production) return { ...formatted, extensions: { ...extensions, ...(stacktrace ? { stacktrace } : {}), ...(exception ? { exception } : {}) } };
    // DOWNSTREAM_SERVICE_ERROR: an in-process subgraph's error that had no code of its own — an unexpected one.
    if (!extensions.code || extensions.code === 'INTERNAL_SERVER_ERROR' || extensions.code === 'DOWNSTREAM_SERVICE_ERROR') {
      return { ...base, message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', ...(extensions.serviceName ? { serviceName: extensions.serviceName } : {}) } };
    }
    return { ...formatted, extensions };
  };
}

/** Hides identifier-like strings (USCC, ID numbers) in text bound for logs. */
export function scrub(text: string): string {
  return text.replace(/\b[0-9A-Z]{15,18}\b/g, '[id]').replace(/'[^']{0,200}'/g, "'…'").slice(0, 500);
}

/**
 * One JSON log line and the metrics per operation: request id, institution, caller type, operation name,
 * outcome, error codes and duration — never variables or subject data. Policy decisions are counted
 * from the request's policy trail (present where the subgraph resolvers ran with this context).
 */
export function observabilityPlugin(role: string, log: Logger, requestLog: Logger = log): ApolloServerPlugin<HubContext> {
  const m = metrics();
  return {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      let codes: string[] = [];
      return {
        async didEncounterErrors({ errors }) {
          codes = errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          for (const e of errors) {
            const original = unwrapResolverError(e) as Error | undefined;
            const code = e.extensions?.code;
            if ((!code || code === 'INTERNAL_SERVER_ERROR') && original && !isDatabaseUnavailable(original)) {
              log.error({ requestId: contextValue.requestId, err: { name: original.name, message: scrub(String(original.message ?? '')) } }, 'internal error');
            }
          }
        },
        async willSendResponse({ response, operationName, operation, contextValue: ctx }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const operationName2 = operationLabel(operationName ?? operation?.name?.value);
          const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const refused = codes.some((c) => c === OPERATION_LIMIT_CODE || c === 'RATE_LIMITED' || c.startsWith('GRAPHQL_'));
          const outcome = refused ? 'refused' : codes.length ? 'error' : 'ok';
          // Whole-request database outage: answer 503 rather than 200 with nothing in it.
          if (body && (body.data === null || body.data === undefined) && codes.includes(SERVICE_UNAVAILABLE)) {
            response.http.status = 503;
            response.http.headers.set('retry-after', '5');
          }
          m.requests.inc({ role, operation: operationName2, outcome });
          m.duration.observe({ role, operation: operationName2 }, seconds);
          const { subjects, counts } = decisionCounts(ctx);
          for (const { decision, reason, n } of counts.values()) m.decisions.inc({ decision, reason }, n);
          // Every field named here is a scalar chosen for the log: written without the redaction pass.
          requestLog.info(
            {
              requestId: ctx.requestId,
              org: ctx.caller?.orgCode,
              callerType: ctx.caller?.type,
              purpose: ctx.purpose,
              operation: operationName2,
              operationType: operation?.operation,
              outcome,
              status: response.http.status ?? 200,
              errors: codes.length ? [...new Set(codes)] : undefined,
              subjects: subjects || undefined,
              ms: Math.round(seconds * 1000 * 10) / 10,
            },
            'graphql',
          );
        },
      };
    },
  };
}
