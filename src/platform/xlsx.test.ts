import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { CELL_MAX, cellValue, streamedSheet } from './xlsx.js';

// Cells the way Excel users expect them: numbers to sum, dates to sort and filter, empty cells,
// and never a text Excel would refuse to open.

describe('cells of an export', () => {
  it('writes amounts as numbers, in yuan or in 万 (to two decimals)', () => {
    expect(cellValue('yuan', '4020.44')).toBe(4020.44);
    expect(cellValue('yuan', '-100.00')).toBe(-100);
    expect(cellValue('wan', '202300.00')).toBe(20.23);
    expect(cellValue('wan', '5')).toBe(0);
    expect(cellValue('integer', 42)).toBe(42);
  });

  it('writes a calendar day as that day, a time as China time', () => {
    expect(cellValue('date', '2024-02-29')).toEqual(new Date(Date.UTC(2024, 1, 29)));
    // 16:30 UTC is half past midnight the next day in China
    expect(cellValue('datetime', '2026-11-19T16:30:00Z')).toEqual(new Date(Date.UTC(2026, 10, 20, 0, 30)));
  });

  it('leaves an empty value an empty cell', () => {
    for (const kind of ['text', 'yuan', 'date', 'datetime'] as const) {
      expect(cellValue(kind, '')).toBeNull();
      expect(cellValue(kind, null)).toBeNull();
    }
  });

  it(`cuts a text over Excel's ${CELL_MAX} characters and says how long it was`, () => {
    const long = 'C1234567 '.repeat(22_000);
    const v = cellValue('text', long) as string;
    expect(v.length).toBe(CELL_MAX);
    expect(v.endsWith(`…（截断：共 ${long.length} 字）`)).toBe(true);
    expect(cellValue('text', 'x'.repeat(CELL_MAX))).toHaveLength(CELL_MAX);
  });

  it('writes a workbook Excel reads back with the same values, formats, a frozen and filtered header', async () => {
    const sheet = streamedSheet('测试: 表/1', [{ header: '客户号' }, { header: '金额（元）', kind: 'yuan' }, { header: '日期', kind: 'date' }]);
    sheet.add(['C1', '1234.5', '2026-11-20']);
    sheet.add(['C2', '', '']);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await sheet.finish()) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws?.name).toBe('测试  表 1');
    expect(ws?.getRow(2).getCell(2).value).toBe(1234.5);
    expect(ws?.getRow(2).getCell(2).numFmt).toBe('#,##0.00');
    expect(ws?.getRow(2).getCell(3).value).toEqual(new Date(Date.UTC(2026, 10, 20)));
    expect(ws?.getRow(3).getCell(2).value).toBeNull();
    expect(ws?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws?.autoFilter).toBeTruthy();
  });
});
