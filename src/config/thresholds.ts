import fs from 'node:fs';

/**
 * Guarantee business thresholds (DESIGN.md "Guarantee business rules": 财金〔2025〕11号,
 * 融资担保公司监督管理条例, 国办发〔2019〕6号). Configuration, not code: every value has the design's
 * default and can be overridden by a JSON file named in `HUB_THRESHOLDS_FILE` (same keys as this
 * interface) and then by one environment variable per key (`HUB_THRESHOLD_<SNAKE_CASE_KEY>`, e.g.
 * `HUB_THRESHOLD_CIRCUIT_BREAKER_RATE=0.03`). Amounts are integer fen (分); shares and rates are
 * fractions (0.8 = 80%) except the fee rate and risk shares, which are percent like the reported data.
 */
export interface Thresholds {
  /** 单户担保金额 focus line: 1000万元. */
  singleHouseholdFocusFen: number;
  /** 支小支农 share of guarantee balance, minimum (0.8 = 80%). */
  smallMicroAgriMinShare: number;
  /** A borrower counts as "small amount" when its total guaranteed balance at the guarantor is ≤ this (500万元). */
  smallAmountLimitFen: number;
  /** Share of balance to small-amount borrowers, minimum (0.5 = 50%). */
  smallAmountMinShare: number;
  /** Weighted average annual fee rate, maximum, in percent (1 = 1%). */
  maxAverageFeeRatePercent: number;
  /** 放大倍数 cap (guarantee balance / net assets). */
  maxLeverage: number;
  /** 放大倍数 cap for a guarantor mainly serving 小微/三农. */
  maxLeverageMainlySmallMicroAgri: number;
  /** "Mainly 小微/三农": the 支小支农 share of balance is at least this (0.8, i.e. the 支小支农 target itself). */
  mainlySmallMicroAgriShare: number;
  /** Largest single-borrower balance as a share of net assets, maximum (0.10). */
  maxSingleBorrowerShareOfNetAssets: number;
  /** Bank's minimum risk share per guarantee, percent (20). */
  minBankSharePercent: number;
  /** Cross-check: compensations (代偿) of a subject count this many years back. */
  compensationWindowYears: number;
  /** 银担风险熔断: a cooperation's compensation rate at or above this suspends new business (0.05 = 5%). */
  circuitBreakerRate: number;
  /** 银担风险熔断: the window the cooperation's compensation rate is computed over, months back from today. */
  circuitBreakerWindowMonths: number;
  /**
   * 银担风险熔断: a cooperation trips only when its released (解除) guarantee amount in the window is at least this,
   * so a single early default on a tiny book does not suspend it (0 = no minimum).
   */
  circuitBreakerMinReleasedFen: number;
}

export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  singleHouseholdFocusFen: 1000 * 10_000 * 100,
  smallMicroAgriMinShare: 0.8,
  smallAmountLimitFen: 500 * 10_000 * 100,
  smallAmountMinShare: 0.5,
  maxAverageFeeRatePercent: 1,
  maxLeverage: 10,
  maxLeverageMainlySmallMicroAgri: 15,
  mainlySmallMicroAgriShare: 0.8,
  maxSingleBorrowerShareOfNetAssets: 0.1,
  minBankSharePercent: 20,
  compensationWindowYears: 5,
  circuitBreakerRate: 0.05,
  circuitBreakerWindowMonths: 12,
  circuitBreakerMinReleasedFen: 0,
});

const KEYS = Object.keys(DEFAULT_THRESHOLDS) as Array<keyof Thresholds>;

/** `circuitBreakerRate` → `HUB_THRESHOLD_CIRCUIT_BREAKER_RATE`. */
export function thresholdEnvName(key: keyof Thresholds): string {
  return `HUB_THRESHOLD_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

function checkValue(key: keyof Thresholds, value: unknown, source: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new Error(`thresholds: '${key}' from ${source} must be a non-negative number, got ${JSON.stringify(value)}`);
  if (key.endsWith('Fen') && !Number.isSafeInteger(n)) throw new Error(`thresholds: '${key}' from ${source} must be a whole number of fen`);
  if ((key.endsWith('Share') || key === 'circuitBreakerRate') && n > 1) throw new Error(`thresholds: '${key}' from ${source} is a fraction between 0 and 1, got ${n}`);
  return n;
}

/** Checks a partial thresholds object (from JSON); unknown keys are rejected so a typo cannot silently fall back. */
export function parseThresholds(input: unknown, source = 'input', base: Thresholds = { ...DEFAULT_THRESHOLDS }): Thresholds {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new Error(`thresholds: ${source} must be a JSON object`);
  const out = { ...base };
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
    if (!KEYS.includes(k as keyof Thresholds)) throw new Error(`thresholds: unknown key '${k}' in ${source}`);
    out[k as keyof Thresholds] = checkValue(k as keyof Thresholds, v, source);
  }
  return out;
}

/** Defaults ← HUB_THRESHOLDS_FILE (JSON) ← HUB_THRESHOLD_* environment variables. */
export function loadThresholds(env: NodeJS.ProcessEnv = process.env): Thresholds {
  let t: Thresholds = { ...DEFAULT_THRESHOLDS };
  const file = env.HUB_THRESHOLDS_FILE;
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`thresholds: cannot read HUB_THRESHOLDS_FILE '${file}': ${(e as Error).message}`);
    }
    t = parseThresholds(parsed, file, t);
  }
  for (const key of KEYS) {
    const name = thresholdEnvName(key);
    const raw = env[name];
    if (raw !== undefined && raw !== '') t[key] = checkValue(key, raw, name);
  }
  return Object.freeze(t);
}

let cached: { env: string; value: Thresholds } | undefined;

/**
 * The process's thresholds, read once from the environment (and re-read when the relevant variables
 * change, which tests use). Use this in request paths.
 */
export function thresholds(): Thresholds {
  const fingerprint = [process.env.HUB_THRESHOLDS_FILE ?? '', ...KEYS.map((k) => process.env[thresholdEnvName(k)] ?? '')].join('|');
  if (!cached || cached.env !== fingerprint) cached = { env: fingerprint, value: loadThresholds() };
  return cached.value;
}
