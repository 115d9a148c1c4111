import { CallerType, type Caller } from '../identity/caller';
import { DEFAULT_MAX_AS_OF_AGE_DAYS, type DatasetAdapter, type StorageProfile } from '../publishing/adapter';
import { cooperationSuspensions } from './supervision/store';
import { GuaranteeStatus, LoanStatus } from './entities';

/**
 * Reporting adapters: banks report loans, guarantors report guarantees and compensations (代偿, with
 * recoveries) through the same validated, idempotent, versioned pipeline as department publishing.
 * The reporting institution is always the caller: its code fills bank_code / guarantor_code and is part of
 * the record key, so an institution can only create and version its own contracts.
 */

const onlyType = (type: CallerType, what: string) => (caller: Caller) =>
  caller.type !== type || !caller.orgCode ? `${what} are reported by ${type === CallerType.BANK ? 'banks' : 'guarantors'} only; the caller is a ${caller.type}` : null;

const storage = (table: string, orgColumn: string): StorageProfile => ({
  table,
  mode: 'versioned',
  subjectColumn: 'subject_id',
  currentColumn: 'is_current',
  orgColumn,
  orgScoped: true,
  timeColumn: 'reported_at',
  retractable: false,
});

const num = (v: unknown) => (typeof v === 'number' ? v : 0);
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const PERCENT = { kind: 'decimal' as const, scale: 4, min: 0, max: 100 };
const OWN_CODE = (code: string) => `the reporting institution is the caller; a record cannot name another ${code}`;

export const loanAdapter: DatasetAdapter = {
  dataset: 'loans',
  catalogDataset: 'loans',
  title: '贷款信息',
  storage: storage('exposure_loan', 'bank_code'),
  unknownSubject: 'accept',
  asOfRequired: false,
  maxAsOfAgeDays: DEFAULT_MAX_AS_OF_AGE_DAYS,
  authorize: onlyType(CallerType.BANK, 'loans'),
  forbiddenFields: { bankCode: OWN_CODE('bank'), bank_code: OWN_CODE('bank') },
  fields: [
    { name: 'contractNo', column: 'contract_no', kind: 'string', maxLength: 64, description: '借款合同编号' },
    { name: 'amount', column: 'amount_fen', kind: 'money', description: '贷款金额 (元)' },
    { name: 'balance', column: 'balance_fen', kind: 'money', description: '贷款余额 (元)' },
    { name: 'startDate', column: 'start_date', kind: 'date', notFuture: true, description: '放款日期' },
    { name: 'maturityDate', column: 'maturity_date', kind: 'date', description: '到期日期' },
    { name: 'status', column: 'status', kind: 'enum', values: Object.values(LoanStatus), description: 'NORMAL/OVERDUE/SETTLED/WRITTEN_OFF' },
    { name: 'overdueDays', column: 'overdue_days', kind: 'int', min: 0, max: 36_500, default: 0, description: '逾期天数' },
    { name: 'overdueAmount', column: 'overdue_amount_fen', kind: 'money', default: 0, description: '逾期金额 (元)' },
    { name: 'interestRate', column: 'interest_rate', kind: 'decimal', scale: 4, min: 0, max: 36, description: '执行年利率 (%)' },
    { name: 'usage', column: 'usage', kind: 'string', optional: true, maxLength: 64, description: '贷款用途' },
    { name: 'guaranteeContractNo', column: 'guarantee_contract_no', kind: 'string', optional: true, maxLength: 64, description: '担保合同编号' },
  ],
  check(v) {
    const out: Array<[string, string]> = [];
    if (num(v.balance) > num(v.amount)) out.push(['balance', 'balance exceeds the loan amount']);
    if (str(v.maturityDate) && str(v.startDate) && str(v.maturityDate) < str(v.startDate)) out.push(['maturityDate', 'matures before it starts']);
    if (v.status === LoanStatus.SETTLED && num(v.balance) !== 0) out.push(['balance', 'a SETTLED loan has no balance']);
    if (num(v.overdueAmount) > num(v.amount)) out.push(['overdueAmount', 'overdue amount exceeds the loan amount']);
    return out;
  },
};

export const guaranteeAdapter: DatasetAdapter = {
  dataset: 'guarantees',
  catalogDataset: 'guarantees',
  title: '担保信息',
  storage: storage('exposure_guarantee', 'guarantor_code'),
  unknownSubject: 'accept',
  asOfRequired: false,
  maxAsOfAgeDays: DEFAULT_MAX_AS_OF_AGE_DAYS,
  authorize: onlyType(CallerType.GUARANTOR, 'guarantees'),
  forbiddenFields: { guarantorCode: OWN_CODE('guarantor'), guarantor_code: OWN_CODE('guarantor') },
  fields: [
    { name: 'contractNo', column: 'contract_no', kind: 'string', maxLength: 64, description: '担保合同编号' },
    { name: 'bankCode', column: 'bank_code', kind: 'org', orgType: CallerType.BANK, description: 'lending bank (institution code)' },
    { name: 'amount', column: 'amount_fen', kind: 'money', description: '担保金额 (元)' },
    { name: 'balance', column: 'balance_fen', kind: 'money', description: '在保余额 (元)' },
    { name: 'startDate', column: 'start_date', kind: 'date', notFuture: true, description: '担保起始日' },
    { name: 'endDate', column: 'end_date', kind: 'date', description: '担保到期日' },
    { name: 'status', column: 'status', kind: 'enum', values: Object.values(GuaranteeStatus), description: 'ACTIVE/RELEASED/COMPENSATED' },
    { name: 'feeRate', column: 'fee_rate', ...PERCENT, max: 10, description: '担保费率 (%/年)' },
    { name: 'bankShare', column: 'bank_share', ...PERCENT, description: '银行分险比例 (%)' },
    { name: 'guarantorShare', column: 'guarantor_share', ...PERCENT, description: '直保机构分险比例 (%)' },
    { name: 'reguaranteeShare', column: 'reguarantee_share', ...PERCENT, default: 0, description: '再担保分险比例 (%)' },
    { name: 'nationalFundShare', column: 'national_fund_share', ...PERCENT, default: 0, description: '国家融资担保基金分险比例 (%)' },
    { name: 'reguarantorCode', column: 'reguarantor_code', kind: 'org', orgType: CallerType.GUARANTOR, optional: true, description: '再担保机构 (institution code)' },
    { name: 'smallMicroAgri', column: 'small_micro_agri', kind: 'bool', default: false, description: '支小支农' },
  ],
  // 银担风险熔断: new business under a suspended cooperation is accepted but flagged.
  async flag(db, caller, records) {
    const active = records.filter((r) => r.values.status === GuaranteeStatus.ACTIVE && typeof r.values.bankCode === 'string');
    if (!active.length || !caller.orgCode) return [];
    const suspended = await cooperationSuspensions(db, [...new Set(active.map((r) => String(r.values.bankCode)))].map((bank) => [bank, caller.orgCode!] as const));
    return active
      .filter((r) => suspended.get(`${r.values.bankCode}|${caller.orgCode}`))
      .map((r) => ({ index: r.index, sourceRecordId: r.sourceRecordId, field: 'fields.bankCode', reason: `COOPERATION_SUSPENDED: the cooperation with ${String(r.values.bankCode)} is suspended by the risk circuit breaker (银担风险熔断); the guarantee is recorded and flagged` }));
  },
  check(v) {
    const out: Array<[string, string]> = [];
    if (num(v.balance) > num(v.amount)) out.push(['balance', 'balance exceeds the guaranteed amount']);
    if (str(v.endDate) && str(v.startDate) && str(v.endDate) < str(v.startDate)) out.push(['endDate', 'ends before it starts']);
    const shares = ['bankShare', 'guarantorShare', 'reguaranteeShare', 'nationalFundShare'].reduce((s, k) => s + Math.round(num(v[k]) * 10_000), 0);
    if (shares !== 100 * 10_000) out.push(['bankShare', `risk shares (bank, guarantor, re-guarantee, national fund) must add up to 100, got ${shares / 10_000}`]);
    if (num(v.reguaranteeShare) > 0 && !v.reguarantorCode) out.push(['reguarantorCode', 'a re-guarantee share needs the re-guarantor']);
    if (v.status !== GuaranteeStatus.ACTIVE && num(v.balance) !== 0) out.push(['balance', `a ${String(v.status)} guarantee has no balance`]);
    return out;
  },
};

export const compensationAdapter: DatasetAdapter = {
  dataset: 'compensations',
  catalogDataset: 'guarantees',
  title: '代偿信息',
  storage: storage('exposure_compensation', 'guarantor_code'),
  unknownSubject: 'accept',
  asOfRequired: false,
  maxAsOfAgeDays: DEFAULT_MAX_AS_OF_AGE_DAYS,
  authorize: onlyType(CallerType.GUARANTOR, 'compensations'),
  forbiddenFields: { guarantorCode: OWN_CODE('guarantor'), guarantor_code: OWN_CODE('guarantor') },
  fields: [
    { name: 'guaranteeContractNo', column: 'guarantee_contract_no', kind: 'string', maxLength: 64, description: '担保合同编号' },
    { name: 'bankCode', column: 'bank_code', kind: 'org', orgType: CallerType.BANK, description: 'bank paid (institution code)' },
    { name: 'amount', column: 'amount_fen', kind: 'money', description: '代偿金额 (元)' },
    { name: 'paidOn', column: 'paid_on', kind: 'date', notFuture: true, description: '代偿日期' },
    { name: 'recoveredAmount', column: 'recovered_amount_fen', kind: 'money', default: 0, description: '追偿回收金额 (元)' },
  ],
  check: (v) => (num(v.recoveredAmount) > num(v.amount) ? [['recoveredAmount', 'recovered more than was paid']] : []),
};

export const exposureAdapters: DatasetAdapter[] = [loanAdapter, guaranteeAdapter, compensationAdapter];
