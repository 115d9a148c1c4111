import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { JWK } from 'jose';
import { loadConfig } from '../config';
import { openDatabase, type Database } from '../db/datasource';
import { loadOrCreateKey, loadPublicJwks } from '../identity/keys';
import { exportAccessLog, installAppendOnlyTriggers, purgeBefore, retentionCutoff, verifyAccessLog, verifyExport, DEFAULT_RETENTION_YEARS } from '../audit';
import { parsePositiveInt } from './args';

/** Public keys that verify checkpoints: a JWKS file, or the hub's own audit key. */
async function checkpointKeys(keysDir: string, jwksFile?: string): Promise<JWK[]> {
  if (jwksFile) {
    const parsed = JSON.parse(fs.readFileSync(jwksFile, 'utf8')) as { keys?: JWK[] } | JWK[];
    return Array.isArray(parsed) ? parsed : (parsed.keys ?? []);
  }
  await loadOrCreateKey(keysDir, 'audit');
  // Retired keys still verify the checkpoints they signed before a rotation.
  return loadPublicJwks(keysDir, 'audit', { includeRetired: true });
}

/** `hub audit verify` as a function: the printed report and whether the log verified. */
export async function auditVerifyReport(db: Database, keys: JWK[], opts: { fromCheckpoint?: number; chain?: string } = {}): Promise<{ ok: boolean; text: string }> {
  const result = await verifyAccessLog(db, keys, { fromCheckpointId: opts.fromCheckpoint, chainId: opts.chain });
  if (result.ok) return { ok: true, text: `access log verifies: ${result.count} record(s) in ${result.chains.length} chain(s)` };
  return {
    ok: false,
    text: `access log BROKEN at chain ${result.chainId} seq ${result.seq}${result.id !== null ? ` (record id ${result.id})` : ''}: ${result.problem} — ${result.message}`,
  };
}

function parseDate(value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new Error(`not a date: '${value}' (use ISO 8601, e.g. 2026-01-01 or 2026-01-01T00:00:00Z)`);
  return d;
}

async function withDb<T>(fn: (db: Database, keysDir: string) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase(config.databaseUrl);
  try {
    return await fn(db, config.keysDir);
  } finally {
    await db.dataSource.destroy();
  }
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident access log: verify, export for outsiders, retention');

  audit
    .command('verify')
    .description('recompute every hash chain and check the signed checkpoints; prints the first broken record (exit 1)')
    .option('--from-checkpoint <id>', 'trust records up to this checkpoint (per chain, its newest valid one at or below the id)', parsePositiveInt)
    .option('--chain <id>', 'verify one chain only')
    .option('--jwks <file>', 'verify checkpoints with these public keys instead of the hub’s own audit key')
    .action(async (opts: { fromCheckpoint?: number; chain?: string; jwks?: string }) => {
      await withDb(async (db, keysDir) => {
        const report = await auditVerifyReport(db, await checkpointKeys(keysDir, opts.jwks), opts);
        (report.ok ? process.stdout : process.stderr).write(report.text + '\n');
        if (!report.ok) process.exitCode = 1;
      });
    });

  audit
    .command('export')
    .description('write records and checkpoints of a time window as files an outside party can verify with the public key alone')
    .requiredOption('--from <time>', 'start (inclusive), ISO 8601', parseDate)
    .requiredOption('--to <time>', 'end (exclusive), ISO 8601', parseDate)
    .requiredOption('--dir <dir>', 'output folder (must not exist yet)')
    .action(async (opts: { from: Date; to: Date; dir: string }) => {
      await withDb(async (db, keysDir) => {
        const manifest = await exportAccessLog(db, { from: opts.from, to: opts.to, dir: path.resolve(opts.dir), publicJwks: await checkpointKeys(keysDir) });
        process.stdout.write(`exported ${JSON.stringify(manifest.segments?.length ?? 0)} chain segment(s) to ${opts.dir}\n`);
      });
    });

  audit
    .command('verify-export <dir>')
    .description('verify an exported folder without any database (what a regulator or department runs)')
    .option('--jwks <file>', 'public keys to trust (default: the keys shipped in the export)')
    .action(async (dir: string, opts: { jwks?: string }) => {
      const keys = opts.jwks ? await checkpointKeys('', opts.jwks) : undefined;
      const result = await verifyExport(dir, keys);
      if (result.ok) process.stdout.write(`export verifies: ${result.count} record(s)\n`);
      else {
        process.stderr.write(`export BROKEN at chain ${result.chainId} seq ${result.seq}: ${result.problem} — ${result.message}\n`);
        process.exitCode = 1;
      }
    });

  audit
    .command('purge')
    .description(`export, then delete records older than the retention period (default ${DEFAULT_RETENTION_YEARS} years); the chain stays verifiable`)
    .option('--retention-years <n>', 'retention in years', parsePositiveInt, DEFAULT_RETENTION_YEARS)
    .requiredOption('--export-dir <dir>', 'where the purged records are exported first')
    .action(async (opts: { retentionYears: number; exportDir: string }) => {
      await withDb(async (db, keysDir) => {
        const result = await purgeBefore(db, retentionCutoff(new Date(), opts.retentionYears), path.resolve(opts.exportDir), { publicJwks: await checkpointKeys(keysDir) });
        process.stdout.write(`${JSON.stringify(result)}\n`);
      });
    });

  audit
    .command('install-triggers')
    .description('MySQL/MariaDB: install triggers that refuse UPDATE and DELETE on the access log (run with the migration account)')
    .action(async () => {
      await withDb(async (db) => {
        const installed = await installAppendOnlyTriggers(db);
        process.stdout.write(installed ? 'append-only triggers installed\n' : 'this database has no triggers (SQLite): rely on file permissions and grants\n');
      });
    });

  audit
    .command('jwks')
    .description('print the public key(s) that verify this hub’s audit checkpoints (publish them to outsiders)')
    .action(async () => {
      const config = loadConfig();
      process.stdout.write(JSON.stringify({ keys: await checkpointKeys(config.keysDir) }, null, 2) + '\n');
    });
}
