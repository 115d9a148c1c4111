import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bool, numeric } from '../db/columns';
import { DateScalar, MoneyScalar } from '../federation/scalars';
import { SharingClass, SubjectData } from '../policy/catalog';

/** 贷款五级/状态 as banks report it to the hub (simplified to what the cross-check needs). */
export enum LoanStatus {
  NORMAL = 'NORMAL',
  OVERDUE = 'OVERDUE',
  SETTLED = 'SETTLED',
  WRITTEN_OFF = 'WRITTEN_OFF',
}
registerEnumType(LoanStatus, {
  name: 'LoanStatus',
  description: '贷款状态 — status of a loan as reported by the lending bank.',
  valuesConfig: {
    NORMAL: { description: '正常 — outstanding and repaid on schedule' },
    OVERDUE: { description: '逾期 — outstanding with principal or interest past due' },
    SETTLED: { description: '结清 — fully repaid (or repaid by a guarantor’s 代偿); no balance' },
    WRITTEN_OFF: { description: '核销 — written off by the bank as a loss' },
  },
});

/** 担保状态. */
export enum GuaranteeStatus {
  ACTIVE = 'ACTIVE',
  RELEASED = 'RELEASED',
  COMPENSATED = 'COMPENSATED',
}
registerEnumType(GuaranteeStatus, {
  name: 'GuaranteeStatus',
  description: '担保状态 — status of a guarantee as reported by the guarantor.',
  valuesConfig: {
    ACTIVE: { description: '在保 — the guarantee is in force' },
    RELEASED: { description: '解保 — released after the guaranteed loan was repaid' },
    COMPENSATED: { description: '已代偿 — the guarantor paid the bank on the borrower’s default' },
  },
});

/** Versioned re-reporting: the reporter's own record id, the version and whether it is the current one. */
const VERSION_DESCRIPTION = 'Version of this record under the reporter’s source record id (1 on first report, +1 on each correction).';
const CURRENT_DESCRIPTION = 'Whether this is the current version of the record (superseded versions are kept for the audit trail).';

/** 贷款 — a loan reported by the lending bank. */
@ObjectType('Loan', {
  simpleResolvers: true,
  description:
    '贷款 — a loan reported by the lending bank. Shown in detail only to the bank that reported it; other ' +
    'institutions see loans only as totals inside Subject.exposureSummary.',
})
@Entity('exposure_loan')
@Index('idx_exposure_loan_subject', ['subjectId'])
@Index('idx_exposure_loan_bank', ['bankCode'])
@Index('idx_exposure_loan_contract', ['bankCode', 'contractNo'])
@Index('uq_exposure_loan_source_version', ['bankCode', 'sourceRecordId', 'version'], { unique: true })
export class Loan {
  @Field(() => ID, { description: 'Hub id of this record version.' })
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Field({ description: '借款合同编号 — the loan contract number, unique within the lending bank.' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'contract_no', type: 'varchar', length: 64 })
  contractNo!: string;

  @Field({ description: 'Institution code of the lending bank that reported the loan, e.g. BANK-CQCB.' })
  @Column({ name: 'bank_code', type: 'varchar', length: 32 })
  bankCode!: string;

  @Field(() => ID, { description: 'The borrower: 统一社会信用代码 or 公民身份号码.' })
  @Column({ name: 'subject_id', type: 'varchar', length: 18 })
  subjectId!: string;

  @Field(() => MoneyScalar, { description: '贷款金额 — contracted (disbursed) amount.' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'amount_fen', type: 'bigint', transformer: numeric })
  amount!: number;

  @Field(() => MoneyScalar, { description: '贷款余额 — outstanding principal.' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'balance_fen', type: 'bigint', transformer: numeric })
  balance!: number;

  @Field(() => DateScalar, { description: '放款日期 — date the loan was disbursed.' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'start_date', type: 'varchar', length: 10 })
  startDate!: string;

  @Field(() => DateScalar, { description: '到期日期 — contractual maturity date.' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'maturity_date', type: 'varchar', length: 10 })
  maturityDate!: string;

  @Field(() => LoanStatus, { description: '贷款状态 — NORMAL, OVERDUE, SETTLED or WRITTEN_OFF.' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  @Column({ type: 'varchar', length: 16 })
  status!: LoanStatus;

  @Field(() => Int, { description: '逾期天数 — days past due (0 when not overdue).' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'overdue_days', type: 'integer', default: 0 })
  overdueDays!: number;

  @Field(() => MoneyScalar, { description: '逾期金额 — principal and interest past due (0 when not overdue).' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'overdue_amount_fen', type: 'bigint', transformer: numeric, default: 0 })
  overdueAmount!: number;

  @Field(() => Float, { description: '执行年利率 — annual interest rate in percent, e.g. 3.85.' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'interest_rate', type: 'decimal', precision: 7, scale: 4, transformer: numeric })
  interestRate!: number;

  @Field(() => String, { nullable: true, description: '贷款用途 — purpose of the loan in a few words, e.g. 流动资金, 春耕备耕.' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  @Column({ type: 'varchar', length: 64, nullable: true })
  usage!: string | null;

  @Field(() => String, { nullable: true, description: '担保合同编号 — contract number of the guarantee securing this loan, if any.' })
  @SubjectData({ dataset: 'loans', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'guarantee_contract_no', type: 'varchar', length: 64, nullable: true })
  guaranteeContractNo!: string | null;

  @Field({ description: 'When the bank reported this version of the record to the hub.' })
  @Column({ name: 'reported_at', type: 'datetime', precision: 3 })
  reportedAt!: Date;

  @Field({ description: 'The bank’s own id of the reported record (idempotent re-reporting key).' })
  @Column({ name: 'source_record_id', type: 'varchar', length: 64 })
  sourceRecordId!: string;

  @Field(() => Int, { description: VERSION_DESCRIPTION })
  @Column({ type: 'integer', default: 1 })
  version!: number;

  @Field({ description: CURRENT_DESCRIPTION })
  @Column({ name: 'is_current', type: 'boolean', default: true, transformer: bool })
  current!: boolean;
}

/** 担保 — a financing guarantee reported by the guarantor. */
@ObjectType('Guarantee', {
  simpleResolvers: true,
  description:
    '担保 — a financing guarantee reported by the government financing guarantee institution that issued it. ' +
    'Shown in detail only to that guarantor; others see guarantees only as totals inside Subject.exposureSummary.',
})
@Entity('exposure_guarantee')
@Index('idx_exposure_guarantee_subject', ['subjectId'])
@Index('idx_exposure_guarantee_guarantor', ['guarantorCode'])
@Index('idx_exposure_guarantee_contract', ['guarantorCode', 'contractNo'])
@Index('uq_exposure_guarantee_source_version', ['guarantorCode', 'sourceRecordId', 'version'], { unique: true })
export class Guarantee {
  @Field(() => ID, { description: 'Hub id of this record version.' })
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Field({ description: '担保合同编号 — the guarantee contract number, unique within the guarantor.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'contract_no', type: 'varchar', length: 64 })
  contractNo!: string;

  @Field({ description: 'Institution code of the guarantor that issued and reported the guarantee, e.g. CQ-SXG.' })
  @Column({ name: 'guarantor_code', type: 'varchar', length: 32 })
  guarantorCode!: string;

  @Field({ description: 'Institution code of the lending bank whose loan is guaranteed.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'bank_code', type: 'varchar', length: 32 })
  bankCode!: string;

  @Field(() => ID, { description: 'The guaranteed borrower: 统一社会信用代码 or 公民身份号码.' })
  @Column({ name: 'subject_id', type: 'varchar', length: 18 })
  subjectId!: string;

  @Field(() => MoneyScalar, { description: '担保金额 — guaranteed amount.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'amount_fen', type: 'bigint', transformer: numeric })
  amount!: number;

  @Field(() => MoneyScalar, { description: '在保余额 — outstanding guaranteed balance (0 once released or compensated).' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'balance_fen', type: 'bigint', transformer: numeric })
  balance!: number;

  @Field(() => DateScalar, { description: '担保起始日 — first day of the guarantee.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'start_date', type: 'varchar', length: 10 })
  startDate!: string;

  @Field(() => DateScalar, { description: '担保到期日 — last day of the guarantee.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'end_date', type: 'varchar', length: 10 })
  endDate!: string;

  @Field(() => GuaranteeStatus, { description: '担保状态 — ACTIVE, RELEASED or COMPENSATED.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  @Column({ type: 'varchar', length: 16 })
  status!: GuaranteeStatus;

  @Field(() => Float, { description: '担保费率 — annual guarantee fee rate in percent, e.g. 0.8 (policy target: average ≤ 1%).' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'fee_rate', type: 'decimal', precision: 7, scale: 4, transformer: numeric })
  feeRate!: number;

  @Field(() => Float, { description: '银行分险比例 — share of the risk the lending bank keeps, in percent (≥ 20).' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'bank_share', type: 'decimal', precision: 7, scale: 4, transformer: numeric })
  bankShare!: number;

  @Field(() => Float, { description: '直保机构分险比例 — share borne by the direct guarantor, in percent (typically 40).' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'guarantor_share', type: 'decimal', precision: 7, scale: 4, transformer: numeric })
  guarantorShare!: number;

  @Field(() => Float, { description: '再担保分险比例 — share borne by the provincial/municipal re-guarantor, in percent (typically 20; 0 without re-guarantee).' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'reguarantee_share', type: 'decimal', precision: 7, scale: 4, transformer: numeric })
  reguaranteeShare!: number;

  @Field(() => Float, { description: '国家融资担保基金分险比例 — share borne by the National Financing Guarantee Fund, in percent (typically 20).' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'national_fund_share', type: 'decimal', precision: 7, scale: 4, transformer: numeric })
  nationalFundShare!: number;

  @Field(() => String, { nullable: true, description: 'Institution code of the re-guarantor (再担保机构), if the guarantee is re-guaranteed.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'reguarantor_code', type: 'varchar', length: 32, nullable: true })
  reguarantorCode!: string | null;

  @Field({ description: '支小支农 — whether the guarantee counts as small/micro-enterprise or agricultural business.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'small_micro_agri', type: 'boolean', default: false, transformer: bool })
  smallMicroAgri!: boolean;

  @Field({ description: 'When the guarantor reported this version of the record to the hub.' })
  @Column({ name: 'reported_at', type: 'datetime', precision: 3 })
  reportedAt!: Date;

  @Field({ description: 'The guarantor’s own id of the reported record (idempotent re-reporting key).' })
  @Column({ name: 'source_record_id', type: 'varchar', length: 64 })
  sourceRecordId!: string;

  @Field(() => Int, { description: VERSION_DESCRIPTION })
  @Column({ type: 'integer', default: 1 })
  version!: number;

  @Field({ description: CURRENT_DESCRIPTION })
  @Column({ name: 'is_current', type: 'boolean', default: true, transformer: bool })
  current!: boolean;
}

/** 代偿 — a compensation the guarantor paid to the bank on the borrower's default. */
@ObjectType('Compensation', {
  simpleResolvers: true,
  description:
    '代偿 — a payment a guarantor made to the lending bank when the guaranteed borrower defaulted, with what it has ' +
    'recovered since (追偿). Shown in detail only to the guarantor that reported it.',
})
@Entity('exposure_compensation')
@Index('idx_exposure_compensation_subject', ['subjectId'])
@Index('idx_exposure_compensation_guarantor', ['guarantorCode'])
@Index('uq_exposure_compensation_source_version', ['guarantorCode', 'sourceRecordId', 'version'], { unique: true })
export class Compensation {
  @Field(() => ID, { description: 'Hub id of this record version.' })
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Field({ description: '担保合同编号 — contract number of the guarantee that was called.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'guarantee_contract_no', type: 'varchar', length: 64 })
  guaranteeContractNo!: string;

  @Field({ description: 'Institution code of the guarantor that paid and reported the compensation.' })
  @Column({ name: 'guarantor_code', type: 'varchar', length: 32 })
  guarantorCode!: string;

  @Field({ description: 'Institution code of the bank that was paid.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'bank_code', type: 'varchar', length: 32 })
  bankCode!: string;

  @Field(() => ID, { description: 'The defaulted borrower: 统一社会信用代码 or 公民身份号码.' })
  @Column({ name: 'subject_id', type: 'varchar', length: 18 })
  subjectId!: string;

  @Field(() => MoneyScalar, { description: '代偿金额 — amount the guarantor paid to the bank.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'amount_fen', type: 'bigint', transformer: numeric })
  amount!: number;

  @Field(() => DateScalar, { description: '代偿日期 — date of the payment.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'paid_on', type: 'varchar', length: 10 })
  paidOn!: string;

  @Field(() => MoneyScalar, { description: '追偿回收金额 — amount recovered from the borrower (or collateral) so far.' })
  @SubjectData({ dataset: 'guarantees', sharing: SharingClass.CONDITIONAL })
  @Column({ name: 'recovered_amount_fen', type: 'bigint', transformer: numeric, default: 0 })
  recoveredAmount!: number;

  @Field({ description: 'When the guarantor reported this version of the record to the hub.' })
  @Column({ name: 'reported_at', type: 'datetime', precision: 3 })
  reportedAt!: Date;

  @Field({ description: 'The guarantor’s own id of the reported record (idempotent re-reporting key).' })
  @Column({ name: 'source_record_id', type: 'varchar', length: 64 })
  sourceRecordId!: string;

  @Field(() => Int, { description: VERSION_DESCRIPTION })
  @Column({ type: 'integer', default: 1 })
  version!: number;

  @Field({ description: CURRENT_DESCRIPTION })
  @Column({ name: 'is_current', type: 'boolean', default: true, transformer: bool })
  current!: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const exposureEntities: Function[] = [Loan, Guarantee, Compensation];
