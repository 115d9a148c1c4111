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
  /** Clock skew tolerated when checking caller token `exp`/`nbf`, seconds. */
  jwtClockToleranceSeconds: number;
  /** Schema introspection (default: on in development, off in production). */
  introspection: boolean;
  /** "Did you mean …?" field suggestions in validation errors (default: on in development, off in production). */
  fieldSuggestions: boolean;
  /** Serve the bundled GraphQL IDE page at /ide (no CDN; default off). */
  ide: boolean;
  /** Origins allowed by CORS (`*` for any); empty: no CORS headers, browsers on other origins are refused. */
  corsOrigins: string[];
  /** Serve Prometheus metrics at /metrics. */
  metrics: boolean;
  /** When set, /metrics requires `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  logLevel: string;
  /** How long graceful shutdown waits for in-flight requests before closing connections, ms. */
  shutdownTimeoutMs: number;
  /** Operation limits: the default profile and overrides per institution type (see `limitsFor`). */
  limits: OperationLimitProfiles;
  /** Quotas and rate limits: the default profile and overrides per institution type (see `quotaFor`). */
  quotas: QuotaProfiles;
  /** Offset of the quota day from UTC in minutes (480: the day starts at 00:00 China Standard Time). */
  quotaDayOffsetMinutes: number;
}

/** Limits on one GraphQL operation, checked on the normalized operation (fragments inlined, aliases counted). */
export interface OperationLimits {
  /** Deepest field nesting. */
  maxDepth: number;
  /** Aliased fields in the whole operation. */
  maxAliases: number;
  /** Root fields (after fragments are inlined). */
  maxRootFields: number;
  /** Directives used in the document. */
  maxDirectives: number;
  /** Lexical tokens in the document (checked while parsing, before anything else). */
  maxTokens: number;
  /** Estimated cost: one per field, list arguments (`ids`, `subjectIds`, …) and `first` multiply their subtree. */
  maxCost: number;
  /** Assumed length of a list field that has no size argument, for the cost estimate. */
  listFactor: number;
}

export interface OperationLimitProfiles {
  default: OperationLimits;
  /** Overrides by caller type (`BANK`, `GUARANTOR`, `DEPARTMENT`, `REGULATOR`, `OPERATOR`, `SUBJECT`). */
  byType: Record<string, Partial<OperationLimits>>;
}

/** Per-institution quotas; 0 means unlimited. */
export interface Quota {
  /** Subject identifiers asked for through root-field `id`/`ids`/`subjectIds` arguments per (quota) day. */
  subjectLookupsPerDay: number;
  /** Requests per second (fixed one-second windows, shared by every gateway process through the database). */
  requestsPerSecond: number;
}

export interface QuotaProfiles {
  default: Quota;
  byType: Record<string, Partial<Quota>>;
}

export const CALLER_TYPES = ['DEPARTMENT', 'GUARANTOR', 'BANK', 'REGULATOR', 'OPERATOR', 'SUBJECT'] as const;

const LIMIT_ENV: Record<keyof OperationLimits, [string, number]> = {
  maxDepth: ['HUB_LIMIT_MAX_DEPTH', 10],
  maxAliases: ['HUB_LIMIT_MAX_ALIASES', 30],
  maxRootFields: ['HUB_LIMIT_MAX_ROOT_FIELDS', 10],
  maxDirectives: ['HUB_LIMIT_MAX_DIRECTIVES', 20],
  maxTokens: ['HUB_LIMIT_MAX_TOKENS', 4000],
  maxCost: ['HUB_LIMIT_MAX_COST', 60_000],
  listFactor: ['HUB_LIMIT_LIST_FACTOR', 5],
};

const QUOTA_ENV: Record<keyof Quota, [string, number]> = {
  subjectLookupsPerDay: ['HUB_QUOTA_SUBJECTS_PER_DAY', 50_000],
  requestsPerSecond: ['HUB_RATE_LIMIT_RPS', 100],
};

/** `<NAME>` is the default; `<NAME>_<TYPE>` (e.g. HUB_LIMIT_MAX_COST_BANK) overrides it for one caller type. */
function profiles<T extends object>(env: NodeJS.ProcessEnv, table: Record<keyof T & string, [string, number]>): { default: T; byType: Record<string, Partial<T>> } {
  const base = {} as Record<string, number>;
  const byType: Record<string, Record<string, number>> = {};
  for (const [key, [name, fallback]] of Object.entries(table) as Array<[string, [string, number]]>) {
    base[key] = intFrom(env[name], fallback, name);
    for (const type of CALLER_TYPES) {
      const value = env[`${name}_${type}`];
      if (value !== undefined && value !== '') (byType[type] ??= {})[key] = intFrom(value, 0, `${name}_${type}`);
    }
  }
  return { default: base as T, byType: byType as Record<string, Partial<T>> };
}

/** The operation limits for one caller type. */
export function limitsFor(config: Pick<HubConfig, 'limits'>, callerType: string | undefined): OperationLimits {
  return { ...config.limits.default, ...(callerType ? config.limits.byType[callerType] : undefined) };
}

/** The quotas for one caller type. */
export function quotaFor(config: Pick<HubConfig, 'quotas'>, callerType: string | undefined): Quota {
  return { ...config.quotas.default, ...(callerType ? config.quotas.byType[callerType] : undefined) };
}

function flag(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return !/^(0|false|no|off)$/i.test(value);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const production = env.NODE_ENV === 'production';
  return {
    databaseUrl: env.DATABASE_URL || 'sqlite:data/hub.sqlite',
    host: env.HOST || '127.0.0.1',
    port: intFrom(env.PORT, 4000, 'PORT'),
    keysDir: path.resolve(env.HUB_KEYS_DIR || 'data/keys'),
    jwksUrl: env.HUB_JWKS_URL || undefined,
    issuer: env.HUB_JWT_ISSUER || 'zyd-hub-dev-issuer',
    audience: env.HUB_JWT_AUDIENCE || 'zyd-credit-hub',
    demo: env.HUB_DEMO !== '0',
    production,
    maxBodyBytes: intFrom(env.HUB_MAX_BODY_BYTES, 1_000_000, 'HUB_MAX_BODY_BYTES'),
    gatewayIdentityTtlSeconds: intFrom(env.HUB_GATEWAY_IDENTITY_TTL, 60, 'HUB_GATEWAY_IDENTITY_TTL'),
    jwtClockToleranceSeconds: intFrom(env.HUB_JWT_CLOCK_TOLERANCE, 5, 'HUB_JWT_CLOCK_TOLERANCE'),
    introspection: flag(env.HUB_INTROSPECTION, production === false),
    fieldSuggestions: flag(env.HUB_FIELD_SUGGESTIONS, production === false),
    ide: flag(env.HUB_IDE, false),
    corsOrigins: (env.HUB_CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    metrics: flag(env.HUB_METRICS, true),
    metricsToken: env.HUB_METRICS_TOKEN || undefined,
    // jest sets NODE_ENV=test: keep test output readable unless a level is asked for.
    logLevel: env.HUB_LOG_LEVEL || (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
    shutdownTimeoutMs: intFrom(env.HUB_SHUTDOWN_TIMEOUT_MS, 25_000, 'HUB_SHUTDOWN_TIMEOUT_MS'),
    limits: profiles<OperationLimits>(env, LIMIT_ENV),
    quotas: profiles<Quota>(env, QUOTA_ENV),
    quotaDayOffsetMinutes: intFrom(env.HUB_QUOTA_DAY_OFFSET_MINUTES, 480, 'HUB_QUOTA_DAY_OFFSET_MINUTES'),
  };
}

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got '${value}'`);
  return n;
}
