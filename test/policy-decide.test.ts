import { CallerType, type Caller } from '../src/identity/caller';
import { MaskKind, SharingClass, type DatasetCode, type FieldPolicy } from '../src/policy/catalog';
import {
  DENY_MESSAGES,
  RULE_DESCRIPTIONS,
  decideDataset,
  requestDecider,
  subjectDecisionKey,
  explainField,
  type ApprovalFact,
  type ConsentFact,
  type DatasetDecisionInput,
  type DenyReason,
  type FieldDecision,
} from '../src/policy/decide';
import { Purpose } from '../src/policy/purposes';
import { DEFAULT_POLICY_RULES, parsePolicyRules, type PolicyRules } from '../src/policy/rules';

// ---------------------------------------------------------------- fixtures

const NOW = new Date('2025-06-01T04:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY);

const SUBJECT = '91350100M000100Y43';
const OTHER_SUBJECT = '11010519491231002X';
/** Published by CQ-TAX (src/policy/datasets.ts). */
const DATASET: DatasetCode = 'tax';

const F = {
  open: { dataset: DATASET, sharing: SharingClass.UNCONDITIONAL },
  openPersonal: { dataset: DATASET, sharing: SharingClass.UNCONDITIONAL, personal: true }, // no mask: the default applies
  conditional: { dataset: DATASET, sharing: SharingClass.CONDITIONAL },
  conditionalAmount: { dataset: DATASET, sharing: SharingClass.CONDITIONAL, mask: MaskKind.AMOUNT_BAND },
  conditionalPersonal: { dataset: DATASET, sharing: SharingClass.CONDITIONAL, personal: true, mask: MaskKind.SHOW_FIRST6_LAST4 },
  notShared: { dataset: DATASET, sharing: SharingClass.NOT_SHARED },
} satisfies Record<string, FieldPolicy>;
type FieldKey = keyof typeof F;

const CALLERS = {
  BANK: { type: CallerType.BANK, orgCode: 'CQ-BANK-01', userId: 'loan-officer' },
  GUARANTOR: { type: CallerType.GUARANTOR, orgCode: 'CQ-GUAR-01', userId: 'analyst' },
  REGULATOR: { type: CallerType.REGULATOR, orgCode: 'CQ-FIN', userId: 'supervisor' },
  DEPARTMENT_OWN: { type: CallerType.DEPARTMENT, orgCode: 'CQ-TAX', userId: 'clerk' },
  DEPARTMENT_OTHER: { type: CallerType.DEPARTMENT, orgCode: 'CQ-AMR', userId: 'clerk' },
  OPERATOR: { type: CallerType.OPERATOR, orgCode: 'HUB-OPS', userId: 'ops' },
  SUBJECT_OWN: { type: CallerType.SUBJECT, subjectId: SUBJECT, userId: 'subject' },
  SUBJECT_OTHER: { type: CallerType.SUBJECT, subjectId: OTHER_SUBJECT, userId: 'subject' },
} satisfies Record<string, Caller>;
type CallerKey = keyof typeof CALLERS;
const orgOf = (k: CallerKey): string | undefined => (CALLERS[k] as Caller).orgCode;

const PURPOSES: (Purpose | undefined)[] = [undefined, Purpose.LOAN_APPROVAL, Purpose.GUARANTEE_APPROVAL, Purpose.POST_LOAN_MANAGEMENT, Purpose.SUPERVISION];

const CONSENT_STATES = ['none', 'valid', 'expired', 'revoked', 'notYetValid', 'wrongPurpose', 'wrongGrantee', 'wrongDataset', 'otherSubject'] as const;
type ConsentState = (typeof CONSENT_STATES)[number];

const APPROVAL_STATES = ['none', 'approved', 'expired', 'rejected', 'pending', 'wrongPurpose', 'otherConsumer'] as const;
type ApprovalState = (typeof APPROVAL_STATES)[number];

interface Cell {
  caller: CallerKey;
  purpose: Purpose | undefined;
  consent: ConsentState;
  approval: ApprovalState;
  relationship: boolean;
}

/** The purpose the facts are about: the declared one, or LOAN_APPROVAL where none is declared. */
const factPurpose = (p: Purpose | undefined) => p ?? Purpose.LOAN_APPROVAL;
const anotherPurpose = (p: Purpose) => (p === Purpose.LOAN_APPROVAL ? Purpose.GUARANTEE_APPROVAL : Purpose.LOAN_APPROVAL);

function consentFacts(cell: Cell): ConsentFact[] {
  const grantee = orgOf(cell.caller) ?? 'NO-ORG';
  const purpose = factPurpose(cell.purpose);
  const c: ConsentFact = {
    id: `consent-${cell.consent}`,
    subjectId: SUBJECT,
    granteeCode: grantee,
    purposes: [purpose],
    datasets: [DATASET, 'registration'],
    validFrom: at(-30),
    validTo: at(335),
    revokedAt: null,
  };
  switch (cell.consent) {
    case 'none':
      return [];
    case 'valid':
      return [c];
    case 'expired':
      return [{ ...c, validFrom: at(-400), validTo: at(-35) }];
    case 'revoked':
      return [{ ...c, revokedAt: at(-1) }];
    case 'notYetValid':
      return [{ ...c, validFrom: at(2), validTo: at(100) }];
    case 'wrongPurpose':
      return [{ ...c, purposes: [anotherPurpose(purpose)] }];
    case 'wrongGrantee':
      return [{ ...c, granteeCode: 'CQ-SOMEONE-ELSE' }];
    case 'wrongDataset':
      return [{ ...c, datasets: ['registration', 'judicial'] }];
    case 'otherSubject':
      return [{ ...c, subjectId: OTHER_SUBJECT }];
  }
}

function approvalFacts(cell: Cell): ApprovalFact[] {
  const a: ApprovalFact = {
    id: `approval-${cell.approval}`,
    consumerCode: orgOf(cell.caller) ?? 'NO-ORG',
    dataset: DATASET,
    purpose: factPurpose(cell.purpose),
    status: 'APPROVED',
    expiresAt: at(180),
  };
  switch (cell.approval) {
    case 'none':
      return [];
    case 'approved':
      return [a];
    case 'expired':
      return [{ ...a, expiresAt: at(-1) }];
    case 'rejected':
      return [{ ...a, status: 'REJECTED', expiresAt: null }];
    case 'pending':
      return [{ ...a, status: 'PENDING', expiresAt: null }];
    case 'wrongPurpose':
      return [{ ...a, purpose: anotherPurpose(a.purpose) }];
    case 'otherConsumer':
      return [{ ...a, consumerCode: 'CQ-SOMEONE-ELSE' }];
  }
}

function inputFor(cell: Cell): DatasetDecisionInput {
  return {
    caller: CALLERS[cell.caller],
    purpose: cell.purpose,
    subjectId: SUBJECT,
    dataset: DATASET,
    consents: consentFacts(cell),
    approvals: approvalFacts(cell),
    hasRelationship: cell.relationship,
    now: NOW,
  };
}

// ---------------------------------------------------------------- the expected outcome, written out as the brief states it

type Outcome = { decision: 'ALLOW' } | { decision: 'MASK'; mask: MaskKind } | { decision: 'DENY'; reason: DenyReason };
const ALLOW: Outcome = { decision: 'ALLOW' };
const deny = (reason: DenyReason): Outcome => ({ decision: 'DENY', reason });

/** Which purposes each kind of caller may declare. */
const MAY_DECLARE: Record<CallerKey, Purpose[]> = {
  BANK: [Purpose.LOAN_APPROVAL, Purpose.POST_LOAN_MANAGEMENT],
  GUARANTOR: [Purpose.GUARANTEE_APPROVAL, Purpose.POST_LOAN_MANAGEMENT],
  REGULATOR: [Purpose.SUPERVISION],
  DEPARTMENT_OWN: [],
  DEPARTMENT_OTHER: [],
  OPERATOR: [],
  SUBJECT_OWN: [],
  SUBJECT_OTHER: [],
};

/** Why a consent-based read is refused in each consent state (null: it is not). */
const CONSENT_PROBLEM: Record<ConsentState, DenyReason | null> = {
  none: 'NO_CONSENT',
  valid: null,
  expired: 'CONSENT_EXPIRED',
  revoked: 'CONSENT_REVOKED',
  notYetValid: 'CONSENT_NOT_YET_VALID',
  wrongPurpose: 'NO_CONSENT',
  wrongGrantee: 'NO_CONSENT',
  wrongDataset: 'NO_CONSENT',
  otherSubject: 'NO_CONSENT',
};

function expected(cell: Cell, fieldKey: FieldKey): Outcome {
  const field: FieldPolicy = F[fieldKey];
  const { caller, purpose } = cell;

  if (field.sharing === SharingClass.NOT_SHARED) return deny('NOT_SHARED');

  // A subject reads its own data (no purpose needed), nobody else's.
  if (caller === 'SUBJECT_OWN') return ALLOW;
  if (caller === 'SUBJECT_OTHER') return deny('NOT_OWN_SUBJECT');

  if (purpose === undefined) return deny('PURPOSE_REQUIRED');

  // A department reads the dataset it publishes, whatever purpose it names.
  if (caller === 'DEPARTMENT_OWN') return ALLOW;

  if (!MAY_DECLARE[caller].includes(purpose)) return deny('PURPOSE_NOT_ALLOWED');

  if (field.sharing === SharingClass.CONDITIONAL) {
    if (cell.approval === 'expired') return deny('APPROVAL_EXPIRED');
    if (cell.approval !== 'approved') return deny('NO_APPROVAL');
    if (purpose === Purpose.LOAN_APPROVAL || purpose === Purpose.GUARANTEE_APPROVAL) {
      const problem = CONSENT_PROBLEM[cell.consent];
      if (problem) return deny(problem);
    }
    if (purpose === Purpose.POST_LOAN_MANAGEMENT && !cell.relationship) return deny('NO_RELATIONSHIP');
    // SUPERVISION: statutory basis, the approval is enough.
  }

  // Regulators get every field that declares a mask masked (amounts as bands), personal or not.
  if (caller === 'REGULATOR' && field.mask && !field.personal) return { decision: 'MASK', mask: field.mask };
  if (field.personal) {
    const mayEverSeeInClear = caller === 'BANK' || caller === 'GUARANTOR';
    const hasBasis = cell.consent === 'valid' || (purpose === Purpose.POST_LOAN_MANAGEMENT && cell.relationship);
    if (!(mayEverSeeInClear && hasBasis)) return { decision: 'MASK', mask: field.mask ?? MaskKind.PARTIAL_NAME };
  }
  return ALLOW;
}

function outcomeOf(d: FieldDecision): Outcome {
  if (d.decision === 'DENY') return { decision: 'DENY', reason: d.reason as DenyReason };
  if (d.decision === 'MASK') return { decision: 'MASK', mask: d.mask as MaskKind };
  return ALLOW;
}

/** The decision's shape is consistent: reason exactly on DENY, mask exactly on MASK, a known rule id. */
function shapeProblems(d: FieldDecision): string[] {
  const p: string[] = [];
  if ((d.decision === 'DENY') !== (d.reason !== undefined)) p.push('reason must be set exactly on DENY');
  if ((d.decision === 'MASK') !== (d.mask !== undefined)) p.push('mask must be set exactly on MASK');
  if (!(d.rule in RULE_DESCRIPTIONS)) p.push(`unknown rule id ${d.rule}`);
  return p;
}

// ---------------------------------------------------------------- the matrix

const FIELD_KEYS = Object.keys(F) as FieldKey[];
const CALLER_KEYS = Object.keys(CALLERS) as CallerKey[];
let cellsChecked = 0;

describe.each(CALLER_KEYS)('caller %s', (callerKey) => {
  it.each(PURPOSES.map((p) => [p ?? '(no purpose)', p] as const))('purpose %s: every consent × approval × relationship × field', (_label, purpose) => {
    const mismatches: string[] = [];
    for (const consent of CONSENT_STATES) {
      for (const approval of APPROVAL_STATES) {
        for (const relationship of [false, true]) {
          const cell: Cell = { caller: callerKey, purpose, consent, approval, relationship };
          const decision = decideDataset(inputFor(cell));
          for (const fieldKey of FIELD_KEYS) {
            cellsChecked++;
            const got = decision.field(F[fieldKey]);
            const want = expected(cell, fieldKey);
            const where = `consent=${consent} approval=${approval} relationship=${relationship} field=${fieldKey}`;
            if (JSON.stringify(outcomeOf(got)) !== JSON.stringify(want)) mismatches.push(`${where}: got ${JSON.stringify(outcomeOf(got))} (${got.rule}), want ${JSON.stringify(want)}`);
            for (const problem of shapeProblems(got)) mismatches.push(`${where}: ${problem}`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});

afterAll(() => {
  const size = CALLER_KEYS.length * PURPOSES.length * CONSENT_STATES.length * APPROVAL_STATES.length * 2 * FIELD_KEYS.length;
  // Every cell ran (a describe.each that silently skipped would show here).
  expect(cellsChecked).toBe(size);
});

// ---------------------------------------------------------------- targeted cases

function input(overrides: Partial<DatasetDecisionInput> = {}): DatasetDecisionInput {
  return {
    caller: CALLERS.BANK,
    purpose: Purpose.LOAN_APPROVAL,
    subjectId: SUBJECT,
    dataset: DATASET,
    consents: [],
    approvals: [],
    hasRelationship: false,
    now: NOW,
    ...overrides,
  };
}
const consent = (o: Partial<ConsentFact> = {}): ConsentFact => ({
  id: 'c1',
  subjectId: SUBJECT,
  granteeCode: CALLERS.BANK.orgCode,
  purposes: [Purpose.LOAN_APPROVAL],
  datasets: [DATASET],
  validFrom: at(-10),
  validTo: at(10),
  revokedAt: null,
  ...o,
});
const approval = (o: Partial<ApprovalFact> = {}): ApprovalFact => ({
  id: 'a1',
  consumerCode: CALLERS.BANK.orgCode,
  dataset: DATASET,
  purpose: Purpose.LOAN_APPROVAL,
  status: 'APPROVED',
  expiresAt: at(30),
  ...o,
});

describe('dataset base', () => {
  it('records the consent and approval used and the deciding rule', () => {
    const d = decideDataset(input({ consents: [consent()], approvals: [approval()] }));
    expect(d.base).toEqual({ approvalId: 'a1', rule: 'conditional.consent', personalInClear: true });
    expect(d.consentId).toBe('c1');
    expect(d.field(F.conditional)).toEqual({ decision: 'ALLOW', rule: 'conditional.consent' });
    expect(d.field(F.conditionalPersonal)).toEqual({ decision: 'ALLOW', rule: 'conditional.consent' });
    expect(d.field(F.openPersonal)).toEqual({ decision: 'ALLOW', rule: 'personal.consent' });
    expect(d.field(F.open)).toEqual({ decision: 'ALLOW', rule: 'unconditional.open' });
    expect(d.dataset).toBe(DATASET);
    expect(d.subjectId).toBe(SUBJECT);
  });

  it('reports a dataset-wide denial', () => {
    const d = decideDataset(input({ purpose: undefined }));
    expect(d.base).toEqual({ denyReason: 'PURPOSE_REQUIRED', rule: 'purpose.required', personalInClear: false });
    expect(d.field(F.open)).toEqual({ decision: 'DENY', reason: 'PURPOSE_REQUIRED', rule: 'purpose.required' });
    expect(d.field(F.notShared)).toEqual({ decision: 'DENY', reason: 'NOT_SHARED', rule: 'sharing.not_shared' });
  });

  it('reports why conditional fields are denied while unconditional ones are shared', () => {
    const d = decideDataset(input({ consents: [consent()] }));
    expect(d.base).toMatchObject({ conditionalDenyReason: 'NO_APPROVAL', rule: 'conditional.approval', personalInClear: true });
    expect(d.consentId).toBe('c1');
    expect(d.base.denyReason).toBeUndefined();
    expect(d.field(F.conditional)).toEqual({ decision: 'DENY', reason: 'NO_APPROVAL', rule: 'conditional.approval' });
    expect(d.field(F.openPersonal)).toEqual({ decision: 'ALLOW', rule: 'personal.consent' });
  });

  it('a regulator reads conditional data on a statutory basis, personal fields masked, no consent used', () => {
    const regulator = CALLERS.REGULATOR;
    const d = decideDataset(
      input({
        caller: regulator,
        purpose: Purpose.SUPERVISION,
        approvals: [approval({ consumerCode: regulator.orgCode, purpose: Purpose.SUPERVISION })],
        // even a consent naming the regulator does not unmask personal data
        consents: [consent({ granteeCode: regulator.orgCode, purposes: [Purpose.SUPERVISION] })],
      }),
    );
    expect(d.base).toEqual({ approvalId: 'a1', rule: 'conditional.statutory', personalInClear: false });
    expect(d.field(F.conditional)).toEqual({ decision: 'ALLOW', rule: 'conditional.statutory' });
    expect(d.field(F.conditionalPersonal)).toEqual({ decision: 'MASK', mask: MaskKind.SHOW_FIRST6_LAST4, rule: 'personal.masked' });
    expect(d.field(F.openPersonal)).toEqual({ decision: 'MASK', mask: MaskKind.PARTIAL_NAME, rule: 'personal.masked' });
  });

  it('post-loan management with a relationship: clear personal data, relationship rule, no consent', () => {
    const d = decideDataset(input({ purpose: Purpose.POST_LOAN_MANAGEMENT, hasRelationship: true, approvals: [approval({ purpose: Purpose.POST_LOAN_MANAGEMENT })] }));
    expect(d.base).toEqual({ approvalId: 'a1', rule: 'conditional.relationship', personalInClear: true });
    expect(d.field(F.openPersonal)).toEqual({ decision: 'ALLOW', rule: 'personal.relationship' });
    expect(d.field(F.conditionalPersonal)).toEqual({ decision: 'ALLOW', rule: 'conditional.relationship' });
  });

  it('post-loan management does not accept an approval given for loan approval (strict purpose)', () => {
    const d = decideDataset(input({ purpose: Purpose.POST_LOAN_MANAGEMENT, hasRelationship: true, approvals: [approval()] }));
    expect(d.field(F.conditional)).toMatchObject({ decision: 'DENY', reason: 'NO_APPROVAL' });
  });

  it('subject and publisher full access', () => {
    const own = decideDataset(input({ caller: CALLERS.SUBJECT_OWN, purpose: undefined }));
    expect(own.base).toEqual({ rule: 'subject.own_data', personalInClear: true });
    expect(own.field(F.conditionalPersonal)).toEqual({ decision: 'ALLOW', rule: 'subject.own_data' });
    const pub = decideDataset(input({ caller: CALLERS.DEPARTMENT_OWN, purpose: Purpose.SUPERVISION }));
    expect(pub.field(F.conditionalPersonal)).toEqual({ decision: 'ALLOW', rule: 'publisher.own_dataset' });
    expect(pub.field(F.notShared)).toMatchObject({ decision: 'DENY', reason: 'NOT_SHARED' });
  });

  it('nobody publishes exposure datasets: a department reading loans is an ordinary caller', () => {
    const loans: FieldPolicy = { dataset: 'loans', sharing: SharingClass.UNCONDITIONAL };
    const d = decideDataset(input({ caller: CALLERS.DEPARTMENT_OWN, dataset: 'loans' }));
    expect(d.field(loans)).toMatchObject({ decision: 'DENY', reason: 'PURPOSE_NOT_ALLOWED' });
  });

  it('a subject token without a subject id reads nothing', () => {
    const d = decideDataset(input({ caller: { type: CallerType.SUBJECT, userId: 'x' }, purpose: undefined }));
    expect(d.field(F.open)).toMatchObject({ decision: 'DENY', reason: 'NOT_OWN_SUBJECT' });
  });

  it('an institution caller without an org code matches no consent or approval', () => {
    const d = decideDataset(input({ caller: { type: CallerType.BANK, userId: 'x' }, consents: [consent()], approvals: [approval()] }));
    expect(d.field(F.conditional)).toMatchObject({ decision: 'DENY', reason: 'NO_APPROVAL' });
    expect(d.field(F.openPersonal)).toMatchObject({ decision: 'MASK' });
  });
});

describe('consent matching', () => {
  const withApproval = (consents: ConsentFact[]) => decideDataset(input({ consents, approvals: [approval()] }));

  it('a valid consent wins over revoked and expired ones', () => {
    const d = withApproval([consent({ id: 'old', validTo: at(-1) }), consent({ id: 'gone', revokedAt: at(-1) }), consent({ id: 'ok' })]);
    expect(d.field(F.conditional).decision).toBe('ALLOW');
    expect(d.consentId).toBe('ok');
  });

  it('of several valid consents the one valid longest is logged', () => {
    const d = withApproval([consent({ id: 'short', validTo: at(5) }), consent({ id: 'long', validTo: at(50) })]);
    expect(d.consentId).toBe('long');
  });

  it.each([
    [['revoked', 'expired', 'notYet'], 'CONSENT_REVOKED'],
    [['expired', 'notYet'], 'CONSENT_EXPIRED'],
    [['notYet'], 'CONSENT_NOT_YET_VALID'],
    [['otherGranteeRevoked'], 'NO_CONSENT'],
    [['otherSubjectValid', 'otherGranteeValid', 'otherPurposeValid', 'otherDatasetValid'], 'NO_CONSENT'],
  ] as const)('%j → %s', (kinds, reason) => {
    const make: Record<string, ConsentFact> = {
      revoked: consent({ id: 'r', revokedAt: at(-1) }),
      expired: consent({ id: 'e', validFrom: at(-100), validTo: at(-1) }),
      notYet: consent({ id: 'n', validFrom: at(1), validTo: at(100) }),
      otherGranteeRevoked: consent({ id: 'g', granteeCode: 'CQ-OTHER', revokedAt: at(-1) }),
      otherSubjectValid: consent({ id: 's', subjectId: OTHER_SUBJECT }),
      otherGranteeValid: consent({ id: 'g2', granteeCode: 'CQ-OTHER' }),
      otherPurposeValid: consent({ id: 'p', purposes: [Purpose.GUARANTEE_APPROVAL, Purpose.POST_LOAN_MANAGEMENT] }),
      otherDatasetValid: consent({ id: 'd', datasets: ['registration'] }),
    };
    const d = withApproval(kinds.map((k) => make[k]));
    expect(d.field(F.conditional)).toEqual({ decision: 'DENY', reason, rule: 'conditional.consent' });
    expect(d.consentId).toBeUndefined();
  });

  it('validity is [validFrom, validTo): boundaries', () => {
    expect(withApproval([consent({ validFrom: NOW })]).field(F.conditional).decision).toBe('ALLOW');
    expect(withApproval([consent({ validTo: NOW })]).field(F.conditional)).toMatchObject({ reason: 'CONSENT_EXPIRED' });
    expect(withApproval([consent({ validFrom: new Date(NOW.getTime() + 1) })]).field(F.conditional)).toMatchObject({ reason: 'CONSENT_NOT_YET_VALID' });
  });

  it('revocation counts from its time on (a later revocation does not affect an earlier `now`)', () => {
    expect(withApproval([consent({ revokedAt: NOW })]).field(F.conditional)).toMatchObject({ reason: 'CONSENT_REVOKED' });
    expect(withApproval([consent({ revokedAt: new Date(NOW.getTime() + 1) })]).field(F.conditional).decision).toBe('ALLOW');
  });
});

describe('approval matching', () => {
  const withConsent = (approvals: ApprovalFact[]) => decideDataset(input({ consents: [consent()], approvals }));

  it('expiry is exclusive; an approved application without expiry is open-ended', () => {
    expect(withConsent([approval({ expiresAt: NOW })]).field(F.conditional)).toMatchObject({ reason: 'APPROVAL_EXPIRED', rule: 'conditional.approval' });
    expect(withConsent([approval({ expiresAt: new Date(NOW.getTime() + 1) })]).field(F.conditional).decision).toBe('ALLOW');
    expect(withConsent([approval({ expiresAt: null })]).field(F.conditional).decision).toBe('ALLOW');
  });

  it('a valid approval wins over an expired one; withdrawn ones never count', () => {
    const d = withConsent([approval({ id: 'old', expiresAt: at(-1) }), approval({ id: 'new' })]);
    expect(d.base.approvalId).toBe('new');
    expect(withConsent([approval({ status: 'WITHDRAWN' })]).field(F.conditional)).toMatchObject({ reason: 'NO_APPROVAL' });
  });

  it('an approval for another dataset does not count', () => {
    expect(withConsent([approval({ dataset: 'registration' })]).field(F.conditional)).toMatchObject({ reason: 'NO_APPROVAL' });
  });

  it('approval is checked before consent', () => {
    const d = decideDataset(input({ approvals: [approval({ expiresAt: at(-1) })] }));
    expect(d.field(F.conditional)).toMatchObject({ reason: 'APPROVAL_EXPIRED' });
  });
});

describe('computed once, looked up per field', () => {
  it('field() is memoised per FieldPolicy object and returns frozen decisions', () => {
    const d = decideDataset(input({ consents: [consent()], approvals: [approval()] }));
    const first = d.field(F.conditionalPersonal);
    expect(d.field(F.conditionalPersonal)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(d.base)).toBe(true);
  });

  it('matching reads the facts once, in decideDataset, not per field', () => {
    let reads = 0;
    const count = <T extends object>(arr: T[]): T[] =>
      new Proxy(arr, {
        get(target, prop, receiver) {
          if (typeof prop === 'string' && /^\d+$/.test(prop)) reads++;
          return Reflect.get(target, prop, receiver);
        },
      });
    const consents = count([consent({ id: 'x', validTo: at(-1) }), consent()]);
    const approvals = count([approval()]);
    const d = decideDataset(input({ consents, approvals }));
    const afterDecide = reads;
    expect(afterDecide).toBeGreaterThan(0);
    for (let i = 0; i < 1000; i++) {
      d.field({ ...F.conditionalPersonal }); // distinct objects: computed, but from the plan
      d.field(F.openPersonal);
    }
    expect(reads).toBe(afterDecide);
  });

  it('changing the fact arrays afterwards changes nothing', () => {
    const consents = [consent()];
    const approvals = [approval()];
    const d = decideDataset(input({ consents, approvals }));
    consents.length = 0;
    approvals.length = 0;
    expect(d.field({ ...F.conditional }).decision).toBe('ALLOW');
  });

  it('refuses a field of another dataset', () => {
    const d = decideDataset(input());
    expect(() => d.field({ dataset: 'registration', sharing: SharingClass.UNCONDITIONAL })).toThrow(/dataset 'registration'.*dataset 'tax'/);
  });

  it('an unknown sharing class fails closed', () => {
    const d = decideDataset(input({ consents: [consent()], approvals: [approval()] }));
    expect(d.field({ dataset: DATASET, sharing: 'PUBLIC' as SharingClass }).decision).toBe('DENY');
  });
});

describe('one request, many subjects (requestDecider)', () => {
  const THIRD = '91500000MA5U000A0B'; // format only matters to the store; the decision compares strings
  const decider = () => requestDecider({ caller: CALLERS.BANK, purpose: Purpose.LOAN_APPROVAL, approvals: [approval()], now: NOW });
  const facts = (subjectId: string, consents: ConsentFact[]) => ({ subjectId, dataset: DATASET, consents, hasRelationship: false });

  it('each subject is decided on its own consents, and its decision names its own consent', () => {
    const decide = decider();
    const a = decide(facts(SUBJECT, [consent({ id: 'c-a' })]));
    const b = decide(facts(OTHER_SUBJECT, [consent({ id: 'c-b', subjectId: OTHER_SUBJECT })]));
    // Another subject's consent passed along by mistake opens nothing.
    const c = decide(facts(THIRD, [consent({ id: 'c-a' })]));
    const d = decide(facts(SUBJECT, [consent({ id: 'c-late', validTo: at(-1) })]));
    expect([a, b, c, d].map((x) => x.field(F.conditional).decision)).toEqual(['ALLOW', 'ALLOW', 'DENY', 'DENY']);
    expect([a.consentId, b.consentId, c.consentId, d.consentId]).toEqual(['c-a', 'c-b', undefined, undefined]);
    expect(c.field(F.conditional).reason).toBe('NO_CONSENT');
    expect(d.field(F.conditional).reason).toBe('CONSENT_EXPIRED');
    expect([a.subjectId, b.subjectId, c.subjectId]).toEqual([SUBJECT, OTHER_SUBJECT, THIRD]);
  });

  it('subjects with the same outcome share field decisions; the approval is matched once per dataset', () => {
    let approvalReads = 0;
    const approvals = new Proxy([approval()], {
      get(target, prop, receiver) {
        if (typeof prop === 'string' && /^\d+$/.test(prop)) approvalReads++;
        return Reflect.get(target, prop, receiver);
      },
    });
    const decide = requestDecider({ caller: CALLERS.BANK, purpose: Purpose.LOAN_APPROVAL, approvals, now: NOW });
    const decisions = Array.from({ length: 50 }, (_, i) => decide(facts(`S${i}`, [consent({ id: `c${i}`, subjectId: `S${i}` })])));
    expect(approvalReads).toBe(1);
    expect(new Set(decisions.map((d) => d.field(F.conditionalPersonal))).size).toBe(1);
    expect(new Set(decisions.map((d) => d.consentId)).size).toBe(50);
    decisions.forEach((d) => expect(Object.isFrozen(d.base)).toBe(true));
    expect(new Set(decisions.map((d) => d.base)).size).toBe(1);
  });

  it('gives the same decisions as deciding each subject alone', () => {
    const decide = decider();
    const cases: ConsentFact[][] = [[], [consent()], [consent({ revokedAt: at(-1) })], [consent({ validFrom: at(1) })], [consent({ purposes: [Purpose.GUARANTEE_APPROVAL] })]];
    for (const consents of cases) {
      const together = decide(facts(SUBJECT, consents));
      const alone = decideDataset(input({ consents, approvals: [approval()] }));
      expect(together.base).toEqual(alone.base);
      expect(together.consentId).toEqual(alone.consentId);
      for (const f of Object.values(F)) expect(together.field(f)).toEqual(alone.field(f));
    }
  });
});

describe('subjects decided alike (subjectDecisionKey)', () => {
  const DATASETS_CHECKED: DatasetCode[] = [DATASET, 'registration', 'judicial'];
  /** The consent states of the matrix, plus a valid consent with another window (same state: same key). */
  const variants = (cell: Cell, subjectId: string, k: number): ConsentFact[] => {
    const base = cell.consent === 'otherSubject' ? consentFacts(cell) : consentFacts(cell).map((c) => ({ ...c, subjectId }));
    return base.map((c) => ({ ...c, id: `${c.id}-${subjectId}`, validFrom: k ? new Date(c.validFrom.getTime() - k * DAY) : c.validFrom }));
  };

  it('subjects with the same key get the same decision for every dataset, naming their own consent', () => {
    let compared = 0;
    for (const caller of Object.keys(CALLERS) as CallerKey[]) {
      if (CALLERS[caller].type === CallerType.SUBJECT) continue;
      for (const purpose of PURPOSES) {
        for (const approval of ['approved', 'expired', 'none'] as ApprovalState[]) {
          const cellOf = (consent: ConsentState): Cell => ({ caller, purpose, consent, approval, relationship: false });
          const decide = requestDecider({ caller: CALLERS[caller], purpose, approvals: approvalFacts(cellOf('none')), now: NOW });
          const subjects = CONSENT_STATES.flatMap((state, i) =>
            [0, 3].flatMap((k) =>
              [false, true].map((hasRelationship) => {
                const subjectId = `S-${i}-${k}-${hasRelationship}`;
                const consents = variants(cellOf(state), subjectId, k);
                return { subjectId, consents, hasRelationship, key: subjectDecisionKey({ caller: CALLERS[caller], now: NOW }, { subjectId, consents, hasRelationship }) };
              }),
            ),
          );
          for (const a of subjects) {
            for (const b of subjects) {
              if (a === b || !a.key || !b.key || a.key.key !== b.key.key) continue;
              for (const dataset of DATASETS_CHECKED) {
                const da = decide({ ...a, dataset });
                const db = decide({ ...b, dataset });
                expect(db.base).toBe(da.base);
                for (const f of Object.values(F)) expect(db.field({ ...f, dataset })).toEqual(da.field({ ...f, dataset }));
                expect(db.consentId === undefined).toBe(da.consentId === undefined);
                if (db.consentId !== undefined) expect(db.consentId).toBe(b.key.consentId);
                compared++;
              }
            }
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('shares where it can: a valid consent with another window, none at all; not for subject callers or several consents', () => {
    const bank = { caller: CALLERS.BANK, now: NOW };
    const one = (subjectId: string, days: number) => [consent({ id: `c-${subjectId}`, subjectId, validFrom: at(-days) })];
    const a = subjectDecisionKey(bank, { subjectId: 'A', consents: one('A', 10), hasRelationship: false });
    const b = subjectDecisionKey(bank, { subjectId: 'B', consents: one('B', 20), hasRelationship: false });
    expect(a?.key).toBe(b?.key);
    expect([a?.consentId, b?.consentId]).toEqual(['c-A', 'c-B']);
    expect(subjectDecisionKey(bank, { subjectId: 'C', consents: [], hasRelationship: false })).toEqual({ key: '-' });
    expect(subjectDecisionKey(bank, { subjectId: 'C', consents: [], hasRelationship: true })?.key).not.toBe('-');
    // Another subject's consent passed by mistake is not the subject's own.
    expect(subjectDecisionKey(bank, { subjectId: 'C', consents: one('A', 10), hasRelationship: false })).toEqual({ key: '-' });
    expect(subjectDecisionKey(bank, { subjectId: 'A', consents: [...one('A', 10), consent({ id: 'c2', subjectId: 'A' })], hasRelationship: false })).toBeNull();
    expect(subjectDecisionKey({ caller: CALLERS.SUBJECT_OWN, now: NOW }, { subjectId: SUBJECT, consents: [], hasRelationship: false })).toBeNull();
    expect(subjectDecisionKey(bank, { subjectId: 'A', consents: [consent({ id: 'r', subjectId: 'A', revokedAt: at(-1) })], hasRelationship: false })?.key).not.toBe(a?.key);
  });
});

describe('policy as data', () => {
  it('default rules are plain JSON and parse back to themselves', () => {
    const json = JSON.parse(JSON.stringify(DEFAULT_POLICY_RULES));
    expect(parsePolicyRules(json)).toEqual(json);
    expect(parsePolicyRules({})).toEqual(json);
    expect(Object.isFrozen(DEFAULT_POLICY_RULES.purposesByCallerType.BANK)).toBe(true);
  });

  it('rejects bad configuration with the key named', () => {
    expect(() => parsePolicyRules({ purposesByCalerType: {} })).toThrow(/unknown key 'purposesByCalerType'/);
    expect(() => parsePolicyRules({ purposesByCallerType: { BANK: ['LENDING'] } })).toThrow(/purposesByCallerType.BANK/);
    expect(() => parsePolicyRules({ conditionalBasis: { SUPERVISION: 'NONE' } })).toThrow(/conditionalBasis.SUPERVISION/);
    expect(() => parsePolicyRules({ defaultPersonalMask: 'BLUR' })).toThrow(/defaultPersonalMask/);
    expect(() => parsePolicyRules({ amountBandBoundariesYuan: [500, 100] })).toThrow(/amountBandBoundariesYuan/);
    expect(() => parsePolicyRules([])).toThrow(/JSON object/);
  });

  it('decisions follow configured rules', () => {
    const rules: PolicyRules = parsePolicyRules({
      conditionalBasis: { SUPERVISION: 'CONSENT' },
      personalInClearCallerTypes: [],
      defaultPersonalMask: 'NULLIFY',
    });
    const regulator = CALLERS.REGULATOR;
    const d = decideDataset(
      input({ caller: regulator, purpose: Purpose.SUPERVISION, rules, approvals: [approval({ consumerCode: regulator.orgCode, purpose: Purpose.SUPERVISION })] }),
    );
    expect(d.field(F.conditional)).toMatchObject({ decision: 'DENY', reason: 'NO_CONSENT' });
    const bank = decideDataset(input({ rules, consents: [consent()], approvals: [approval()] }));
    expect(bank.field(F.openPersonal)).toEqual({ decision: 'MASK', mask: MaskKind.NULLIFY, rule: 'personal.masked' });
  });
});

describe('explanations', () => {
  it('every deny reason has a message', () => {
    const reasons: DenyReason[] = [
      'PURPOSE_REQUIRED',
      'PURPOSE_NOT_ALLOWED',
      'NOT_SHARED',
      'NO_APPROVAL',
      'APPROVAL_EXPIRED',
      'NO_CONSENT',
      'CONSENT_EXPIRED',
      'CONSENT_REVOKED',
      'CONSENT_NOT_YET_VALID',
      'NO_RELATIONSHIP',
      'NOT_OWN_SUBJECT',
    ];
    expect(Object.keys(DENY_MESSAGES).sort()).toEqual([...reasons].sort());
    for (const r of reasons) expect(DENY_MESSAGES[r].length).toBeGreaterThan(20);
  });

  it('explainField names the outcome, the rule and why', () => {
    const d = decideDataset(input({ approvals: [approval()] }));
    expect(explainField(d.field(F.conditional))).toBe(`DENY NO_CONSENT [conditional.consent]: ${DENY_MESSAGES.NO_CONSENT}`);
    expect(explainField(d.field(F.openPersonal))).toMatch(/^MASK PARTIAL_NAME \[personal.masked\]: /);
    expect(explainField(d.field(F.open))).toMatch(/^ALLOW \[unconditional.open\]: /);
  });
});
