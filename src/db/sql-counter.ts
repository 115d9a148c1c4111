import type { Logger, QueryRunner } from 'typeorm';

/**
 * Counts every SQL statement TypeORM sends. Tests and the benchmark read the count to prove
 * that batching holds (statements per request must not grow with the number of subjects).
 */
export class SqlCounter implements Logger {
  statements = 0;
  /** Print each statement to stderr (HUB_LOG_SQL=1) — for debugging only. */
  constructor(private readonly echo = process.env.HUB_LOG_SQL === '1') {}

  logQuery(query: string, parameters?: unknown[]): void {
    this.statements++;
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
