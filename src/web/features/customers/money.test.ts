import { describe, expect, it } from 'vitest';
import { formatWan, formatYuan, toCents, wanNumber, wanToYuan, yuanToWan } from './money.js';

describe('formatWan', () => {
  it('shows yuan in 万 with two decimals and thousands separators', () => {
    expect(formatWan('523000.00')).toBe('52.30万');
    expect(formatWan('12345600')).toBe('1,234.56万');
    expect(formatWan('3500')).toBe('0.35万');
    expect(formatWan('0')).toBe('0.00万');
    expect(formatWan('123456789012.34')).toBe('12,345,678.90万');
  });

  it('rounds half up on exact cents, where floats would misround', () => {
    expect(formatWan('50')).toBe('0.01万'); // 0.005万
    expect(formatWan('49.99')).toBe('0.00万');
    expect(formatWan('1234549.99')).toBe('123.45万');
    expect(formatWan('1234550')).toBe('123.46万');
    // 10.05 * 100 in floating point is 1004.9999…; here it is exact
    expect(formatWan('100500')).toBe('10.05万');
    expect(formatWan('99999999999999.99')).toBe('10,000,000,000.00万');
  });

  it('keeps the sign of negative amounts', () => {
    expect(formatWan('-523000.00')).toBe('-52.30万');
    expect(formatWan('-50')).toBe('-0.01万');
  });
});

describe('formatYuan', () => {
  it('shows yuan with separators and two decimals', () => {
    expect(formatYuan('1234.56')).toBe('¥1,234.56');
    expect(formatYuan('1234.5')).toBe('¥1,234.50');
    expect(formatYuan('-1000000')).toBe('-¥1,000,000.00');
    expect(formatYuan('0.07')).toBe('¥0.07');
  });
});

describe('conversions', () => {
  it('parses cents exactly and refuses what is not money', () => {
    expect(toCents('0.1')).toBe(10n);
    expect(toCents('-12.34')).toBe(-1234n);
    expect(() => toCents('1e5')).toThrow();
    expect(() => toCents('12.345')).toThrow();
  });

  it('converts 万 typed by a person to yuan and back', () => {
    expect(wanToYuan(52.3)).toBe('523000');
    expect(wanToYuan(0.35)).toBe('3500');
    expect(wanToYuan(300)).toBe('3000000');
    expect(yuanToWan('523000')).toBe(52.3);
    expect(yuanToWan('abc')).toBeUndefined();
    expect(yuanToWan(null)).toBeUndefined();
    expect(wanNumber('523000.00')).toBe(52.3);
  });
});
