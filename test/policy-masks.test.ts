import { createHash } from 'node:crypto';
import { MaskKind } from '../src/policy/catalog';
import { DEFAULT_AMOUNT_BAND_BOUNDARIES_YUAN, amountBands, applyMask, formatYuanShort } from '../src/policy/masks';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const YUAN = 100; // fen per 元
const WAN = 10_000 * YUAN; // fen per 万元

describe('every mask keeps null and undefined null and masks arrays element-wise', () => {
  it.each(Object.values(MaskKind))('%s', (kind) => {
    expect(applyMask(kind, null)).toBeNull();
    expect(applyMask(kind, undefined)).toBeNull();
    const arr = applyMask(kind, [null, undefined]);
    expect(arr).toEqual([null, null]);
  });
});

describe('SHOW_FIRST6_LAST4', () => {
  it.each([
    ['11010519491231002X', '110105********002X'], // resident ID (18)
    ['91350100M000100Y43', '913501********0Y43'], // USCC (18)
    ['6222021234567890123', '622202*********0123'], // bank card (19)
    ['12345678901', '123456*8901'], // 11: one hidden
    ['1234567890', '******7890'], // 10: too short for 6+4, last 4 only
    ['12345678', '****5678'], // 8
    ['1234567', '*******'], // 7: fully masked (4 of 7 would reveal most)
    ['1234', '****'],
    ['', ''],
  ])('%s → %s', (input, expected) => {
    expect(applyMask(MaskKind.SHOW_FIRST6_LAST4, input)).toBe(expected);
  });
  it('keeps the length and never splits a non-BMP character', () => {
    const masked = applyMask(MaskKind.SHOW_FIRST6_LAST4, '𠀀𠀁𠀂𠀃𠀄𠀅ABC𠀆𠀇𠀈𠀉') as string;
    expect(Array.from(masked)).toHaveLength(13);
    expect(masked).toBe('𠀀𠀁𠀂𠀃𠀄𠀅***𠀆𠀇𠀈𠀉');
  });
  it('masks numbers as their digits and fails closed on objects', () => {
    expect(applyMask(MaskKind.SHOW_FIRST6_LAST4, 622202123456789)).toBe('622202*****6789');
    expect(applyMask(MaskKind.SHOW_FIRST6_LAST4, { id: '11010519491231002X' })).toBeNull();
    expect(applyMask(MaskKind.SHOW_FIRST6_LAST4, true)).toBeNull();
  });
  it('masks each element of an array', () => {
    expect(applyMask(MaskKind.SHOW_FIRST6_LAST4, ['11010519491231002X', null])).toEqual(['110105********002X', null]);
  });
});

describe('PARTIAL_NAME', () => {
  it.each([
    ['张三丰', '张**'],
    ['张三', '张*'],
    ['欧阳娜娜', '欧***'],
    ['重庆某某农业发展有限公司', '重***********'], // company-like names are masked the same way
    ['Zhang San', 'Z********'],
    ['张', '*'], // one character: nothing left to show
    ['', ''],
    ['𠀀𠀁', '𠀀*'], // code points, not UTF-16 units
  ])('%s → %s', (input, expected) => {
    expect(applyMask(MaskKind.PARTIAL_NAME, input)).toBe(expected);
  });
  it('only masks strings (fails closed)', () => {
    expect(applyMask(MaskKind.PARTIAL_NAME, 12345)).toBeNull();
    expect(applyMask(MaskKind.PARTIAL_NAME, new Date())).toBeNull();
  });
  it('masks arrays of names', () => {
    expect(applyMask(MaskKind.PARTIAL_NAME, ['李四', '王五六'])).toEqual(['李*', '王**']);
  });
});

describe('AMOUNT_BAND (input integer fen, label in 元)', () => {
  it.each([
    [0, '<10万'],
    [1, '<10万'],
    [10 * WAN - 1, '<10万'],
    [10 * WAN, '10万–50万'], // lower bound inclusive
    [49 * WAN + 9999 * YUAN + 99, '10万–50万'],
    [50 * WAN, '50万–100万'],
    [100 * WAN, '100万–500万'],
    [150 * WAN, '100万–500万'],
    [500 * WAN, '500万–1000万'],
    [1000 * WAN - 1, '500万–1000万'],
    [1000 * WAN, '1000万–5000万'],
    [5000 * WAN - 1, '1000万–5000万'],
    [5000 * WAN, '≥5000万'],
    [Number.MAX_SAFE_INTEGER, '≥5000万'],
    [-5 * WAN, '<10万'],
  ])('%d fen → %s', (fen, label) => {
    expect(applyMask(MaskKind.AMOUNT_BAND, fen)).toBe(label);
  });
  it('uses the en dash', () => {
    expect(applyMask(MaskKind.AMOUNT_BAND, 20 * WAN)).toContain('\u2013');
  });
  it('accepts mysql2 BIGINT strings and bigint, refuses floats and text', () => {
    expect(applyMask(MaskKind.AMOUNT_BAND, String(200 * WAN))).toBe('100万–500万');
    expect(applyMask(MaskKind.AMOUNT_BAND, BigInt(6000 * WAN))).toBe('≥5000万');
    expect(applyMask(MaskKind.AMOUNT_BAND, 12.5)).toBeNull();
    expect(applyMask(MaskKind.AMOUNT_BAND, Number.NaN)).toBeNull();
    expect(applyMask(MaskKind.AMOUNT_BAND, '1500000.00')).toBeNull();
    expect(applyMask(MaskKind.AMOUNT_BAND, 'a lot')).toBeNull();
  });
  it('masks arrays of amounts', () => {
    expect(applyMask(MaskKind.AMOUNT_BAND, [5 * WAN, 300 * WAN, null])).toEqual(['<10万', '100万–500万', null]);
  });
  it('bands are configurable', () => {
    const opts = { amountBandBoundariesYuan: [1_000_000, 100_000_000, 150_000_000] };
    expect(applyMask(MaskKind.AMOUNT_BAND, 50 * WAN, opts)).toBe('<100万');
    expect(applyMask(MaskKind.AMOUNT_BAND, 100 * WAN, opts)).toBe('100万–1亿');
    expect(applyMask(MaskKind.AMOUNT_BAND, 100_000_000 * YUAN, opts)).toBe('1亿–1.5亿');
    expect(applyMask(MaskKind.AMOUNT_BAND, 200_000_000 * YUAN, opts)).toBe('≥1.5亿');
    expect(() => amountBands([5, 3])).toThrow(/ascending/);
    expect(() => amountBands([])).toThrow(/at least one/);
    expect(() => amountBands([0.5])).toThrow(/positive whole/);
  });
  it('default band labels', () => {
    expect(amountBands(DEFAULT_AMOUNT_BAND_BOUNDARIES_YUAN).map((b) => b.label)).toEqual([
      '<10万',
      '10万–50万',
      '50万–100万',
      '100万–500万',
      '500万–1000万',
      '1000万–5000万',
      '≥5000万',
    ]);
    expect(formatYuanShort(2500)).toBe('2500元');
  });
});

describe('DATE_YEAR', () => {
  it.each([
    ['2019-03-15', '2019'],
    ['2019-03', '2019'],
    ['2019', '2019'],
    ['2019-12-31T20:00:00Z', '2019'],
  ])('%s → %s', (input, expected) => {
    expect(applyMask(MaskKind.DATE_YEAR, input)).toBe(expected);
  });
  it('takes a Date’s year in China Standard Time', () => {
    expect(applyMask(MaskKind.DATE_YEAR, new Date('2019-12-31T16:30:00Z'))).toBe('2020'); // 00:30 on 1 Jan in Chongqing
    expect(applyMask(MaskKind.DATE_YEAR, new Date('2019-12-31T15:59:59Z'))).toBe('2019');
  });
  it('fails closed on what is not a date', () => {
    expect(applyMask(MaskKind.DATE_YEAR, '15/03/2019')).toBeNull();
    expect(applyMask(MaskKind.DATE_YEAR, 'unknown')).toBeNull();
    expect(applyMask(MaskKind.DATE_YEAR, 2019)).toBeNull();
    expect(applyMask(MaskKind.DATE_YEAR, new Date(Number.NaN))).toBeNull();
  });
  it('masks arrays of dates', () => {
    expect(applyMask(MaskKind.DATE_YEAR, ['2019-03-15', '2021-01-01'])).toEqual(['2019', '2021']);
  });
});

describe('HASH', () => {
  it('is the SHA-256 hex of the value as text', () => {
    expect(applyMask(MaskKind.HASH, 'abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(applyMask(MaskKind.HASH, '11010519491231002X')).toBe(sha256('11010519491231002X'));
    expect(applyMask(MaskKind.HASH, 12345)).toBe(sha256('12345'));
    expect(applyMask(MaskKind.HASH, '张三')).toBe(sha256('张三'));
  });
  it('is deterministic (joinable) and hashes Dates by their ISO form', () => {
    expect(applyMask(MaskKind.HASH, 'x')).toBe(applyMask(MaskKind.HASH, 'x'));
    const d = new Date('2024-01-02T03:04:05.678Z');
    expect(applyMask(MaskKind.HASH, d)).toBe(sha256('2024-01-02T03:04:05.678Z'));
  });
  it('refuses objects and hashes arrays element-wise', () => {
    expect(applyMask(MaskKind.HASH, { a: 1 })).toBeNull();
    expect(applyMask(MaskKind.HASH, ['a', 'b'])).toEqual([sha256('a'), sha256('b')]);
  });
});

describe('NULLIFY', () => {
  it.each(['text', 123, new Date(), { a: 1 }, true])('%p → null', (v) => {
    expect(applyMask(MaskKind.NULLIFY, v)).toBeNull();
  });
  it('nullifies each element of an array', () => {
    expect(applyMask(MaskKind.NULLIFY, ['a', 'b'])).toEqual([null, null]);
  });
});

it('an unknown mask kind fails closed', () => {
  expect(applyMask('SHOW_ALL' as MaskKind, 'secret')).toBeNull();
});
