import { PassThrough } from 'node:stream';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { CELL_MAX, cellValue, streamedSheet, type CellKind, type SheetColumn } from './xlsx.js';

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

// The workbook as exceljs 4.4.0's streaming writer wrote it for the same columns and rows (what
// streamedSheet did before it wrote the parts itself): the reference the parts are compared with.
async function excelJsSheet(title: string, columns: SheetColumn[], rows: (unknown[] | Record<string, unknown>)[]): Promise<Buffer> {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (b: Buffer) => parts.push(b));
  const ended = new Promise((resolve) => out.on('end', resolve));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet(title.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  const kinds = columns.map((c) => c.kind ?? 'text');
  const formats: Partial<Record<CellKind, string>> = { integer: '0', yuan: '#,##0.00', wan: '#,##0.00', date: 'yyyy-mm-dd', datetime: 'yyyy-mm-dd hh:mm:ss' };
  const widths: Record<CellKind, number> = { text: 14, integer: 8, yuan: 16, wan: 14, date: 12, datetime: 20 };
  const display = (s: string) => [...s].reduce((n, ch) => n + (/[\u2e80-\uffff]/.test(ch) ? 2 : 1), 0);
  ws.columns = columns.map((c, i) => {
    const kind = kinds[i] ?? 'text';
    const numFmt = formats[kind];
    return { header: c.header, key: c.key ?? `c${i}`, width: c.width ?? Math.max(widths[kind], display(c.header) + 2), ...(numFmt ? { style: { numFmt } } : {}) };
  });
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.commit();
  const keys = columns.map((c, i) => c.key ?? `c${i}`);
  for (const values of rows) {
    const row: Record<string, unknown> = {};
    keys.forEach((k, i) => (row[k] = cellValue(kinds[i] ?? 'text', Array.isArray(values) ? values[i] : values[k])));
    ws.addRow(row).commit();
  }
  ws.commit();
  await wb.commit();
  await ended;
  return Buffer.concat(parts);
}

/** The parts of a zip by name, read through its central directory (each CRC checked). */
function unzip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const parts = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength).replace(/^\//, '');
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + compressed);
    const data = method === 8 ? zlib.inflateRawSync(raw) : raw;
    expect(zlib.crc32(data), name).toBe(crc);
    parts.set(name, data);
    at += 46 + nameLength + extra + comment;
  }
  return parts;
}

describe('the workbook written part by part', () => {
  const COLUMNS: SheetColumn[] = [
    { header: '序号', kind: 'integer' }, { header: '客户号' }, { header: '出生日期', kind: 'date' }, { header: '证件号码', width: 22 },
    { header: '金融资产（万元）', kind: 'wan' }, { header: '金额（元）', kind: 'yuan' }, { header: 'time (China)', kind: 'datetime' },
    { header: '沟通内容', width: 40 }, { header: 'AUM分层' }, { header: '客户层级' }, { header: '上次联络日期', kind: 'date' },
  ];
  const texts = ['张三', 'x < y & "z" \'q\'', 'ctl\u0001\u0008\u000b\u000c\u000e\u001f\u007f tab\t nl\n cr\r', ' lead', "'=SUM(A1)", '💰', 'C'.repeat(40_000), ']]>', '', null, 12.5, true];
  const amounts = ['1234.5', '-100.00', '1,234.56', 'abc', 'Infinity', '', null, 0, -0, 1e21, 1.23456789e-7, 123456789.125, '202300.00'];
  const days = ['2024-02-29', '1899-12-31', '2026-13-45', '20240101', '9999-12-31', '', null];
  const times = ['2026-11-19T16:30:00Z', '2026-11-19T16:30:00.123456+00:00', new Date(1796405766625), 'bad', null];
  const pick = <T,>(xs: T[], i: number, k: number) => xs[(i * 7 + k * 13) % xs.length];
  const rows = Array.from({ length: 300 }, (_, i) =>
    i % 50 === 7
      ? COLUMNS.map(() => null)
      : COLUMNS.map((c, k) => {
          const kind = c.kind ?? 'text';
          return kind === 'date' ? pick(days, i, k) : kind === 'datetime' ? pick(times, i, k) : kind === 'text' ? pick(texts, i, k) : pick(amounts, i, k);
        }),
  );

  it('is part for part the XML exceljs wrote (cells, types, styles, widths, header), in memory and to a stream', async () => {
    const title = 'Audit & "trail": <1>';
    const expected = unzip(await excelJsSheet(title, COLUMNS, rows));
    const inMemory = streamedSheet(title, COLUMNS);
    const target = new PassThrough();
    const streamed: Buffer[] = [];
    target.on('data', (b: Buffer) => streamed.push(b));
    const toStream = streamedSheet(title, COLUMNS, target);
    for (const r of rows) {
      inMemory.add(r);
      toStream.add(r);
    }
    const written = [await inMemory.finish(), (await toStream.finish(), Buffer.concat(streamed))];
    const stamp = (b: Buffer | undefined) => b?.toString('utf8').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, 'T');
    for (const file of written) {
      const parts = unzip(file);
      expect([...parts.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [name, xml] of expected) {
        if (name === 'docProps/core.xml') expect(stamp(parts.get(name))).toBe(stamp(xml));
        else expect(parts.get(name)?.equals(xml), name).toBe(true);
      }
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(file as unknown as ArrayBuffer);
      expect(wb.worksheets[0]?.rowCount).toBe(rows.length + 1);
    }
  });

  it('writes rows given by key as rows given by position, a missing key an empty cell', async () => {
    const keyed = COLUMNS.map((c, i) => ({ ...c, key: `k${i}` }));
    const byKey = streamedSheet('x', keyed);
    const byPosition = streamedSheet('x', COLUMNS);
    for (const r of rows.slice(0, 40)) {
      byKey.add(Object.fromEntries(r.map((v, i) => [`k${i}`, v]).filter(([, v]) => v !== null)));
      byPosition.add(r);
    }
    const a = unzip(await byKey.finish());
    const b = unzip(await byPosition.finish());
    expect(a.get('xl/worksheets/sheet1.xml')?.equals(b.get('xl/worksheets/sheet1.xml') ?? Buffer.alloc(0))).toBe(true);
  });
});
