import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { DateScalar, MoneyScalar } from '../federation/scalars';
import { SharingClass, SubjectData } from '../policy/catalog';

/**
 * The registry's `Subject` interface seen from exposure: an `@interfaceObject`, so exposure adds its
 * fields to every implementation (Enterprise, AgriEntity) without knowing them.
 */
@ObjectType('Subject', {
  simpleResolvers: true,
  description:
    'A credit subject (信用主体), keyed by its 统一社会信用代码 or 公民身份号码. The exposure part of the hub adds ' +
    'loans, guarantees and compensations to it.',
})
@Directive('@interfaceObject')
@Directive('@key(fields: "id")')
export class ExposureSubject {
  @Field(() => ID, { description: 'The subject identifier: 统一社会信用代码 (18 chars, GB 32100-2015) or 公民身份号码 (GB 11643-1999).' })
  id!: string;
}

/** A reference to an institution owned by the sharing subgraph (exposure only knows its code). */
@ObjectType('Institution', { simpleResolvers: true, description: 'An institution registered with the hub: who may call it and in which role.' })
@Directive('@key(fields: "code", resolvable: false)')
export class InstitutionRef {
  @Field({ description: 'Institution code used in tokens (claim `org`) and throughout the hub, e.g. CQ-TAX.' })
  code!: string;
}

/**
 * System-wide exposure of one subject across all reporting institutions: totals, counts and flags
 * only — no institution names, no contract numbers.
 */
@ObjectType('ExposureSummary', {
  simpleResolvers: true,
  description:
    '跨机构融资敞口汇总 — the subject’s loans, guarantees and compensations across ALL banks and guarantors reporting ' +
    'to the hub, as totals, counts and flags only: never an institution name or a contract number. "Active" loans ' +
    'are NORMAL or OVERDUE with a positive balance; "active" guarantees are ACTIVE. Current record versions only.',
})
export class ExposureSummary {
  /** Whose summary this is (not a GraphQL field: the policy decides per subject). */
  subjectId!: string;

  @Field(() => MoneyScalar, { description: '贷款余额合计 — total outstanding balance of active loans at all banks.' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  totalLoanBalance!: number;

  @Field(() => Int, { description: 'Number of active loans at all banks.' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  activeLoanCount!: number;

  @Field(() => Int, { description: '授信机构数 — number of distinct banks with an active loan to the subject.' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  lendingInstitutionCount!: number;

  @Field({ description: '是否逾期 — whether any active loan is overdue at any bank (status OVERDUE or days past due > 0).' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  overdue!: boolean;

  @Field(() => Int, { description: '最长逾期天数 — largest number of days past due over the active loans (0 if none overdue).' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  maxOverdueDays!: number;

  @Field(() => MoneyScalar, { description: '逾期贷款余额 — outstanding balance of the active loans that are overdue.' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  overdueBalance!: number;

  @Field(() => Int, { description: '核销贷款笔数 — number of loans any bank has written off (WRITTEN_OFF).' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  writtenOffLoanCount!: number;

  @Field(() => MoneyScalar, { description: '在保余额合计 — total outstanding balance of active guarantees by all guarantors.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  totalGuaranteeBalance!: number;

  @Field(() => Int, { description: 'Number of active guarantees by all guarantors.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  activeGuaranteeCount!: number;

  @Field(() => Int, { description: '担保机构数 — number of distinct guarantors with an active guarantee for the subject.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  guaranteeInstitutionCount!: number;

  @Field(() => Int, { description: '代偿笔数 — number of compensations paid for the subject since compensationSince.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  compensationCount!: number;

  @Field(() => MoneyScalar, { description: '代偿金额合计 — total compensation paid for the subject since compensationSince.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  compensationTotal!: number;

  @Field(() => DateScalar, { description: 'Start of the compensation window (today minus the configured number of years, China Standard Time).' })
  compensationSince!: string;

  @Field({ description: 'When the summary was computed from the reported records.' })
  asOf!: Date;
}
