import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import iconv from 'iconv-lite';
import type { Database } from '../db/datasource';
import type { Caller } from '../identity/caller';
import type { PublishRecord } from './adapter';
import { adapterFor } from './adapters';
import { PublicationStatus } from './entities';
import { MAX_BATCH_RECORDS, publishBatch, PublishingError } from './pipeline';

/**
 * Publishing by file (`hub import`): streams a CSV (UTF-8 or GBK) through the same validation and upsert
 * path as the API, in batches. Resumable without duplicates: each batch's idempotency key is derived from
 * the file's content hash and the batch's position, so after an interruption a re-run gets the stored
 * result for every batch that had committed and continues with the first one that had not. Even with a
 * different batch size nothing is duplicated: records already stored are recognised as unchanged.
 *
 * CSV columns: sourceRecordId, subjectId, dataAsOf, then the dataset's field names (empty cell = absent).
 * Excel (.xlsx) is not read: no spreadsheet library is installed; save the sheet as CSV.
 */

export type FileEncoding = 'utf8' | 'gbk';

export interface ImportOptions {
  dataset: string;
  file: string;
  /** Detected when omitted: a UTF-8 BOM or valid UTF-8 means UTF-8, anything else GBK (GB18030). */
  encoding?: FileEncoding;
  /** Store valid rows and report the rest; without it the import stops at the first batch with a bad row. */
  partial?: boolean;
  /** Records per batch (≤ MAX_BATCH_RECORDS). */
  batchSize?: number;
  /** Write rejected rows here (CSV: line, sourceRecordId, field, reason). */
  rejectsFile?: string;
  /** Progress callback after each batch. */
  onProgress?: (p: ImportProgress) => void;
  now?: Date;
}

export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
  records: number;
  batches: number;
  created: number;
  changed: number;
  unchanged: number;
  rejected: number;
  /** Batches whose stored result was returned (already committed by an earlier run). */
  resumedBatches: number;
}

export interface ImportSummary extends ImportProgress {
  encoding: FileEncoding;
  fileHash: string;
  /** False when an all-or-nothing batch was rejected (import stopped there). */
  completed: boolean;
  /** Line of the first row of the batch the import stopped at. */
  stoppedAtLine: number | null;
  seconds: number;
}

const BASE_COLUMNS = ['sourceRecordId', 'subjectId', 'dataAsOf'];

/** Detects UTF-8 (with or without BOM) vs GBK from the head of a file. */
export function detectEncoding(head: Buffer): FileEncoding {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf8';
  // Drop a possibly cut multi-byte sequence at the end of the sample before the strict decode.
  let end = head.length;
  for (let i = Math.max(0, end - 3); i < end; i++) if (head[i] >= 0xc0) { end = i; break; }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return 'utf8';
  } catch {
    return 'gbk';
  }
}

async function hashFile(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function readHead(file: string, bytes = 65536): Promise<Buffer> {
  const fd = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fd.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fd.close();
  }
}

/** Imports one CSV file as the given caller. */
export async function importFile(db: Database, caller: Caller, opts: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const adapter = adapterFor(opts.dataset);
  if (!adapter) throw new PublishingError('BAD_USER_INPUT', `unknown dataset '${opts.dataset}'`);
  if (/\.xlsx?$/i.test(opts.file)) throw new PublishingError('BAD_USER_INPUT', 'Excel files are not supported: save the sheet as CSV (UTF-8 or GBK)');
  const denied = adapter.authorize(caller);
  if (denied) throw new PublishingError('FORBIDDEN', denied);
  const batchSize = opts.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_RECORDS) throw new PublishingError('BAD_USER_INPUT', `batch size must be 1 to ${MAX_BATCH_RECORDS}`);

  const totalBytes = (await fs.promises.stat(opts.file)).size;
  const encoding = opts.encoding ?? detectEncoding(await readHead(opts.file));
  const fileHash = await hashFile(opts.file);
  const keyPrefix = `file:${fileHash.slice(0, 40)}:${adapter.dataset}:${batchSize}:${opts.partial ? 'p' : 'a'}:`;

  const progress: ImportProgress = { bytesRead: 0, totalBytes, records: 0, batches: 0, created: 0, changed: 0, unchanged: 0, rejected: 0, resumedBatches: 0 };
  const known = new Set([...BASE_COLUMNS, ...adapter.fields.map((f) => f.name)]);

  const rejects = opts.rejectsFile ? stringify({ header: true, columns: ['line', 'sourceRecordId', 'field', 'reason'] }) : null;
  const rejectsOut = opts.rejectsFile ? fs.createWriteStream(opts.rejectsFile) : null;
  if (rejects && rejectsOut) rejects.pipe(rejectsOut);
  const writeReject = async (row: unknown[]) => {
    if (rejects && !rejects.write(row)) await once(rejects, 'drain');
  };

  const input = fs.createReadStream(opts.file);
  input.on('data', (chunk) => (progress.bytesRead += (chunk as Buffer).length));
  const parser = input.pipe(iconv.decodeStream(encoding === 'gbk' ? 'gb18030' : 'utf8')).pipe(
    parse({ columns: (header: string[]) => header.map((h) => h.replace(/^\uFEFF/, '').trim()), bom: true, skip_empty_lines: true, trim: true, info: true, relax_quotes: false }),
  );

  let batch: PublishRecord[] = [];
  let lines: number[] = [];
  let completed = true;
  let stoppedAtLine: number | null = null;
  let headerChecked = false;

  const flush = async (): Promise<boolean> => {
    if (!batch.length) return true;
    const index = progress.batches;
    const result = await publishBatch(db, caller, { dataset: adapter.dataset, records: batch, idempotencyKey: keyPrefix + index, partial: !!opts.partial, channel: 'FILE', now: opts.now });
    progress.batches++;
    progress.records += batch.length;
    if (result.duplicateOf) progress.resumedBatches++;
    progress.created += result.created;
    progress.changed += result.changed;
    progress.unchanged += result.unchanged;
    progress.rejected += result.rejectedCount;
    for (const r of result.rejected) await writeReject([lines[r.index], r.sourceRecordId ?? '', r.field ?? '', r.reason]);
    const ok = result.status === PublicationStatus.COMMITTED;
    if (!ok) {
      completed = false;
      stoppedAtLine = lines[0];
    }
    batch = [];
    lines = [];
    opts.onProgress?.({ ...progress });
    return ok;
  };

  try {
    for await (const item of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      const { record, info } = item;
      if (!headerChecked) {
        headerChecked = true;
        const columns = Object.keys(record);
        const unknown = columns.filter((c) => !known.has(c));
        const missing = BASE_COLUMNS.filter((c) => !columns.includes(c) && (c !== 'dataAsOf' || adapter.asOfRequired));
        if (unknown.length || missing.length) {
          throw new PublishingError(
            'BAD_USER_INPUT',
            `${opts.file}: ${missing.length ? `missing column(s) ${missing.join(', ')}` : ''}${missing.length && unknown.length ? '; ' : ''}${unknown.length ? `unknown column(s) ${unknown.join(', ')}` : ''} ` +
              `(dataset '${adapter.dataset}' has ${[...known].join(', ')})`,
          );
        }
      }
      const fields: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(record)) if (!BASE_COLUMNS.includes(k) && v !== '') fields[k] = v;
      batch.push({ sourceRecordId: record.sourceRecordId, subjectId: record.subjectId, dataAsOf: record.dataAsOf || null, fields });
      lines.push(info.lines);
      if (batch.length >= batchSize && !(await flush())) break;
    }
    if (completed) await flush();
  } finally {
    input.destroy();
    if (rejects && rejectsOut) {
      rejects.end();
      await once(rejectsOut, 'finish');
    }
  }
  return { ...progress, bytesRead: Math.min(progress.bytesRead, totalBytes), encoding, fileHash, completed, stoppedAtLine, seconds: (Date.now() - started) / 1000 };
}

/** The CSV header a dataset's file must have (for templates and docs). */
export function csvHeader(dataset: string): string[] {
  const adapter = adapterFor(dataset);
  if (!adapter) throw new PublishingError('BAD_USER_INPUT', `unknown dataset '${dataset}'`);
  return [...BASE_COLUMNS, ...adapter.fields.map((f) => f.name)];
}
