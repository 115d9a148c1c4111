import { createHash } from 'node:crypto';
import { MaskKind } from './catalog';

/**
 * Field masks (Ranger-style). Pure functions: no I/O, no clock.
 *
 * Every mask fails closed: a value a mask cannot make sense of (a number handed to the name mask, a
 * free-text string handed to the date mask, an object) becomes `null` rather than leaking through
 * unmasked. `null`/`undefined` stay `null`; arrays are masked element by element.
 */

/** 元 boundaries of the default amount bands: <10万, 10万–50万, 50万–100万, 100万–500万, 500万–1000万, 1000万–5000万, ≥5000万. */
export const DEFAULT_AMOUNT_BAND_BOUNDARIES_YUAN: readonly number[] = [100_000, 500_000, 1_000_000, 5_000_000, 10_000_000, 50_000_000];

export interface MaskOptions {
  /**
   * Ascending 元 boundaries of the amount bands (each band includes its lower boundary and excludes its
   * upper one). Defaults to {@link DEFAULT_AMOUNT_BAND_BOUNDARIES_YUAN}.
   */
  amountBandBoundariesYuan?: readonly number[];
}

const MASK_CHAR = '*';
/** China Standard Time (UTC+8, no DST): a Date is reduced to its year as seen in China. */
const CST_OFFSET_MS = 8 * 60 * 60 * 1000;

/** Applies `kind` to `value`; arrays element-wise; null/undefined → null; unusable values → null. */
export function applyMask(kind: MaskKind, value: unknown, options: MaskOptions = {}): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => applyMask(kind, v, options));
  switch (kind) {
    case MaskKind.SHOW_FIRST6_LAST4:
      return maskFirst6Last4(value);
    case MaskKind.PARTIAL_NAME:
      return maskPartialName(value);
    case MaskKind.AMOUNT_BAND:
      return amountBand(value, options.amountBandBoundariesYuan ?? DEFAULT_AMOUNT_BAND_BOUNDARIES_YUAN);
    case MaskKind.DATE_YEAR:
      return dateYear(value);
    case MaskKind.HASH:
      return hashValue(value);
    case MaskKind.NULLIFY:
      return null;
    default:
      // Unknown mask kind (bad metadata or configuration): fail closed.
      return null;
  }
}

/** Strings (and integers, e.g. an ID number typed as a number) as text; anything else is not maskable as text. */
function asText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/**
 * ID numbers: first 6 + one '*' per hidden character + last 4 (110105********002X).
 * Strings of 10 characters or fewer cannot keep 6 + 4: those of 8–10 show only the last 4, shorter ones
 * are masked entirely (showing 4 of 7 characters would reveal most of the value).
 * Works on code points, so non-BMP characters are never split.
 */
function maskFirst6Last4(value: unknown): string | null {
  const text = asText(value);
  if (text === null) return null;
  const chars = Array.from(text);
  const n = chars.length;
  if (n > 10) return chars.slice(0, 6).join('') + MASK_CHAR.repeat(n - 10) + chars.slice(n - 4).join('');
  if (n >= 8) return MASK_CHAR.repeat(n - 4) + chars.slice(n - 4).join('');
  return MASK_CHAR.repeat(n);
}

/**
 * Names: the first character and one '*' per remaining character (张三丰 → 张**, Zhang → Z****).
 * A one-character name is masked entirely. Only strings are names.
 */
function maskPartialName(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const chars = Array.from(value);
  if (chars.length <= 1) return MASK_CHAR.repeat(chars.length);
  return chars[0] + MASK_CHAR.repeat(chars.length - 1);
}

/** Integer fen from a number, a bigint or a digit string (mysql2 returns BIGINT as a string). */
function asFen(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^-?\d{1,18}$/.test(value.trim())) return Number(value.trim());
  return null;
}

/** Formats a 元 amount the way Chinese finance labels bands: 10万, 5000万, 1亿, 1.5亿; otherwise 元. */
export function formatYuanShort(yuan: number): string {
  if (yuan !== 0 && yuan % 100_000_000 === 0) return `${yuan / 100_000_000}亿`;
  if (yuan >= 100_000_000 && yuan % 10_000 === 0) return `${yuan / 100_000_000}亿`;
  if (yuan !== 0 && yuan % 10_000 === 0) return `${yuan / 10_000}万`;
  return `${yuan}元`;
}

interface Band {
  lowerFen: number;
  label: string;
}
const bandCache = new WeakMap<readonly number[], Band[]>();

/** The bands (ascending by lower bound) for a list of 元 boundaries; labels use the en dash '–'. */
export function amountBands(boundariesYuan: readonly number[] = DEFAULT_AMOUNT_BAND_BOUNDARIES_YUAN): readonly { lowerFen: number; label: string }[] {
  const cached = bandCache.get(boundariesYuan);
  if (cached) return cached;
  if (boundariesYuan.length === 0) throw new Error('amount bands need at least one boundary');
  for (let i = 0; i < boundariesYuan.length; i++) {
    const b = boundariesYuan[i];
    if (!Number.isSafeInteger(b) || b <= 0) throw new Error(`amount band boundary ${b} must be a positive whole number of 元`);
    if (i > 0 && b <= boundariesYuan[i - 1]) throw new Error('amount band boundaries must be strictly ascending');
  }
  const labels = boundariesYuan.map(formatYuanShort);
  const bands: Band[] = [{ lowerFen: Number.NEGATIVE_INFINITY, label: `<${labels[0]}` }];
  for (let i = 0; i < boundariesYuan.length - 1; i++) bands.push({ lowerFen: boundariesYuan[i] * 100, label: `${labels[i]}–${labels[i + 1]}` });
  bands.push({ lowerFen: boundariesYuan[boundariesYuan.length - 1] * 100, label: `≥${labels[labels.length - 1]}` });
  bandCache.set(boundariesYuan, bands);
  return bands;
}

/** Integer fen → band label in 元 (lower bound inclusive: exactly 10万元 is "10万–50万"). */
function amountBand(value: unknown, boundariesYuan: readonly number[]): string | null {
  const fen = asFen(value);
  if (fen === null) return null;
  const bands = amountBands(boundariesYuan);
  let label = bands[0].label;
  for (const band of bands) {
    if (fen >= band.lowerFen) label = band.label;
    else break;
  }
  return label;
}

const DATE_TEXT = /^(\d{4})(?:-\d{2}(?:-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?)?)?$/;

/** 'YYYY-MM-DD' (or 'YYYY-MM', 'YYYY', an ISO date-time) → 'YYYY'; a Date → its year in China Standard Time. */
function dateYear(value: unknown): string | null {
  if (value instanceof Date) {
    const t = value.getTime();
    return Number.isNaN(t) ? null : String(new Date(t + CST_OFFSET_MS).getUTCFullYear());
  }
  if (typeof value !== 'string') return null;
  const m = DATE_TEXT.exec(value.trim());
  return m ? m[1] : null;
}

/** SHA-256 hex of the value's text (a Date as its ISO form); objects are not hashed (null). */
function hashValue(value: unknown): string | null {
  let text: string;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    text = value.toISOString();
  } else if (typeof value === 'object' || typeof value === 'function' || typeof value === 'symbol') {
    return null;
  } else {
    text = String(value);
  }
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
