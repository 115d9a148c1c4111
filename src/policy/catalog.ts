import { Extensions } from 'type-graphql';

/** 共享类型 (政务数据共享条例): how a published field may be shared. */
export enum SharingClass {
  /** 无条件共享: any authenticated institution reading for a valid purpose. */
  UNCONDITIONAL = 'UNCONDITIONAL',
  /** 有条件共享: needs an approved data-use application and the subject's consent. */
  CONDITIONAL = 'CONDITIONAL',
  /** 不予共享: never leaves the hub. */
  NOT_SHARED = 'NOT_SHARED',
}

/** Masks applied to a field where policy says MASK (modelled on Apache Ranger's set). */
export enum MaskKind {
  /** ID numbers: first 6 and last 4 characters shown. */
  SHOW_FIRST6_LAST4 = 'SHOW_FIRST6_LAST4',
  /** Personal names: first character shown, rest replaced (张** ). */
  PARTIAL_NAME = 'PARTIAL_NAME',
  /** Amounts shown as a band such as 100万–500万. */
  AMOUNT_BAND = 'AMOUNT_BAND',
  /** Dates shortened to the year. */
  DATE_YEAR = 'DATE_YEAR',
  /** Replaced by a SHA-256 hex digest (joinable, not readable). */
  HASH = 'HASH',
  /** Replaced by null. */
  NULLIFY = 'NULLIFY',
}

/** Datasets the hub shares; each is published by one institution (see `datasets.ts`). */
export type DatasetCode =
  | 'registration'
  | 'agri_registration'
  | 'tax'
  | 'social_insurance'
  | 'judicial'
  | 'penalty'
  | 'agri_land'
  | 'agri_insurance'
  | 'agri_subsidy'
  | 'loans'
  | 'guarantees';

/** The policy metadata of one field of subject data. */
export interface FieldPolicy {
  dataset: DatasetCode;
  sharing: SharingClass;
  /** Personal information (个人信息保护法): masked by default for callers who may not see it in clear. */
  personal?: boolean;
  /** The mask used where the decision is MASK. */
  mask?: MaskKind;
}

/** Key under which the policy sits in a GraphQL field's `extensions`. */
export const FIELD_POLICY_EXTENSION = 'hubPolicy';

/**
 * Declares a field's dataset and sharing class where the field is declared, so the catalog is
 * generated from the schema itself and cannot drift from it.
 */
export function SubjectData(policy: FieldPolicy): MethodDecorator & PropertyDecorator {
  return Extensions({ [FIELD_POLICY_EXTENSION]: policy });
}
