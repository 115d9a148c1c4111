import { CallerType } from '../identity/caller';
import { MaskKind, type DatasetCode } from './catalog';
import { DATASETS } from './datasets';
import { DEFAULT_AMOUNT_BAND_BOUNDARIES_YUAN } from './masks';
import { Purpose } from './purposes';

/**
 * What, besides an approved data-use application, makes a CONDITIONAL read lawful for a purpose:
 * - `CONSENT`: the subject's written authorisation to the caller for that purpose and dataset
 *   (征信业管理条例 Art. 18, 个人信息保护法 Art. 14);
 * - `RELATIONSHIP`: an active loan or guarantee between the caller and the subject (post-loan management);
 * - `STATUTORY`: a statutory basis (supervision) — no consent, but the approval is still required.
 */
export type ConditionalBasis = 'CONSENT' | 'RELATIONSHIP' | 'STATUTORY';

/**
 * The sharing policy as data. A plain, JSON-serialisable object (strings, arrays, records) so it can come
 * from configuration; {@link parsePolicyRules} checks one read from JSON.
 */
export interface PolicyRules {
  /** Purposes each caller type may declare when reading subject data. Anything else is PURPOSE_NOT_ALLOWED. */
  purposesByCallerType: Record<CallerType, Purpose[]>;
  /** A DEPARTMENT reading a dataset it publishes itself: everything but NOT_SHARED, in clear, whatever purpose it declares. */
  publisherReadsOwnDataset: boolean;
  /** Publisher (institution code) of each dataset; null where no department publishes it (exposure data). */
  datasetPublishers: Record<DatasetCode, string | null>;
  /** A SUBJECT caller reading its own data: everything but NOT_SHARED, in clear, no purpose needed. */
  subjectReadsOwnData: boolean;
  /**
   * Caller types that may ever see personal fields in clear — and then only with a valid matching consent,
   * or, for a RELATIONSHIP-basis purpose, an active relationship. Everyone else gets personal fields masked.
   */
  personalInClearCallerTypes: CallerType[];
  /**
   * Caller types that get every field with a declared mask masked, personal or not — a regulator supervises
   * with amounts as bands (金额分档), never exact figures of one subject.
   */
  maskDeclaredFieldsFor: CallerType[];
  /** What a CONDITIONAL read needs besides an approved application, per purpose. Missing purposes need CONSENT. */
  conditionalBasis: Record<Purpose, ConditionalBasis>;
  /** Mask for a personal field that declares none (names are the common case). */
  defaultPersonalMask: MaskKind;
  /** 元 boundaries of the AMOUNT_BAND mask's bands, ascending. */
  amountBandBoundariesYuan: number[];
}

function publishers(): Record<DatasetCode, string | null> {
  const out = {} as Record<DatasetCode, string | null>;
  for (const [code, def] of Object.entries(DATASETS) as [DatasetCode, (typeof DATASETS)[DatasetCode]][]) out[code] = def.publisher;
  return out;
}

/** The hub's policy as the design brief states it. */
export const DEFAULT_POLICY_RULES: Readonly<PolicyRules> = deepFreeze({
  purposesByCallerType: {
    [CallerType.BANK]: [Purpose.LOAN_APPROVAL, Purpose.POST_LOAN_MANAGEMENT],
    [CallerType.GUARANTOR]: [Purpose.GUARANTEE_APPROVAL, Purpose.POST_LOAN_MANAGEMENT],
    [CallerType.REGULATOR]: [Purpose.SUPERVISION],
    [CallerType.DEPARTMENT]: [],
    [CallerType.OPERATOR]: [],
    [CallerType.SUBJECT]: [],
  },
  publisherReadsOwnDataset: true,
  datasetPublishers: publishers(),
  subjectReadsOwnData: true,
  personalInClearCallerTypes: [CallerType.BANK, CallerType.GUARANTOR],
  maskDeclaredFieldsFor: [CallerType.REGULATOR],
  conditionalBasis: {
    [Purpose.LOAN_APPROVAL]: 'CONSENT',
    [Purpose.GUARANTEE_APPROVAL]: 'CONSENT',
    [Purpose.POST_LOAN_MANAGEMENT]: 'RELATIONSHIP',
    [Purpose.SUPERVISION]: 'STATUTORY',
  },
  defaultPersonalMask: MaskKind.PARTIAL_NAME,
  amountBandBoundariesYuan: [...DEFAULT_AMOUNT_BAND_BOUNDARIES_YUAN],
});

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Checks a policy read from configuration (JSON) and fills omitted keys from {@link DEFAULT_POLICY_RULES}.
 * Throws an Error naming the offending key. Unknown keys are rejected (a typo must not silently fall back).
 */
export function parsePolicyRules(input: unknown): PolicyRules {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new Error('policy rules must be a JSON object');
  const raw = input as Record<string, unknown>;
  const known = Object.keys(DEFAULT_POLICY_RULES);
  for (const key of Object.keys(raw)) if (!known.includes(key)) throw new Error(`policy rules: unknown key '${key}'`);
  const d = DEFAULT_POLICY_RULES;
  const callerTypes = Object.values(CallerType) as string[];
  const purposes = Object.values(Purpose) as string[];
  const datasets = Object.keys(DATASETS);
  const bases: ConditionalBasis[] = ['CONSENT', 'RELATIONSHIP', 'STATUTORY'];

  const enumList = (key: string, v: unknown, allowed: string[]): string[] => {
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !allowed.includes(x))) {
      throw new Error(`policy rules: '${key}' must be a list of ${allowed.join(', ')}`);
    }
    return [...v] as string[];
  };
  const bool = (key: string, v: unknown, dflt: boolean): boolean => {
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') throw new Error(`policy rules: '${key}' must be true or false`);
    return v;
  };
  const record = (key: string, v: unknown, keys: string[]): Record<string, unknown> => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`policy rules: '${key}' must be an object`);
    for (const k of Object.keys(v)) if (!keys.includes(k)) throw new Error(`policy rules: '${key}' has unknown key '${k}'`);
    return v as Record<string, unknown>;
  };

  const purposesByCallerType = { ...d.purposesByCallerType } as Record<CallerType, Purpose[]>;
  if (raw.purposesByCallerType !== undefined) {
    const r = record('purposesByCallerType', raw.purposesByCallerType, callerTypes);
    for (const [k, v] of Object.entries(r)) purposesByCallerType[k as CallerType] = enumList(`purposesByCallerType.${k}`, v, purposes) as Purpose[];
  }
  const datasetPublishers = { ...d.datasetPublishers };
  if (raw.datasetPublishers !== undefined) {
    const r = record('datasetPublishers', raw.datasetPublishers, datasets);
    for (const [k, v] of Object.entries(r)) {
      if (v !== null && (typeof v !== 'string' || !v)) throw new Error(`policy rules: 'datasetPublishers.${k}' must be an institution code or null`);
      datasetPublishers[k as DatasetCode] = v as string | null;
    }
  }
  const conditionalBasis = { ...d.conditionalBasis };
  if (raw.conditionalBasis !== undefined) {
    const r = record('conditionalBasis', raw.conditionalBasis, purposes);
    for (const [k, v] of Object.entries(r)) {
      if (!bases.includes(v as ConditionalBasis)) throw new Error(`policy rules: 'conditionalBasis.${k}' must be one of ${bases.join(', ')}`);
      conditionalBasis[k as Purpose] = v as ConditionalBasis;
    }
  }
  let defaultPersonalMask = d.defaultPersonalMask;
  if (raw.defaultPersonalMask !== undefined) {
    if (!(Object.values(MaskKind) as unknown[]).includes(raw.defaultPersonalMask)) {
      throw new Error(`policy rules: 'defaultPersonalMask' must be one of ${Object.values(MaskKind).join(', ')}`);
    }
    defaultPersonalMask = raw.defaultPersonalMask as MaskKind;
  }
  let amountBandBoundariesYuan = [...d.amountBandBoundariesYuan];
  if (raw.amountBandBoundariesYuan !== undefined) {
    const v = raw.amountBandBoundariesYuan;
    if (
      !Array.isArray(v) ||
      v.length === 0 ||
      v.some((x, i) => !Number.isSafeInteger(x) || (x as number) <= 0 || (i > 0 && (x as number) <= (v[i - 1] as number)))
    ) {
      throw new Error("policy rules: 'amountBandBoundariesYuan' must be a non-empty ascending list of positive whole 元 amounts");
    }
    amountBandBoundariesYuan = [...(v as number[])];
  }
  return {
    purposesByCallerType,
    publisherReadsOwnDataset: bool('publisherReadsOwnDataset', raw.publisherReadsOwnDataset, d.publisherReadsOwnDataset),
    datasetPublishers,
    subjectReadsOwnData: bool('subjectReadsOwnData', raw.subjectReadsOwnData, d.subjectReadsOwnData),
    personalInClearCallerTypes:
      raw.personalInClearCallerTypes === undefined
        ? [...d.personalInClearCallerTypes]
        : (enumList('personalInClearCallerTypes', raw.personalInClearCallerTypes, callerTypes) as CallerType[]),
    maskDeclaredFieldsFor:
      raw.maskDeclaredFieldsFor === undefined ? [...d.maskDeclaredFieldsFor] : (enumList('maskDeclaredFieldsFor', raw.maskDeclaredFieldsFor, callerTypes) as CallerType[]),
    conditionalBasis,
    defaultPersonalMask,
    amountBandBoundariesYuan,
  };
}

let active: PolicyRules | undefined;

/**
 * The rules this process enforces: DEFAULT_POLICY_RULES, or the JSON file named by HUB_POLICY_FILE
 * (checked by parsePolicyRules; a bad file stops the hub at the first request rather than weakening policy).
 */
export function activePolicyRules(): PolicyRules {
  if (!active) {
    const file = process.env.HUB_POLICY_FILE;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    active = file ? parsePolicyRules(JSON.parse(require('node:fs').readFileSync(file, 'utf8'))) : DEFAULT_POLICY_RULES;
  }
  return active;
}
