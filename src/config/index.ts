import path from 'node:path';

/** Everything the hub reads from its environment, parsed once. Thresholds and limits live here, not in code paths. */
export interface HubConfig {
  /** `sqlite:<path>` (embedded default), `mysql://…` or `mariadb://…`. */
  databaseUrl: string;
  host: string;
  port: number;
  /** Folder with the local signing keys (dev issuer, gateway identity, audit checkpoints). */
  keysDir: string;
  /** External issuer's JWKS; when unset, caller tokens are checked against the local issuer key. */
  jwksUrl?: string;
  /** Expected `iss` of caller tokens. */
  issuer: string;
  /** Expected `aud` of caller tokens. */
  audience: string;
  /** Seed the demo data into an empty database on start. */
  demo: boolean;
  production: boolean;
  /** Largest accepted request body, bytes. */
  maxBodyBytes: number;
  /** Lifetime of the identity the gateway forwards to subgraphs, seconds. */
  gatewayIdentityTtlSeconds: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  return {
    databaseUrl: env.DATABASE_URL || 'sqlite:data/hub.sqlite',
    host: env.HOST || '127.0.0.1',
    port: intFrom(env.PORT, 4000, 'PORT'),
    keysDir: path.resolve(env.HUB_KEYS_DIR || 'data/keys'),
    jwksUrl: env.HUB_JWKS_URL || undefined,
    issuer: env.HUB_JWT_ISSUER || 'zyd-hub-dev-issuer',
    audience: env.HUB_JWT_AUDIENCE || 'zyd-credit-hub',
    demo: env.HUB_DEMO !== '0',
    production: env.NODE_ENV === 'production',
    maxBodyBytes: intFrom(env.HUB_MAX_BODY_BYTES, 1_000_000, 'HUB_MAX_BODY_BYTES'),
    gatewayIdentityTtlSeconds: intFrom(env.HUB_GATEWAY_IDENTITY_TTL, 60, 'HUB_GATEWAY_IDENTITY_TTL'),
  };
}

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got '${value}'`);
  return n;
}
