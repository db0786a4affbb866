import { describe, expect, it } from 'vitest';
import { CsvRows, previewRows, sniffDelimiter } from './csv-rows.ts';

describe('CsvRows', () => {
  it('reads quoted delimiters, doubled quotes and line breaks across pieces', () => {
    const reader = new CsvRows();
    const rows = [
      ...reader.push('name,note\r\nBill,"said ""hi'),
      ...reader.push('"", then\nleft"\n\nAnn,'),
      ...reader.end(),
    ];
    expect(rows).toEqual([
      ['name', 'note'],
      ['Bill', 'said "hi", then\nleft'],
      ['Ann', ''],
    ]);
  });
});

describe('previewRows', () => {
  it('finds the delimiter, drops the BOM and keeps only complete lines', () => {
    const preview = previewRows('\uFEFFFirst Name;Email\nAnn;a@x.org\nBob;b@x', 5);
    expect(preview).toEqual({ header: ['First Name', 'Email'], rows: [['Ann', 'a@x.org']] });
  });

  it('keeps the last line of a whole file', () => {
    expect(previewRows('a\n1\n2', 5, true).rows).toEqual([['1'], ['2']]);
  });

  it('caps the rows', () => {
    expect(previewRows('a\n1\n2\n3\n', 2).rows).toEqual([['1'], ['2']]);
  });
});

describe('sniffDelimiter', () => {
  it('ignores separators inside quotes', () => {
    expect(sniffDelimiter('"a,b,c"\tx\ty')).toBe('\t');
  });
});
