import { SignJWT, jwtVerify, createLocalJWKSet } from 'jose';
import { SIGNING_ALG, loadOrCreateKey, type SigningKey } from './keys';
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
  private constructor(
    private readonly key: SigningKey,
    private readonly jwks: ReturnType<typeof createLocalJWKSet>,
    private readonly ttlSeconds: number,
  ) {}

  static async create(keysDir: string, ttlSeconds: number): Promise<GatewayIdentity> {
    const key = await loadOrCreateKey(keysDir, 'gateway');
    return new GatewayIdentity(key, createLocalJWKSet({ keys: [key.publicJwk] }), ttlSeconds);
  }

  sign(identity: ForwardedIdentity): Promise<string> {
    return new SignJWT({ caller: identity.caller, purpose: identity.purpose, rid: identity.requestId })
      .setProtectedHeader({ alg: SIGNING_ALG, kid: this.key.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key.privateKey);
  }

  async verify(token: string | undefined): Promise<ForwardedIdentity> {
    if (!token) throw new AuthenticationError('subgraphs answer only requests forwarded by the hub gateway (missing gateway identity)');
    try {
      const { payload } = await jwtVerify(token, this.jwks, { algorithms: [SIGNING_ALG], issuer: ISSUER, audience: AUDIENCE });
      return { caller: payload.caller as Caller, purpose: payload.purpose as string | undefined, requestId: String(payload.rid) };
    } catch {
      throw new AuthenticationError('gateway identity does not verify');
    }
  }
}
