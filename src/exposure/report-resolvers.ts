import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { HubContext } from '../federation/context';
import { asResult, gql, PublicationResult, PublishRecordInput } from '../publishing/graphql';
import { MAX_BATCH_RECORDS, publishBatch } from '../publishing/pipeline';

const PATH =
  'Same validated, idempotent, versioned path as department publishing: upsert by your own sourceRecordId, a changed record becomes ' +
  'a new version, an identical one changes nothing; all-or-nothing unless partial = true; the same idempotencyKey returns the first result.';
const RECORDS = `The records, at most ${MAX_BATCH_RECORDS}; fields as in the dataset’s type (money as 元 strings).`;
const KEY = 'Caller-chosen key of this batch (≤ 128 chars), unique per institution.';
const PARTIAL = 'Store the valid records and report the rest, instead of all-or-nothing.';

/** Reporting by banks and guarantors (报送), through the publishing pipeline. */
@Resolver()
export class ReportingResolver {
  @Mutation(() => PublicationResult, {
    description: `Banks report their loans (贷款). The bank is the caller: a record cannot name another bank. ${PATH} FORBIDDEN for callers other than banks.`,
  })
  reportLoans(
    @Arg('records', () => [PublishRecordInput], { description: RECORDS }) records: PublishRecordInput[],
    @Arg('idempotencyKey', { description: KEY }) idempotencyKey: string,
    @Arg('partial', () => Boolean, { defaultValue: false, description: PARTIAL }) partial: boolean,
    @Ctx() ctx: HubContext,
  ): Promise<PublicationResult> {
    return gql(async () => asResult(await publishBatch(ctx.db, ctx.caller, { dataset: 'loans', records, idempotencyKey, partial })));
  }

  @Mutation(() => PublicationResult, {
    description:
      `Guarantors report their guarantees (担保): lending bank, risk-sharing split (must add up to 100), fee rate, re-guarantor. ${PATH} ` +
      'FORBIDDEN for callers other than guarantors.',
  })
  reportGuarantees(
    @Arg('records', () => [PublishRecordInput], { description: RECORDS }) records: PublishRecordInput[],
    @Arg('idempotencyKey', { description: KEY }) idempotencyKey: string,
    @Arg('partial', () => Boolean, { defaultValue: false, description: PARTIAL }) partial: boolean,
    @Ctx() ctx: HubContext,
  ): Promise<PublicationResult> {
    return gql(async () => asResult(await publishBatch(ctx.db, ctx.caller, { dataset: 'guarantees', records, idempotencyKey, partial })));
  }

  @Mutation(() => PublicationResult, {
    description: `Guarantors report compensations (代偿) and what they have recovered since (追偿). ${PATH} FORBIDDEN for callers other than guarantors.`,
  })
  reportCompensations(
    @Arg('records', () => [PublishRecordInput], { description: RECORDS }) records: PublishRecordInput[],
    @Arg('idempotencyKey', { description: KEY }) idempotencyKey: string,
    @Arg('partial', () => Boolean, { defaultValue: false, description: PARTIAL }) partial: boolean,
    @Ctx() ctx: HubContext,
  ): Promise<PublicationResult> {
    return gql(async () => asResult(await publishBatch(ctx.db, ctx.caller, { dataset: 'compensations', records, idempotencyKey, partial })));
  }
}
