import { Directive, Field, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CallerType, GuarantorLevel } from '../identity/caller';

registerEnumType(CallerType, {
  name: 'InstitutionType',
  description: 'Kind of caller. Institutions are DEPARTMENT, GUARANTOR, BANK, REGULATOR or OPERATOR; SUBJECT is a subject reading its own 查询记录.',
  valuesConfig: {
    DEPARTMENT: { description: '政府部门 — publishes shared data' },
    GUARANTOR: { description: '政府性融资担保机构 — queries applicants, reports guarantees and 代偿' },
    BANK: { description: '银行业金融机构 — queries borrowers, reports loans' },
    REGULATOR: { description: '财政局 / 金融监管 — supervises guarantors and the access log' },
    OPERATOR: { description: 'Hub operator — registers institutions and keys, manages the catalog' },
    SUBJECT: { description: 'The enterprise or farmer itself (its own 查询记录 only)' },
  },
});
registerEnumType(GuarantorLevel, {
  name: 'GuarantorLevel',
  description: 'Tier of a government financing guarantee institution.',
  valuesConfig: {
    RE_GUARANTEE: { description: '再担保 (provincial/municipal re-guarantee)' },
    MUNICIPAL: { description: '市级直保' },
    DISTRICT: { description: '区县直保' },
  },
});

export enum InstitutionStatus {
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
}
registerEnumType(InstitutionStatus, {
  name: 'InstitutionStatus',
  description: 'Whether the institution may call the hub.',
  valuesConfig: { ACTIVE: { description: 'may call the hub' }, SUSPENDED: { description: 'all calls refused' } },
});

/** An institution registered to call the hub (the X-Road "member"). */
@ObjectType('Institution', { simpleResolvers: true, description: 'An institution registered with the hub: who may call it and in which role.' })
@Directive('@key(fields: "code")')
@Entity('sharing_institution')
@Index('idx_sharing_institution_type', ['type'])
export class Institution {
  @Field({ description: 'Institution code used in tokens (claim `org`) and throughout the hub, e.g. CQ-TAX.' })
  @PrimaryColumn({ type: 'varchar', length: 32 })
  code!: string;

  @Field({ description: 'Full name (机构名称).' })
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Field(() => CallerType, { description: 'Role of the institution.' })
  @Column({ type: 'varchar', length: 16 })
  type!: CallerType;

  @Field(() => GuarantorLevel, { nullable: true, description: 'For guarantors: 再担保 / 市级 / 区县.' })
  @Column({ name: 'guarantor_level', type: 'varchar', length: 16, nullable: true })
  guarantorLevel!: GuarantorLevel | null;

  @Field({ description: 'GB/T 2260 code of the region it serves (500000 for municipal scope).' })
  @Column({ name: 'region_code', type: 'varchar', length: 6 })
  regionCode!: string;

  @Field(() => String, { nullable: true, description: 'The institution’s own 统一社会信用代码.' })
  @Column({ type: 'varchar', length: 18, nullable: true })
  uscc!: string | null;

  @Field(() => InstitutionStatus, { description: 'Whether it may call the hub.' })
  @Column({ type: 'varchar', length: 16, default: InstitutionStatus.ACTIVE })
  status!: InstitutionStatus;

  @Field({ description: 'When it was registered.' })
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}

/** A public key an institution signs its own tokens with (several may be valid during rotation). */
@ObjectType('InstitutionKey', { simpleResolvers: true, description: 'A public signing key registered for an institution (JWK, ES256).' })
@Entity('sharing_institution_key')
@Index('idx_sharing_institution_key_org', ['institutionCode'])
export class InstitutionKey {
  @Field({ description: 'Key id (`kid` in the token header).' })
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid!: string;

  @Field({ description: 'Institution the key belongs to.' })
  @Column({ name: 'institution_code', type: 'varchar', length: 32 })
  institutionCode!: string;

  @Field({ description: 'The public key as a JSON Web Key.' })
  @Column({ name: 'public_jwk', type: 'text' })
  publicJwk!: string;

  @Field({ description: 'ACTIVE keys verify tokens; RETIRED keys no longer do.' })
  @Column({ type: 'varchar', length: 16, default: 'ACTIVE' })
  status!: string;

  @Field({ description: 'When it was registered.' })
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it was retired, if it was.' })
  @Column({ name: 'retired_at', type: 'datetime', precision: 3, nullable: true })
  retiredAt!: Date | null;
}

export const sharingEntities = [Institution, InstitutionKey];
