import { CallerType, type Caller } from '../identity/caller';
import { SharingClass, type DatasetCode, type FieldPolicy, type MaskKind } from './catalog';
import { Purpose } from './purposes';
import { DEFAULT_POLICY_RULES, type ConditionalBasis, type PolicyRules } from './rules';

/**
 * The pure sharing-policy decision (DESIGN.md "Policy is data, decided in one place").
 *
 * No I/O and no clock: the caller passes the facts (consents, approvals, relationship) and `now`.
 * {@link requestDecider} settles what a request's decisions share once, then each subject × dataset adds
 * its consent match; {@link decideDataset} is one such decision. {@link DatasetDecision.field} is a memoised
 * lookup a resolver calls per field.
 *
 * Order of evaluation for a field (first match decides):
 *  1. `NOT_SHARED` field → DENY NOT_SHARED (whoever asks, whatever purpose).
 *  2. SUBJECT caller → ALLOW (in clear) for its own subject, else DENY NOT_OWN_SUBJECT. Subjects declare no purpose.
 *  3. no purpose → DENY PURPOSE_REQUIRED.
 *  4. DEPARTMENT reading a dataset it publishes → ALLOW in clear, whatever purpose.
 *  5. purpose not allowed for the caller type → DENY PURPOSE_NOT_ALLOWED.
 *  6. CONDITIONAL field: approved, unexpired application of the caller for this dataset and purpose
 *     (else NO_APPROVAL / APPROVAL_EXPIRED), then the purpose's basis: CONSENT (else the most specific
 *     consent reason), RELATIONSHIP (else NO_RELATIONSHIP) or STATUTORY.
 *  7. personal field → MASK (field mask or the default) unless the caller type may see personal data in
 *     clear and holds a valid matching consent, or the purpose's basis is RELATIONSHIP and it has one.
 *  8. otherwise ALLOW.
 */

export type Decision = 'ALLOW' | 'MASK' | 'DENY';

export type DenyReason =
  | 'PURPOSE_REQUIRED'
  | 'PURPOSE_NOT_ALLOWED'
  | 'NOT_SHARED'
  | 'NO_APPROVAL'
  | 'APPROVAL_EXPIRED'
  | 'NO_CONSENT'
  | 'CONSENT_EXPIRED'
  | 'CONSENT_REVOKED'
  | 'CONSENT_NOT_YET_VALID'
  | 'NO_RELATIONSHIP'
  | 'NOT_OWN_SUBJECT';

/** Human-readable reasons, safe to return to the caller (they name no personal data). */
export const DENY_MESSAGES: Readonly<Record<DenyReason, string>> = Object.freeze({
  PURPOSE_REQUIRED: 'Reading subject data requires a declared purpose (X-Hub-Purpose header): LOAN_APPROVAL, GUARANTEE_APPROVAL, POST_LOAN_MANAGEMENT or SUPERVISION.',
  PURPOSE_NOT_ALLOWED: 'Your institution type may not read subject data for the declared purpose.',
  NOT_SHARED: 'This field is not shared (不予共享): it never leaves the publishing department.',
  NO_APPROVAL: 'This field is conditionally shared (有条件共享): your institution has no approved data-use application for this dataset and purpose.',
  APPROVAL_EXPIRED: 'Your data-use application for this dataset and purpose has expired; apply again to the publishing department.',
  NO_CONSENT: 'The subject has not authorised your institution to read this dataset for the declared purpose.',
  CONSENT_EXPIRED: "The subject's authorisation for your institution, this purpose and dataset has expired.",
  CONSENT_REVOKED: "The subject's authorisation for your institution, this purpose and dataset has been revoked.",
  CONSENT_NOT_YET_VALID: "The subject's authorisation for your institution, this purpose and dataset is not valid yet.",
  NO_RELATIONSHIP: 'Post-loan management is allowed only for subjects with which your institution has an active loan or guarantee.',
  NOT_OWN_SUBJECT: 'A subject may read only its own data.',
});

/** Stable ids of the rules that decide; they go into the access log and explanations. */
export type PolicyRuleId =
  | 'sharing.not_shared'
  | 'subject.own_data'
  | 'subject.not_own'
  | 'purpose.required'
  | 'purpose.not_allowed'
  | 'publisher.own_dataset'
  | 'unconditional.open'
  | 'conditional.approval'
  | 'conditional.consent'
  | 'conditional.relationship'
  | 'conditional.statutory'
  | 'personal.masked'
  | 'caller.masked'
  | 'personal.consent'
  | 'personal.relationship';

export const RULE_DESCRIPTIONS: Readonly<Record<PolicyRuleId, string>> = Object.freeze({
  'sharing.not_shared': 'NOT_SHARED fields are denied to everyone.',
  'subject.own_data': 'A subject reads its own data in clear (except NOT_SHARED fields).',
  'subject.not_own': "A subject may not read another subject's data.",
  'purpose.required': 'Every read of subject data declares a purpose.',
  'purpose.not_allowed': 'The declared purpose is not one the caller type may use.',
  'publisher.own_dataset': 'A department reads the datasets it publishes in clear (except NOT_SHARED fields).',
  'unconditional.open': 'UNCONDITIONAL fields are shared with any institution reading for an allowed purpose.',
  'conditional.approval': 'CONDITIONAL fields need an approved, unexpired data-use application for this dataset and purpose.',
  'conditional.consent': "CONDITIONAL fields need the subject's valid consent to the caller for this purpose and dataset.",
  'conditional.relationship': 'CONDITIONAL fields for post-loan management need an active loan or guarantee with the subject.',
  'conditional.statutory': 'CONDITIONAL fields are shared on a statutory basis (supervision) with an approved application.',
  'personal.masked': 'Personal fields are masked unless the caller may see them in clear.',
  'caller.masked': 'This caller type gets every field that declares a mask masked (e.g. amounts as bands for regulators).',
  'personal.consent': "Personal fields are shown in clear: the subject's valid consent covers the caller, purpose and dataset.",
  'personal.relationship': 'Personal fields are shown in clear: the caller has an active loan or guarantee with the subject (post-loan management).',
});

export interface ConsentFact {
  id: string;
  subjectId: string;
  granteeCode: string;
  purposes: Purpose[];
  datasets: DatasetCode[];
  validFrom: Date;
  validTo: Date;
  revokedAt: Date | null;
}

export interface ApprovalFact {
  id: string;
  consumerCode: string;
  dataset: DatasetCode;
  purpose: Purpose;
  status: 'PENDING' | 'APPROVED' | 'REJECTED' | 'WITHDRAWN';
  /** Approved applications always carry an expiry (the store enforces it); null is read as open-ended. */
  expiresAt: Date | null;
}

/** One decision on its own: the request's facts and one subject's (see {@link requestDecider}). */
export type DatasetDecisionInput = RequestFacts & SubjectFacts;

export interface FieldDecision {
  decision: Decision;
  /** Set exactly when `decision` is DENY. */
  reason?: DenyReason;
  /** Set exactly when `decision` is MASK. */
  mask?: MaskKind;
  /** Stable id of the rule that decided, e.g. 'conditional.consent' (see {@link RULE_DESCRIPTIONS}). */
  rule: PolicyRuleId;
}

export interface DatasetBase {
  /** The approved, unexpired application used, if any (for the access log). */
  approvalId?: string;
  /** Set when every shared field of the dataset is denied (purpose, subject). */
  denyReason?: DenyReason;
  /** The dataset-level rule: the deny/full-access rule, else the CONDITIONAL gate's rule. */
  rule: PolicyRuleId;
  /** Why CONDITIONAL fields are denied when the dataset as a whole is not (approval, consent, relationship). */
  conditionalDenyReason?: DenyReason;
  /** Whether personal fields are shown in clear (subject to the field's sharing class being allowed). */
  personalInClear: boolean;
}

export interface DatasetDecision {
  dataset: DatasetCode;
  subjectId: string;
  /** The dataset-level outcome, shared by the subjects of a request with the same outcome. */
  base: DatasetBase;
  /** This subject's valid consent matching caller, purpose and dataset, where the decision relies on it (for the access log). */
  consentId?: string;
  /** The decision for one field of this dataset: a memoised lookup. Throws if the field belongs to another dataset. */
  field(policy: FieldPolicy): FieldDecision;
}

type Gate = { ok: true; rule: PolicyRuleId } | { ok: false; reason: DenyReason; rule: PolicyRuleId };

/** Everything field() needs. Shared by the subjects of a request with the same outcome, so it names no consent. */
interface Plan {
  /** Denies every shared field. */
  denyAll?: { reason: DenyReason; rule: PolicyRuleId };
  /** Allows every shared field in clear. */
  allowAll?: PolicyRuleId;
  conditional: Gate;
  personal: { clear: true; rule: PolicyRuleId } | { clear: false };
  defaultMask: MaskKind;
  /** Mask every field that declares a mask (rules.maskDeclaredFieldsFor). */
  maskDeclared?: boolean;
  /** Whether the subject's matching consent is relied on (then the decision names it). */
  consentUsed?: boolean;
  approvalId?: string;
}

const NOT_SHARED_DECISION: FieldDecision = Object.freeze({ decision: 'DENY', reason: 'NOT_SHARED', rule: 'sharing.not_shared' });

/** What every decision of one request shares: the caller, the purpose, the caller's applications, the rules and the clock. */
export interface RequestFacts {
  caller: Caller;
  purpose?: Purpose;
  /** The caller's data-use applications; other consumers' are ignored if passed. */
  approvals: readonly ApprovalFact[];
  now: Date;
  rules?: PolicyRules;
}

/** What one subject adds to a decision about one of its datasets. */
export interface SubjectFacts {
  subjectId: string;
  dataset: DatasetCode;
  /** Consents of this subject (any grantee); other subjects' consents are ignored if passed. */
  consents: readonly ConsentFact[];
  /** Whether the caller has an active loan or guarantee with the subject. */
  hasRelationship: boolean;
}

export function decideDataset(input: DatasetDecisionInput): DatasetDecision {
  return requestDecider(input)(input);
}

/**
 * The decisions of one request. What does not depend on the subject (purpose checks, the approval for each
 * dataset) is settled once per dataset; a subject adds only its consent match and relationship, and subjects
 * with the same outcome share one plan and its field decisions — a 10,000-subject batch makes a handful of
 * plans, not 10,000 × datasets.
 */
export function requestDecider(facts: RequestFacts): (subject: SubjectFacts) => DatasetDecision {
  const rules = facts.rules ?? DEFAULT_POLICY_RULES;
  const t = facts.now.getTime();
  const gates = new Map<DatasetCode, DatasetGate>();
  return (subject) => {
    const { dataset, subjectId } = subject;
    let gate = gates.get(dataset);
    if (!gate) gates.set(dataset, (gate = datasetGate(facts, dataset, rules)));
    let shared: SharedPlan;
    let consentId: string | undefined;
    if (gate.kind === 'final') shared = gate.shared ??= sharePlan(dataset, gate.plan);
    else if (gate.kind === 'subject') {
      const own = gate.own !== undefined && subjectId === gate.own;
      shared = own ? (gate.ownPlan ??= sharePlan(dataset, full('subject.own_data', rules))) : (gate.otherPlan ??= sharePlan(dataset, denied('NOT_OWN_SUBJECT', 'subject.not_own', rules)));
    } else {
      const consent = matchConsent(facts.caller.orgCode, subject, gate.purpose, t);
      const related = gate.basis === 'RELATIONSHIP' && subject.hasRelationship;
      // Plans by consent outcome ('+' or the reason) and relationship: a handful per request.
      const plans = related ? (gate.relatedPlans ??= new Map()) : gate.plans;
      const key = consent.ok ? '+' : consent.reason;
      let found = plans.get(key);
      if (!found) plans.set(key, (found = sharePlan(dataset, gatedPlan(gate, consent, related, rules))));
      shared = found;
      if (consent.ok && found.plan.consentUsed) consentId = consent.id;
    }
    const decision: DatasetDecision = { dataset, subjectId, base: shared.base, field: shared.field };
    if (consentId) decision.consentId = consentId;
    return decision;
  };
}

/**
 * What of one subject's facts its decisions depend on, as a key: within one request, subjects with the same key
 * get the same decision for every dataset (the same base and field decisions), and where a decision names a consent
 * it is the subject's own one, `consentId`. So a batch decides once per kind of subject, not once per subject.
 * Null where subjects must be decided one by one: a subject caller (own subject or not), or more than one consent
 * to the caller (which one counts depends on their validity per purpose and dataset).
 */
export function subjectDecisionKey(
  facts: Pick<RequestFacts, 'caller' | 'now'>,
  subject: Pick<SubjectFacts, 'subjectId' | 'consents' | 'hasRelationship'>,
): { key: string; consentId?: string } | null {
  if (facts.caller.type === CallerType.SUBJECT) return null;
  const org = facts.caller.orgCode;
  let own: ConsentFact | undefined;
  for (const c of subject.consents) {
    // Only the subject's consents to the caller count (see matchConsent).
    if (!org || c.subjectId !== subject.subjectId || c.granteeCode !== org) continue;
    if (own) return null;
    own = c;
  }
  const related = subject.hasRelationship ? 'R' : '-';
  if (!own) return { key: related };
  const t = facts.now.getTime();
  // The same order of tests as matchConsent: revoked, expired, not yet valid, else valid.
  const state = own.revokedAt && own.revokedAt.getTime() <= t ? 'revoked' : t >= own.validTo.getTime() ? 'expired' : t < own.validFrom.getTime() ? 'not-yet' : 'valid';
  return { key: `${related}|${state}|${own.purposes.join(',')}|${own.datasets.join(',')}`, consentId: own.id };
}

/** The subject-independent part of a dataset's decision (and the plans made from it): a final plan, the own-subject test, or the gates left for the subject's consent. */
type DatasetGate =
  | { kind: 'final'; plan: Plan; shared?: SharedPlan }
  | { kind: 'subject'; own: string | undefined; ownPlan?: SharedPlan; otherPlan?: SharedPlan }
  | {
      kind: 'gated';
      purpose: Purpose;
      approval: Match;
      basis: ConditionalBasis;
      mayClear: boolean;
      maskDeclared: boolean;
      plans: Map<string, SharedPlan>;
      relatedPlans?: Map<string, SharedPlan>;
    };

function datasetGate(facts: RequestFacts, dataset: DatasetCode, rules: PolicyRules): DatasetGate {
  const { caller, purpose } = facts;
  if (caller.type === CallerType.SUBJECT) return { kind: 'subject', own: rules.subjectReadsOwnData && caller.subjectId ? caller.subjectId : undefined };
  if (!purpose) return { kind: 'final', plan: denied('PURPOSE_REQUIRED', 'purpose.required', rules) };
  if (
    caller.type === CallerType.DEPARTMENT &&
    rules.publisherReadsOwnDataset &&
    !!caller.orgCode &&
    rules.datasetPublishers[dataset] === caller.orgCode
  ) {
    return { kind: 'final', plan: full('publisher.own_dataset', rules) };
  }
  const allowedPurposes = rules.purposesByCallerType[caller.type] ?? [];
  if (!allowedPurposes.includes(purpose)) return { kind: 'final', plan: denied('PURPOSE_NOT_ALLOWED', 'purpose.not_allowed', rules) };
  return {
    kind: 'gated',
    purpose,
    approval: matchApproval(caller.orgCode, facts.approvals, dataset, purpose, facts.now.getTime()),
    basis: rules.conditionalBasis[purpose] ?? 'CONSENT',
    mayClear: rules.personalInClearCallerTypes.includes(caller.type),
    maskDeclared: rules.maskDeclaredFieldsFor.includes(caller.type),
    plans: new Map(),
  };
}

function gatedPlan(gate: Extract<DatasetGate, { kind: 'gated' }>, consent: Match, relationship: boolean, rules: PolicyRules): Plan {
  const { approval, basis } = gate;
  let conditional: Gate;
  if (!approval.ok) conditional = { ok: false, reason: approval.reason, rule: 'conditional.approval' };
  else if (basis === 'CONSENT') {
    conditional = consent.ok ? { ok: true, rule: 'conditional.consent' } : { ok: false, reason: consent.reason, rule: 'conditional.consent' };
  } else if (basis === 'RELATIONSHIP') {
    conditional = relationship ? { ok: true, rule: 'conditional.relationship' } : { ok: false, reason: 'NO_RELATIONSHIP', rule: 'conditional.relationship' };
  } else {
    conditional = { ok: true, rule: 'conditional.statutory' };
  }
  const personal: Plan['personal'] = !gate.mayClear
    ? { clear: false }
    : consent.ok
      ? { clear: true, rule: 'personal.consent' }
      : relationship
        ? { clear: true, rule: 'personal.relationship' }
        : { clear: false };
  return {
    conditional,
    personal,
    defaultMask: rules.defaultPersonalMask,
    maskDeclared: gate.maskDeclared,
    // The consent is reported only where it was relied on (a regulator's statutory read uses none).
    consentUsed: consent.ok && ((basis === 'CONSENT' && approval.ok) || (personal.clear && personal.rule === 'personal.consent')),
    approvalId: approval.ok ? approval.id : undefined,
  };
}

/** A plan with its dataset-level summary and memoised field lookup, shared by every subject it applies to. */
interface SharedPlan {
  plan: Plan;
  base: DatasetBase;
  field(policy: FieldPolicy): FieldDecision;
}

function sharePlan(dataset: DatasetCode, plan: Plan): SharedPlan {
  const base: DatasetBase = {
    rule: plan.denyAll?.rule ?? plan.allowAll ?? plan.conditional.rule,
    personalInClear: !plan.denyAll && (plan.allowAll !== undefined || plan.personal.clear),
  };
  if (plan.approvalId) base.approvalId = plan.approvalId;
  if (plan.denyAll) base.denyReason = plan.denyAll.reason;
  else if (!plan.allowAll && !plan.conditional.ok) base.conditionalDenyReason = plan.conditional.reason;
  Object.freeze(base);
  const memo = fieldMemo(plan);
  return {
    plan,
    base,
    field(policy: FieldPolicy): FieldDecision {
      let d = memo.get(policy);
      if (d) return d;
      if (policy.dataset !== dataset) {
        throw new Error(`field policy of dataset '${policy.dataset}' looked up in the decision for dataset '${dataset}'`);
      }
      d = decideField(plan, policy);
      memo.set(policy, d);
      return d;
    },
  };
}

/**
 * Field decisions depend on the plan's gates only (not on which consent or approval matched): they are
 * memoised per plan shape, process-wide. The number of shapes is bounded by the combinations of rules,
 * reasons and masks.
 */
const fieldMemos = new Map<string, WeakMap<FieldPolicy, FieldDecision>>();
function fieldMemo(plan: Plan): WeakMap<FieldPolicy, FieldDecision> {
  const c = plan.conditional;
  const shape =
    (plan.denyAll ? plan.denyAll.reason + '/' + plan.denyAll.rule : '') +
    '|' + (plan.allowAll ?? '') +
    '|' + (c.ok ? '+' + c.rule : '-' + c.reason + '/' + c.rule) +
    '|' + (plan.personal.clear ? plan.personal.rule : '') +
    '|' + plan.defaultMask +
    '|' + (plan.maskDeclared ? 'M' : '');
  let memo = fieldMemos.get(shape);
  if (!memo) fieldMemos.set(shape, (memo = new WeakMap()));
  return memo;
}

function decideField(plan: Plan, policy: FieldPolicy): FieldDecision {
  const sharing = policy.sharing;
  // Unknown sharing classes (bad metadata) fail closed, like NOT_SHARED.
  if (sharing !== SharingClass.UNCONDITIONAL && sharing !== SharingClass.CONDITIONAL) return NOT_SHARED_DECISION;
  if (plan.denyAll) return deny(plan.denyAll.reason, plan.denyAll.rule);
  if (plan.allowAll) return allow(plan.allowAll);

  let allowRule: PolicyRuleId = 'unconditional.open';
  if (sharing === SharingClass.CONDITIONAL) {
    if (!plan.conditional.ok) return deny(plan.conditional.reason, plan.conditional.rule);
    allowRule = plan.conditional.rule;
  }
  if (plan.maskDeclared && policy.mask && !policy.personal) return Object.freeze({ decision: 'MASK', mask: policy.mask, rule: 'caller.masked' });
  if (policy.personal) {
    if (!plan.personal.clear) return Object.freeze({ decision: 'MASK', mask: policy.mask ?? plan.defaultMask, rule: 'personal.masked' });
    // A CONDITIONAL field admitted by consent or relationship names that rule; an UNCONDITIONAL one the personal rule.
    if (sharing === SharingClass.UNCONDITIONAL) allowRule = plan.personal.rule;
  }
  return allow(allowRule);
}

function deny(reason: DenyReason, rule: PolicyRuleId): FieldDecision {
  return Object.freeze({ decision: 'DENY', reason, rule });
}
function allow(rule: PolicyRuleId): FieldDecision {
  return Object.freeze({ decision: 'ALLOW', rule });
}

function denied(reason: DenyReason, rule: PolicyRuleId, rules: PolicyRules): Plan {
  return { denyAll: { reason, rule }, conditional: { ok: false, reason, rule }, personal: { clear: false }, defaultMask: rules.defaultPersonalMask };
}
function full(rule: PolicyRuleId, rules: PolicyRules): Plan {
  return { allowAll: rule, conditional: { ok: true, rule }, personal: { clear: true, rule }, defaultMask: rules.defaultPersonalMask };
}

type Match = { ok: true; id: string } | { ok: false; reason: DenyReason };

/**
 * The subject's consent to the caller's institution for this purpose and dataset, valid at `t`.
 * When none is valid, the most specific reason among the matching ones: revoked, expired, not yet valid;
 * a consent to another grantee, for another purpose or dataset, or of another subject is NO_CONSENT.
 */
function matchConsent(org: string | undefined, subject: SubjectFacts, purpose: Purpose, t: number): Match {
  if (!org) return { ok: false, reason: 'NO_CONSENT' };
  let revoked = false;
  let expired = false;
  let notYet = false;
  let best: ConsentFact | undefined;
  for (const c of subject.consents) {
    if (c.subjectId !== subject.subjectId || c.granteeCode !== org) continue;
    if (!c.purposes.includes(purpose) || !c.datasets.includes(subject.dataset)) continue;
    if (c.revokedAt && c.revokedAt.getTime() <= t) revoked = true;
    else if (t >= c.validTo.getTime()) expired = true;
    else if (t < c.validFrom.getTime()) notYet = true;
    // Several valid consents: log the one that stays valid longest (deterministic).
    else if (!best || c.validTo.getTime() > best.validTo.getTime() || (c.validTo.getTime() === best.validTo.getTime() && c.id < best.id)) best = c;
  }
  if (best) return { ok: true, id: best.id };
  return { ok: false, reason: revoked ? 'CONSENT_REVOKED' : expired ? 'CONSENT_EXPIRED' : notYet ? 'CONSENT_NOT_YET_VALID' : 'NO_CONSENT' };
}

/** The caller's APPROVED, unexpired application for exactly this dataset and purpose. */
function matchApproval(org: string | undefined, approvals: readonly ApprovalFact[], dataset: DatasetCode, purpose: Purpose, t: number): Match {
  if (!org) return { ok: false, reason: 'NO_APPROVAL' };
  let expired = false;
  let best: ApprovalFact | undefined;
  for (const a of approvals) {
    if (a.consumerCode !== org || a.dataset !== dataset || a.purpose !== purpose || a.status !== 'APPROVED') continue;
    if (a.expiresAt && t >= a.expiresAt.getTime()) expired = true;
    else if (!best || expiresLater(a, best) || (sameExpiry(a, best) && a.id < best.id)) best = a;
  }
  if (best) return { ok: true, id: best.id };
  return { ok: false, reason: expired ? 'APPROVAL_EXPIRED' : 'NO_APPROVAL' };
}

function expiry(a: ApprovalFact): number {
  return a.expiresAt ? a.expiresAt.getTime() : Number.POSITIVE_INFINITY;
}
function expiresLater(a: ApprovalFact, b: ApprovalFact): boolean {
  return expiry(a) > expiry(b);
}
function sameExpiry(a: ApprovalFact, b: ApprovalFact): boolean {
  return expiry(a) === expiry(b);
}

/** One line explaining a field decision, for logs, CLI `explain` output and error extensions. */
export function explainField(d: FieldDecision): string {
  const head = d.decision === 'DENY' ? `DENY ${d.reason}` : d.decision === 'MASK' ? `MASK ${d.mask}` : 'ALLOW';
  const why = d.decision === 'DENY' && d.reason ? DENY_MESSAGES[d.reason] : RULE_DESCRIPTIONS[d.rule];
  return `${head} [${d.rule}]: ${why}`;
}
