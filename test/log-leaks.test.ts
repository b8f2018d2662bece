import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript module shared with scripts/test.mjs, typed by use here
import { checkLogFolder, findLeaks } from '../scripts/log-leaks.mjs';
import { tempDir } from './feed-builder.js';

// The check `npm test` runs over the logs of the whole run must catch a leaked value.

interface Hit { file: string; line: number; kind: string }
const find = findLeaks as (text: string, values: Set<string>, file?: string) => Hit[];
const check = checkLogFolder as (logDir: string, valuesDir: string) => { values: number; lines: number; hits: Hit[] };

describe('the no-personal-data-in-logs check', () => {
  const values = new Set(['13812345678', '11010519850315123X']);

  it('finds a phone or an ID number in a log line, wherever it sits in the line', () => {
    const log = [
      '{"level":30,"msg":"request","route":"/api/customers","status":200}',
      '{"level":40,"msg":"wrong value","value":"13812345678"}',
      '{"level":50,"msg":"failed for 11010519850315123x today"}',
      '{"level":30,"msg":"phone tail 5678, masked 138****5678"}',
    ].join('\n');
    expect(find(log, values, 'a.log')).toEqual([
      { file: 'a.log', line: 2, kind: 'phone' },
      { file: 'a.log', line: 3, kind: 'id_number' },
    ]);
  });

  it('reads the noted values and every log file of a folder; a clean log passes', () => {
    const root = tempDir('stratum-logcheck-');
    mkdirSync(path.join(root, 'logs'));
    mkdirSync(path.join(root, 'seen'));
    writeFileSync(path.join(root, 'seen', '1.txt'), '13812345678\n11010519850315123X\n');
    writeFileSync(path.join(root, 'logs', '1.log'), '{"msg":"signed in","login":"S00010"}\n');
    expect(check(path.join(root, 'logs'), path.join(root, 'seen'))).toEqual({ values: 2, lines: 1, hits: [] });
    writeFileSync(path.join(root, 'logs', '2.log'), '{"msg":"customer","tel":"+86 13812345678"}\n');
    expect(check(path.join(root, 'logs'), path.join(root, 'seen')).hits).toEqual([{ file: '2.log', line: 1, kind: 'phone' }]);
  });
});
