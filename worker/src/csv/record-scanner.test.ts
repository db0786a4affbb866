import { describe, expect, it } from 'vitest';
import { parseCsvText } from './parse-csv-text.ts';
import { RecordScanner, type RecordBoundary, type RecordScannerOptions } from './record-scanner.ts';

function scan(
  input: Buffer,
  splits: number[] = [],
  options: RecordScannerOptions = {},
): RecordBoundary[] {
  const scanner = new RecordScanner(options);
  const records: RecordBoundary[] = [];
  let previous = 0;
  for (const at of [...splits, input.length]) {
    scanner.push(input.subarray(previous, at), (r) => records.push(r));
    previous = at;
  }
  scanner.finish((r) => records.push(r));
  return records;
}

const isBlankRow = (row: string[]) => row.length === 0 || (row.length === 1 && row[0] === '');

/** Every split position, so a quote or CR at every chunk edge is exercised. */
function allSplits(length: number): number[][] {
  return Array.from({ length: length + 1 }, (_, i) => [i]);
}

describe('RecordScanner', () => {
  it('ends records at newlines outside quotes only', () => {
    const input = Buffer.from('a,b\n"x\ny",2\n"he said ""hi, there""",3\n');
    const records = scan(input);
    expect(records.map((r) => input.subarray(r.start, r.end).toString())).toEqual([
      'a,b\n',
      '"x\ny",2\n',
      '"he said ""hi, there""",3\n',
    ]);
  });

  it('finds the same records wherever the input is cut', () => {
    const input = Buffer.from('n,e\r\n"a\r\nb","q""\r\n"\r\n\r\n"",x\r\n""\r\nlast,"é,ü"');
    const expected = scan(input);
    for (const splits of allSplits(input.length)) expect(scan(input, splits)).toEqual(expected);
    for (let i = 0; i + 2 <= input.length; i++)
      expect(scan(input, [i, i + 1, i + 2])).toEqual(expected);
  });

  it('keeps CRLF terminators with their record and marks blank lines', () => {
    const input = Buffer.from('h\r\n\r\nx\r\n\n""\r\n"",\r\n');
    expect(scan(input).map((r) => [input.subarray(r.start, r.end).toString(), r.blank])).toEqual([
      ['h\r\n', false],
      ['\r\n', true],
      ['x\r\n', false],
      ['\n', true],
      ['""\r\n', true],
      ['"",\r\n', false],
    ]);
  });

  it('completes a last record without a trailing newline', () => {
    const input = Buffer.from('h\nlast');
    expect(scan(input).at(-1)).toEqual({ start: 2, end: 6, blank: false });
    expect(scan(Buffer.from('h\n'))).toHaveLength(1);
  });

  it('reports an unbalanced quote at the end of input', () => {
    const scanner = new RecordScanner();
    scanner.push(Buffer.from('a\n"open,\nstill open'), () => undefined);
    expect(scanner.inQuotes).toBe(true);
  });

  it('agrees with fast-csv on which records are rows', async () => {
    const text = 'a,b\n\n"1\n2",x\r\n"",\n""\n  ,\n"q""",z\n\r\nend,1';
    const records = scan(Buffer.from(text)).filter((r) => !r.blank);
    const rows = (await parseCsvText(text)).filter((row) => !isBlankRow(row));
    expect(records).toHaveLength(rows.length);
    for (const [i, record] of records.entries()) {
      const slice = Buffer.from(text).subarray(record.start, record.end).toString();
      expect(await parseCsvText(slice)).toEqual([rows[i]]);
    }
  });

  it('ends records at lone carriage returns in old Mac files, quotes respected', () => {
    const input = Buffer.from('a,b\r"x\ry",2\r\r"",\rlast');
    const cr = { lineEnding: 'cr' } as const;
    const records = scan(input, [], cr);
    expect(records.map((r) => [input.subarray(r.start, r.end).toString(), r.blank])).toEqual([
      ['a,b\r', false],
      ['"x\ry",2\r', false],
      ['\r', true],
      ['"",\r', false],
      ['last', false],
    ]);
    for (const splits of allSplits(input.length)) expect(scan(input, splits, cr)).toEqual(records);
  });

  it('starts counting at the given offset (past a byte-order mark)', () => {
    expect(scan(Buffer.from('h\n1\n'), [], { startOffset: 3 })).toEqual([
      { start: 3, end: 5, blank: false },
      { start: 5, end: 7, blank: false },
    ]);
  });
});
