/**
 * Chinese subject identifiers used by the hub to key credit records:
 *
 * - 统一社会信用代码 (Unified Social Credit Code, USCC), GB 32100-2015, for enterprises
 *   and other organisations, including the organisation code (GB 11714) embedded in it.
 * - 公民身份号码 (resident identity number), GB 11643-1999, for natural persons
 *   (e.g. farmers and sole proprietors in agricultural credit).
 *
 * Pure module: no I/O, no clock reads except the defaulted `today` parameter, so
 * it can be used the same way in resolvers, importers, generators and tests.
 *
 * Error messages name the rule and the offending character(s) but never repeat
 * the whole identifier or a birth date: they end up in logs and API errors, and
 * resident IDs are personal information. The raw input is still available on
 * {@link InvalidIdentifierError.input} for callers that are allowed to see it.
 */

/** Which kind of subject an identifier denotes. */
export type SubjectIdKind = 'USCC' | 'RESIDENT_ID';

/** The rule an identifier failed; stable codes so callers can branch without parsing messages. */
export type IdRule =
  | 'EMPTY'
  | 'LENGTH'
  | 'USCC_CHARSET'
  | 'USCC_DIVISION_CODE'
  | 'USCC_ORG_CODE_CHECK'
  | 'USCC_CHECK_DIGIT'
  | 'RESIDENT_ID_FORMAT'
  | 'RESIDENT_ID_REGION'
  | 'RESIDENT_ID_BIRTH_DATE'
  | 'RESIDENT_ID_CHECK_DIGIT';

/**
 * Result of a check. On success `id` is the normalized form (trimmed, upper-case)
 * that should be stored and compared, so 'x' and 'X' never produce two subjects.
 */
export type IdCheck =
  | { ok: true; kind: SubjectIdKind; id: string }
  | { ok: false; rule: IdRule; message: string };

/** Both identifier kinds are exactly 18 characters long. */
const ID_LENGTH = 18;

/** GB 32100-2015 charset; a character's value is its index (0..30). I, O, S, V, Z are excluded to avoid confusion with 1, 0, 5, U, 2. */
const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** USCC weights 3^(i-1) mod 31 for positions 1..17. */
const USCC_WEIGHTS: readonly number[] = Array.from({ length: 17 }, (_, i) => {
  let w = 1;
  for (let k = 0; k < i; k++) w = (w * 3) % 31;
  return w;
});

/** GB 11714 organisation code body weights (8 body characters). */
const ORG_CODE_WEIGHTS: readonly number[] = [3, 7, 9, 10, 5, 8, 4, 2];

/** GB 11643-1999 weights 2^(17-i) mod 11 for positions 1..17 (ISO 7064 MOD 11-2). */
const RESIDENT_ID_WEIGHTS: readonly number[] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** Check character indexed by (Σ mod 11). */
const RESIDENT_ID_CHECK_CHARS = '10X98765432';

/** China Standard Time is UTC+8 with no DST since 1991; birth dates are Chinese calendar dates. */
const CST_OFFSET_MS = 8 * 60 * 60 * 1000;

/** Normalizes user input: surrounding whitespace (incl. full-width U+3000) and case are not significant. */
function normalize(input: string): string {
  // Defensive for untyped callers (CSV rows, GraphQL variables) passing null/undefined.
  return (input ?? '').trim().toUpperCase();
}

function fail(rule: IdRule, message: string): IdCheck {
  return { ok: false, rule, message };
}

function checkEmptyAndLength(id: string, what: string): IdCheck | null {
  if (id.length === 0) return fail('EMPTY', `${what} is empty`);
  if (id.length !== ID_LENGTH) {
    return fail('LENGTH', `${what} must be ${ID_LENGTH} characters long, got ${id.length}`);
  }
  return null;
}

/** Computes the USCC check character (position 18) for the first 17 characters; assumes they are in the charset. */
function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARSET.indexOf(first17[i]) * USCC_WEIGHTS[i];
  return USCC_CHARSET[(31 - (sum % 31)) % 31];
}

/** Value of an organisation code body character: digits 0-9, letters by alphabet position A=10..Z=35 (not the USCC charset index). */
function orgCodeCharValue(ch: string): number {
  if (ch >= '0' && ch <= '9') return ch.charCodeAt(0) - 48;
  if (ch >= 'A' && ch <= 'Z') return ch.charCodeAt(0) - 55;
  return -1;
}

/** Computes the GB 11714 check character for an 8-character body; assumes the body is [0-9A-Z]. */
function orgCodeCheckChar(body: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += orgCodeCharValue(body[i]) * ORG_CODE_WEIGHTS[i];
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * RESIDENT_ID_WEIGHTS[i];
  return RESIDENT_ID_CHECK_CHARS[sum % 11];
}

/** First position (0-based) of a character outside the USCC charset, or -1. */
function firstNonUsccChar(s: string): number {
  for (let i = 0; i < s.length; i++) if (!USCC_CHARSET.includes(s[i])) return i;
  return -1;
}

/**
 * Checks a USCC (GB 32100-2015). Rules run in order, first failure wins:
 * EMPTY, LENGTH, USCC_CHARSET (all 18 chars; positions 1-2 are deliberately only
 * charset-checked, since registration-authority/type codes get extended over time),
 * USCC_DIVISION_CODE (positions 3-8 digits), USCC_ORG_CODE_CHECK (positions 9-17,
 * GB 11714) and USCC_CHECK_DIGIT (position 18). The org code is checked before the
 * final check digit so a typo inside it is reported where it is, not as a bad check digit.
 */
export function checkUscc(input: string): IdCheck {
  const id = normalize(input);
  const shape = checkEmptyAndLength(id, 'USCC (GB 32100-2015)');
  if (shape) return shape;

  const bad = firstNonUsccChar(id);
  if (bad >= 0) {
    return fail(
      'USCC_CHARSET',
      `USCC charset (GB 32100-2015): character ${bad + 1} '${id[bad]}' is not allowed; ` +
        `use digits and upper-case letters except I, O, S, V, Z`,
    );
  }

  const division = id.slice(2, 8);
  if (!/^\d{6}$/.test(division)) {
    return fail(
      'USCC_DIVISION_CODE',
      `USCC administrative division code (characters 3-8) must be 6 digits, got '${division}'`,
    );
  }

  const expectedOrg = orgCodeCheckChar(id.slice(8, 16));
  if (id[16] !== expectedOrg) {
    return fail(
      'USCC_ORG_CODE_CHECK',
      `USCC embedded organization code check character (GB 11714, character 17) should be '${expectedOrg}', got '${id[16]}'`,
    );
  }

  const expected = usccCheckChar(id.slice(0, 17));
  if (id[17] !== expected) {
    return fail(
      'USCC_CHECK_DIGIT',
      `USCC check digit (GB 32100-2015) should be '${expected}', got '${id[17]}'`,
    );
  }

  return { ok: true, kind: 'USCC', id };
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

/** today's calendar date in China Standard Time as YYYYMMDD, so a baby born just after midnight in Beijing is not "in the future" on a UTC server. */
function cstDateNumber(today: Date): number {
  const t = today.getTime();
  if (Number.isNaN(t)) throw new RangeError('checkResidentId: `today` is an invalid Date');
  const d = new Date(t + CST_OFFSET_MS);
  return d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/**
 * Checks a resident identity number (GB 11643-1999). Rules in order: EMPTY, LENGTH,
 * RESIDENT_ID_FORMAT (17 digits + [0-9X]; lower-case 'x' is accepted and normalized),
 * RESIDENT_ID_REGION (first digit 1-8), RESIDENT_ID_BIRTH_DATE (positions 7-14 a real
 * date, year >= 1900, not after `today` in China Standard Time) and
 * RESIDENT_ID_CHECK_DIGIT (ISO 7064 MOD 11-2).
 * @param today injectable clock so results are deterministic in tests; defaults to now.
 */
export function checkResidentId(input: string, today: Date = new Date()): IdCheck {
  const id = normalize(input);
  const shape = checkEmptyAndLength(id, 'Resident ID (GB 11643-1999)');
  if (shape) return shape;

  if (!/^\d{17}[0-9X]$/.test(id)) {
    return fail(
      'RESIDENT_ID_FORMAT',
      `Resident ID format (GB 11643-1999): must be 17 digits followed by a digit or 'X'`,
    );
  }

  if (id[0] < '1' || id[0] > '8') {
    return fail(
      'RESIDENT_ID_REGION',
      `Resident ID region code (characters 1-6) must start with a digit 1-8, got '${id[0]}'`,
    );
  }

  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  if (year < 1900) {
    return fail('RESIDENT_ID_BIRTH_DATE', 'Resident ID birth date (characters 7-14) is before 1900');
  }
  if (!isRealDate(year, month, day)) {
    return fail('RESIDENT_ID_BIRTH_DATE', 'Resident ID birth date (characters 7-14) is not a real calendar date');
  }
  if (year * 10000 + month * 100 + day > cstDateNumber(today)) {
    return fail('RESIDENT_ID_BIRTH_DATE', 'Resident ID birth date (characters 7-14) is in the future');
  }

  const expected = residentIdCheckChar(id.slice(0, 17));
  if (id[17] !== expected) {
    return fail(
      'RESIDENT_ID_CHECK_DIGIT',
      `Resident ID check character (GB 11643-1999, ISO 7064 MOD 11-2) should be '${expected}', got '${id[17]}'`,
    );
  }

  return { ok: true, kind: 'RESIDENT_ID', id };
}

/**
 * Detects the kind: 18 chars; if it is 17 digits + [0-9X] and passes the resident-ID
 * rules it is RESIDENT_ID, otherwise it is checked as USCC (an all-digit USCC is
 * possible, so the shape alone does not decide). The failure reported is the one of
 * the most plausible kind: the resident-ID failure if the shape is 17 digits + [0-9Xx]
 * and the USCC check also fails, else the USCC failure.
 */
export function checkSubjectId(input: string, today: Date = new Date()): IdCheck {
  const id = normalize(input);
  const shape = checkEmptyAndLength(id, 'Subject ID (USCC or resident ID)');
  if (shape) return shape;

  if (/^\d{17}[0-9X]$/.test(id)) {
    const asResident = checkResidentId(id, today);
    if (asResident.ok) return asResident;
    const asUscc = checkUscc(id);
    return asUscc.ok ? asUscc : asResident;
  }
  return checkUscc(id);
}

/** Thrown by {@link assertSubjectId} and the builders; carries the failed rule so callers can map it to an API error code. */
export class InvalidIdentifierError extends Error {
  readonly rule: IdRule;
  /** The raw, un-normalized input (may be personal data: do not log blindly). */
  readonly input: string;

  constructor(rule: IdRule, input: string, message: string) {
    super(message);
    // Keep instanceof working even if a transpiler down-levels classes.
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = 'InvalidIdentifierError';
    this.rule = rule;
    this.input = input;
  }
}

/** Returns the normalized id or throws InvalidIdentifierError. */
export function assertSubjectId(input: string, today: Date = new Date()): { kind: SubjectIdKind; id: string } {
  const r = checkSubjectId(input, today);
  if (!r.ok) throw new InvalidIdentifierError(r.rule, input, r.message);
  return { kind: r.kind, id: r.id };
}

/**
 * Builders for generators/tests: completes a 16-char USCC prefix (registration
 * authority, type, 6-digit division code, 8-char org code body) into a full valid
 * USCC by computing the org code check (char 17) and the USCC check (char 18).
 * The input is normalized like the checkers do. Throws InvalidIdentifierError if the
 * prefix could not yield an id that passes {@link checkUscc}.
 */
export function completeUscc(first16: string): string {
  const prefix = normalize(first16);
  if (prefix.length !== 16) {
    throw new InvalidIdentifierError('LENGTH', first16, `completeUscc needs exactly 16 characters, got ${prefix.length}`);
  }
  const bad = firstNonUsccChar(prefix);
  if (bad >= 0) {
    throw new InvalidIdentifierError(
      'USCC_CHARSET',
      first16,
      `completeUscc: character ${bad + 1} '${prefix[bad]}' is not in the USCC charset (GB 32100-2015)`,
    );
  }
  if (!/^\d{6}$/.test(prefix.slice(2, 8))) {
    throw new InvalidIdentifierError(
      'USCC_DIVISION_CODE',
      first16,
      `completeUscc: administrative division code (characters 3-8) must be 6 digits, got '${prefix.slice(2, 8)}'`,
    );
  }
  // Redundant with the charset today (USCC charset ⊂ [0-9A-Z]) but states the GB 11714 requirement explicitly.
  const body = prefix.slice(8, 16);
  const badBody = [...body].findIndex((ch) => orgCodeCharValue(ch) < 0);
  if (badBody >= 0) {
    throw new InvalidIdentifierError(
      'USCC_ORG_CODE_CHECK',
      first16,
      `completeUscc: organization code body character ${badBody + 9} '${body[badBody]}' is not valid (GB 11714)`,
    );
  }
  // The org check char is a digit or 'X', both in the USCC charset, so the USCC check is well defined.
  const first17 = prefix + orgCodeCheckChar(body);
  return first17 + usccCheckChar(first17);
}

/**
 * Appends the ISO 7064 MOD 11-2 check character to 17 digits. Only the digits are
 * required: region and birth date are deliberately not validated, so tests can build
 * ids that fail exactly one of those rules with a correct check character.
 */
export function completeResidentId(first17: string): string {
  const prefix = (first17 ?? '').trim();
  if (!/^\d{17}$/.test(prefix)) {
    throw new InvalidIdentifierError(
      'RESIDENT_ID_FORMAT',
      first17,
      'completeResidentId needs exactly 17 digits',
    );
  }
  return prefix + residentIdCheckChar(prefix);
}
