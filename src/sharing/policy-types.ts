import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { MaskKind, SharingClass } from '../policy/catalog';
import type { DataUseApplication as DataUseApplicationRow, SubjectConsent as SubjectConsentRow } from '../policy/entities';
import { Purpose } from '../policy/purposes';

/**
 * GraphQL face of the policy core in the `sharing` subgraph: the catalog, data-use applications (共享申请),
 * consents (授权) and access explanations. The TypeORM entities stay in src/policy; these are mapped from them.
 */

registerEnumType(SharingClass, {
  name: 'SharingClass',
  description: '共享类型 (政务数据共享条例): how a published field may be shared.',
  valuesConfig: {
    UNCONDITIONAL: { description: '无条件共享 — any authenticated institution reading for an allowed purpose.' },
    CONDITIONAL: { description: "有条件共享 — needs an approved data-use application and the subject's consent (or another legal basis)." },
    NOT_SHARED: { description: '不予共享 — never leaves the publishing department.' },
  },
});

registerEnumType(MaskKind, {
  name: 'MaskKind',
  description: 'How a field is masked where the policy decides MASK.',
  valuesConfig: {
    SHOW_FIRST6_LAST4: { description: 'ID numbers: first 6 and last 4 characters shown.' },
    PARTIAL_NAME: { description: 'Personal names: first character shown, the rest replaced (张**).' },
    AMOUNT_BAND: { description: 'Amounts shown as a band such as 100万–500万.' },
    DATE_YEAR: { description: 'Dates shortened to the year.' },
    HASH: { description: 'Replaced by a SHA-256 hex digest (joinable, not readable).' },
    NULLIFY: { description: 'Replaced by null.' },
  },
});

registerEnumType(Purpose, {
  name: 'Purpose',
  description: 'Why subject data is read (征信业管理条例: data is used only for the agreed purpose); sent as the X-Hub-Purpose header.',
  valuesConfig: {
    LOAN_APPROVAL: { description: '贷款审批 — a bank deciding a loan application.' },
    GUARANTEE_APPROVAL: { description: '担保审批 — a guarantor deciding a guarantee application.' },
    POST_LOAN_MANAGEMENT: { description: '贷后管理 — monitoring a subject with an active loan or guarantee.' },
    SUPERVISION: { description: '监管 — supervision by a regulator.' },
  },
});

/** The GraphQL enum of application states (mirrors `ApplicationStatus` in src/policy/entities.ts). */
export enum DataUseApplicationStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  WITHDRAWN = 'WITHDRAWN',
}
registerEnumType(DataUseApplicationStatus, {
  name: 'DataUseApplicationStatus',
  description: 'State of a data-use application (共享申请).',
  valuesConfig: {
    PENDING: { description: 'Filed, waiting for the publishing department.' },
    APPROVED: { description: 'Approved by the publisher until its expiry.' },
    REJECTED: { description: 'Rejected by the publisher (with a reason).' },
    WITHDRAWN: { description: 'Withdrawn by the applicant; an approval stops counting at once.' },
  },
});

export enum AccessDecision {
  ALLOW = 'ALLOW',
  MASK = 'MASK',
  DENY = 'DENY',
}
registerEnumType(AccessDecision, {
  name: 'AccessDecision',
  description: 'What the sharing policy does with a field.',
  valuesConfig: {
    ALLOW: { description: 'The value is returned in clear.' },
    MASK: { description: 'The value is returned masked.' },
    DENY: { description: 'The field resolves to null with a FORBIDDEN error.' },
  },
});

@ObjectType('CatalogField', { simpleResolvers: true, description: 'One field of shared subject data and its sharing policy, generated from the schema.' })
export class CatalogField {
  @Field({ description: 'GraphQL type that declares the field, e.g. TaxRecord.' })
  type!: string;

  @Field({ description: 'Field name, e.g. taxPaid.' })
  field!: string;

  @Field(() => SharingClass, { description: '共享类型 of the field.' })
  sharing!: SharingClass;

  @Field({ description: 'Whether the field is personal information (个人信息), masked unless the caller may see it in clear.' })
  personal!: boolean;

  @Field(() => MaskKind, { nullable: true, description: 'Mask used where the decision is MASK (null: the default mask).' })
  mask!: MaskKind | null;
}

@ObjectType('CatalogDataset', { simpleResolvers: true, description: 'A shared dataset (数据目录条目): who publishes it, how fresh it is, and its fields.' })
export class CatalogDataset {
  @Field({ description: 'Dataset code, e.g. tax.' })
  code!: string;

  @Field({ description: 'Chinese name as departments know it.' })
  name!: string;

  @Field({ description: 'What the dataset holds.' })
  description!: string;

  @Field(() => String, { nullable: true, description: 'Institution code of the publisher (decides data-use applications).' })
  publisher!: string | null;

  @Field(() => Int, { description: 'Expected update cycle in days.' })
  updateCycleDays!: number;

  @Field(() => [CatalogField], { description: 'Fields of the dataset, ordered by type and field.' })
  fields!: CatalogField[];
}

@ObjectType('DataUseApplication', { simpleResolvers: true, description: '共享申请: an institution’s application to use a dataset for a purpose, decided by the publisher.' })
export class DataUseApplicationView {
  @Field(() => ID, { description: 'Application id (UUID).' })
  id!: string;

  @Field({ description: 'Applying (consumer) institution code.' })
  consumer!: string;

  @Field({ description: 'Dataset code applied for.' })
  dataset!: string;

  @Field(() => String, { nullable: true, description: 'Institution code of the dataset’s publisher.' })
  publisher!: string | null;

  @Field(() => Purpose, { description: 'Purpose the data will be used for.' })
  purpose!: Purpose;

  @Field({ description: '使用场景 — what the data will be used for, in the applicant’s words.' })
  useCase!: string;

  @Field(() => DataUseApplicationStatus, { description: 'Current state.' })
  status!: DataUseApplicationStatus;

  @Field(() => String, { nullable: true, description: 'Department that approved or rejected it.' })
  decidedBy!: string | null;

  @Field(() => Date, { nullable: true, description: 'When it was approved or rejected.' })
  decidedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Rejection reason, or a note on the approval / withdrawal.' })
  decisionReason!: string | null;

  @Field(() => Date, { nullable: true, description: 'End of an approval’s validity (exclusive).' })
  expiresAt!: Date | null;

  @Field(() => Date, { description: 'When it was filed.' })
  createdAt!: Date;

  static from(row: DataUseApplicationRow, publisher: string | null): DataUseApplicationView {
    return Object.assign(new DataUseApplicationView(), {
      id: row.id,
      consumer: row.consumerCode,
      dataset: row.dataset,
      publisher,
      purpose: row.purpose,
      useCase: row.useCase,
      status: row.status as DataUseApplicationStatus,
      decidedBy: row.decidedBy ?? null,
      decidedAt: row.decidedAt ?? null,
      decisionReason: row.decisionReason ?? null,
      expiresAt: row.expiresAt ?? null,
      createdAt: row.createdAt,
    });
  }
}

@ObjectType('SubjectConsent', { simpleResolvers: true, description: '授权: a subject’s written consent to one institution for purposes and datasets, for a period; revocable.' })
export class SubjectConsentView {
  @Field(() => ID, { description: 'Consent id (UUID).' })
  id!: string;

  @Field({ description: 'The consenting subject: 统一社会信用代码 or 公民身份号码.' })
  subjectId!: string;

  @Field({ description: 'Institution the subject authorised.' })
  grantee!: string;

  @Field(() => [Purpose], { description: 'Purposes the consent covers.' })
  purposes!: Purpose[];

  @Field(() => [String], { description: 'Dataset codes the consent covers.' })
  datasets!: string[];

  @Field(() => Date, { description: 'Start of validity (inclusive).' })
  validFrom!: Date;

  @Field(() => Date, { description: 'End of validity (exclusive).' })
  validTo!: Date;

  @Field({ description: 'SHA-256 (hex) of the signed authorisation document kept by the grantee.' })
  evidenceSha256!: string;

  @Field({ description: 'Who registered it.' })
  registeredBy!: string;

  @Field(() => Date, { description: 'When it was registered.' })
  registeredAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it was revoked (null while not revoked).' })
  revokedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Who revoked it.' })
  revokedBy!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it was revoked.' })
  revocationReason!: string | null;

  static from(row: SubjectConsentRow): SubjectConsentView {
    return Object.assign(new SubjectConsentView(), {
      id: row.id,
      subjectId: row.subjectId,
      grantee: row.granteeCode,
      purposes: [...row.purposes],
      datasets: [...row.datasets],
      validFrom: row.validFrom,
      validTo: row.validTo,
      evidenceSha256: row.evidenceSha256,
      registeredBy: row.registeredBy,
      registeredAt: row.registeredAt,
      revokedAt: row.revokedAt ?? null,
      revokedBy: row.revokedBy ?? null,
      revocationReason: row.revocationReason ?? null,
    });
  }
}

@InputType('ConsentInput', { description: 'A subject’s signed consent to the calling institution, registered by that institution.' })
export class ConsentInput {
  @Field({ description: 'The consenting subject: 统一社会信用代码 or 公民身份号码.' })
  subjectId!: string;

  @Field(() => [Purpose], { description: 'Purposes the consent covers (at least one).' })
  purposes!: Purpose[];

  @Field(() => [String], { description: 'Dataset codes the consent covers (at least one), e.g. tax.' })
  datasets!: string[];

  @Field(() => Date, { description: 'Start of validity (inclusive).' })
  validFrom!: Date;

  @Field(() => Date, { description: 'End of validity (exclusive); after validFrom.' })
  validTo!: Date;

  @Field({ description: 'SHA-256 (64 hex characters) of the signed authorisation document.' })
  evidenceSha256!: string;
}

@ObjectType('AccessExplanation', { simpleResolvers: true, description: 'What the sharing policy would decide for one field of a subject, for the caller and purpose — without the data.' })
export class AccessExplanation {
  @Field({ description: 'GraphQL type that declares the field.' })
  type!: string;

  @Field({ description: 'Field name.' })
  field!: string;

  @Field({ description: 'Dataset code of the field.' })
  dataset!: string;

  @Field(() => AccessDecision, { description: 'ALLOW, MASK or DENY.' })
  decision!: AccessDecision;

  @Field(() => String, { nullable: true, description: 'Why it is denied (e.g. NO_CONSENT); null unless DENY.' })
  reason!: string | null;

  @Field(() => MaskKind, { nullable: true, description: 'Mask applied; null unless MASK.' })
  mask!: MaskKind | null;

  @Field({ description: 'Stable id of the rule that decided, e.g. conditional.consent.' })
  rule!: string;

  @Field({ description: 'One-line human-readable explanation (names no personal data).' })
  message!: string;
}
