import { Directive, Field, Float, ID, InterfaceType, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { numeric } from '../db/columns';
import { DateScalar, MoneyScalar } from '../federation/scalars';
import { MaskKind, SharingClass, SubjectData } from '../policy/catalog';
import { regionName } from './regions';

/** 市场主体类型: what kind of market or agricultural subject an identifier names. */
export enum SubjectKind {
  ENTERPRISE = 'ENTERPRISE',
  INDIVIDUAL_BUSINESS = 'INDIVIDUAL_BUSINESS',
  FARMER_COOPERATIVE = 'FARMER_COOPERATIVE',
  FAMILY_FARM = 'FAMILY_FARM',
  LARGE_GROWER = 'LARGE_GROWER',
  FARM_HOUSEHOLD = 'FARM_HOUSEHOLD',
}
registerEnumType(SubjectKind, {
  name: 'SubjectKind',
  description: '市场主体类型 — the kind of subject.',
  valuesConfig: {
    ENTERPRISE: { description: '企业 (company or other enterprise legal person)' },
    INDIVIDUAL_BUSINESS: { description: '个体工商户 (individual business)' },
    FARMER_COOPERATIVE: { description: '农民专业合作社 (farmer specialised cooperative)' },
    FAMILY_FARM: { description: '家庭农场 (family farm)' },
    LARGE_GROWER: { description: '种养大户 (large crop or livestock grower)' },
    FARM_HOUSEHOLD: { description: '农户 (farm household, identified by the operator’s 公民身份号码)' },
  },
});

/** 登记状态. */
export enum RegistrationStatus {
  OPERATING = 'OPERATING',
  CANCELLED = 'CANCELLED',
  REVOKED = 'REVOKED',
  MOVED_OUT = 'MOVED_OUT',
  SUSPENDED = 'SUSPENDED',
}
registerEnumType(RegistrationStatus, {
  name: 'RegistrationStatus',
  description: '登记状态 — registration status at the market regulator.',
  valuesConfig: {
    OPERATING: { description: '存续 (in operation)' },
    CANCELLED: { description: '注销 (deregistered)' },
    REVOKED: { description: '吊销 (licence revoked)' },
    MOVED_OUT: { description: '迁出 (moved out of the registering authority)' },
    SUSPENDED: { description: '歇业 (business suspended)' },
  },
});

/** 企业规模 (工信部联企业〔2011〕300号 划型标准). */
export enum EnterpriseScale {
  MICRO = 'MICRO',
  SMALL = 'SMALL',
  MEDIUM = 'MEDIUM',
  LARGE = 'LARGE',
}
registerEnumType(EnterpriseScale, {
  name: 'EnterpriseScale',
  description: '企业规模 — size class under the SME classification standard.',
  valuesConfig: {
    MICRO: { description: '微型' },
    SMALL: { description: '小型' },
    MEDIUM: { description: '中型' },
    LARGE: { description: '大型' },
  },
});

/** The subject interface every other subgraph extends (credit records, exposure). */
@InterfaceType('Subject', {
  description:
    'A credit subject (信用主体): an enterprise, cooperative, family farm or farm household, identified by its ' +
    '统一社会信用代码 or, for individuals, its 公民身份号码. Other parts of the hub add credit records and exposure to it.',
  resolveType: (value: unknown) => (value instanceof AgriEntity ? 'AgriEntity' : 'Enterprise'),
})
@Directive('@key(fields: "id")')
export abstract class Subject {
  @Field(() => ID, { description: 'The subject identifier: 统一社会信用代码 (18 chars, GB 32100-2015) or 公民身份号码 (GB 11643-1999).' })
  id!: string;

  @Field({ description: 'Registered name (名称); for a farm household, the household’s display name.' })
  @SubjectData({ dataset: 'registration', sharing: SharingClass.UNCONDITIONAL })
  name!: string;

  @Field(() => SubjectKind, { description: 'What kind of subject this is.' })
  @SubjectData({ dataset: 'registration', sharing: SharingClass.UNCONDITIONAL })
  kind!: SubjectKind;

  @Field({ description: 'GB/T 2260 code of the district or county (区县) where the subject is registered, e.g. 500103.' })
  @SubjectData({ dataset: 'registration', sharing: SharingClass.UNCONDITIONAL })
  regionCode!: string;
}

@ObjectType('Enterprise', {
  simpleResolvers: true,
  implements: Subject,
  description: '企业、个体工商户或农民专业合作社 — a subject registered with the market regulator (市场监管局), keyed by its 统一社会信用代码.',
})
@Directive('@key(fields: "id")')
@Entity('registry_enterprise')
@Index('idx_registry_enterprise_region', ['regionCode'])
export class Enterprise implements Subject {
  @Field(() => ID, { description: '统一社会信用代码 (USCC, GB 32100-2015).' })
  @PrimaryColumn({ type: 'varchar', length: 18 })
  id!: string;

  @Field({ description: '企业名称 — registered name.' })
  @SubjectData({ dataset: 'registration', sharing: SharingClass.UNCONDITIONAL })
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Field(() => SubjectKind, { description: 'ENTERPRISE, INDIVIDUAL_BUSINESS or FARMER_COOPERATIVE.' })
  @SubjectData({ dataset: 'registration', sharing: SharingClass.UNCONDITIONAL })
  @Column({ type: 'varchar', length: 32 })
  kind!: SubjectKind;

  @Field({ description: '法定代表人 (or 经营者 of an individual business) — personal data.' })
  @SubjectData({ dataset: 'registration', sharing: SharingClass.UNCONDITIONAL, personal: true, mask: MaskKind.PARTIAL_NAME })
  @Column({ name: 'legal_representative', type: 'varchar', length: 64 })
  legalRepresentative!: string;

  @Field(() => String, { nullable: true, description: '法定代表人公民身份号码 — personal data; conditional, shown first 6 + last 4 where masked.' })
  @SubjectData({ dataset: 'registration', sharing: SharingClass.CONDITIONAL, personal: true, mask: MaskKind.SHOW_FIRST6_LAST4 })
  @Column({ name: 'legal_representative_id', type: 'varchar', length: 18, nullable: true })
  legalRepresentativeId!: string | null;

  @Field(() => MoneyScalar, { description: '注册资本 — registered capital.' })
  @SubjectData({ dataset: 'registration', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'registered_capital_fen', type: 'bigint', transformer: numeric })
  registeredCapital!: number;

  @Field(() => DateScalar, { description: '成立日期 — date of establishment.' })
  @SubjectData({ dataset: 'registration', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'established_on', type: 'varchar', length: 10 })
  establishedOn!: string;

  @Field({ description: 'GB/T 2260 code of the registering district or county, e.g. 500103 (渝中区).' })
  @SubjectData({ dataset: 'registration', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'region_code', type: 'varchar', length: 6 })
  regionCode!: string;

  @Field({ description: 'GB/T 4754-2017 industry code (国民经济行业分类), e.g. C1391.' })
  @SubjectData({ dataset: 'registration', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'industry_code', type: 'varchar', length: 5 })
  industryCode!: string;

  @Field({ description: 'Industry name for the industry code (行业名称).' })
  @SubjectData({ dataset: 'registration', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'industry_name', type: 'varchar', length: 64 })
  industryName!: string;

  @Field(() => RegistrationStatus, { description: '登记状态 — registration status.' })
  @SubjectData({ dataset: 'registration', sharing: SharingClass.UNCONDITIONAL })
  @Column({ type: 'varchar', length: 16 })
  status!: RegistrationStatus;

  @Field(() => EnterpriseScale, { description: '企业规模 — size class (微型/小型/中型/大型).' })
  @SubjectData({ dataset: 'registration', sharing: SharingClass.UNCONDITIONAL })
  @Column({ type: 'varchar', length: 8 })
  scale!: EnterpriseScale;

  @Field({ description: '住所 — registered address.' })
  @SubjectData({ dataset: 'registration', sharing: SharingClass.UNCONDITIONAL })
  @Column({ type: 'varchar', length: 200 })
  address!: string;

  @Field({ description: 'Institution code of the publishing department (provenance).' })
  @Column({ name: 'department_code', type: 'varchar', length: 32 })
  publishedBy!: string;

  @Field(() => DateScalar, { description: 'Date the publishing department’s data is current as of (数据截止日期).' })
  @Column({ name: 'data_as_of', type: 'varchar', length: 10 })
  dataAsOf!: string;

  @Field({ description: 'When the hub received this version of the record.' })
  @Column({ name: 'published_at', type: 'datetime', precision: 3 })
  publishedAt!: Date;

  @Field(() => String, { nullable: true, description: 'Name of the district or county for regionCode.' })
  regionName(): string | null {
    return regionName(this.regionCode);
  }
}

/** 农业经营主体 (家庭农场, 种养大户, 农户). */
@ObjectType('AgriEntity', {
  simpleResolvers: true,
  implements: Subject,
  description:
    '农业经营主体 — a family farm, large grower or farm household registered with the 农业农村委, keyed by its ' +
    '统一社会信用代码 or, for an unregistered household, the operator’s 公民身份号码.',
})
@Directive('@key(fields: "id")')
@Entity('registry_agri_entity')
@Index('idx_registry_agri_entity_region', ['regionCode'])
export class AgriEntity implements Subject {
  @Field(() => ID, { description: '统一社会信用代码, or the operator’s 公民身份号码 for a farm household.' })
  @PrimaryColumn({ type: 'varchar', length: 18 })
  id!: string;

  @Field({ description: 'Name of the farm or household (e.g. 忠县某某家庭农场).' })
  @SubjectData({ dataset: 'agri_registration', sharing: SharingClass.UNCONDITIONAL })
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Field(() => SubjectKind, { description: 'FAMILY_FARM, LARGE_GROWER or FARM_HOUSEHOLD.' })
  @SubjectData({ dataset: 'agri_registration', sharing: SharingClass.UNCONDITIONAL })
  @Column({ type: 'varchar', length: 32 })
  kind!: SubjectKind;

  @Field({ description: '经营者姓名 — operator’s name; personal data.' })
  @SubjectData({ dataset: 'agri_registration', sharing: SharingClass.UNCONDITIONAL, personal: true, mask: MaskKind.PARTIAL_NAME })
  @Column({ name: 'operator_name', type: 'varchar', length: 64 })
  operatorName!: string;

  @Field({ description: '经营者公民身份号码 — operator’s ID number; personal data, shown first 6 + last 4 where masked.' })
  @SubjectData({ dataset: 'agri_registration', sharing: SharingClass.CONDITIONAL, personal: true, mask: MaskKind.SHOW_FIRST6_LAST4 })
  @Column({ name: 'operator_id_number', type: 'varchar', length: 18 })
  operatorIdNumber!: string;

  @Field({ description: 'GB/T 2260 code of the district or county, e.g. 500233 (忠县).' })
  @SubjectData({ dataset: 'agri_registration', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'region_code', type: 'varchar', length: 6 })
  regionCode!: string;

  @Field({ description: '乡镇/村 — township and village.' })
  @SubjectData({ dataset: 'agri_registration', sharing: SharingClass.UNCONDITIONAL })
  @Column({ type: 'varchar', length: 100 })
  village!: string;

  @Field(() => Float, { description: '经营土地面积 (亩) — land under operation, in mu.' })
  @SubjectData({ dataset: 'agri_registration', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'land_area_mu', type: 'decimal', precision: 12, scale: 2, transformer: numeric })
  landAreaMu!: number;

  @Field(() => [String], { description: '主要产品 — main products, e.g. 柑橘, 生猪.' })
  @SubjectData({ dataset: 'agri_registration', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'main_products', type: 'simple-array' })
  mainProducts!: string[];

  @Field(() => DateScalar, { nullable: true, description: '认定/登记日期 — date recognised or registered, if any.' })
  @SubjectData({ dataset: 'agri_registration', sharing: SharingClass.UNCONDITIONAL })
  @Column({ name: 'registered_on', type: 'varchar', length: 10, nullable: true })
  registeredOn!: string | null;

  @Field({ description: 'Institution code of the publishing department (provenance).' })
  @Column({ name: 'department_code', type: 'varchar', length: 32 })
  publishedBy!: string;

  @Field(() => DateScalar, { description: 'Date the publishing department’s data is current as of (数据截止日期).' })
  @Column({ name: 'data_as_of', type: 'varchar', length: 10 })
  dataAsOf!: string;

  @Field({ description: 'When the hub received this version of the record.' })
  @Column({ name: 'published_at', type: 'datetime', precision: 3 })
  publishedAt!: Date;

  @Field(() => String, { nullable: true, description: 'Name of the district or county for regionCode.' })
  regionName(): string | null {
    return regionName(this.regionCode);
  }
}

export const registryEntities = [Enterprise, AgriEntity];
