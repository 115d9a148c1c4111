import { GraphQLError } from 'graphql';
import { JSONObjectResolver } from 'graphql-scalars';
import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PublicationOperation, PublicationStatus } from './entities';
import { PublishingError, type PublicationOutcome } from './pipeline';
import type { PublishRecord } from './adapter';

/**
 * GraphQL types of publishing, shared by the credit subgraph (department publishing) and the exposure
 * subgraph (bank/guarantor reporting). The types both subgraphs return are identical classes marked
 * `@shareable`, so the supergraph composes them as one.
 */

registerEnumType(PublicationStatus, {
  name: 'PublicationStatus',
  description: 'Whether a publication batch landed.',
  valuesConfig: {
    COMMITTED: { description: 'Committed: the accepted records are stored (all of them, or with partial = true the valid ones).' },
    REJECTED: { description: 'Nothing stored: the batch had invalid records and was all-or-nothing (partial = false).' },
  },
});

registerEnumType(PublicationOperation, {
  name: 'PublicationOperation',
  description: 'What a publication-log entry records.',
  valuesConfig: {
    PUBLISH: { description: 'A batch of records published or reported (API or file import).' },
    CORRECT: { description: '更正 — a new version of one record, with a reason.' },
    RETRACT: { description: '撤回 — a record retracted, with a reason: no longer served, kept in history.' },
  },
});

@InputType('PublishRecordInput', {
  description:
    'One record to publish or report: the publisher’s own record id, the subject, the data-as-of date and the dataset’s fields ' +
    '(names as in the dataset’s GraphQL type, e.g. {"taxYear": 2024, "rating": "A", "taxPaid": "125000.00", …}; money as 元 strings).',
})
export class PublishRecordInput implements PublishRecord {
  @Field({ description: 'The publisher’s own key of the record (≤ 64 chars): records are upserted by (dataset, sourceRecordId).' })
  sourceRecordId!: string;

  @Field({ description: 'The subject: 统一社会信用代码 or 公民身份号码 (check digits verified).' })
  subjectId!: string;

  @Field(() => String, {
    nullable: true,
    description: '数据截止日期 YYYY-MM-DD: not in the future and not older than the dataset allows (2 years). Required for department datasets; optional for loans, guarantees and compensations.',
  })
  dataAsOf?: string | null;

  @Field(() => JSONObjectResolver, { description: 'The dataset’s fields as a JSON object; unknown field names are rejected.' })
  fields!: Record<string, unknown>;
}

@ObjectType('RecordRejection', { simpleResolvers: true, description: 'A problem with one record of a batch: which record, which field, why. A record may have several.' })
@Directive('@shareable')
export class RecordRejection {
  @Field(() => Int, { description: 'Position of the record in the batch (0-based).' })
  index!: number;

  @Field(() => String, { nullable: true, description: 'The record’s sourceRecordId as sent (null when missing).' })
  sourceRecordId!: string | null;

  @Field(() => String, { nullable: true, description: 'The field at fault: sourceRecordId, subjectId, dataAsOf, fields.<name>; null for the record as a whole.' })
  field!: string | null;

  @Field({ description: 'Why the record was rejected.' })
  reason!: string;
}

@ObjectType('PublicationResult', {
  simpleResolvers: true,
  description:
    'What a publication batch did. Counts: accepted = created + changed + unchanged; rejected lists every problem. ' +
    'Retrying with the same idempotency key returns this same result (with duplicateOf set).',
})
@Directive('@shareable')
export class PublicationResult {
  @Field(() => ID, { description: 'Publication-log id of the batch.' })
  publicationId!: string;

  @Field({ description: 'The dataset published to.' })
  dataset!: string;

  @Field(() => PublicationStatus, { description: 'COMMITTED, or REJECTED when an all-or-nothing batch had invalid records (nothing stored).' })
  status!: PublicationStatus;

  @Field(() => Int, { description: 'Records received.' })
  received!: number;

  @Field(() => Int, { description: 'Records stored or already identical (created + changed + unchanged).' })
  accepted!: number;

  @Field(() => Int, { description: 'New records (version 1).' })
  created!: number;

  @Field(() => Int, { description: 'Records stored as a new version; the previous version stays in the record history.' })
  changed!: number;

  @Field(() => Int, { description: 'Identical re-sends: nothing written.' })
  unchanged!: number;

  @Field(() => Int, { description: 'Number of records rejected.' })
  rejectedCount!: number;

  @Field(() => [RecordRejection], { description: 'Every problem found, by record index.' })
  rejected!: RecordRejection[];

  @Field(() => [RecordRejection], {
    description: 'Records that landed but are flagged, e.g. a guarantee reported under a bank–guarantor cooperation suspended by the risk circuit breaker (银担风险熔断).',
  })
  flagged!: RecordRejection[];

  @Field(() => ID, { nullable: true, description: 'Set when the idempotency key had already been used with this same request: the publication whose result this is.' })
  duplicateOf!: string | null;

  @Field({ description: 'When the batch was processed (ISO 8601).' })
  at!: string;
}

@ObjectType('RecordVersion', { simpleResolvers: true, description: 'One stored version of a published record (record history), retracted versions included.' })
export class RecordVersion {
  @Field(() => ID, { description: 'Hub id of this version.' })
  id!: string;

  @Field({ description: 'Dataset of the record.' })
  dataset!: string;

  @Field({ description: 'The publisher’s own record id.' })
  sourceRecordId!: string;

  @Field(() => Int, { description: 'Version number, 1 for the first publication.' })
  version!: number;

  @Field({ description: 'Whether this is the current version.' })
  current!: boolean;

  @Field({ description: 'The subject of this version.' })
  subjectId!: string;

  @Field(() => String, { nullable: true, description: '数据截止日期 of this version (null where the dataset keeps none).' })
  dataAsOf!: string | null;

  @Field({ description: 'Institution that published or reported this version.' })
  publishedBy!: string;

  @Field({ description: 'When the hub received this version.' })
  receivedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When this version was retracted (撤回), if it was; retracted records are not served to readers.' })
  retractedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Reason given for the retraction.' })
  retractionReason!: string | null;

  @Field(() => JSONObjectResolver, { description: 'The version’s fields as published (money as 元 strings).' })
  fields!: Record<string, unknown>;
}

@ObjectType('Publication', { simpleResolvers: true, description: '发布日志 — one publication batch, correction or retraction: who, which dataset, counts, when.' })
export class PublicationLogEntry {
  @Field(() => ID, { description: 'Publication id (also the cursor for paging).' })
  id!: string;

  @Field({ description: 'Institution that published.' })
  orgCode!: string;

  @Field({ description: 'User or service account inside the institution.' })
  userId!: string;

  @Field({ description: 'Dataset.' })
  dataset!: string;

  @Field(() => PublicationOperation, { description: 'PUBLISH, CORRECT or RETRACT.' })
  operation!: PublicationOperation;

  @Field(() => PublicationStatus, { description: 'COMMITTED or REJECTED.' })
  status!: PublicationStatus;

  @Field({ description: 'API or FILE (hub import).' })
  channel!: string;

  @Field(() => String, { nullable: true, description: 'Idempotency key of the batch.' })
  idempotencyKey!: string | null;

  @Field({ description: 'Whether the batch was partial (valid records stored, the rest reported).' })
  partial!: boolean;

  @Field(() => Int, { description: 'Records received.' })
  received!: number;

  @Field(() => Int, { description: 'Records stored or identical.' })
  accepted!: number;

  @Field(() => Int, { description: 'New records.' })
  created!: number;

  @Field(() => Int, { description: 'New versions of existing records (or records retracted).' })
  changed!: number;

  @Field(() => Int, { description: 'Identical re-sends.' })
  unchanged!: number;

  @Field(() => Int, { description: 'Records rejected.' })
  rejected!: number;

  @Field(() => String, { nullable: true, description: 'For CORRECT and RETRACT: the record.' })
  sourceRecordId!: string | null;

  @Field(() => String, { nullable: true, description: 'For CORRECT and RETRACT: the reason given.' })
  reason!: string | null;

  @Field({ description: 'When.' })
  createdAt!: Date;
}

@ObjectType('DatasetStatus', { simpleResolvers: true, description: 'Freshness of one dataset: when data last arrived against its expected update cycle.' })
export class DatasetStatus {
  @Field({ description: 'Dataset code.' })
  dataset!: string;

  @Field({ description: 'Dataset name (Chinese, as departments know it).' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Institution code of the publisher (HUB-OPS for exposure data reported by many institutions).' })
  publisher!: string | null;

  @Field(() => Int, { description: 'Expected update cycle in days.' })
  updateCycleDays!: number;

  @Field(() => Date, { nullable: true, description: 'When data last arrived (last committed publication); null when never.' })
  lastPublishedAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'Whole days since then.' })
  daysSinceLastPublication!: number | null;

  @Field({ description: 'Whether the dataset is overdue: nothing ever published, or more than updateCycleDays since the last publication.' })
  overdue!: boolean;
}

/** Maps pipeline errors onto GraphQL errors with the usual codes. */
export function toGraphQLError(e: unknown): unknown {
  if (e instanceof PublishingError) return new GraphQLError(e.message, { extensions: { code: e.code, ...e.details } });
  return e;
}

/** Runs a pipeline call and converts its errors. */
export async function gql<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toGraphQLError(e);
  }
}

export const asResult = (o: PublicationOutcome): PublicationResult => Object.assign(new PublicationResult(), o);
