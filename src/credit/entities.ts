import { Directive, Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity, Index, PrimaryColumn, type ValueTransformer } from 'typeorm';
import { numeric } from '../db/columns';
import { DateScalar, MoneyScalar } from '../federation/scalars';
import { MaskKind, SharingClass, SubjectData } from '../policy/catalog';

/**
 * Record ids are opaque strings in the API (GraphQL `ID`) on both drivers.
 *
 * The id column is INTEGER, not BIGINT: SQLite only auto-increments a column declared exactly
 * `INTEGER PRIMARY KEY` (which is 64-bit there), and TypeORM has no column type that maps to INTEGER on
 * SQLite and BIGINT on MySQL, so a BIGINT entity column could not agree with the table on both drivers.
 * On MySQL this is a signed 32-bit INT (2.1 billion versions per table), the same choice as `exposure`.
 */
const idAsString: ValueTransformer = {
  to: (value: string | number | null | undefined) => value,
  from: (value: string | number | bigint | null) => (value === null || value === undefined ? value : String(value)),
};

// ---------------------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------------------

/** 纳税信用等级 (国家税务总局 纳税信用管理办法). */
export enum TaxCreditRating {
  A = 'A',
  B = 'B',
  M = 'M',
  C = 'C',
  D = 'D',
}
registerEnumType(TaxCreditRating, {
  name: 'TaxCreditRating',
  description: '纳税信用等级 — the tax credit rating the tax bureau assigns each year (纳税信用管理办法).',
  valuesConfig: {
    A: { description: 'A级: annual score 90 or above; A-level taxpayers are published by the tax bureau (best).' },
    B: { description: 'B级: score 70 to under 90.' },
    M: { description: 'M级: newly established enterprise, or no operating income in the year with a score of 70 or above.' },
    C: { description: 'C级: score 40 to under 70.' },
    D: { description: 'D级: score under 40, or a serious tax violation such as tax fraud or evasion (worst).' },
  },
});

/** 案件类型. */
export enum JudicialCaseType {
  CIVIL_JUDGMENT = 'CIVIL_JUDGMENT',
  ENFORCEMENT = 'ENFORCEMENT',
  ADMINISTRATIVE = 'ADMINISTRATIVE',
  CRIMINAL = 'CRIMINAL',
}
registerEnumType(JudicialCaseType, {
  name: 'JudicialCaseType',
  description: '案件类型 — kind of court case.',
  valuesConfig: {
    CIVIL_JUDGMENT: { description: '民事判决 — civil or commercial case (e.g. loan or contract dispute), 案号 with 民初/民终.' },
    ENFORCEMENT: { description: '执行案件 — enforcement of an effective judgment or award, 案号 with 执.' },
    ADMINISTRATIVE: { description: '行政案件 — administrative litigation, 案号 with 行初/行终.' },
    CRIMINAL: { description: '刑事案件 — criminal case, 案号 with 刑初/刑终.' },
  },
});

/** 诉讼地位. */
export enum LitigantRole {
  PLAINTIFF = 'PLAINTIFF',
  DEFENDANT = 'DEFENDANT',
  EXECUTED_PERSON = 'EXECUTED_PERSON',
  THIRD_PARTY = 'THIRD_PARTY',
}
registerEnumType(LitigantRole, {
  name: 'LitigantRole',
  description: '诉讼地位 — the subject’s role in the case.',
  valuesConfig: {
    PLAINTIFF: { description: '原告 / 申请执行人 — the subject brought the case.' },
    DEFENDANT: { description: '被告 — the case was brought against the subject.' },
    EXECUTED_PERSON: { description: '被执行人 — the subject must perform an effective judgment.' },
    THIRD_PARTY: { description: '第三人 — third party to the case.' },
  },
});

/** 案件状态. */
export enum JudicialCaseStatus {
  PENDING = 'PENDING',
  CLOSED = 'CLOSED',
  ENFORCING = 'ENFORCING',
}
registerEnumType(JudicialCaseStatus, {
  name: 'JudicialCaseStatus',
  description: '案件状态 — where the case stands.',
  valuesConfig: {
    PENDING: { description: '审理中 — filed, not yet decided.' },
    CLOSED: { description: '已结案 — decided, withdrawn or fully performed.' },
    ENFORCING: { description: '执行中 — under enforcement.' },
  },
});

/** 行政处罚种类 (行政处罚法 第九条). */
export enum PenaltyType {
  WARNING = 'WARNING',
  FINE = 'FINE',
  CONFISCATION = 'CONFISCATION',
  LICENCE_SUSPENSION = 'LICENCE_SUSPENSION',
  LICENCE_REVOCATION = 'LICENCE_REVOCATION',
}
registerEnumType(PenaltyType, {
  name: 'PenaltyType',
  description: '行政处罚种类 — kind of administrative penalty (行政处罚法 Art. 9).',
  valuesConfig: {
    WARNING: { description: '警告、通报批评 — warning or public criticism.' },
    FINE: { description: '罚款 — fine.' },
    CONFISCATION: { description: '没收违法所得、没收非法财物 — confiscation of illegal gains or property.' },
    LICENCE_SUSPENSION: { description: '暂扣许可证件、责令停产停业 — licence suspended, production or business ordered to stop.' },
    LICENCE_REVOCATION: { description: '吊销许可证件、吊销营业执照 — licence or business licence revoked.' },
  },
});

/** 土地类型. */
export enum LandType {
  ARABLE = 'ARABLE',
  FOREST = 'FOREST',
  GRASSLAND = 'GRASSLAND',
  ORCHARD = 'ORCHARD',
  AQUACULTURE = 'AQUACULTURE',
}
registerEnumType(LandType, {
  name: 'LandType',
  description: '土地类型 — use class of contracted rural land.',
  valuesConfig: {
    ARABLE: { description: '耕地 — arable land (paddy and dry fields).' },
    FOREST: { description: '林地 — forest land.' },
    GRASSLAND: { description: '草地 — grassland.' },
    ORCHARD: { description: '园地 — orchard or tea garden (e.g. 柑橘园).' },
    AQUACULTURE: { description: '养殖水面 — fish ponds and other aquaculture water surface.' },
  },
});

// ---------------------------------------------------------------------------------------------------
// Common columns of every department-published record
// ---------------------------------------------------------------------------------------------------

/**
 * Columns and provenance every credit record has. A department republishing a record adds a new
 * version (same `sourceRecordId`, `version + 1`) and the older one turns `current = false`; a
 * retraction stamps `retractedAt`. Only current, unretracted versions are served.
 */
// Registered as an object type only so the subclasses inherit its fields; no field returns it, so it is not in the schema.
@ObjectType('CreditRecordBase', { simpleResolvers: true })
export abstract class CreditRecordBase {
  @Field(() => ID, { description: 'Hub record id (this version of the record).' })
  @PrimaryColumn({ type: 'integer', generated: 'increment', transformer: idAsString })
  id!: string;

  /** 统一社会信用代码 or 公民身份号码 of the subject; the record is reached through its Subject. */
  @Column({ name: 'subject_id', type: 'varchar', length: 18 })
  subjectId!: string;

  @Field({ description: 'The publishing department’s own key of the record (provenance; stable across versions).' })
  @Column({ name: 'source_record_id', type: 'varchar', length: 64 })
  sourceRecordId!: string;

  @Field(() => Int, { description: 'Version of the record as published by the department; starts at 1, a correction publishes the next.' })
  @Column({ type: 'integer', default: 1 })
  version!: number;

  /** Whether this is the latest version (older versions are kept, false). */
  @Column({ type: 'boolean', default: true })
  current!: boolean;

  /** Set when the department retracted the record (撤回); retracted records are not served. */
  @Column({ name: 'retracted_at', type: 'datetime', precision: 3, nullable: true })
  retractedAt!: Date | null;

  @Column({ name: 'retraction_reason', type: 'varchar', length: 200, nullable: true })
  retractionReason!: string | null;

  @Field({ description: 'Institution code of the publishing department (provenance), e.g. CQ-TAX or CQ-COURT.' })
  @Column({ name: 'department_code', type: 'varchar', length: 32 })
  publishedBy!: string;

  @Field(() => DateScalar, { description: 'Date the publishing department’s data is current as of (数据截止日期).' })
  @Column({ name: 'data_as_of', type: 'varchar', length: 10 })
  dataAsOf!: string;

  @Field({ description: 'When the hub received this version of the record.' })
  @Column({ name: 'published_at', type: 'datetime', precision: 3 })
  publishedAt!: Date;
}

// ---------------------------------------------------------------------------------------------------
// 税务局: 纳税信用
// ---------------------------------------------------------------------------------------------------

@ObjectType('TaxRecord', {
  simpleResolvers: true,
  description: '纳税信用信息 — one tax year of a taxpayer’s 纳税信用等级 and tax paid, published by the tax bureau (税务局, dataset `tax`).',
})
@Entity('credit_tax_record')
@Index('idx_credit_tax_record_subject', ['subjectId', 'current'])
@Index('uq_credit_tax_record_source_version', ['sourceRecordId', 'version'], { unique: true })
export class TaxRecord extends CreditRecordBase {
  @Field(() => Int, { description: '纳税年度 — the tax year assessed, e.g. 2024.' })
  @SubjectData({ dataset: 'tax', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'tax_year', type: 'integer' })
  taxYear!: number;

  @Field(() => TaxCreditRating, { description: '纳税信用等级 for the tax year (A-level lists are public).' })
  @SubjectData({ dataset: 'tax', sharing: SharingClass.UNCONDITIONAL })
  @Column({ type: 'varchar', length: 2 })
  rating!: TaxCreditRating;

  @Field(() => MoneyScalar, { description: '年度纳税总额 — total tax paid in the tax year (all taxes).' })
  @SubjectData({ dataset: 'tax', sharing: SharingClass.CONDITIONAL, mask: MaskKind.AMOUNT_BAND })
  @Column({ name: 'tax_paid_fen', type: 'bigint', transformer: numeric })
  taxPaid!: number;

  @Field(() => MoneyScalar, { description: '增值税 — value-added tax paid in the tax year (part of taxPaid).' })
  @SubjectData({ dataset: 'tax', sharing: SharingClass.CONDITIONAL, mask: MaskKind.AMOUNT_BAND })
  @Column({ name: 'vat_paid_fen', type: 'bigint', transformer: numeric })
  vatPaid!: number;

  @Field(() => MoneyScalar, { description: '欠税金额 — tax arrears outstanding as of dataAsOf ("0.00" when none).' })
  @SubjectData({ dataset: 'tax', sharing: SharingClass.CONDITIONAL, mask: MaskKind.AMOUNT_BAND })
  @Column({ name: 'tax_arrears_fen', type: 'bigint', transformer: numeric })
  taxArrears!: number;

  /** 稽查备注 — the tax bureau's internal inspection note. 不予共享: stored, never served (see the field below). */
  @Column({ name: 'inspection_remark', type: 'varchar', length: 500, nullable: true })
  inspectionRemark!: string | null;

  @Field(() => String, {
    name: 'inspectionRemark',
    nullable: true,
    description: '稽查备注 — the tax bureau’s internal inspection note. 不予共享 (NOT_SHARED): listed in the catalog, never returned; always null.',
  })
  @SubjectData({ dataset: 'tax', sharing: SharingClass.NOT_SHARED })
  withheldInspectionRemark(): string | null {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------
// 人力社保局: 社会保险参保缴费
// ---------------------------------------------------------------------------------------------------

@ObjectType('SocialInsuranceRecord', {
  simpleResolvers: true,
  description: '社会保险参保缴费信息 — one month of an employer’s social insurance contributions, published by the 人力社保局 (dataset `social_insurance`).',
})
@Entity('credit_social_insurance_record')
@Index('idx_credit_social_insurance_record_subject', ['subjectId', 'current'])
@Index('uq_credit_social_insurance_record_source_version', ['sourceRecordId', 'version'], { unique: true })
export class SocialInsuranceRecord extends CreditRecordBase {
  @Field({ description: '缴费所属期 — the contribution month, YYYY-MM.' })
  @SubjectData({ dataset: 'social_insurance', sharing: SharingClass.UNCONDITIONAL })
  @Column({ type: 'varchar', length: 7 })
  period!: string;

  @Field(() => Int, { description: '参保人数 — employees insured in the month.' })
  @SubjectData({ dataset: 'social_insurance', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'insured_headcount', type: 'integer' })
  insuredHeadcount!: number;

  @Field(() => MoneyScalar, { description: '缴费基数合计 — total contribution base of the insured employees for the month.' })
  @SubjectData({ dataset: 'social_insurance', sharing: SharingClass.CONDITIONAL, mask: MaskKind.AMOUNT_BAND })
  @Column({ name: 'paid_base_total_fen', type: 'bigint', transformer: numeric })
  paidBaseTotal!: number;

  @Field(() => MoneyScalar, { description: '欠费金额 — contributions in arrears as of dataAsOf ("0.00" when none).' })
  @SubjectData({ dataset: 'social_insurance', sharing: SharingClass.CONDITIONAL, mask: MaskKind.AMOUNT_BAND })
  @Column({ name: 'arrears_fen', type: 'bigint', transformer: numeric })
  arrearsAmount!: number;

  @Field(() => Int, { description: '欠费月数 — number of months with contributions in arrears (0 when none).' })
  @SubjectData({ dataset: 'social_insurance', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'arrears_months', type: 'integer' })
  arrearsMonths!: number;
}

// ---------------------------------------------------------------------------------------------------
// 法院: 司法信息
// ---------------------------------------------------------------------------------------------------

@ObjectType('JudicialRecord', {
  simpleResolvers: true,
  description:
    '司法信息 — a court case in which the subject is a party, with 失信被执行人 and 限制消费 status, published by the courts (法院, dataset `judicial`).',
})
@Entity('credit_judicial_record')
@Index('idx_credit_judicial_record_subject', ['subjectId', 'current'])
@Index('uq_credit_judicial_record_source_version', ['sourceRecordId', 'version'], { unique: true })
export class JudicialRecord extends CreditRecordBase {
  @Field({ description: '案号 — case number, e.g. （2024）渝0103民初1234号.' })
  @SubjectData({ dataset: 'judicial', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'case_number', type: 'varchar', length: 64 })
  caseNumber!: string;

  @Field({ description: '经办法院 — court handling the case, e.g. 重庆市渝中区人民法院.' })
  @SubjectData({ dataset: 'judicial', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'court_name', type: 'varchar', length: 100 })
  courtName!: string;

  @Field(() => JudicialCaseType, { description: '案件类型 — kind of case.' })
  @SubjectData({ dataset: 'judicial', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'case_type', type: 'varchar', length: 16 })
  caseType!: JudicialCaseType;

  @Field(() => LitigantRole, { description: '诉讼地位 — the subject’s role in the case.' })
  @SubjectData({ dataset: 'judicial', sharing: SharingClass.UNCONDITIONAL })
  @Column({ type: 'varchar', length: 16 })
  role!: LitigantRole;

  @Field(() => MoneyScalar, { nullable: true, description: '涉案金额 / 执行标的 — amount in dispute or to be enforced; null when the case has none.' })
  @SubjectData({ dataset: 'judicial', sharing: SharingClass.CONDITIONAL, mask: MaskKind.AMOUNT_BAND })
  @Column({ name: 'amount_involved_fen', type: 'bigint', nullable: true, transformer: numeric })
  amountInvolved!: number | null;

  @Field(() => DateScalar, { description: '立案日期 — date the case was filed.' })
  @SubjectData({ dataset: 'judicial', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'filed_on', type: 'varchar', length: 10 })
  filedOn!: string;

  @Field(() => DateScalar, { nullable: true, description: '结案日期 — date the case was closed; null while open.' })
  @SubjectData({ dataset: 'judicial', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'closed_on', type: 'varchar', length: 10, nullable: true })
  closedOn!: string | null;

  @Field(() => JudicialCaseStatus, { description: '案件状态 — where the case stands.' })
  @SubjectData({ dataset: 'judicial', sharing: SharingClass.UNCONDITIONAL })
  @Column({ type: 'varchar', length: 16 })
  status!: JudicialCaseStatus;

  @Field({ description: '失信被执行人 — the subject is on the list of dishonest judgment debtors under this case (public).' })
  @SubjectData({ dataset: 'judicial', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'dishonest_listed', type: 'boolean', default: false })
  dishonestListed!: boolean;

  @Field({ description: '限制消费 — a consumption-restriction order (限制高消费令) is in force against the subject under this case.' })
  @SubjectData({ dataset: 'judicial', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'consumption_restricted', type: 'boolean', default: false })
  consumptionRestricted!: boolean;
}

// ---------------------------------------------------------------------------------------------------
// 市场监管局: 行政处罚
// ---------------------------------------------------------------------------------------------------

@ObjectType('PenaltyRecord', {
  simpleResolvers: true,
  description: '行政处罚信息 — an administrative penalty decision against the subject, publicised under 行政处罚公示 (dataset `penalty`).',
})
@Entity('credit_penalty_record')
@Index('idx_credit_penalty_record_subject', ['subjectId', 'current'])
@Index('uq_credit_penalty_record_source_version', ['sourceRecordId', 'version'], { unique: true })
export class PenaltyRecord extends CreditRecordBase {
  @Field({ description: '处罚决定书文号 — number of the penalty decision, e.g. 渝中市监处罚〔2024〕123号.' })
  @SubjectData({ dataset: 'penalty', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'decision_number', type: 'varchar', length: 100 })
  decisionNumber!: string;

  @Field({ description: '处罚机关 — the authority that decided the penalty.' })
  @SubjectData({ dataset: 'penalty', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'authority_name', type: 'varchar', length: 100 })
  authorityName!: string;

  @Field(() => PenaltyType, { description: '处罚种类 — kind of penalty (the most severe one where several were imposed).' })
  @SubjectData({ dataset: 'penalty', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'penalty_type', type: 'varchar', length: 24 })
  penaltyType!: PenaltyType;

  @Field({ description: '违法行为 / 处罚事由 — the violation the penalty was imposed for.' })
  @SubjectData({ dataset: 'penalty', sharing: SharingClass.UNCONDITIONAL })
  @Column({ type: 'varchar', length: 500 })
  reason!: string;

  @Field(() => MoneyScalar, { nullable: true, description: '罚款金额 — the fine; null when no fine was imposed.' })
  @SubjectData({ dataset: 'penalty', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'fine_amount_fen', type: 'bigint', nullable: true, transformer: numeric })
  fineAmount!: number | null;

  @Field(() => DateScalar, { description: '处罚决定日期 — date of the decision.' })
  @SubjectData({ dataset: 'penalty', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'decided_on', type: 'varchar', length: 10 })
  decidedOn!: string;

  @Field(() => DateScalar, { description: '公示截止日期 — last day the decision is publicised; afterwards the subject may apply for 信用修复.' })
  @SubjectData({ dataset: 'penalty', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'publicity_ends_on', type: 'varchar', length: 10 })
  publicityEndsOn!: string;
}

// ---------------------------------------------------------------------------------------------------
// 农业农村委: 土地承包经营权, 农业保险, 农业补贴
// ---------------------------------------------------------------------------------------------------

@ObjectType('LandContractRight', {
  simpleResolvers: true,
  description: '农村土地承包经营权 — contracted rural land the subject operates, published by the 农业农村委 (dataset `agri_land`).',
})
@Entity('credit_land_contract_right')
@Index('idx_credit_land_contract_right_subject', ['subjectId', 'current'])
@Index('uq_credit_land_contract_right_source_version', ['sourceRecordId', 'version'], { unique: true })
export class LandContractRight extends CreditRecordBase {
  @Field({ description: '经营权证号 — number of the land contract management right certificate (土地承包经营权证).' })
  @SubjectData({ dataset: 'agri_land', sharing: SharingClass.CONDITIONAL, mask: MaskKind.HASH })
  @Column({ name: 'certificate_number', type: 'varchar', length: 64 })
  certificateNumber!: string;

  @Field(() => Float, { description: '承包面积 (亩) — contracted area in mu (1 亩 ≈ 666.7 m²).' })
  @SubjectData({ dataset: 'agri_land', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'area_mu', type: 'decimal', precision: 12, scale: 2, transformer: numeric })
  areaMu!: number;

  @Field(() => DateScalar, { description: '承包期起 — start of the contract term.' })
  @SubjectData({ dataset: 'agri_land', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'contract_start_on', type: 'varchar', length: 10 })
  contractStartOn!: string;

  @Field(() => DateScalar, { description: '承包期止 — end of the contract term.' })
  @SubjectData({ dataset: 'agri_land', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'contract_end_on', type: 'varchar', length: 10 })
  contractEndOn!: string;

  @Field(() => LandType, { description: '土地类型 — use class of the land.' })
  @SubjectData({ dataset: 'agri_land', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'land_type', type: 'varchar', length: 16 })
  landType!: LandType;

  @Field(() => Float, { description: '流转面积 (亩) — area transferred in from other households (土地流转), in mu; 0 when none.' })
  @SubjectData({ dataset: 'agri_land', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'transferred_in_area_mu', type: 'decimal', precision: 12, scale: 2, transformer: numeric })
  transferredInAreaMu!: number;
}

@ObjectType('AgriInsurancePolicy', {
  simpleResolvers: true,
  description: '农业保险信息 — a policy-backed agricultural insurance policy (政策性农业保险) held by the subject (dataset `agri_insurance`).',
})
@Entity('credit_agri_insurance_policy')
@Index('idx_credit_agri_insurance_policy_subject', ['subjectId', 'current'])
@Index('uq_credit_agri_insurance_policy_source_version', ['sourceRecordId', 'version'], { unique: true })
export class AgriInsurancePolicy extends CreditRecordBase {
  @Field({ description: '保单号 — policy number at the insurer.' })
  @SubjectData({ dataset: 'agri_insurance', sharing: SharingClass.CONDITIONAL, mask: MaskKind.HASH })
  @Column({ name: 'policy_number', type: 'varchar', length: 64 })
  policyNumber!: string;

  @Field({ description: '承保机构 — the insurer.' })
  @SubjectData({ dataset: 'agri_insurance', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'insurer_name', type: 'varchar', length: 100 })
  insurerName!: string;

  @Field({ description: '保险标的 — what is insured, e.g. 柑橘, 生猪, 水稻.' })
  @SubjectData({ dataset: 'agri_insurance', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'insured_item', type: 'varchar', length: 64 })
  insuredItem!: string;

  @Field(() => MoneyScalar, { description: '保险金额 — sum insured.' })
  @SubjectData({ dataset: 'agri_insurance', sharing: SharingClass.CONDITIONAL, mask: MaskKind.AMOUNT_BAND })
  @Column({ name: 'insured_amount_fen', type: 'bigint', transformer: numeric })
  insuredAmount!: number;

  @Field(() => MoneyScalar, { description: '保费 — total premium, including the government-subsidised part.' })
  @SubjectData({ dataset: 'agri_insurance', sharing: SharingClass.CONDITIONAL, mask: MaskKind.AMOUNT_BAND })
  @Column({ name: 'premium_fen', type: 'bigint', transformer: numeric })
  premium!: number;

  @Field(() => Float, { description: '保费补贴比例 (%) — share of the premium paid by central and local government subsidies, e.g. 75.' })
  @SubjectData({ dataset: 'agri_insurance', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'subsidy_share_percent', type: 'decimal', precision: 5, scale: 2, transformer: numeric })
  subsidySharePercent!: number;

  @Field(() => DateScalar, { description: '保险期间起 — first day of cover.' })
  @SubjectData({ dataset: 'agri_insurance', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'period_start_on', type: 'varchar', length: 10 })
  periodStartOn!: string;

  @Field(() => DateScalar, { description: '保险期间止 — last day of cover.' })
  @SubjectData({ dataset: 'agri_insurance', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'period_end_on', type: 'varchar', length: 10 })
  periodEndOn!: string;

  @Field(() => MoneyScalar, { description: '已决赔款 — claims paid under the policy so far ("0.00" when none).' })
  @SubjectData({ dataset: 'agri_insurance', sharing: SharingClass.CONDITIONAL, mask: MaskKind.AMOUNT_BAND })
  @Column({ name: 'claims_paid_fen', type: 'bigint', transformer: numeric })
  claimsPaid!: number;
}

@ObjectType('AgriSubsidy', {
  simpleResolvers: true,
  description: '农业补贴信息 — an agricultural subsidy paid to the subject (dataset `agri_subsidy`).',
})
@Entity('credit_agri_subsidy')
@Index('idx_credit_agri_subsidy_subject', ['subjectId', 'current'])
@Index('uq_credit_agri_subsidy_source_version', ['sourceRecordId', 'version'], { unique: true })
export class AgriSubsidy extends CreditRecordBase {
  @Field({ description: '补贴项目 — subsidy programme, e.g. 耕地地力保护补贴, 农机购置与应用补贴.' })
  @SubjectData({ dataset: 'agri_subsidy', sharing: SharingClass.UNCONDITIONAL })
  @Column({ type: 'varchar', length: 100 })
  program!: string;

  @Field(() => Int, { description: '补贴年度 — the year the subsidy is for.' })
  @SubjectData({ dataset: 'agri_subsidy', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'subsidy_year', type: 'integer' })
  year!: number;

  @Field(() => MoneyScalar, { description: '补贴金额 — amount paid.' })
  @SubjectData({ dataset: 'agri_subsidy', sharing: SharingClass.CONDITIONAL, mask: MaskKind.AMOUNT_BAND })
  @Column({ name: 'amount_fen', type: 'bigint', transformer: numeric })
  amount!: number;

  @Field(() => DateScalar, { description: '发放日期 — date the subsidy was paid out (一卡通 / bank transfer).' })
  @SubjectData({ dataset: 'agri_subsidy', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'paid_on', type: 'varchar', length: 10 })
  paidOn!: string;
}

// ---------------------------------------------------------------------------------------------------
// GraphQL-only types
// ---------------------------------------------------------------------------------------------------

/**
 * The registry's `Subject` interface as the credit subgraph sees it (Federation 2 entity interface):
 * credit adds the department records to every kind of subject without knowing the implementations.
 */
@ObjectType('Subject', {
  simpleResolvers: true,
  description:
    'A credit subject (信用主体): an enterprise, cooperative, family farm or farm household, identified by its ' +
    '统一社会信用代码 or, for individuals, its 公民身份号码. Other parts of the hub add credit records and exposure to it.',
})
@Directive('@interfaceObject')
@Directive('@key(fields: "id")')
export class CreditSubject {
  @Field(() => ID, { description: 'The subject identifier: 统一社会信用代码 (18 chars, GB 32100-2015) or 公民身份号码 (GB 11643-1999).' })
  id!: string;
}

@ObjectType('DishonestStatus', {
  simpleResolvers: true,
  description: '失信被执行人 status of one subject now, from the courts’ current, unretracted judicial records.',
})
export class DishonestStatus {
  @Field(() => ID, { description: 'The subject identifier, as asked.' })
  subjectId!: string;

  @Field({ description: 'Whether the subject is currently listed as 失信被执行人 under any case.' })
  @SubjectData({ dataset: 'judicial', sharing: SharingClass.UNCONDITIONAL })
  dishonestListed!: boolean;

  @Field({ description: 'Whether a 限制消费 (consumption restriction) order is currently in force against the subject under any case.' })
  @SubjectData({ dataset: 'judicial', sharing: SharingClass.UNCONDITIONAL })
  consumptionRestricted!: boolean;

  @Field(() => [String], { description: '案号 of the cases under which the subject is listed or restricted, newest first (empty when neither).' })
  @SubjectData({ dataset: 'judicial', sharing: SharingClass.UNCONDITIONAL })
  caseNumbers!: string[];
}

/** The credit record entities, one table each. */
export const creditEntities = [TaxRecord, SocialInsuranceRecord, JudicialRecord, PenaltyRecord, LandContractRight, AgriInsurancePolicy, AgriSubsidy];

export type CreditRecord = InstanceType<(typeof creditEntities)[number]>;
