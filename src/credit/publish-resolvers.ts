import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { HubContext } from '../federation/context';
import { asResult, DatasetStatus, gql, PublicationLogEntry, PublicationResult, PublishRecordInput, RecordVersion } from '../publishing/graphql';
import { correctRecord, datasetStatus, listPublications, MAX_BATCH_RECORDS, MAX_PUBLICATIONS_PAGE, publishBatch, recordHistory, retractRecord } from '../publishing/pipeline';

const DATASET_DESCRIPTION =
  'Dataset code: registration, agri_registration, tax, social_insurance, judicial, penalty, agri_land, agri_insurance, agri_subsidy ' +
  '(and loans, guarantees, compensations for history and the log).';

/** Department publishing (发布): batches, corrections, retractions, history, the publication log and freshness. */
@Resolver()
export class PublishingResolver {
  @Mutation(() => PublicationResult, {
    description:
      `Publishes up to ${MAX_BATCH_RECORDS} records of one dataset. Only the dataset’s publishing department may (FORBIDDEN otherwise). ` +
      'Records are upserted by (dataset, sourceRecordId): a changed record becomes a new version, an identical one changes nothing. ' +
      'All-or-nothing unless partial = true (then the valid records land and the rest are reported). Retrying with the same ' +
      'idempotencyKey returns the first result; the same key with a different batch is a CONFLICT error.',
  })
  publishRecords(
    @Arg('dataset', { description: DATASET_DESCRIPTION }) dataset: string,
    @Arg('records', () => [PublishRecordInput], { description: `The records, at most ${MAX_BATCH_RECORDS}.` }) records: PublishRecordInput[],
    @Arg('idempotencyKey', { description: 'Caller-chosen key of this batch (≤ 128 chars), unique per institution.' }) idempotencyKey: string,
    @Arg('partial', () => Boolean, { defaultValue: false, description: 'Store the valid records and report the rest, instead of all-or-nothing.' }) partial: boolean,
    @Ctx() ctx: HubContext,
  ): Promise<PublicationResult> {
    return gql(async () => asResult(await publishBatch(ctx.db, ctx.caller, { dataset, records, idempotencyKey, partial })));
  }

  @Mutation(() => PublicationResult, {
    description: '更正 — publishes a corrected version of one existing record (NOT_FOUND if there is none), with a reason kept in the publication log.',
  })
  correctRecord(
    @Arg('dataset', { description: DATASET_DESCRIPTION }) dataset: string,
    @Arg('record', () => PublishRecordInput, { description: 'The corrected record (same sourceRecordId).' }) record: PublishRecordInput,
    @Arg('reason', { description: 'Why the record is corrected (≤ 200 chars).' }) reason: string,
    @Arg('idempotencyKey', () => String, { nullable: true, description: 'Optional key; by default the correction itself is the key.' }) idempotencyKey: string | null,
    @Ctx() ctx: HubContext,
  ): Promise<PublicationResult> {
    return gql(async () => asResult(await correctRecord(ctx.db, ctx.caller, { dataset, record, reason, idempotencyKey })));
  }

  @Mutation(() => PublicationResult, {
    description: '撤回 — retracts the current version of a record, with a reason: readers no longer see it; recordHistory keeps it. Retracting twice changes nothing.',
  })
  retractRecord(
    @Arg('dataset', { description: DATASET_DESCRIPTION }) dataset: string,
    @Arg('sourceRecordId', { description: 'The publisher’s record id.' }) sourceRecordId: string,
    @Arg('reason', { description: 'Why the record is retracted (≤ 200 chars).' }) reason: string,
    @Ctx() ctx: HubContext,
  ): Promise<PublicationResult> {
    return gql(async () => asResult(await retractRecord(ctx.db, ctx.caller, { dataset, sourceRecordId, reason })));
  }

  @Query(() => [RecordVersion], {
    description: 'Every stored version of one record, oldest first, retracted ones included. For the dataset’s publisher (or reporter, own records) and the hub operator.',
  })
  recordHistory(
    @Arg('dataset', { description: DATASET_DESCRIPTION }) dataset: string,
    @Arg('sourceRecordId', { description: 'The publisher’s record id (for registration data: the subject id).' }) sourceRecordId: string,
    @Ctx() ctx: HubContext,
  ): Promise<RecordVersion[]> {
    return gql(async () => (await recordHistory(ctx.db, ctx.caller, dataset, sourceRecordId)).map((r) => Object.assign(new RecordVersion(), r)));
  }

  @Query(() => [PublicationLogEntry], {
    description: '发布日志 — publication batches, corrections and retractions, newest first: an institution sees its own, the hub operator all.',
  })
  publications(
    @Arg('dataset', () => String, { nullable: true, description: 'Only this dataset.' }) dataset: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50, description: `Page size, 1 to ${MAX_PUBLICATIONS_PAGE}.` }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'Cursor: id of the last publication of the previous page.' }) after: string | null,
    @Ctx() ctx: HubContext,
  ): Promise<PublicationLogEntry[]> {
    return gql(async () => (await listPublications(ctx.db, ctx.caller, { dataset, first, after })).map((r) => Object.assign(new PublicationLogEntry(), r)));
  }

  @Query(() => [DatasetStatus], {
    description: 'Freshness of every dataset: last publication, expected update cycle, and whether it is overdue.',
  })
  datasetStatus(@Ctx() ctx: HubContext): Promise<DatasetStatus[]> {
    return gql(async () => (await datasetStatus(ctx.db)).map((r) => Object.assign(new DatasetStatus(), r)));
  }
}
