import { InvalidArgumentError, Option, type Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { loadConfig } from '../config';
import { openDatabase } from '../db/datasource';
import { AccessLogWriter, defaultChainId } from '../audit/writer';
import { logPublications } from '../audit/plugin';
import { loadOrCreateKey } from '../identity/keys';
import { CallerType, type Caller } from '../identity/caller';
import { DATASETS } from '../policy/datasets';
import { findInstitutions } from '../sharing/read';
import { InstitutionStatus } from '../sharing/entities';
import { ADAPTERS, adapterFor } from '../publishing/adapters';
import { csvHeader, importFile, type FileEncoding, type ImportProgress } from '../publishing/import-file';
import { MAX_BATCH_RECORDS } from '../publishing/pipeline';

function batchSize(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_BATCH_RECORDS) throw new InvalidArgumentError(`must be 1 to ${MAX_BATCH_RECORDS}`);
  return n;
}

/** Progress on stderr: a bar with rate and ETA on a terminal, a plain line every few seconds otherwise. */
function progressReporter(totalBytes: () => number) {
  const tty = !!process.stderr.isTTY;
  const started = Date.now();
  let bar: SingleBar | null = null;
  let lastLine = 0;
  return {
    update(p: ImportProgress) {
      const secs = (Date.now() - started) / 1000;
      const rate = Math.round(p.records / Math.max(secs, 0.001));
      if (tty) {
        if (!bar) {
          bar = new SingleBar(
            { format: '{bar} {percentage}% | {records} records | {rate}/s | ETA {eta_formatted} | rejected {rejected}', stream: process.stderr, etaBuffer: 20 },
            Presets.shades_classic,
          );
          bar.start(totalBytes(), 0, { records: 0, rate: 0, rejected: 0 });
        }
        bar.update(p.bytesRead, { records: p.records, rate, rejected: p.rejected });
      } else if (Date.now() - lastLine > 5000) {
        lastLine = Date.now();
        const pct = p.totalBytes ? Math.round((100 * p.bytesRead) / p.totalBytes) : 0;
        const eta = rate && pct < 100 ? Math.round(((secs / Math.max(p.bytesRead, 1)) * (p.totalBytes - p.bytesRead))) : 0;
        process.stderr.write(`import: ${pct}% ${p.records} records, ${rate}/s, ETA ${eta}s, rejected ${p.rejected}\n`);
      }
    },
    stop() {
      (bar as SingleBar | null)?.stop();
    },
  };
}

/** `hub import`: publish a CSV file (UTF-8 or GBK) through the publishing pipeline. */
export function registerImportCommands(program: Command): void {
  program
    .command('import')
    .description(
      'publish a CSV file (UTF-8 or GBK) into a dataset in batches through the same validation and upsert path as the API; ' +
        'resumable (re-run the same command after an interruption: committed batches are skipped); .xlsx is not supported (save as CSV)',
    )
    .addOption(new Option('--dataset <code>', 'dataset code').choices([...ADAPTERS.keys()]).makeOptionMandatory())
    .option('--file <path>', 'CSV file: columns sourceRecordId, subjectId, dataAsOf and the dataset’s field names (required unless --template)')
    .addOption(new Option('--encoding <enc>', 'file encoding (default: detected from BOM / UTF-8 validity)').choices(['utf8', 'gbk']))
    .option('--org <code>', 'publishing institution (default: the dataset’s publishing department)')
    .option('--partial', 'store valid rows and report bad ones (default: stop at the first batch with a bad row, storing none of it)')
    .option('--batch <n>', `records per batch (1 to ${MAX_BATCH_RECORDS})`, batchSize, 1000)
    .option('--rejects <path>', 'write rejected rows to this CSV (line, sourceRecordId, field, reason)')
    .option('--template', 'print the CSV header of the dataset and exit')
    .action(async (opts: { dataset: string; file?: string; encoding?: FileEncoding; org?: string; partial?: boolean; batch: number; rejects?: string; template?: boolean }) => {
      if (opts.template) {
        process.stdout.write(csvHeader(opts.dataset).join(',') + '\n');
        return;
      }
      if (!opts.file) throw new InvalidArgumentError('--file <path> is required');
      const file = opts.file;
      const adapter = adapterFor(opts.dataset)!;
      const orgCode = opts.org ?? DATASETS[adapter.catalogDataset].publisher;
      const config = loadConfig();
      const db = await openDatabase(config.databaseUrl);
      // Publishing by file is recorded in the access log like publishing by API (its own chain).
      const accessLog = await AccessLogWriter.open(db, await loadOrCreateKey(config.keysDir, 'audit'), { chainId: `import-${defaultChainId()}`.slice(0, 64) });
      logPublications(accessLog);
      let reporter: ReturnType<typeof progressReporter> | null = null;
      try {
        const [institution] = orgCode ? await findInstitutions(db, [orgCode]) : [null];
        if (!institution) throw new InvalidArgumentError(`institution '${orgCode}' is not registered (see \`hub orgs\`); give --org`);
        if (institution.status !== InstitutionStatus.ACTIVE) throw new InvalidArgumentError(`institution '${institution.code}' is ${institution.status}`);
        const caller: Caller = { type: institution.type as CallerType, orgCode: institution.code, userId: `${institution.code}/cli`, regionCode: institution.regionCode };
        let total = 0;
        reporter = progressReporter(() => total);
        const summary = await importFile(db, caller, {
          dataset: opts.dataset,
          file,
          encoding: opts.encoding,
          partial: !!opts.partial,
          batchSize: opts.batch,
          rejectsFile: opts.rejects,
          onProgress: (p) => {
            total = p.totalBytes;
            reporter!.update(p);
          },
        });
        reporter.stop();
        process.stderr.write(
          `import ${opts.dataset} from ${file} (${summary.encoding}): ${summary.records} records in ${summary.batches} batches, ` +
            `${summary.created} new, ${summary.changed} new versions, ${summary.unchanged} unchanged, ${summary.rejected} rejected` +
            `${summary.resumedBatches ? `, ${summary.resumedBatches} batches already committed by an earlier run` : ''}; ` +
            `${summary.seconds.toFixed(1)} s (${Math.round(summary.records / Math.max(summary.seconds, 0.001))} records/s)` +
            `${opts.rejects && summary.rejected ? `; rejects in ${opts.rejects}` : ''}\n`,
        );
        if (!summary.completed) {
          process.stderr.write(`stopped: the batch starting at line ${summary.stoppedAtLine} has invalid rows and nothing of it was stored; fix the file or use --partial\n`);
          process.exitCode = 1;
        }
      } finally {
        reporter?.stop();
        await accessLog.close();
        await db.dataSource.destroy();
      }
    });
}
