import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateScalar, MoneyScalar } from '../../federation/scalars';

export enum SupervisionRule {
  LEVERAGE = 'LEVERAGE',
  SINGLE_BORROWER = 'SINGLE_BORROWER',
  SMALL_MICRO_AGRI_SHARE = 'SMALL_MICRO_AGRI_SHARE',
  SMALL_AMOUNT_SHARE = 'SMALL_AMOUNT_SHARE',
  AVERAGE_FEE_RATE = 'AVERAGE_FEE_RATE',
  BANK_RISK_SHARE = 'BANK_RISK_SHARE',
  FOCUS_LINE = 'FOCUS_LINE',
}
registerEnumType(SupervisionRule, {
  name: 'SupervisionRule',
  description: 'Guarantee business rules checked by the supervision view (limits are configuration).',
  valuesConfig: {
    LEVERAGE: { description: '放大倍数 = guarantee balance / net assets ≤ 10× (15× when mainly 小微/三农)' },
    SINGLE_BORROWER: { description: 'largest single borrower ≤ 10% of net assets' },
    SMALL_MICRO_AGRI_SHARE: { description: '支小支农 share of guarantee balance ≥ 80%' },
    SMALL_AMOUNT_SHARE: { description: 'share of balance to borrowers with ≤ 500万元 ≥ 50%' },
    AVERAGE_FEE_RATE: { description: 'balance-weighted average fee rate ≤ 1%' },
    BANK_RISK_SHARE: { description: 'every guarantee leaves the bank ≥ 20% of the risk (value: number of guarantees that do not)' },
    FOCUS_LINE: { description: '单户 guarantee balance ≤ 1000万元 focus line (value: number of borrowers above it)' },
  },
});

@ObjectType('SupervisionBreach', { simpleResolvers: true, description: 'One rule a guarantor breaks in the period.' })
export class SupervisionBreachType {
  @Field(() => SupervisionRule, { description: 'The rule broken.' })
  rule!: SupervisionRule;

  @Field(() => Float, { nullable: true, description: 'Measured value (a ratio, a multiple, a percent fee rate or a count; null where unbounded, e.g. net assets ≤ 0).' })
  value!: number | null;

  @Field(() => Float, { description: 'The configured limit.' })
  limit!: number;

  @Field({ description: 'What is wrong, in words.' })
  message!: string;
}

@ObjectType('GuarantorSupervision', {
  simpleResolvers: true,
  description:
    'Supervision metrics of one government financing guarantor for a period (see the metrics module for the exact ' +
    'definitions). Stock metrics are as at the period end; flows (compensation rate) over the period. Ratios are fractions (0.8 = 80%).',
})
export class GuarantorSupervisionType {
  @Field({ description: 'Institution code of the guarantor.' })
  guarantorCode!: string;

  @Field(() => String, { nullable: true, description: 'Name of the guarantor / group.' })
  name!: string | null;

  @Field(() => String, { nullable: true, description: 'RE_GUARANTEE (再担保), MUNICIPAL (市级) or DISTRICT (区县).' })
  level!: string | null;

  @Field(() => String, { nullable: true, description: 'Region (district) the guarantor serves; 500000 for municipal scope.' })
  regionCode!: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: '净资产 reported for the period (or the latest earlier period); null if never reported.' })
  netAssets!: number | null;

  @Field(() => MoneyScalar, { description: '在保余额 at the period end.' })
  guaranteeBalance!: number;

  @Field(() => Int, { description: 'Number of guarantees in force at the period end.' })
  inForceCount!: number;

  @Field(() => Int, { description: 'Number of distinct borrowers with guarantees in force.' })
  borrowerCount!: number;

  @Field(() => Float, { nullable: true, description: '放大倍数 (null without positive net assets).' })
  leverage!: number | null;

  @Field(() => Float, { description: 'The leverage cap that applies (15 when mainly 小微/三农, else 10 by default).' })
  leverageLimit!: number;

  @Field({ description: 'Whether the 支小支农 share reaches the "mainly 小微/三农" threshold.' })
  mainlySmallMicroAgri!: boolean;

  @Field(() => String, { nullable: true, description: 'The largest borrower, masked (first 6 + last 4): regulators see no personal data in clear.' })
  largestBorrowerMasked!: string | null;

  @Field(() => MoneyScalar, { description: 'In-force balance of the largest single borrower.' })
  largestBorrowerBalance!: number;

  @Field(() => Float, { nullable: true, description: 'Largest single borrower / net assets (limit 10% by default; null without positive net assets).' })
  largestBorrowerShareOfNetAssets!: number | null;

  @Field(() => Float, { nullable: true, description: '支小支农 share of the guarantee balance (null without business).' })
  smallMicroAgriShare!: number | null;

  @Field(() => Float, { nullable: true, description: 'Share of the balance to borrowers with ≤ 500万元 in total (null without business).' })
  smallAmountShare!: number | null;

  @Field(() => Float, { nullable: true, description: 'Balance-weighted average annual fee rate, percent.' })
  averageFeeRate!: number | null;

  @Field(() => Int, { description: 'Borrowers whose in-force balance exceeds the 1000万元 focus line.' })
  aboveFocusLineCount!: number;

  @Field(() => Int, { description: 'In-force guarantees leaving the bank less than 20% of the risk.' })
  bankShareViolationCount!: number;

  @Field(() => MoneyScalar, { description: 'Balance of those guarantees.' })
  bankShareViolationBalance!: number;

  @Field(() => MoneyScalar, { description: '代偿 paid in the period.' })
  compensationAmount!: number;

  @Field(() => Int, { description: 'Number of compensations paid in the period.' })
  compensationCount!: number;

  @Field(() => MoneyScalar, { description: '解除的担保额 in the period (released plus compensated).' })
  releasedAmount!: number;

  @Field(() => Float, { nullable: true, description: '担保代偿率 = compensationAmount / releasedAmount (null when nothing was released).' })
  compensationRate!: number | null;

  @Field(() => [SupervisionBreachType], { description: 'Rules broken in the period (empty when compliant).' })
  breaches!: SupervisionBreachType[];

  @Field(() => [String], { description: 'Inputs not available, e.g. NET_ASSETS.' })
  missing!: string[];
}

@ObjectType('SupervisionTotals', { simpleResolvers: true, description: 'Totals over a group of guarantors (a district, a level, or the whole scope).' })
export class SupervisionTotalsType {
  @Field({ description: 'District code, guarantor level, or ALL.' })
  key!: string;

  @Field(() => String, { nullable: true, description: 'Name of the guarantor / group.' })
  name!: string | null;

  @Field(() => Int, { description: 'Number of guarantors in the group.' })
  guarantorCount!: number;

  @Field(() => MoneyScalar, { description: '在保余额 of the group.' })
  guaranteeBalance!: number;

  @Field(() => MoneyScalar, { description: 'Σ reported net assets.' })
  netAssets!: number;

  @Field(() => Float, { nullable: true, description: 'Σ balance / Σ net assets over guarantors with positive net assets.' })
  leverage!: number | null;

  @Field(() => Float, { nullable: true, description: '支小支农 share of the guarantee balance (null without business).' })
  smallMicroAgriShare!: number | null;

  @Field(() => Float, { nullable: true, description: 'Balance-weighted average fee rate, percent.' })
  averageFeeRate!: number | null;

  @Field(() => MoneyScalar, { description: '代偿 paid in the period.' })
  compensationAmount!: number;

  @Field(() => MoneyScalar, { description: '解除的担保额 in the period.' })
  releasedAmount!: number;

  @Field(() => Float, { nullable: true, description: '担保代偿率 of the group.' })
  compensationRate!: number | null;

  @Field(() => Int, { description: 'Number of breaches in the group.' })
  breachCount!: number;
}

@ObjectType('GuarantorSupervisionView', { simpleResolvers: true, description: 'The regulator’s view of the guarantors in its scope for one period.' })
export class SupervisionViewType {
  @Field({ description: 'The period: YYYY, YYYY-Qn or YYYY-MM.' })
  period!: string;

  @Field(() => DateScalar, { description: 'First day of the period.' })
  periodStart!: string;

  @Field(() => DateScalar, { description: 'Last day of the period.' })
  periodEnd!: string;

  @Field(() => DateScalar, { description: 'Date the view was computed (CST).' })
  asOf!: string;

  @Field({ description: 'The regulator’s region: 500000 = all guarantors, a district code = that district’s.' })
  scopeRegionCode!: string;

  @Field(() => [GuarantorSupervisionType], { description: 'One entry per guarantor in scope.' })
  guarantors!: GuarantorSupervisionType[];

  @Field(() => [SupervisionTotalsType], { description: 'Totals per district (region code of the guarantor).' })
  byDistrict!: SupervisionTotalsType[];

  @Field(() => [SupervisionTotalsType], { description: 'Totals per level: RE_GUARANTEE, MUNICIPAL, DISTRICT.' })
  byLevel!: SupervisionTotalsType[];

  @Field(() => SupervisionTotalsType, { description: 'Totals over every guarantor in scope.' })
  total!: SupervisionTotalsType;
}

@ObjectType('Cooperation', { simpleResolvers: true, description: '银担合作 — one bank × guarantor cooperation and its circuit-breaker (银担风险熔断) state.' })
export class CooperationType {
  @Field({ description: 'Institution code of the bank.' })
  bankCode!: string;

  @Field({ description: 'Institution code of the guarantor.' })
  guarantorCode!: string;

  @Field(() => MoneyScalar, { description: '代偿 the guarantor paid the bank within the window.' })
  compensationAmount!: number;

  @Field(() => MoneyScalar, { description: 'Guarantee amounts released (解除) within the window, compensated ones included.' })
  releasedAmount!: number;

  @Field(() => Float, { nullable: true, description: 'compensationAmount / releasedAmount (null when nothing was released).' })
  compensationRate!: number | null;

  @Field(() => Float, { description: 'The configured threshold: at or above it the cooperation is suspended.' })
  threshold!: number;

  @Field({ description: 'Whether new business under this cooperation is flagged suspended.' })
  suspended!: boolean;

  @Field(() => Int, { description: 'Active guarantees under the cooperation.' })
  activeGuaranteeCount!: number;

  @Field(() => MoneyScalar, { description: 'Balance of the active guarantees under the cooperation.' })
  activeGuaranteeBalance!: number;

  @Field(() => DateScalar, { description: 'First day of the circuit-breaker window.' })
  windowStart!: string;

  @Field(() => DateScalar, { description: 'Last day of the window (today, CST).' })
  windowEnd!: string;

  @Field({ description: 'When the suspended flag last changed.' })
  changedAt!: Date;

  @Field({ description: 'When the state was evaluated.' })
  evaluatedAt!: Date;
}

@ObjectType('NetAssetsReport', { simpleResolvers: true, description: '净资产 of a guarantor for a period, as reported.' })
export class NetAssetsReportType {
  @Field({ description: 'Institution code of the guarantor.' })
  guarantorCode!: string;

  @Field({ description: 'The period: YYYY, YYYY-Qn or YYYY-MM.' })
  period!: string;

  @Field(() => MoneyScalar, { description: '净资产 reported.' })
  netAssets!: number;

  @Field({ description: 'Institution that reported it.' })
  reportedBy!: string;

  @Field({ description: 'When it was reported.' })
  reportedAt!: Date;
}
