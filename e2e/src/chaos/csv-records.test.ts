import { describe, expect, it } from 'vitest';
import { csvRecords } from './csv-records.ts';

async function all(...chunks: string[]): Promise<string[][]> {
  const records: string[][] = [];
  for await (const record of csvRecords(chunks)) records.push(record);
  return records;
}

describe('csvRecords', () => {
  it('splits records on line ends outside quotes, across chunk borders', async () => {
    expect(await all('a,"b\nc",d\r', '\ne,"f ""q"""', '\n')).toEqual([
      ['a', 'b\nc', 'd'],
      ['e', 'f "q"'],
    ]);
  });

  it('keeps empty fields and a last record without a line end', async () => {
    expect(await all(',x,\n', '1,2')).toEqual([
      ['', 'x', ''],
      ['1', '2'],
    ]);
  });
});
