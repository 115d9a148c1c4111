import { CallerType, type Caller } from '../identity/caller';
import { DATASETS } from '../policy/datasets';
import type { DatasetCode } from '../policy/catalog';
import { DEFAULT_MAX_AS_OF_AGE_DAYS, type DatasetAdapter, type FieldSpec, type StorageProfile } from '../publishing/adapter';
import { JudicialCaseStatus, JudicialCaseType, LandType, LitigantRole, PenaltyType, TaxCreditRating } from './entities';

/**
 * Publishing adapters of the credit datasets: how each department's input fields map onto the credit_*
 * tables and which rules they must pass. The pipeline in src/publishing does the rest.
 */

/** Only the department the catalog names as publisher may publish a dataset (DATASETS[d].publisher). */
export function departmentPublisher(dataset: DatasetCode): (caller: Caller) => string | null {
  return (caller) => {
    const publisher = DATASETS[dataset].publisher;
    if (caller.type !== CallerType.DEPARTMENT) return `only the publishing department (${publisher}) publishes dataset '${dataset}'; the caller is a ${caller.type}`;
    if (caller.orgCode !== publisher) return `dataset '${dataset}' is published by ${publisher}, not by ${caller.orgCode}`;
    return null;
  };
}

const creditStorage = (table: string): StorageProfile => ({
  table,
  mode: 'versioned',
  subjectColumn: 'subject_id',
  currentColumn: 'current',
  orgColumn: 'department_code',
  orgScoped: false,
  asOfColumn: 'data_as_of',
  timeColumn: 'published_at',
  retractable: true,
});

const values = (e: Record<string, string>) => Object.values(e);
const year = (now = new Date()) => now.getUTCFullYear() + 1;

function credit(dataset: DatasetCode, table: string, title: string, fields: FieldSpec[], check?: DatasetAdapter['check']): DatasetAdapter {
  return {
    dataset,
    catalogDataset: dataset,
    title,
    storage: creditStorage(table),
    fields,
    unknownSubject: 'reject',
    asOfRequired: true,
    maxAsOfAgeDays: DEFAULT_MAX_AS_OF_AGE_DAYS,
    authorize: departmentPublisher(dataset),
    check,
  };
}

const num = (v: unknown) => (typeof v === 'number' ? v : 0);

export const creditAdapters: DatasetAdapter[] = [
  credit(
    'tax',
    'credit_tax_record',
    '纳税信用信息',
    [
      { name: 'taxYear', column: 'tax_year', kind: 'int', min: 1994, max: year(), description: '纳税年度, e.g. 2024' },
      { name: 'rating', column: 'rating', kind: 'enum', values: values(TaxCreditRating), description: '纳税信用等级 A/B/M/C/D' },
      { name: 'taxPaid', column: 'tax_paid_fen', kind: 'money', description: '年度纳税总额 (元)' },
      { name: 'vatPaid', column: 'vat_paid_fen', kind: 'money', description: '增值税 (元)' },
      { name: 'taxArrears', column: 'tax_arrears_fen', kind: 'money', default: 0, description: '欠税金额 (元)' },
      { name: 'inspectionRemark', column: 'inspection_remark', kind: 'string', optional: true, maxLength: 500, description: '稽查备注 (不予共享: stored, never served)' },
    ],
    (v) => (num(v.vatPaid) > num(v.taxPaid) ? [['vatPaid', 'VAT paid exceeds the total tax paid']] : []),
  ),
  credit('social_insurance', 'credit_social_insurance_record', '社会保险参保缴费信息', [
    { name: 'period', column: 'period', kind: 'month', notFuture: true, description: '缴费所属期 YYYY-MM' },
    { name: 'insuredHeadcount', column: 'insured_headcount', kind: 'int', min: 0, max: 10_000_000, description: '参保人数' },
    { name: 'paidBaseTotal', column: 'paid_base_total_fen', kind: 'money', description: '缴费基数合计 (元)' },
    { name: 'arrearsAmount', column: 'arrears_fen', kind: 'money', default: 0, description: '欠费金额 (元)' },
    { name: 'arrearsMonths', column: 'arrears_months', kind: 'int', min: 0, max: 600, default: 0, description: '欠费月数' },
  ]),
  credit(
    'judicial',
    'credit_judicial_record',
    '司法信息',
    [
      { name: 'caseNumber', column: 'case_number', kind: 'string', maxLength: 64, description: '案号' },
      { name: 'courtName', column: 'court_name', kind: 'string', maxLength: 100, description: '经办法院' },
      { name: 'caseType', column: 'case_type', kind: 'enum', values: values(JudicialCaseType), description: '案件类型' },
      { name: 'role', column: 'role', kind: 'enum', values: values(LitigantRole), description: '诉讼地位' },
      { name: 'amountInvolved', column: 'amount_involved_fen', kind: 'money', optional: true, description: '涉案金额 (元)' },
      { name: 'filedOn', column: 'filed_on', kind: 'date', notFuture: true, description: '立案日期' },
      { name: 'closedOn', column: 'closed_on', kind: 'date', notFuture: true, optional: true, description: '结案日期' },
      { name: 'status', column: 'status', kind: 'enum', values: values(JudicialCaseStatus), description: '案件状态' },
      { name: 'dishonestListed', column: 'dishonest_listed', kind: 'bool', default: false, description: '失信被执行人' },
      { name: 'consumptionRestricted', column: 'consumption_restricted', kind: 'bool', default: false, description: '限制消费' },
    ],
    (v) => (typeof v.closedOn === 'string' && typeof v.filedOn === 'string' && v.closedOn < v.filedOn ? [['closedOn', 'closed before it was filed']] : []),
  ),
  credit(
    'penalty',
    'credit_penalty_record',
    '行政处罚信息',
    [
      { name: 'decisionNumber', column: 'decision_number', kind: 'string', maxLength: 100, description: '行政处罚决定书文号' },
      { name: 'authorityName', column: 'authority_name', kind: 'string', maxLength: 100, description: '处罚机关' },
      { name: 'penaltyType', column: 'penalty_type', kind: 'enum', values: values(PenaltyType), description: '处罚种类' },
      { name: 'reason', column: 'reason', kind: 'string', maxLength: 500, description: '违法事由' },
      { name: 'fineAmount', column: 'fine_amount_fen', kind: 'money', optional: true, description: '罚款金额 (元)' },
      { name: 'decidedOn', column: 'decided_on', kind: 'date', notFuture: true, description: '处罚决定日期' },
      { name: 'publicityEndsOn', column: 'publicity_ends_on', kind: 'date', description: '公示截止日期' },
    ],
    (v) => (typeof v.publicityEndsOn === 'string' && typeof v.decidedOn === 'string' && v.publicityEndsOn < v.decidedOn ? [['publicityEndsOn', 'publicity ends before the decision']] : []),
  ),
  credit(
    'agri_land',
    'credit_land_contract_right',
    '农村土地承包经营权信息',
    [
      { name: 'certificateNumber', column: 'certificate_number', kind: 'string', maxLength: 64, description: '经营权证号' },
      { name: 'areaMu', column: 'area_mu', kind: 'decimal', scale: 2, min: 0, max: 1_000_000, description: '承包面积 (亩)' },
      { name: 'contractStartOn', column: 'contract_start_on', kind: 'date', notFuture: true, description: '承包期起' },
      { name: 'contractEndOn', column: 'contract_end_on', kind: 'date', description: '承包期止' },
      { name: 'landType', column: 'land_type', kind: 'enum', values: values(LandType), description: '土地类型' },
      { name: 'transferredInAreaMu', column: 'transferred_in_area_mu', kind: 'decimal', scale: 2, min: 0, max: 1_000_000, default: 0, description: '流转面积 (亩)' },
    ],
    (v) => (typeof v.contractEndOn === 'string' && typeof v.contractStartOn === 'string' && v.contractEndOn <= v.contractStartOn ? [['contractEndOn', 'contract ends before it starts']] : []),
  ),
  credit(
    'agri_insurance',
    'credit_agri_insurance_policy',
    '农业保险信息',
    [
      { name: 'policyNumber', column: 'policy_number', kind: 'string', maxLength: 64, description: '保单号' },
      { name: 'insurerName', column: 'insurer_name', kind: 'string', maxLength: 100, description: '承保机构' },
      { name: 'insuredItem', column: 'insured_item', kind: 'string', maxLength: 64, description: '保险标的' },
      { name: 'insuredAmount', column: 'insured_amount_fen', kind: 'money', description: '保险金额 (元)' },
      { name: 'premium', column: 'premium_fen', kind: 'money', description: '保费 (元)' },
      { name: 'subsidySharePercent', column: 'subsidy_share_percent', kind: 'decimal', scale: 2, min: 0, max: 100, description: '保费补贴比例 (%)' },
      { name: 'periodStartOn', column: 'period_start_on', kind: 'date', description: '保险期间起' },
      { name: 'periodEndOn', column: 'period_end_on', kind: 'date', description: '保险期间止' },
      { name: 'claimsPaid', column: 'claims_paid_fen', kind: 'money', default: 0, description: '已决赔款 (元)' },
    ],
    (v) => {
      const out: Array<[string, string]> = [];
      if (typeof v.periodEndOn === 'string' && typeof v.periodStartOn === 'string' && v.periodEndOn < v.periodStartOn) out.push(['periodEndOn', 'cover ends before it starts']);
      if (num(v.premium) > num(v.insuredAmount)) out.push(['premium', 'premium exceeds the sum insured']);
      return out;
    },
  ),
  credit('agri_subsidy', 'credit_agri_subsidy', '农业补贴信息', [
    { name: 'program', column: 'program', kind: 'string', maxLength: 100, description: '补贴项目' },
    { name: 'year', column: 'subsidy_year', kind: 'int', min: 2000, max: year(), description: '补贴年度' },
    { name: 'amount', column: 'amount_fen', kind: 'money', max: 100_000_000_00, description: '补贴金额 (元)' },
    { name: 'paidOn', column: 'paid_on', kind: 'date', notFuture: true, description: '发放日期' },
  ]),
];
