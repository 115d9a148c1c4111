import { SignJWT, jwtVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { SIGNING_ALG, KeyRingCache } from './keys';
import { AuthenticationError, type Caller } from './caller';

/** Header that carries the gateway-signed identity to subgraph services. */
export const GATEWAY_IDENTITY_HEADER = 'x-hub-identity';
const AUDIENCE = 'zyd-hub-subgraphs';
const ISSUER = 'zyd-hub-gateway';

/** What the gateway vouches for: the verified caller, the declared purpose and the request id. */
export interface ForwardedIdentity {
  caller: Caller;
  purpose?: string;
  requestId: string;
}

/**
 * Zero trust between gateway and subgraphs: a subgraph service accepts a request only with a
 * short-lived identity signed by the gateway's key, never on the caller's token alone.
 */
export class GatewayIdentity {
  private jwks?: { publicJwks: unknown; set: ReturnType<typeof createLocalJWKSet> };

  private constructor(
    private readonly ring: KeyRingCache,
    private readonly ttlSeconds: number,
  ) {}

  /**
   * Signs with the active `gateway` key of the keys folder; verifies with every non-retired one (see
   * `KeyRing`), re-reading the folder as keys rotate. A verify-only host needs only the public files.
   */
  static async create(keysDir: string, ttlSeconds: number, opts: { signer?: boolean } = {}): Promise<GatewayIdentity> {
    const ring = new KeyRingCache(keysDir, 'gateway', { create: opts.signer !== false });
    await ring.get();
    return new GatewayIdentity(ring, ttlSeconds);
  }

  async sign(identity: ForwardedIdentity): Promise<string> {
    const { active } = await this.ring.get();
    if (!active) throw new Error('no gateway signing key in the keys folder');
    return new SignJWT({ caller: identity.caller, purpose: identity.purpose, rid: identity.requestId })
      .setProtectedHeader({ alg: SIGNING_ALG, kid: active.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(active.privateKey);
  }

  async verify(token: string | undefined): Promise<ForwardedIdentity> {
    if (!token) throw new AuthenticationError('subgraphs answer only requests forwarded by the hub gateway (missing gateway identity)');
    try {
      const { kid } = decodeProtectedHeader(token);
      const ring = await this.ring.get({ forKid: kid });
      if (this.jwks?.publicJwks !== ring.publicJwks) this.jwks = { publicJwks: ring.publicJwks, set: createLocalJWKSet({ keys: ring.publicJwks }) };
      const { payload } = await jwtVerify(token, this.jwks.set, { algorithms: [SIGNING_ALG], issuer: ISSUER, audience: AUDIENCE });
      return { caller: payload.caller as Caller, purpose: payload.purpose as string | undefined, requestId: String(payload.rid) };
    } catch {
      throw new AuthenticationError('gateway identity does not verify');
    }
  }
}
