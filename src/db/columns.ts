import type { ValueTransformer } from 'typeorm';

/**
 * mysql2 returns BIGINT and DECIMAL as strings, better-sqlite3 as numbers; entities see numbers on both.
 * Money is stored as integer fen (分) in BIGINT, so the number stays exact below 2^53 fen (≈ 90 万亿元).
 */
export const numeric: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};

/** Booleans come back as 0/1 from both drivers when read raw. */
export const bool: ValueTransformer = {
  to: (value: boolean | null | undefined) => value,
  from: (value: unknown) => (value === null || value === undefined ? value : value === true || value === 1 || value === '1'),
};
