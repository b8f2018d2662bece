import { describe, it, expect } from 'vitest';
import { Rng } from './demo.random.js';
import { addMonths, civilFromDays, daysFromCivil, formatDate, parseDate, weekday } from './demo.dates.js';
import { chineseAddress, chineseName, idCheckDigit, idNumber, isValidIdNumber, mobileNumber } from './demo.people.js';
import { csvField, csvLine } from './demo.csv-writer.js';

describe('demo random numbers', () => {
  it('repeats exactly for the same seed tuple and differs for another', () => {
    const a = new Rng(1, 2, 3);
    const b = new Rng(1, 2, 3);
    const c = new Rng(1, 2, 4);
    const xs = Array.from({ length: 20 }, () => a.u32());
    expect(Array.from({ length: 20 }, () => b.u32())).toEqual(xs);
    expect(Array.from({ length: 20 }, () => c.u32())).not.toEqual(xs);
  });

  it('draws uniform floats in [0, 1) with a sane mean', () => {
    const r = new Rng(42);
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = r.float();
      if (x < 0 || x >= 1) outside++;
      sum += x;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.01);
  });
});

describe('demo dates', () => {
  it('round-trips day numbers and does month arithmetic', () => {
    for (let n = -30000; n < 30000; n += 17) {
      const c = civilFromDays(n);
      expect(daysFromCivil(c.y, c.m, c.d)).toBe(n);
    }
    expect(formatDate(parseDate('2026-11-20'))).toBe('2026-11-20');
    expect(formatDate(addMonths(parseDate('2024-01-31'), 1))).toBe('2024-02-29');
    expect(formatDate(addMonths(parseDate('2024-03-15'), 12))).toBe('2025-03-15');
    expect(weekday(parseDate('2026-11-20'))).toBe(4); // a Friday
    expect(() => parseDate('2026-02-30')).toThrow();
  });
});

describe('demo people', () => {
  it('computes the GB 11643-1999 check digit', () => {
    expect(idCheckDigit('11010519491231002')).toBe('X');
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber('110105194912310021')).toBe(false);
  });

  it('makes valid ID numbers carrying the birth date and the gender', () => {
    const rng = new Rng(7);
    const bad: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const birth = parseDate('1940-01-01') + rng.int(25000);
      const male = rng.chance(0.5);
      const id = idNumber(rng, birth, male);
      const ok =
        isValidIdNumber(id) &&
        id.slice(6, 14) === formatDate(birth).replaceAll('-', '') &&
        Number(id.charAt(16)) % 2 === (male ? 1 : 0);
      if (!ok) bad.push(id);
    }
    expect(bad).toEqual([]);
  });

  it('makes mobile numbers, names and addresses that look Chinese', () => {
    const rng = new Rng(8);
    const bad: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const phone = mobileNumber(rng);
      const name = chineseName(rng, rng.chance(0.5), rng.range(18, 85));
      const address = chineseAddress(rng);
      if (!/^1[3-9]\d{9}$/.test(phone)) bad.push(phone);
      if (!/^[\u4e00-\u9fff]{2,4}$/.test(name)) bad.push(name);
      if (!/^浙江省.+号/.test(address)) bad.push(address);
    }
    expect(bad).toEqual([]);
  });
});

describe('demo CSV writing', () => {
  it('quotes fields per RFC 4180 only when needed', () => {
    expect(csvField('华润万家')).toBe('华润万家');
    expect(csvField('Apple Store, 杭州')).toBe('"Apple Store, 杭州"');
    expect(csvField('"老字号"')).toBe('"""老字号"""');
    expect(csvLine(['a', 1, 'b\nc'])).toBe('a,1,"b\nc"\n');
  });
});
