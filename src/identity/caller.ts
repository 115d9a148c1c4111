import { SignJWT, jwtVerify, createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, errors, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { HubConfig } from '../config';
import { SIGNING_ALG, KeyRingCache, type SigningKey } from './keys';

/** Who may call the hub (DESIGN.md, "Who uses it"). */
export enum CallerType {
  DEPARTMENT = 'DEPARTMENT',
  GUARANTOR = 'GUARANTOR',
  BANK = 'BANK',
  REGULATOR = 'REGULATOR',
  OPERATOR = 'OPERATOR',
  SUBJECT = 'SUBJECT',
}

/** 政府性融资担保机构 tiers. */
export enum GuarantorLevel {
  RE_GUARANTEE = 'RE_GUARANTEE',
  MUNICIPAL = 'MUNICIPAL',
  DISTRICT = 'DISTRICT',
}

/** The verified caller of one request, as every subgraph sees it. */
export interface Caller {
  type: CallerType;
  /** Institution code; absent for SUBJECT callers. */
  orgCode?: string;
  guarantorLevel?: GuarantorLevel;
  regionCode?: string;
  /** The person or service account inside the institution (`sub`). */
  userId: string;
  /** For SUBJECT callers: the subject the token is bound to. */
  subjectId?: string;
}

/** Claims the hub reads from a caller token besides the registered ones. */
export interface CallerClaims extends JWTPayload {
  /** Institution code of the caller. */
  org?: string;
  /** Subject id for a subject's own token (查询记录 access). */
  subject_id?: string;
}

export class AuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

/** Verified tokens remembered at most this long (and this many); see CallerTokenVerifier.verified. */
const VERIFIED_TOKEN_MS = 60_000;
const MAX_VERIFIED_TOKENS = 10_000;

/** Verifies caller JWTs: ES256 only, issuer, audience and expiry checked, key chosen by `kid`. */
export class CallerTokenVerifier {
  private constructor(
    private readonly keys: JWTVerifyGetKey | ((token: string, kid?: string) => Promise<JWTVerifyGetKey>),
    private readonly config: Pick<HubConfig, 'issuer' | 'audience'> & Partial<Pick<HubConfig, 'jwtClockToleranceSeconds'>>,
    private readonly perToken = false,
  ) {}

  /**
   * An external issuer's JWKS (HUB_JWKS_URL, fetched and cached by jose), or the local `issuer` key ring:
   * every non-retired issuer key verifies, so the issuer key can rotate without a restart (see keys.ts).
   */
  static async create(config: HubConfig): Promise<CallerTokenVerifier> {
    if (config.jwksUrl) return new CallerTokenVerifier(createRemoteJWKSet(new URL(config.jwksUrl)), config);
    const ring = new KeyRingCache(config.keysDir, 'issuer', { create: true });
    await ring.get();
    let cached: { publicJwks: unknown; set: JWTVerifyGetKey } | undefined;
    // `known`: the kid of a token that verified before (its header is not decoded again).
    const forToken = async (token: string, known?: string): Promise<JWTVerifyGetKey> => {
      let kid = known;
      if (kid === undefined) {
        try {
          kid = decodeProtectedHeader(token).kid;
        } catch {
          kid = undefined; // malformed: jwtVerify says so
        }
      }
      const r = await ring.get({ forKid: kid });
      if (cached?.publicJwks !== r.publicJwks) cached = { publicJwks: r.publicJwks, set: createLocalJWKSet({ keys: r.publicJwks }) };
      return cached.set;
    };
    return new CallerTokenVerifier(forToken, config, true);
  }

  /**
   * Tokens that verified, by their exact text, with the key set they verified against. A client sends the same
   * token with every request until it expires; an ES256 check costs ~5% of the CPU of a one-subject report. The
   * same bytes against the same keys give the same answer, except for the clock: expiry is checked on every use.
   * A rotated or retired key changes the key set (the entry no longer applies); entries also lapse after a minute
   * (jose refreshes a remote JWKS on its own schedule) and the oldest go first past MAX_VERIFIED_TOKENS.
   */
  private readonly verified = new Map<string, { payload: Readonly<CallerClaims>; keys: JWTVerifyGetKey; kid?: string; until: number }>();

  async verify(token: string): Promise<CallerClaims> {
    try {
      const known = this.verified.get(token);
      const keys = this.perToken ? await (this.keys as (token: string, kid?: string) => Promise<JWTVerifyGetKey>)(token, known?.kid) : (this.keys as JWTVerifyGetKey);
      const now = Date.now();
      if (known && known.keys === keys && known.until > now) {
        const exp = known.payload.exp as number; // required and checked numeric when it verified
        if (exp > Math.floor(now / 1000) - (this.config.jwtClockToleranceSeconds ?? 5)) return known.payload;
        this.verified.delete(token);
        throw new AuthenticationError('token has expired');
      }
      const { payload, protectedHeader } = await jwtVerify<CallerClaims>(token, keys, {
        algorithms: [SIGNING_ALG], // refuses alg:none and HS* key-confusion tricks
        issuer: this.config.issuer,
        audience: this.config.audience,
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance: this.config.jwtClockToleranceSeconds ?? 5,
      });
      if (!payload.org && !payload.subject_id) throw new AuthenticationError('token names neither an institution (org) nor a subject (subject_id)');
      if (this.verified.size >= MAX_VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(token, { payload: Object.freeze(payload), keys, kid: protectedHeader.kid, until: now + VERIFIED_TOKEN_MS });
      return payload;
    } catch (e) {
      if (e instanceof AuthenticationError) throw e;
      throw new AuthenticationError(describeJoseError(e));
    }
  }
}

function describeJoseError(e: unknown): string {
  if (e instanceof errors.JWTExpired) return 'token has expired';
  if (e instanceof errors.JWTClaimValidationFailed) return `token claim '${e.claim}' is not acceptable: ${e.reason}`;
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'token signature does not verify';
  if (e instanceof errors.JWKSNoMatchingKey) return 'token is signed with a key the hub does not know';
  if (e instanceof errors.JOSEAlgNotAllowed) return 'token algorithm is not allowed (ES256 only)';
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) return 'token is malformed';
  return `token rejected: ${(e as Error).message}`;
}

/** Signs a caller token with a local issuer key (`hub token`, tests, the demo). */
export async function signCallerToken(
  key: SigningKey,
  config: Pick<HubConfig, 'issuer' | 'audience'>,
  claims: { org?: string; subjectId?: string; user?: string; ttlSeconds?: number },
): Promise<string> {
  const extra: CallerClaims = {};
  if (claims.org) extra.org = claims.org;
  if (claims.subjectId) extra.subject_id = claims.subjectId;
  return new SignJWT(extra)
    .setProtectedHeader({ alg: SIGNING_ALG, kid: key.kid, typ: 'JWT' })
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setSubject(claims.user ?? (claims.org ? `${claims.org}/service` : `subject/${claims.subjectId}`))
    .setIssuedAt()
    .setExpirationTime(`${claims.ttlSeconds ?? 3600}s`)
    .sign(key.privateKey);
}
