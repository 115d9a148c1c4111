import type { DatasetCode } from './catalog';

/** A shared dataset: what it is, who publishes it, how often it is expected to be refreshed. */
export interface DatasetDefinition {
  code: DatasetCode;
  /** Chinese name as departments know it. */
  name: string;
  description: string;
  /**
   * Institution code of the publisher: the department, or for exposure data (reported by many banks and
   * guarantors) the hub operator, who decides data-use applications for it under the 政银担 cooperation rules.
   */
  publisher: string | null;
  /** Expected update cycle in days (freshness). */
  updateCycleDays: number;
}

/** Demo/default institution codes of the publishing departments. */
export const DEPARTMENTS = {
  MARKET_REGULATION: 'CQ-AMR',
  TAX: 'CQ-TAX',
  HUMAN_RESOURCES: 'CQ-HRSS',
  HOUSING_FUND: 'CQ-HPF',
  AGRICULTURE: 'CQ-AGRI',
  COURT: 'CQ-COURT',
} as const;

/** The hub operator's institution code (demo/default). */
export const HUB_OPERATOR = 'HUB-OPS';

export const DATASETS: Readonly<Record<DatasetCode, DatasetDefinition>> = {
  registration: { code: 'registration', name: '市场主体登记信息', description: 'Enterprise registration (name, legal representative, capital, status).', publisher: DEPARTMENTS.MARKET_REGULATION, updateCycleDays: 1 },
  agri_registration: { code: 'agri_registration', name: '农业经营主体名录', description: 'Family farms, large growers and farm households.', publisher: DEPARTMENTS.AGRICULTURE, updateCycleDays: 30 },
  tax: { code: 'tax', name: '纳税信用信息', description: 'Tax credit rating (纳税信用等级) and tax paid.', publisher: DEPARTMENTS.TAX, updateCycleDays: 30 },
  social_insurance: { code: 'social_insurance', name: '社会保险参保缴费信息', description: 'Insured headcount and arrears.', publisher: DEPARTMENTS.HUMAN_RESOURCES, updateCycleDays: 30 },
  judicial: { code: 'judicial', name: '司法信息', description: 'Judgments, enforcement cases and 失信被执行人 listings.', publisher: DEPARTMENTS.COURT, updateCycleDays: 7 },
  penalty: { code: 'penalty', name: '行政处罚信息', description: 'Administrative penalties.', publisher: DEPARTMENTS.MARKET_REGULATION, updateCycleDays: 7 },
  agri_land: { code: 'agri_land', name: '农村土地承包经营权信息', description: 'Land contract management rights.', publisher: DEPARTMENTS.AGRICULTURE, updateCycleDays: 90 },
  agri_insurance: { code: 'agri_insurance', name: '农业保险信息', description: 'Agricultural insurance policies.', publisher: DEPARTMENTS.AGRICULTURE, updateCycleDays: 30 },
  agri_subsidy: { code: 'agri_subsidy', name: '农业补贴信息', description: 'Agricultural subsidies received.', publisher: DEPARTMENTS.AGRICULTURE, updateCycleDays: 90 },
  loans: { code: 'loans', name: '贷款信息', description: 'Loans reported by banks.', publisher: HUB_OPERATOR, updateCycleDays: 1 },
  guarantees: { code: 'guarantees', name: '担保及代偿信息', description: 'Guarantees and compensations reported by guarantors.', publisher: HUB_OPERATOR, updateCycleDays: 1 },
};
