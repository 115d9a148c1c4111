import client from 'prom-client';
import type { Database } from '../db/datasource';

/**
 * Prometheus metrics of this process (one registry, shared by every service the process runs).
 * Label values are bounded: operation names are caller-chosen, so only the first MAX_OPERATION_NAMES
 * well-formed names get their own series; the rest are counted as `other`.
 */
export interface HubMetrics {
  registry: client.Registry;
  requests: client.Counter<'role' | 'operation' | 'outcome'>;
  duration: client.Histogram<'role' | 'operation'>;
  httpResponses: client.Counter<'role' | 'status'>;
  decisions: client.Counter<'decision' | 'reason'>;
  quotaRefusals: client.Counter<'kind' | 'caller_type'>;
  limitRefusals: client.Counter<'limit'>;
  subjectLookups: client.Counter<'caller_type'>;
  /** For the access-log writer: how long making a batch of records durable takes. */
  accessLogWriteSeconds: client.Histogram<'role'>;
  /** For the access-log writer: records accepted but not yet durable. */
  accessLogBacklog: client.Gauge<'role'>;
  databaseUp: client.Gauge<'role'>;
}

const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
let instance: HubMetrics | undefined;
const operationNames = new Set<string>();
const pools = new Map<string, Database>();

export function metrics(): HubMetrics {
  if (instance) return instance;
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'hub_' });
  const poolGauge = new client.Gauge({
    name: 'hub_db_pool_connections',
    help: 'Database connection pool by state (MySQL/MariaDB; SQLite has a single connection)',
    labelNames: ['role', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [role, db] of pools) {
        const stats = poolStats(db);
        if (stats) for (const [state, n] of Object.entries(stats)) this.set({ role, state }, n);
      }
    },
  });
  void poolGauge;
  instance = {
    registry,
    requests: new client.Counter({ name: 'hub_graphql_requests_total', help: 'GraphQL operations by operation name and outcome (ok, error, refused)', labelNames: ['role', 'operation', 'outcome'] as const, registers: [registry] }),
    duration: new client.Histogram({
      name: 'hub_graphql_request_duration_seconds',
      help: 'GraphQL operation latency by operation name',
      labelNames: ['role', 'operation'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    httpResponses: new client.Counter({ name: 'hub_http_responses_total', help: 'HTTP responses by status code', labelNames: ['role', 'status'] as const, registers: [registry] }),
    decisions: new client.Counter({ name: 'hub_policy_decisions_total', help: 'Field policy decisions (per subject x field) by decision and reason', labelNames: ['decision', 'reason'] as const, registers: [registry] }),
    quotaRefusals: new client.Counter({ name: 'hub_quota_refusals_total', help: 'Requests refused by a quota or rate limit (HTTP 429)', labelNames: ['kind', 'caller_type'] as const, registers: [registry] }),
    limitRefusals: new client.Counter({ name: 'hub_operation_limit_refusals_total', help: 'Operations refused by an operation limit', labelNames: ['limit'] as const, registers: [registry] }),
    subjectLookups: new client.Counter({ name: 'hub_subject_lookups_total', help: 'Subject ids named by root-field arguments (what the daily quota counts)', labelNames: ['caller_type'] as const, registers: [registry] }),
    accessLogWriteSeconds: new client.Histogram({
      name: 'hub_access_log_write_seconds',
      help: 'Time to make a batch of access records durable',
      labelNames: ['role'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    accessLogBacklog: new client.Gauge({ name: 'hub_access_log_backlog', help: 'Access records accepted but not yet durable', labelNames: ['role'] as const, registers: [registry] }),
    databaseUp: new client.Gauge({ name: 'hub_database_up', help: '1 when the last readiness check reached the database', labelNames: ['role'] as const, registers: [registry] }),
  };
  return instance;
}

/** A bounded label for a caller-chosen operation name. */
export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  if (!OPERATION_NAME_RE.test(name)) return 'other';
  if (operationNames.has(name)) return name;
  if (operationNames.size >= MAX_OPERATION_NAMES) return 'other';
  operationNames.add(name);
  return name;
}

/** Reports this database's pool in hub_db_pool_connections under `role`. */
export function watchPool(role: string, db: Database): () => void {
  pools.set(role, db);
  return () => {
    if (pools.get(role) === db) pools.delete(role);
  };
}

interface Mysql2PoolInternals {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
  config?: { connectionLimit?: number };
}

function poolStats(db: Database): Record<string, number> | undefined {
  if (db.kind === 'sqlite') return { open: db.dataSource.isInitialized ? 1 : 0 };
  const pool = (db.dataSource.driver as unknown as { pool?: Mysql2PoolInternals }).pool;
  if (!pool) return undefined;
  const all = pool._allConnections?.length ?? 0;
  const free = pool._freeConnections?.length ?? 0;
  return { open: all, idle: free, busy: all - free, waiting: pool._connectionQueue?.length ?? 0, limit: pool.config?.connectionLimit ?? 0 };
}
