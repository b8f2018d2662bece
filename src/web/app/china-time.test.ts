import { describe, expect, it } from 'vitest';
import { chinaTime, chinaToday } from './china-time.js';

describe('the bank clock', () => {
  it("is China time whatever the browser's zone: after 16:00 UTC it is already the next day", () => {
    expect(chinaToday(Date.parse('2026-12-02T15:59:59Z'))).toBe('2026-12-02');
    expect(chinaToday(Date.parse('2026-12-02T16:00:00Z'))).toBe('2026-12-03');
    expect(chinaToday(Date.parse('2026-12-31T16:30:00Z'))).toBe('2027-01-01');
    expect(chinaTime('2026-12-02T16:30:05Z')).toBe('2026-12-03 00:30');
    expect(chinaTime('2026-12-02T16:30:05Z', true)).toBe('2026-12-03 00:30:05');
    expect(chinaTime('not a time')).toBe('not a time');
  });
});
