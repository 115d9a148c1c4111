import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { HubContext } from '../federation/context';
import { badInput, subjectIdsArg } from '../federation/errors';
import {
  AgriInsurancePolicy,
  AgriSubsidy,
  CreditSubject,
  DishonestStatus,
  JudicialRecord,
  LandContractRight,
  PenaltyRecord,
  SocialInsuranceRecord,
  TaxRecord,
} from './entities';
import {
  agriInsurancePoliciesLoader,
  agriSubsidiesLoader,
  findDishonestStatus,
  judicialRecordsLoader,
  landContractRightsLoader,
  penaltyRecordsLoader,
  socialInsuranceRecordsLoader,
  taxRecordsLoader,
} from './read';

/** Largest id list one `dishonestListing` call takes. */
export const MAX_DISHONEST_SUBJECTS_PER_CALL = 1000;

const NEWEST_FIRST = 'Current, unretracted records only, newest first (by dataAsOf, then most recently received).';

/** The department records credit adds to every Subject. */
@Resolver(() => CreditSubject)
export class CreditSubjectResolver {
  @FieldResolver(() => [TaxRecord], { description: `纳税信用 — tax credit rating and tax paid per tax year (税务局). ${NEWEST_FIRST}` })
  taxRecords(@Root() subject: CreditSubject, @Ctx() ctx: HubContext): Promise<TaxRecord[]> {
    return taxRecordsLoader(ctx).load(subject.id);
  }

  @FieldResolver(() => [SocialInsuranceRecord], { description: `社保参保缴费 — monthly social insurance contributions and arrears (人力社保局). ${NEWEST_FIRST}` })
  socialInsuranceRecords(@Root() subject: CreditSubject, @Ctx() ctx: HubContext): Promise<SocialInsuranceRecord[]> {
    return socialInsuranceRecordsLoader(ctx).load(subject.id);
  }

  @FieldResolver(() => [JudicialRecord], { description: `司法信息 — court cases, 失信被执行人 and 限制消费 (法院). ${NEWEST_FIRST}` })
  judicialRecords(@Root() subject: CreditSubject, @Ctx() ctx: HubContext): Promise<JudicialRecord[]> {
    return judicialRecordsLoader(ctx).load(subject.id);
  }

  @FieldResolver(() => [PenaltyRecord], { description: `行政处罚 — administrative penalties under publicity (市场监管局). ${NEWEST_FIRST}` })
  penaltyRecords(@Root() subject: CreditSubject, @Ctx() ctx: HubContext): Promise<PenaltyRecord[]> {
    return penaltyRecordsLoader(ctx).load(subject.id);
  }

  @FieldResolver(() => [LandContractRight], { description: `土地承包经营权 — contracted rural land (农业农村委). ${NEWEST_FIRST}` })
  landContractRights(@Root() subject: CreditSubject, @Ctx() ctx: HubContext): Promise<LandContractRight[]> {
    return landContractRightsLoader(ctx).load(subject.id);
  }

  @FieldResolver(() => [AgriInsurancePolicy], { description: `农业保险 — agricultural insurance policies (农业农村委). ${NEWEST_FIRST}` })
  agriInsurancePolicies(@Root() subject: CreditSubject, @Ctx() ctx: HubContext): Promise<AgriInsurancePolicy[]> {
    return agriInsurancePoliciesLoader(ctx).load(subject.id);
  }

  @FieldResolver(() => [AgriSubsidy], { description: `农业补贴 — agricultural subsidies received (农业农村委). ${NEWEST_FIRST}` })
  agriSubsidies(@Root() subject: CreditSubject, @Ctx() ctx: HubContext): Promise<AgriSubsidy[]> {
    return agriSubsidiesLoader(ctx).load(subject.id);
  }
}

@Resolver(() => DishonestStatus)
export class DishonestListingResolver {
  @Query(() => [DishonestStatus], {
    description:
      `失信被执行人 check: for each subject (up to ${MAX_DISHONEST_SUBJECTS_PER_CALL}, in the order asked), whether it is listed as a ` +
      'dishonest judgment debtor or under a consumption restriction now. An invalid identifier is an error (code BAD_USER_INPUT).',
  })
  dishonestListing(
    @Arg('subjectIds', () => [String], { description: 'Subject identifiers (统一社会信用代码 or 公民身份号码).' }) subjectIds: string[],
    @Ctx() ctx: HubContext,
  ): Promise<DishonestStatus[]> {
    if (subjectIds.length > MAX_DISHONEST_SUBJECTS_PER_CALL) {
      throw badInput(`at most ${MAX_DISHONEST_SUBJECTS_PER_CALL} ids per call, got ${subjectIds.length}`, { argument: 'subjectIds' });
    }
    return findDishonestStatus(ctx.db, subjectIdsArg(subjectIds, 'subjectIds'));
  }
}
