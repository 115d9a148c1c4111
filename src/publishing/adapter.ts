import type { Database } from '../db/datasource';
import { createHash } from 'node:crypto';
import { checkResidentId, checkSubjectId, checkUscc } from '../identifiers';
import { isCalendarDate } from '../federation/scalars';
import type { Caller } from '../identity/caller';
import type { DatasetCode } from '../policy/catalog';

/**
 * A dataset adapter tells the generic publishing pipeline how one dataset's records are validated and
 * stored: its input fields (with their column and rules), its table and provenance columns, who may publish
 * it and what happens with subjects the registry does not know. Adapters are plain data plus a few
 * functions; the pipeline (`pipeline.ts`) does everything else the same way for every dataset.
 */

/** Kinds of input field and how each is validated and stored. */
export type FieldKind =
  /** Trimmed text, `maxLength` characters at most. */
  | 'string'
  /** Integer within `min`..`max`. */
  | 'int'
  /** 元 amount with at most two decimals ("1234.56" or a number), stored as integer 分; non-negative, ≤ `max` 分. */
  | 'money'
  /** Decimal number with at most `scale` decimals within `min`..`max`. */
  | 'decimal'
  /** Calendar date YYYY-MM-DD (`notFuture`: not after today, China Standard Time). */
  | 'date'
  /** Month YYYY-MM (`notFuture` likewise). */
  | 'month'
  /** true/false (also "true"/"false", "1"/"0", "是"/"否", "Y"/"N" from files). */
  | 'bool'
  /** One of `values`. */
  | 'enum'
  /** List of short strings (array, or a file cell separated by 、，,;|), stored comma-joined. */
  | 'list'
  /** Institution code of a registered institution (`orgType` when set). */
  | 'org'
  /** 公民身份号码 (GB 11643-1999, check digit verified). */
  | 'residentId'
  /** GB/T 2260 six-digit district code. */
  | 'region';

export interface FieldSpec {
  /** Input field name (the entity property name), e.g. `taxPaid`. */
  name: string;
  /** Database column. */
  column: string;
  kind: FieldKind;
  /** May be absent/null (stored as NULL unless `default`). */
  optional?: boolean;
  /** Stored when the field is absent. */
  default?: string | number | boolean;
  maxLength?: number;
  min?: number;
  /** Upper bound (for money: in 分). */
  max?: number;
  scale?: number;
  values?: readonly string[];
  notFuture?: boolean;
  orgType?: string;
  /** Text for the API docs and the CSV template. */
  description?: string;
}

/** How a dataset's rows are stored. */
export interface StorageProfile {
  table: string;
  /**
   * `versioned`: one row per version keyed by (owner?, source record id, version), with a current flag.
   * `registry`: the registry row of the subject itself (primary key = subject id), replaced in place.
   */
  mode: 'versioned' | 'registry';
  /** Column holding the subject id (`subject_id`, or `id` for registry rows). */
  subjectColumn: string;
  currentColumn?: string;
  /** Column set to the caller's institution code (the publisher, or the reporting bank/guarantor). */
  orgColumn: string;
  /** When true the org column is part of the record key (exposure: each institution has its own ids). */
  orgScoped: boolean;
  /** `data_as_of` where the table keeps it. */
  asOfColumn?: string;
  /** Receive time (`published_at` / `reported_at`). */
  timeColumn: string;
  /** Credit records can be retracted (撤回): `retracted_at` + `retraction_reason`. */
  retractable: boolean;
}

/** What to do with a subject id the registry does not hold. */
export type UnknownSubjectPolicy =
  /** Reject the record (field subjectId, "unknown subject"). */
  | 'reject'
  /** Accept any valid identifier (exposure: banks lend to farm households the registry may not list). */
  | 'accept'
  /** The dataset IS the registry: the record creates or replaces the subject's registry row. */
  | 'create';

/** A rejection of one record of a batch. */
export interface Rejection {
  /** Position of the record in the batch (0-based). */
  index: number;
  sourceRecordId: string | null;
  /** Input field at fault (`subjectId`, `dataAsOf`, `fields.taxPaid`, …), or null for the record as a whole. */
  field: string | null;
  reason: string;
}

/** One input record, as the API and the file importer deliver it. */
export interface PublishRecord {
  sourceRecordId: string;
  subjectId: string;
  dataAsOf?: string | null;
  fields: Record<string, unknown>;
}

export interface DatasetAdapter {
  /** Publishing dataset code (`tax`, `registration`, `loans`, `guarantees`, `compensations`, …). */
  dataset: string;
  /** Catalog dataset it belongs to (publisher, update cycle). */
  catalogDataset: DatasetCode;
  /** Human name for messages. */
  title: string;
  storage: StorageProfile;
  fields: FieldSpec[];
  unknownSubject: UnknownSubjectPolicy;
  /** Which identifier kinds a subject may have; default both. */
  subjectKinds?: Array<'USCC' | 'RESIDENT_ID'>;
  /** dataAsOf is required (and stored when the table keeps it). Exposure records may omit it. */
  asOfRequired: boolean;
  /** Oldest accepted dataAsOf, in days before today. */
  maxAsOfAgeDays: number;
  /** Why a caller may not publish this dataset, or null when it may. */
  authorize(caller: Caller): string | null;
  /** Fields a record may NOT carry, with the reason (e.g. a loan naming its bank: the bank is the caller). */
  forbiddenFields?: Record<string, string>;
  /** Cross-field rules on the normalised values (by field name); returns rejections as [field, reason]. */
  check?(values: Record<string, unknown>): Array<[string, string]>;
  /**
   * Records accepted but flagged (e.g. a guarantee under a suspended bank–guarantor cooperation, 银担风险熔断):
   * they land like the others; the result lists them so the reporter knows.
   */
  flag?(db: Database, caller: Caller, records: readonly NormalizedRecord[]): Promise<Rejection[]>;
}

/** The oldest data-as-of date a dataset accepts by default: two years back. */
export const DEFAULT_MAX_AS_OF_AGE_DAYS = 730;
/** Largest money amount accepted: 1 万亿元 (10^14 分), far below 2^53. */
export const MAX_MONEY_FEN = 100_000_000_000_000;
/** Longest source record id (the column is varchar(64)). */
export const MAX_SOURCE_RECORD_ID_LENGTH = 64;

const CST_OFFSET_MS = 8 * 3600_000;

/** Today's calendar date in China Standard Time, YYYY-MM-DD. */
export function cstToday(now: Date): string {
  return new Date(now.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** `date` minus `days` calendar days. */
export function minusDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

const TRUE_WORDS = new Set(['true', '1', 'y', 'yes', '是', 't']);
const FALSE_WORDS = new Set(['false', '0', 'n', 'no', '否', 'f']);
const MONEY_RE = /^(\d{1,13})(?:\.(\d{1,2}))?$/;

/** Whether a value counts as absent (null, undefined, or an empty/blank file cell). */
export const isBlank = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** Context of one validation run (clock, institutions by code for `org` fields). */
export interface ValidationContext {
  today: string;
  institutions: Map<string, { type: string }>;
}

type FieldResult = { ok: true; value: string | number | boolean | null } | { ok: false; reason: string };

/** Validates and normalises one field value. */
export function validateField(spec: FieldSpec, raw: unknown, ctx: ValidationContext): FieldResult {
  if (isBlank(raw)) {
    if (spec.default !== undefined) return { ok: true, value: spec.default };
    if (spec.optional) return { ok: true, value: null };
    return { ok: false, reason: 'required' };
  }
  const text = typeof raw === 'string' ? raw.trim() : raw;
  switch (spec.kind) {
    case 'string': {
      if (typeof text !== 'string' && typeof text !== 'number') return { ok: false, reason: 'must be text' };
      const s = String(text);
      if (spec.maxLength && [...s].length > spec.maxLength) return { ok: false, reason: `longer than ${spec.maxLength} characters` };
      return { ok: true, value: s };
    }
    case 'int': {
      const n = typeof text === 'number' ? text : /^-?\d{1,15}$/.test(String(text)) ? Number(text) : NaN;
      if (!Number.isSafeInteger(n)) return { ok: false, reason: 'must be an integer' };
      if (spec.min !== undefined && n < spec.min) return { ok: false, reason: `must be at least ${spec.min}` };
      if (spec.max !== undefined && n > spec.max) return { ok: false, reason: `must be at most ${spec.max}` };
      return { ok: true, value: n };
    }
    case 'money': {
      const s = typeof text === 'number' ? String(text) : String(text).replace(/,/g, '');
      if (/^-/.test(s)) return { ok: false, reason: 'must not be negative' };
      const m = MONEY_RE.exec(s);
      if (!m) return { ok: false, reason: 'must be a 元 amount with at most two decimals, e.g. "1500000.00"' };
      const fen = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
      const max = spec.max ?? MAX_MONEY_FEN;
      if (fen > max) return { ok: false, reason: `exceeds the allowed maximum of ${max / 100} 元` };
      return { ok: true, value: fen };
    }
    case 'decimal': {
      const s = String(text);
      const scale = spec.scale ?? 2;
      if (!new RegExp(`^-?\\d{1,12}(\\.\\d{1,${scale}})?$`).test(s)) return { ok: false, reason: `must be a number with at most ${scale} decimals` };
      const n = Number(s);
      if (spec.min !== undefined && n < spec.min) return { ok: false, reason: `must be at least ${spec.min}` };
      if (spec.max !== undefined && n > spec.max) return { ok: false, reason: `must be at most ${spec.max}` };
      return { ok: true, value: n };
    }
    case 'date': {
      const s = String(text);
      if (!isCalendarDate(s)) return { ok: false, reason: 'must be a calendar date YYYY-MM-DD' };
      if (spec.notFuture && s > ctx.today) return { ok: false, reason: 'is in the future' };
      if (s < '1900-01-01') return { ok: false, reason: 'is before 1900' };
      return { ok: true, value: s };
    }
    case 'month': {
      const s = String(text);
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(s)) return { ok: false, reason: 'must be a month YYYY-MM' };
      if (spec.notFuture && s > ctx.today.slice(0, 7)) return { ok: false, reason: 'is in the future' };
      return { ok: true, value: s };
    }
    case 'bool': {
      if (typeof text === 'boolean') return { ok: true, value: text };
      const w = String(text).toLowerCase();
      if (TRUE_WORDS.has(w)) return { ok: true, value: true };
      if (FALSE_WORDS.has(w)) return { ok: true, value: false };
      return { ok: false, reason: 'must be true or false' };
    }
    case 'enum': {
      const s = String(text).toUpperCase();
      if (!spec.values?.includes(s)) return { ok: false, reason: `must be one of ${spec.values?.join(', ')}` };
      return { ok: true, value: s };
    }
    case 'list': {
      const items = (Array.isArray(text) ? text.map(String) : String(text).split(/[、，,;；|]/)).map((x) => x.trim()).filter(Boolean);
      if (items.some((x) => x.includes(','))) return { ok: false, reason: 'items must not contain commas' };
      const joined = items.join(',');
      if (spec.maxLength && joined.length > spec.maxLength) return { ok: false, reason: `longer than ${spec.maxLength} characters` };
      return { ok: true, value: joined };
    }
    case 'org': {
      const s = String(text).toUpperCase();
      const found = ctx.institutions.get(s);
      if (!found) return { ok: false, reason: `institution '${s}' is not registered with the hub` };
      if (spec.orgType && found.type !== spec.orgType) return { ok: false, reason: `institution '${s}' is not a ${spec.orgType}` };
      return { ok: true, value: s };
    }
    case 'residentId': {
      const r = checkResidentId(String(text));
      return r.ok ? { ok: true, value: r.id } : { ok: false, reason: r.message };
    }
    case 'region': {
      const s = String(text);
      if (!/^[1-8]\d{5}$/.test(s)) return { ok: false, reason: 'must be a six-digit GB/T 2260 district code' };
      return { ok: true, value: s };
    }
  }
}

/** Checks a subject id for an adapter: check digits, and the identifier kinds the dataset allows. */
export function validateSubjectId(adapter: DatasetAdapter, raw: unknown): { ok: true; id: string; kind: 'USCC' | 'RESIDENT_ID' } | { ok: false; reason: string } {
  if (typeof raw !== 'string' || !raw.trim()) return { ok: false, reason: 'required' };
  const kinds = adapter.subjectKinds;
  const r = kinds && kinds.length === 1 && kinds[0] === 'USCC' ? checkUscc(raw) : checkSubjectId(raw);
  if (!r.ok) return { ok: false, reason: r.message };
  if (kinds && !kinds.includes(r.kind)) return { ok: false, reason: `a ${r.kind === 'USCC' ? '统一社会信用代码' : '公民身份号码'} is not accepted for this dataset` };
  return { ok: true, id: r.id, kind: r.kind };
}

/** A validated record ready to store. */
export interface NormalizedRecord {
  index: number;
  sourceRecordId: string;
  subjectId: string;
  dataAsOf: string | null;
  /** Normalised field values by field name (spec order). */
  values: Record<string, string | number | boolean | null>;
  /** Content hash over subject, as-of (where stored) and every field. */
  hash: string;
}

/**
 * Canonical content hash of a record: the same for an input record and the row stored from it, so an
 * identical re-send is recognised without any extra column. Values are normalised per field kind first
 * (the drivers return BIGINT/DECIMAL as strings or numbers, booleans as 0/1).
 */
export function contentHash(adapter: DatasetAdapter, subjectId: string, dataAsOf: string | null, values: Record<string, unknown>): string {
  const parts: unknown[] = [subjectId, adapter.storage.asOfColumn ? dataAsOf : null];
  for (const f of adapter.fields) parts.push(canonical(f, values[f.name]));
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** Normalises a stored or validated value of a field to its canonical JS form. */
export function canonical(spec: FieldSpec, value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  switch (spec.kind) {
    case 'int':
    case 'money':
    case 'decimal':
      return Number(value);
    case 'bool':
      return value === true || value === 1 || value === '1' || value === 'true';
    default:
      return String(value);
  }
}

/** Stored row → the API's view of the fields (money as a 元 string, like the Money scalar). */
export function fieldsForDisplay(adapter: DatasetAdapter, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of adapter.fields) {
    const v = canonical(f, row[f.column]);
    if (f.kind === 'money' && typeof v === 'number') out[f.name] = `${Math.trunc(v / 100)}.${String(v % 100).padStart(2, '0')}`;
    else if (f.kind === 'list' && typeof v === 'string') out[f.name] = v ? v.split(',') : [];
    else out[f.name] = v;
  }
  return out;
}
