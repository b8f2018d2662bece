import { describe, expect, it } from 'vitest';
import { dueDatesFrom, festivalDate, festivalsBetween, isWorkingDay, nextWorkingDay, previousWorkingDay } from './events.calendar.js';

// Dates checked against the State Council's 2026 holiday notice (国办发明电〔2025〕7号) and the lunar calendar.

describe('festivals', () => {
  it('puts the lunar festivals where the calendar has them', () => {
    expect(festivalDate('mid_autumn', 2026)).toBe('2026-09-25');
    expect(festivalDate('spring_festival', 2026)).toBe('2026-02-17');
    expect(festivalDate('lantern', 2026)).toBe('2026-03-03');
    expect(festivalDate('dragon_boat', 2026)).toBe('2026-06-19');
    expect(festivalDate('spring_festival', 2027)).toBe('2027-02-06');
    expect(festivalDate('national_day', 2026)).toBe('2026-10-01');
  });
  it('lists the festivals of a window across the year end, both ends included', () => {
    expect(festivalsBetween('2026-12-29', '2027-01-01', ['new_year', 'spring_festival'])).toEqual([{ festival: 'new_year', date: '2027-01-01' }]);
    expect(festivalsBetween('2026-12-29', '2026-12-31', ['new_year'])).toEqual([]);
  });
});

describe('working days', () => {
  it('follows the official calendar with its make-up working days', () => {
    expect(isWorkingDay('2026-11-20')).toBe(true); // a Friday
    expect(isWorkingDay('2026-11-21')).toBe(false); // a Saturday
    expect(isWorkingDay('2026-10-01')).toBe(false); // National Day
    expect(isWorkingDay('2026-09-20')).toBe(true); // a Sunday worked for National Day
    expect(isWorkingDay('2026-02-14')).toBe(true); // a Saturday worked for Spring Festival
  });
  it('gives the first working day on or after a date, and the last on or before', () => {
    expect(nextWorkingDay('2026-11-20')).toBe('2026-11-20');
    expect(nextWorkingDay('2026-11-21')).toBe('2026-11-23');
    expect(nextWorkingDay('2026-10-01')).toBe('2026-10-08');
    expect(nextWorkingDay('2026-09-19')).toBe('2026-09-20');
    expect(nextWorkingDay('2026-02-15')).toBe('2026-02-24'); // nine days off for Spring Festival 2026
    expect(previousWorkingDay('2026-09-27')).toBe('2026-09-24'); // Mid-Autumn 25–27
    expect(previousWorkingDay('2026-11-22')).toBe('2026-11-20');
  });
  it('dues a day of the window on the last working day before it, never before the first working day from D', () => {
    const due = dueDatesFrom('2026-11-21', 3); // a Saturday
    expect(due.days).toEqual(['2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24']);
    expect(due.due).toEqual(['2026-11-23', '2026-11-23', '2026-11-23', '2026-11-24']);
  });
});
