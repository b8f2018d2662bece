import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';

// An .xlsx export written row by row as its rows are read (exceljs's streaming writer), into a
// zip held in memory until it is sent: the exports read in chunks (platform/chunks.ts) never hold
// a whole workbook of objects. One worksheet, a bold header row.

export interface StreamedSheet {
  /** Adds one row (by position, or by column key) and writes it out. */
  add(values: unknown[] | Record<string, unknown>): void;
  /** Ends the worksheet and the workbook; the file's bytes. */
  finish(): Promise<Buffer>;
}

export function streamedSheet(title: string, columns: { header: string; key?: string; width?: number }[]): StreamedSheet {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (b: Buffer) => parts.push(b));
  const ended = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: true });
  const ws = wb.addWorksheet(title);
  ws.columns = columns.map((c) => ({ width: 14, ...c }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  return {
    add: (values) => ws.addRow(values).commit(),
    finish: async () => {
      ws.commit();
      await wb.commit();
      await ended;
      return Buffer.concat(parts);
    },
  };
}
