import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/feed-builder.js';
import { ENDS_IN_CHARACTER, ENDS_IN_QUOTE, NotUtf8Error, parseCsvText, readCsvFile, type RawRecord } from './feed.csv.js';

// The RFC 4180 reader: values, the line where each record starts, and pieces of text cut anywhere.

const UNCLOSED = 'a quoted value is never closed (a " is missing)';
const CHUNK = 1 << 20; // what readCsvFile reads at a time

/** The whole text at once. */
function parseAll(text: string): RawRecord[] {
  const out: RawRecord[] = [];
  parseCsvText(text, true, 1, out);
  return out;
}

/** The text in pieces of `size` characters, carrying what a piece leaves unparsed, as readCsvFile does. */
function parseInPieces(text: string, size: number): RawRecord[] {
  const out: RawRecord[] = [];
  let carry = '';
  let line = 1;
  for (let at = 0; at < text.length; at += size) {
    const piece = carry + text.slice(at, at + size);
    const r = parseCsvText(piece, false, line, out);
    carry = piece.slice(r.consumed);
    line = r.line;
  }
  if (carry) parseCsvText(carry, true, line, out);
  return out;
}

/** Piece sizes at which the pieces do not parse as the whole text does. */
function sizesThatDiffer(text: string): number[] {
  const whole = parseAll(text);
  const differ: number[] = [];
  for (let size = 1; size <= text.length; size++) {
    if (JSON.stringify(parseInPieces(text, size)) !== JSON.stringify(whole)) differ.push(size);
  }
  return differ;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function csvFile(content: string | Buffer): string {
  const dir = tempDir('stratum-csv-');
  dirs.push(dir);
  const file = path.join(dir, 'customers.csv');
  writeFileSync(file, content);
  return file;
}

async function readAll(file: string): Promise<{ records: RawRecord[]; bytes: number }> {
  const stats = { bytes: 0 };
  const records: RawRecord[] = [];
  for await (const batch of readCsvFile(file, stats)) records.push(...batch);
  return { records, bytes: stats.bytes };
}

describe('parseCsvText', () => {
  it('reads plain and quoted values, and a blank line as a record without values', () => {
    expect(parseAll('id,name,note\n1,张三,\n\n2,"李, 四","say ""hi"""\n')).toEqual([
      { line: 1, fields: ['id', 'name', 'note'] },
      { line: 2, fields: ['1', '张三', ''] },
      { line: 3, fields: [] },
      { line: 4, fields: ['2', '李, 四', 'say "hi"'] },
    ]);
  });

  it('reads a quoted value across lines and numbers the records after it by their own line', () => {
    const text = 'id,address\n1,"北京市\n东城区\n电力路1号"\n2,上海\n3,"a\nb",x\n4,end';
    expect(parseAll(text)).toEqual([
      { line: 1, fields: ['id', 'address'] },
      { line: 2, fields: ['1', '北京市\n东城区\n电力路1号'] },
      { line: 5, fields: ['2', '上海'] },
      { line: 6, fields: ['3', 'a\nb', 'x'] },
      { line: 8, fields: ['4', 'end'], unterminated: true },
    ]);
  });

  it('drops the CR of CRLF line endings, quoted or not, and keeps a CRLF inside quotes', () => {
    expect(parseAll('id,v\r\n1,plain\r\n2,"quoted"\r\n3,"two\r\nlines"\r\n4,\r\n')).toEqual([
      { line: 1, fields: ['id', 'v'] },
      { line: 2, fields: ['1', 'plain'] },
      { line: 3, fields: ['2', 'quoted'] },
      { line: 4, fields: ['3', 'two\r\nlines'] },
      { line: 6, fields: ['4', ''] },
    ]);
  });

  it('reports a quote that is never closed at the line where the record starts', () => {
    expect(parseAll('id,v\n1,"open\n2,x\n')).toEqual([
      { line: 1, fields: ['id', 'v'] },
      { line: 2, fields: ['1', 'open\n2,x\n'], error: UNCLOSED },
    ]);
  });

  it('waits for more text while a quote is open and the text is not final', () => {
    const out: RawRecord[] = [];
    const r = parseCsvText('id,v\n1,"open\n2,x\n', false, 1, out);
    expect(out).toEqual([{ line: 1, fields: ['id', 'v'] }]);
    expect(r).toEqual({ consumed: 5, line: 2 });
  });

  it('reports text after a closing quote', () => {
    expect(parseAll('1,"a"b,c\n')).toEqual([
      { line: 1, fields: ['1', 'ab', 'c'], error: 'text follows a closing quote; a quote inside a value must be doubled ("")' },
    ]);
  });

  it('reads the last record of a final text without a line break, and marks it so', () => {
    expect(parseAll('a,b\n"c",d')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd'], unterminated: true },
    ]);
    expect(parseAll('a,b\nc,d')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd'], unterminated: true },
    ]);
    expect(parseAll('a,b\nc,d\n').at(-1)).toEqual({ line: 2, fields: ['c', 'd'] });
    expect(parseAll('a,b\nc,"d"\r\n').at(-1)).toEqual({ line: 2, fields: ['c', 'd'] });
  });

  it('tells a file cut off inside a quoted value from a quote left open', () => {
    // cut before the value's line ended: no line break at the end
    expect(parseAll('id,v\n1,"北京市东城').at(-1)).toEqual({ line: 2, fields: ['1', '北京市东城'], error: ENDS_IN_QUOTE, unterminated: true });
    // a quote never closed takes the rest of the file, up to its last line break
    expect(parseAll('id,v\n1,"北京市\n2,x\n').at(-1)).toEqual({ line: 2, fields: ['1', '北京市\n2,x\n'], error: UNCLOSED });
  });

  describe('text in pieces of every size gives the records of the whole text', () => {
    it('LF line endings', () => {
      const text = 'id,name,address\n1,张三,"北京市, 东城区"\n2,"李""四""","多\n行\n地址"\n\n3,,""\n4,"",end\n5,"x"';
      expect(parseAll(text)).toHaveLength(7);
      expect(sizesThatDiffer(text)).toEqual([]);
    });

    it('an unclosed quote at the end', () => {
      const text = 'id,v\n1,ok\n2,"never\nclosed';
      expect(parseAll(text).at(-1)).toEqual({ line: 3, fields: ['2', 'never\nclosed'], error: ENDS_IN_QUOTE, unterminated: true });
      expect(sizesThatDiffer(text)).toEqual([]);
    });

    // The CR after the closing quote of a multi-line value, when a piece ends on it, is taken for
    // the end of the record: the LF then starts an empty record and every later line is one too far.
    it('CRLF line endings with a quoted value across lines', () => {
      const text = 'id,v\r\n1,"a\r\nb"\r\n2,"c"\r\n3,d\r\n';
      expect(parseAll(text)).toEqual([
        { line: 1, fields: ['id', 'v'] },
        { line: 2, fields: ['1', 'a\r\nb'] },
        { line: 4, fields: ['2', 'c'] },
        { line: 5, fields: ['3', 'd'] },
      ]);
      expect(sizesThatDiffer(text)).toEqual([]);
    });
  });
});

describe('readCsvFile', () => {
  it('drops the byte-order mark Excel writes and counts the bytes read', async () => {
    const content = '\uFEFFcustomer_id,name\nC1,张三\n';
    const { records, bytes } = await readAll(csvFile(content));
    expect(records).toEqual([
      { line: 1, fields: ['customer_id', 'name'] },
      { line: 2, fields: ['C1', '张三'] },
    ]);
    expect(bytes).toBe(Buffer.byteLength(content));
  });

  it('stops at text that is not UTF-8 with a message for the clerk', async () => {
    const gbk = Buffer.concat([Buffer.from('customer_id,name\nC1,'), Buffer.from([0xd5, 0xc5]), Buffer.from('\n')]);
    const reading = readAll(csvFile(gbk));
    await expect(reading).rejects.toBeInstanceOf(NotUtf8Error);
    await expect(reading).rejects.toThrow('is not UTF-8 text (was it saved as GBK? save it as CSV UTF-8)');
  });

  it('reports a file that ends in the middle of a character at the line it ends on, not as text that is not UTF-8', async () => {
    const whole = Buffer.from('customer_id,name\nC1,张三\nC2,李四\n');
    // "四" is 3 bytes: cut after its first
    const cut = whole.subarray(0, whole.indexOf(Buffer.from('四')) + 1);
    const { records } = await readAll(csvFile(cut));
    expect(records.at(-1)).toEqual({ line: 3, fields: ['C2', '李'], error: ENDS_IN_CHARACTER, unterminated: true });
    // a broken character alone on the last line
    const alone = Buffer.concat([Buffer.from('customer_id,name\nC1,张三\n'), Buffer.from('张').subarray(0, 2)]);
    expect((await readAll(csvFile(alone))).records.at(-1)).toEqual({ line: 3, fields: [], error: ENDS_IN_CHARACTER, unterminated: true });
    // a character broken in the middle of the file is not a cut: the file is not UTF-8
    const inside = Buffer.concat([Buffer.from('customer_id,name\nC1,'), Buffer.from('张').subarray(0, 2), Buffer.from(',x\nC2,李四\n')]);
    await expect(readAll(csvFile(inside))).rejects.toBeInstanceOf(NotUtf8Error);
  });

  it('reads a Chinese character and a quoted value cut by the end of a read', async () => {
    // "张" is 3 bytes; place it across the first read boundary, then a quoted value across the second
    const head = 'id,v\n';
    const filler = (bytes: number) => `x,${'a'.repeat(bytes - 3)}\n`;
    const first = head + filler(CHUNK - 2 - Buffer.byteLength(head)) + 'z';
    const rest = '张,ok\n';
    const second = `q,"${'多\n'.repeat(10)}${'b'.repeat(CHUNK)}"\nlast,1\n`;
    const { records } = await readAll(csvFile(first + rest + second));
    expect(Buffer.byteLength(first)).toBe(CHUNK - 1);
    expect(records).toHaveLength(5);
    expect(records[2]).toEqual({ line: 3, fields: ['z张', 'ok'] });
    expect(records[3]?.fields[1]).toBe(`${'多\n'.repeat(10)}${'b'.repeat(CHUNK)}`);
    expect(records[3]?.line).toBe(4);
    expect(records[4]).toEqual({ line: 15, fields: ['last', '1'] });
  });

  it('numbers lines right when a read ends between the CR and LF after a multi-line quoted value', async () => {
    const head = 'id,v\r\n';
    const record = '1,"a\r\nb"';
    const fillerLength = CHUNK - 1 - Buffer.byteLength(head) - record.length; // the CR is the last byte of the first read
    const content = `${head}p,${'f'.repeat(fillerLength - 4)}\r\n${record}\r\n2,bad\r\n`;
    expect(content.indexOf('"\r\n2,bad')).toBe(CHUNK - 2);
    const { records } = await readAll(csvFile(content));
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 5]);
    expect(records[3]).toEqual({ line: 5, fields: ['2', 'bad'] });
  });
});
