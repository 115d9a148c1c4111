import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { HubContext } from '../federation/context';
import { badInput, forbidden, subjectIdsArg } from '../federation/errors';
import { MoneyScalar } from '../federation/scalars';
import { CallerType } from '../identity/caller';
import { policyInputsLoaded } from '../policy/enforce';
import { crossCheck, CrossCheckResult, MAX_CROSS_CHECK_SUBJECTS } from './crosscheck';

@Resolver(() => CrossCheckResult)
export class CrossCheckResolver {
  @Query(() => [CrossCheckResult], {
    description:
      `跨机构交叉核查 — up to ${MAX_CROSS_CHECK_SUBJECTS.toLocaleString('en')} subjects per call: each one’s loans and guarantees ` +
      'across all reporting institutions (totals only), compensations in the configured window, the 1000万元 focus line ' +
      'and the effect of `proposedGuaranteeAmount`, the caller’s own contracts in detail and the circuit-breaker flag. ' +
      'The purpose comes from the X-Hub-Purpose header like every read; the sharing policy applies per subject (fields ' +
      'without consent/relationship come back null with a FORBIDDEN error each). One result per distinct id, in order.',
  })
  async crossCheck(
    @Arg('subjectIds', () => [String], { description: `统一社会信用代码 / 公民身份号码, 1 to ${MAX_CROSS_CHECK_SUBJECTS}.` }) subjectIds: string[],
    @Arg('proposedGuaranteeAmount', () => MoneyScalar, { nullable: true, description: 'A new guarantee being considered, in 元: the result shows the balance it would lead to against the focus line.' })
    proposedGuaranteeAmount: number | null | undefined,
    @Ctx() ctx: HubContext,
  ): Promise<CrossCheckResult[]> {
    const type = ctx.caller?.type;
    if (type !== CallerType.BANK && type !== CallerType.GUARANTOR && type !== CallerType.REGULATOR) {
      throw forbidden('crossCheck is for banks, guarantors and regulators', { reason: 'CALLER_TYPE_NOT_ALLOWED' });
    }
    if (!ctx.purpose) throw badInput('crossCheck reads subject data: declare the purpose in the X-Hub-Purpose header', { reason: 'PURPOSE_REQUIRED' });
    if (subjectIds.length === 0 || subjectIds.length > MAX_CROSS_CHECK_SUBJECTS) {
      throw badInput(`'subjectIds' must hold 1 to ${MAX_CROSS_CHECK_SUBJECTS} identifiers, got ${subjectIds.length}`, { argument: 'subjectIds' });
    }
    if (proposedGuaranteeAmount !== null && proposedGuaranteeAmount !== undefined && proposedGuaranteeAmount <= 0) {
      throw badInput("'proposedGuaranteeAmount' must be positive", { argument: 'proposedGuaranteeAmount' });
    }
    const ids = subjectIdsArg(subjectIds, 'subjectIds');
    // The policy's consent / relationship lookups for all subjects at once, alongside our queries; awaited with them
    // so that the 10,000 decisions are then taken synchronously.
    const policy = policyInputsLoaded(ctx, new Set(ids));
    const results = await crossCheck(ctx.db, ctx.caller, ids, { proposedGuaranteeAmount: proposedGuaranteeAmount ?? null });
    if (policy) await policy;
    return results;
  }
}
