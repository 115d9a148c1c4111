import type { Logger, QueryRunner } from 'typeorm';

/**
 * Counts every SQL statement TypeORM sends. Tests and the benchmark read the count to prove
 * that batching holds (statements per request must not grow with the number of subjects).
 */
export class SqlCounter implements Logger {
  statements = 0;
  /** Print each statement to stderr (HUB_LOG_SQL=1) — for debugging only. */
  constructor(private readonly echo = process.env.HUB_LOG_SQL === '1') {}

  /** The statements sent since `record()`, while recording (tests that need to tell statements apart). */
  private recorded: string[] | null = null;

  record(): void {
    this.recorded = [];
  }

  /** Stops recording and returns what was sent since `record()`. */
  take(): string[] {
    const out = this.recorded ?? [];
    this.recorded = null;
    return out;
  }

  logQuery(query: string, parameters?: unknown[]): void {
    this.statements++;
    this.recorded?.push(query);
    if (this.echo) process.stderr.write(`[sql] ${query} ${parameters?.length ? JSON.stringify(parameters) : ''}\n`);
  }
  logQueryError(error: string | Error, query: string): void {
    if (this.echo) process.stderr.write(`[sql error] ${String(error)} in ${query}\n`);
  }
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(_level: 'log' | 'info' | 'warn', _message: unknown, _queryRunner?: QueryRunner): void {}
}
