import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/** Formats integer fen (分) as a yuan decimal string: 123456 → "1234.56". */
export function fenToYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Parses a yuan amount ("1234.5", "1234.56", 1234) into integer fen, refusing more than two decimals. */
export function yuanToFen(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const m = /^(-?)(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) throw new GraphQLError(`Money must be a yuan amount with at most two decimals, e.g. "1500000.00"; got ${JSON.stringify(value)}`);
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -fen : fen;
}

/**
 * Money travels as a decimal string so no client parses it into a binary float. Stored as integer fen.
 * A value masked by policy to an amount band is the band's label instead (e.g. "100万–500万").
 */
export const MoneyScalar = new GraphQLScalarType({
  name: 'Money',
  description:
    'Amount in 元 (CNY) as a decimal string with two places, e.g. "1500000.00" (stored exactly as integer 分). ' +
    'Where the sharing policy masks an amount to a band, the value is the band label, e.g. "100万–500万".',
  serialize(value) {
    if (typeof value === 'number') return fenToYuan(value);
    if (typeof value === 'string') return value;
    throw new GraphQLError(`Money cannot represent ${typeof value}`);
  },
  parseValue: yuanToFen,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return yuanToFen(ast.value);
    throw new GraphQLError('Money literal must be a string like "1500000.00"');
  },
});

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCalendarDate(text: string): boolean {
  const m = DATE_RE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

function parseDate(value: unknown): string {
  if (typeof value === 'string' && isCalendarDate(value)) return value;
  throw new GraphQLError(`Date must be a calendar date YYYY-MM-DD; got ${JSON.stringify(value)}`);
}

/** Calendar dates are kept as YYYY-MM-DD text: no time zone can shift a 成立日期 by a day. */
export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  description: 'Calendar date YYYY-MM-DD (China Standard Time). A date masked by policy to its year is "YYYY".',
  serialize(value) {
    if (typeof value === 'string') return value;
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    throw new GraphQLError(`Date cannot represent ${typeof value}`);
  },
  parseValue: parseDate,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING) return parseDate(ast.value);
    throw new GraphQLError('Date literal must be a string YYYY-MM-DD');
  },
});
