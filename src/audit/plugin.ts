import crypto from 'node:crypto';
import { GraphQLError, print, type DocumentNode } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { HubContext } from '../federation/context';
import { readOutcomes } from '../policy/enforce';
import type { AccessRecordInput } from './chain';
import { AccessLogUnavailableError, type AccessLogWriter } from './writer';
import { setPublicationListener, type PublicationEvent } from '../publishing';
import { metrics } from '../ops/metrics';
import { whenReadsDone } from '../federation/plan-progress';

/** The error a caller gets instead of data whose access record could not be made durable. */
export function accessLogUnavailable(requestId: string): GraphQLError {
  return new GraphQLError('The access log could not record this read, so no subject data is returned (no log, no data). Retry later.', {
    extensions: { code: 'SERVICE_UNAVAILABLE', requestId },
  });
}

/**
 * Requests whose HTTP layer waits for the access record itself (see {@link accessLogAwaitedByTransport}). A
 * property of the context, not a WeakMap entry: Apollo hands plugins a shallow copy of the context object.
 */
const HANDED_OVER = Symbol('accessLogHandedOver');
type Handover = { commit?: Promise<void> };
const handedOver = (ctx: HubContext): Handover | undefined => (ctx as HubContext & { [HANDED_OVER]?: Handover })[HANDED_OVER];

/**
 * Called by the HTTP layer before execution: it will wait for the request's access records itself, after
 * Apollo has serialized the response and before a byte of it is written — so serializing a large answer overlaps
 * the commit instead of following it. "No log, no data" holds: the body is sent only once the commit succeeded,
 * and replaced by {@link accessLogUnavailable} when it failed.
 */
export function accessLogAwaitedByTransport(ctx: HubContext): void {
  (ctx as HubContext & { [HANDED_OVER]?: Handover })[HANDED_OVER] = {};
}

/** The request's pending commit, when the HTTP layer must wait for it (undefined: nothing to wait for). */
export function pendingAccessLogCommit(ctx: HubContext): Promise<void> | undefined {
  return handedOver(ctx)?.commit;
}

/** Apollo reuses one parsed document per distinct operation text: its hash is computed once. */
const operationHashes = new WeakMap<DocumentNode, string>();
function hashOf(document: DocumentNode | undefined): string {
  if (!document) return crypto.createHash('sha256').update('').digest('hex');
  let hash = operationHashes.get(document);
  if (!hash) operationHashes.set(document, (hash = crypto.createHash('sha256').update(print(document)).digest('hex')));
  return hash;
}

/**
 * "No log, no data": after execution, one access record per subject the request touched (every field
 * asked, with its ALLOW / MASK / DENY decision) is appended and committed before the response leaves.
 * If the append fails, the response is replaced by an error and carries no subject data.
 */
export function accessLogPlugin(writer: AccessLogWriter): ApolloServerPlugin<HubContext> {
  const role = writer.chainId.split('-')[0];
  /** Builds the request's access records and appends them; resolves once committed (nothing to do: at once). */
  const commitReads = async (ctx: HubContext, document: DocumentNode | undefined, operationName: string | null | undefined): Promise<void> => {
    const reads = [...readOutcomes(ctx)];
    if (!reads.length) return;
    const time = new Date();
    const operationHash = hashOf(document);
    const records: AccessRecordInput[] = reads.map(({ subjectId, subject, fields }) => ({
      recordType: 'READ',
      time,
      requestId: ctx.requestId,
      callerType: ctx.caller.type,
      callerOrg: ctx.caller.orgCode ?? null,
      callerUser: ctx.caller.userId,
      purpose: ctx.purpose ?? null,
      subjectId,
      operationName: operationName ?? null,
      operationHash,
      // Frozen lists, shared by the subjects relying on the same ids: the writer checks and encodes each once.
      consentIds: subject.consentIds,
      approvalIds: subject.approvalIds,
      fields,
    }));
    const started = process.hrtime.bigint();
    const m = metrics();
    m.accessLogBacklog.inc({ role }, records.length);
    try {
      await writer.append(records);
      m.accessLogWriteSeconds.observe({ role }, Number(process.hrtime.bigint() - started) / 1e9);
    } finally {
      m.accessLogBacklog.dec({ role }, records.length);
    }
  };
  return {
    async requestDidStart() {
      let early: Promise<void> | undefined;
      return {
        async executionDidStart({ contextValue: ctx, document, operationName }) {
          // In one process: commit as soon as the plan's last fetch answers, while the gateway shapes the response.
          whenReadsDone(ctx, () => {
            early = commitReads(ctx, document, operationName);
            early.catch(() => undefined); // awaited (and reported) below
          });
        },
        async willSendResponse({ contextValue: ctx, response, document, operationName }) {
          const commit = early ?? commitReads(ctx, document, operationName);
          const transport = handedOver(ctx);
          if (transport) {
            transport.commit = commit;
            commit.catch(() => undefined); // awaited (and reported) by the HTTP layer
            return;
          }
          try {
            await commit;
          } catch (e) {
            if (!(e instanceof AccessLogUnavailableError)) process.stderr.write(`access log append failed: ${(e as Error).message}\n`);
            response.http.status = 503;
            response.body = { kind: 'single', singleResult: { errors: [accessLogUnavailable(ctx.requestId)] } };
          }
        },
      };
    },
  };
}

/**
 * Department publications, corrections and retractions (and bank/guarantor reports) enter the access log
 * as PUBLISH records: one per subject written, with the publication id and counts — so a subject's
 * 查询记录 also shows who wrote data about it.
 */
export function logPublications(writer: AccessLogWriter): void {
  setPublicationListener(async (event: PublicationEvent) => {
    const operationHash = crypto.createHash('sha256').update(`${event.operation}:${event.publicationId}`).digest('hex');
    await writer.append(
      event.subjectIds.map((subjectId) => ({
        recordType: 'PUBLISH' as const,
        time: event.at,
        requestId: event.publicationId.slice(0, 64),
        callerType: event.caller.type,
        callerOrg: event.caller.orgCode ?? null,
        callerUser: event.caller.userId,
        purpose: null,
        subjectId,
        operationName: event.operation,
        operationHash,
        consentIds: [],
        approvalIds: [],
        fields: [],
        detail: { publicationId: event.publicationId, dataset: event.dataset, operation: event.operation, counts: event.counts },
      })),
    );
  });
}
