import { GraphQLError } from 'graphql';
import { HeaderMap } from '@apollo/server';
import type { Database } from '../db/datasource';
import { quotaFor, type HubConfig } from '../config';
import type { Caller } from '../identity/caller';

/** Code of a quota or rate-limit refusal (HTTP 429 with Retry-After). */
export const QUOTA_CODE = 'RATE_LIMITED';

export type QuotaKind = 'REQUESTS_PER_SECOND' | 'SUBJECT_LOOKUPS_PER_DAY';

export class QuotaExceededError extends Error {
  constructor(
    readonly kind: QuotaKind,
    readonly limit: number,
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(message);
    this.name = 'QuotaExceededError';
  }

  toGraphQLError(): GraphQLError {
    return new GraphQLError(this.message, {
      extensions: {
        code: QUOTA_CODE,
        quota: this.kind,
        limit: this.limit,
        retryAfterSeconds: this.retryAfterSeconds,
        http: { status: 429, headers: new HeaderMap([['retry-after', String(this.retryAfterSeconds)]]) },
      },
    });
  }
}

/**
 * Counters in the database (`ops_quota_counter`), one row per (institution, window), incremented by an
 * atomic upsert that returns the new total: several gateway processes over one database share them and a
 * restart loses nothing. (Redis is not bundled; the database is the only store.)
 */
export class QuotaStore {
  constructor(private readonly db: Database) {}

  /** Adds `n` (≥ 0) to the counter and returns the total after the increment. */
  async add(subject: string, windowKey: string, n: number, expiresAt: number): Promise<number> {
    const ds = this.db.dataSource;
    if (this.db.kind === 'sqlite') {
      const rows = (await ds.query(
        'INSERT INTO ops_quota_counter (subject, window_key, used, expires_at) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (subject, window_key) DO UPDATE SET used = used + excluded.used RETURNING used',
        [subject, windowKey, n, expiresAt],
      )) as Array<{ used: number | bigint }>;
      return Number(rows[0].used);
    }
    // LAST_INSERT_ID(expr) hands the new total back on the same connection, without a transaction.
    const runner = ds.createQueryRunner();
    try {
      await runner.query(
        'INSERT INTO ops_quota_counter (subject, window_key, used, expires_at) VALUES (?, ?, LAST_INSERT_ID(?), ?) ' +
          'ON DUPLICATE KEY UPDATE used = LAST_INSERT_ID(used + ?)',
        [subject, windowKey, n, expiresAt, n],
      );
      const rows = (await runner.query('SELECT LAST_INSERT_ID() AS used')) as Array<{ used: string | number }>;
      return Number(rows[0].used);
    } finally {
      await runner.release();
    }
  }

  /** Takes back `n` (a refused charge). */
  async subtract(subject: string, windowKey: string, n: number): Promise<void> {
    await this.db.dataSource.query('UPDATE ops_quota_counter SET used = used - ? WHERE subject = ? AND window_key = ?', [n, subject, windowKey]);
  }

  /** Removes counters whose window has passed. */
  async purge(now: number): Promise<void> {
    await this.db.dataSource.query('DELETE FROM ops_quota_counter WHERE expires_at < ?', [now]);
  }
}

/** Per-institution quotas: requests per second and subject lookups per (China Standard Time) day. */
export class QuotaService {
  private readonly store: QuotaStore;
  private lastPurge = 0;

  constructor(
    db: Database,
    private readonly config: Pick<HubConfig, 'quotas' | 'quotaDayOffsetMinutes'>,
    private readonly now: () => number = Date.now,
  ) {
    this.store = new QuotaStore(db);
  }

  /** Counts one request against the caller's per-second limit; throws QuotaExceededError past it. */
  async chargeRequest(caller: Caller): Promise<void> {
    const limit = quotaFor(this.config, caller.type).requestsPerSecond;
    if (!limit) return;
    const now = this.now();
    const second = Math.floor(now / 1000);
    const used = await this.store.add(quotaSubject(caller), `rps:${second}`, 1, (second + 60) * 1000);
    this.maybePurge(now);
    if (used > limit) {
      throw new QuotaExceededError('REQUESTS_PER_SECOND', limit, 1, `Rate limit: at most ${limit} requests per second for ${quotaSubjectLabel(caller)}; retry after 1 second.`);
    }
  }

  /**
   * Counts `n` subject lookups against the caller's daily quota; past it, the charge is taken back (a
   * refused request uses nothing) and QuotaExceededError says when the quota day ends.
   */
  async chargeSubjectLookups(caller: Caller, n: number): Promise<void> {
    const limit = quotaFor(this.config, caller.type).subjectLookupsPerDay;
    if (!limit || n <= 0) return;
    const { key, endsAt } = this.quotaDay(this.now());
    const subject = quotaSubject(caller);
    const used = await this.store.add(subject, `subjects:${key}`, n, endsAt + 86_400_000);
    if (used > limit) {
      await this.store.subtract(subject, `subjects:${key}`, n);
      const retryAfter = Math.max(1, Math.ceil((endsAt - this.now()) / 1000));
      throw new QuotaExceededError(
        'SUBJECT_LOOKUPS_PER_DAY',
        limit,
        retryAfter,
        `Daily quota: ${quotaSubjectLabel(caller)} may look up ${limit} subjects per day; ${used - n} used today, this request asks for ${n}. The quota resets in ${retryAfter} s.`,
      );
    }
  }

  /** The quota day containing `now`: its key (yyyy-mm-dd in the configured offset) and its end (epoch ms). */
  quotaDay(now: number): { key: string; endsAt: number } {
    const offset = this.config.quotaDayOffsetMinutes * 60_000;
    const local = now + offset;
    const dayStart = Math.floor(local / 86_400_000) * 86_400_000;
    return { key: new Date(dayStart).toISOString().slice(0, 10), endsAt: dayStart + 86_400_000 - offset };
  }

  private maybePurge(now: number): void {
    if (now - this.lastPurge < 60_000) return;
    this.lastPurge = now;
    this.store.purge(now).catch(() => undefined);
  }
}

function quotaSubject(caller: Caller): string {
  return (caller.orgCode ?? `subject:${caller.subjectId ?? caller.userId}`).slice(0, 64);
}

function quotaSubjectLabel(caller: Caller): string {
  return caller.orgCode ? `institution ${caller.orgCode}` : 'this subject';
}
