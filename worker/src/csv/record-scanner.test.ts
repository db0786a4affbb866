import { describe, expect, it } from 'vitest';
import { ChunkPlanner } from './chunk-planner.ts';
import { parseCsvText } from './parse-csv-text.ts';
import { RecordScanner, type RecordBoundary } from './record-scanner.ts';

function scan(input: Buffer, splits: number[] = []): RecordBoundary[] {
  const scanner = new RecordScanner();
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
});

describe('ChunkPlanner', () => {
  it('groups rows into chunks whose ranges and row numbers tile the data', () => {
    const input = Buffer.from('h\n1\n2\n\n3\n4\n5\n\n');
    const [header, ...data] = scan(input);
    const planner = new ChunkPlanner(2);
    const chunks = [...data.map((r) => planner.add(r)), planner.finish()].filter((c) => c);
    expect(header?.end).toBe(2);
    expect(chunks).toEqual([
      { index: 0, byteStart: 2, byteEnd: 6, rowStart: 1, rowCount: 2 },
      { index: 1, byteStart: 7, byteEnd: 11, rowStart: 3, rowCount: 2 },
      { index: 2, byteStart: 11, byteEnd: 14, rowStart: 5, rowCount: 1 },
    ]);
  });

  it('rejects a chunk size that is not a positive integer', () => {
    expect(() => new ChunkPlanner(0)).toThrow(/positive integer/);
  });
});
