import { EnterpriseScale, RegistrationStatus, SubjectKind } from '../registry/entities';
import { departmentPublisher } from '../credit/publishing';
import { DEFAULT_MAX_AS_OF_AGE_DAYS, type DatasetAdapter } from './adapter';

/**
 * Registration data IS the registry: a `registration` record creates or replaces the subject's
 * registry_enterprise row (市场监管局), an `agri_registration` record its registry_agri_entity row (农业农村委).
 * These rows are not versioned (the registry keeps the current registration only); the publication log
 * keeps who changed them and when. The subject id is the record key; `sourceRecordId` is checked but not stored.
 */
export const registrationAdapter: DatasetAdapter = {
  dataset: 'registration',
  catalogDataset: 'registration',
  title: '市场主体登记信息',
  storage: { table: 'registry_enterprise', mode: 'registry', subjectColumn: 'id', orgColumn: 'department_code', orgScoped: false, asOfColumn: 'data_as_of', timeColumn: 'published_at', retractable: false },
  unknownSubject: 'create',
  subjectKinds: ['USCC'],
  asOfRequired: true,
  maxAsOfAgeDays: DEFAULT_MAX_AS_OF_AGE_DAYS,
  authorize: departmentPublisher('registration'),
  fields: [
    { name: 'name', column: 'name', kind: 'string', maxLength: 200, description: '企业名称' },
    { name: 'kind', column: 'kind', kind: 'enum', values: [SubjectKind.ENTERPRISE, SubjectKind.INDIVIDUAL_BUSINESS, SubjectKind.FARMER_COOPERATIVE], description: '市场主体类型' },
    { name: 'legalRepresentative', column: 'legal_representative', kind: 'string', maxLength: 64, description: '法定代表人' },
    { name: 'legalRepresentativeId', column: 'legal_representative_id', kind: 'residentId', optional: true, description: '法定代表人公民身份号码' },
    { name: 'registeredCapital', column: 'registered_capital_fen', kind: 'money', description: '注册资本 (元)' },
    { name: 'establishedOn', column: 'established_on', kind: 'date', notFuture: true, description: '成立日期' },
    { name: 'regionCode', column: 'region_code', kind: 'region', description: '登记机关所在区县 GB/T 2260' },
    { name: 'industryCode', column: 'industry_code', kind: 'string', maxLength: 5, description: 'GB/T 4754 行业代码' },
    { name: 'industryName', column: 'industry_name', kind: 'string', maxLength: 64, description: '行业名称' },
    { name: 'status', column: 'status', kind: 'enum', values: Object.values(RegistrationStatus), description: '登记状态' },
    { name: 'scale', column: 'scale', kind: 'enum', values: Object.values(EnterpriseScale), description: '企业规模' },
    { name: 'address', column: 'address', kind: 'string', maxLength: 200, description: '住所' },
  ],
  check: (v) => (typeof v.industryCode === 'string' && !/^[A-T]\d{2,4}$/.test(v.industryCode) ? [['industryCode', 'must be a GB/T 4754 code such as C1391']] : []),
};

export const agriRegistrationAdapter: DatasetAdapter = {
  dataset: 'agri_registration',
  catalogDataset: 'agri_registration',
  title: '农业经营主体名录',
  storage: { table: 'registry_agri_entity', mode: 'registry', subjectColumn: 'id', orgColumn: 'department_code', orgScoped: false, asOfColumn: 'data_as_of', timeColumn: 'published_at', retractable: false },
  unknownSubject: 'create',
  asOfRequired: true,
  maxAsOfAgeDays: DEFAULT_MAX_AS_OF_AGE_DAYS,
  authorize: departmentPublisher('agri_registration'),
  fields: [
    { name: 'name', column: 'name', kind: 'string', maxLength: 200, description: '主体名称' },
    { name: 'kind', column: 'kind', kind: 'enum', values: [SubjectKind.FAMILY_FARM, SubjectKind.LARGE_GROWER, SubjectKind.FARM_HOUSEHOLD], description: '主体类型' },
    { name: 'operatorName', column: 'operator_name', kind: 'string', maxLength: 64, description: '经营者姓名' },
    { name: 'operatorIdNumber', column: 'operator_id_number', kind: 'residentId', description: '经营者公民身份号码' },
    { name: 'regionCode', column: 'region_code', kind: 'region', description: '区县 GB/T 2260' },
    { name: 'village', column: 'village', kind: 'string', maxLength: 100, description: '乡镇/村' },
    { name: 'landAreaMu', column: 'land_area_mu', kind: 'decimal', scale: 2, min: 0, max: 1_000_000, description: '经营土地面积 (亩)' },
    { name: 'mainProducts', column: 'main_products', kind: 'list', maxLength: 255, description: '主要产品 (、 or , separated)' },
    { name: 'registeredOn', column: 'registered_on', kind: 'date', notFuture: true, optional: true, description: '认定/登记日期' },
  ],
};
