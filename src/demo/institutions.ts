import { CallerType, GuarantorLevel } from '../identity/caller';

/** The demo's institutions: every caller type, so every README example and test has a counterpart. */
export const DEMO_INSTITUTIONS = [
  { code: 'CQ-AMR', name: '重庆市市场监督管理局', type: CallerType.DEPARTMENT, regionCode: '500000', uscc: null },
  { code: 'CQ-TAX', name: '国家税务总局重庆市税务局', type: CallerType.DEPARTMENT, regionCode: '500000', uscc: null },
  { code: 'CQ-HRSS', name: '重庆市人力资源和社会保障局', type: CallerType.DEPARTMENT, regionCode: '500000', uscc: null },
  { code: 'CQ-HPF', name: '重庆市住房公积金管理中心', type: CallerType.DEPARTMENT, regionCode: '500000', uscc: null },
  { code: 'CQ-AGRI', name: '重庆市农业农村委员会', type: CallerType.DEPARTMENT, regionCode: '500000', uscc: null },
  { code: 'CQ-COURT', name: '重庆市高级人民法院', type: CallerType.DEPARTMENT, regionCode: '500000', uscc: null },
  { code: 'CQ-REGUAR', name: '重庆市融资再担保有限责任公司', type: CallerType.GUARANTOR, guarantorLevel: GuarantorLevel.RE_GUARANTEE, regionCode: '500000', uscc: null },
  { code: 'CQ-SXG', name: '重庆三峡融资担保集团股份有限公司', type: CallerType.GUARANTOR, guarantorLevel: GuarantorLevel.MUNICIPAL, regionCode: '500000', uscc: null },
  { code: 'WZ-GUAR', name: '重庆市万州区融资担保有限公司', type: CallerType.GUARANTOR, guarantorLevel: GuarantorLevel.DISTRICT, regionCode: '500101', uscc: null },
  { code: 'BANK-CQRCB', name: '重庆农村商业银行股份有限公司', type: CallerType.BANK, regionCode: '500000', uscc: null },
  { code: 'BANK-CQCB', name: '重庆银行股份有限公司', type: CallerType.BANK, regionCode: '500000', uscc: null },
  { code: 'CQ-FIN', name: '重庆市财政局', type: CallerType.REGULATOR, regionCode: '500000', uscc: null },
  { code: 'HUB-OPS', name: '政银担信用信息共享平台运营中心', type: CallerType.OPERATOR, regionCode: '500000', uscc: null },
];
