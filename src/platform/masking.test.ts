import { describe, expect, it } from 'vitest';
import { maskIdNumber, maskPhone } from './masking.js';

describe('masking personal data for display', () => {
  it('keeps the region code and the last four of an ID number', () => {
    expect(maskIdNumber('110105199001011234')).toBe('110105********1234');
    expect(maskIdNumber('11010519900101123X')).toBe('110105********123X');
  });
  it('keeps the carrier prefix and the last four of a mobile number', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
  });
  it('hides short values entirely and passes missing ones through', () => {
    expect(maskIdNumber('12345')).toBe('*****');
    expect(maskPhone('1234567')).toBe('*******');
    expect(maskPhone(null)).toBeNull();
    expect(maskIdNumber('')).toBe('');
  });
});
