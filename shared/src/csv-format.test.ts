import { parseString } from '@fast-csv/parse';
import { describe, expect, it } from 'vitest';
import { formatCsvRow } from './csv-format.ts';

function parseOne(line: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    parseString<string[], string[]>(line, { headers: false })
      .on('data', resolve)
      .on('error', reject);
  });
}

describe('formatCsvRow', () => {
  it('quotes only what needs quoting and round-trips through a CSV parser', async () => {
    const values = ['plain', 'with, comma', 'say "hi"', 'two\nlines', 'cr\r', '', 'émoji 🙂'];
    const line = formatCsvRow(values);
    expect(line).toBe('plain,"with, comma","say ""hi""","two\nlines","cr\r",,émoji 🙂\n');
    expect(await parseOne(line)).toEqual(values);
  });
});

describe('neutralizeFormula', () => {
  it('prefixes cells a spreadsheet would evaluate and leaves numbers and phones alone', async () => {
    const dangerous = ['=HYPERLINK("http://x","y")', '@SUM(A1)', '+cmd|x', '-2+3', '\tTAB', '\rCR'];
    const safe = ['+1 415 555 0132', '-3.5', '+44 (20) 7946-0958', 'a=b', 'plain', ''];
    const row = formatCsvRow([...dangerous, ...safe]);
    expect(await parseOne(row)).toEqual([...dangerous.map((v) => `'${v}`), ...safe]);
  });
});
