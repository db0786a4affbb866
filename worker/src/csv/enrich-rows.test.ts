import { createPassthroughEnricher } from '@contacts/enrichment';
import { describe, expect, it } from 'vitest';
import { enrichRows, rejectOversizedRow } from './enrich-rows.ts';

const columns = ['Name', 'Email'];
const enricher = createPassthroughEnricher(columns);
const comma = { delimiter: ',', lineEnding: 'lf', columns } as const;

describe('enrichRows', () => {
  it('parses with the job dialect and writes comma-separated output', async () => {
    const bytes = Buffer.from('Ann;"a;1@x.io"\r\rBob;b@x.io\r');
    const result = await enrichRows(bytes, enricher, {
      ...comma,
      delimiter: ';',
      lineEnding: 'cr',
      rowStart: 4,
      rowCount: 2,
    });
    expect(result.output).toBe('Ann,a;1@x.io,none,,0,\nBob,b@x.io,none,,0,\n');
    expect(result.rejected).toBe(0);
  });

  it('rejects rows with NUL bytes, naming the column, and keeps them visible in the output', async () => {
    const bytes = Buffer.from('Ann,a@x.io\nB\0b,b@x.io\n');
    const result = await enrichRows(bytes, enricher, { ...comma, rowStart: 1, rowCount: 2 });
    const quoted =
      '"row 2 contains a NUL byte in column 1 (""Name""); the file may hold binary data"';
    expect(result.output.split('\n')[1]).toBe(`B\uFFFDb,b@x.io,rejected,,,${quoted}`);
    expect(result.rejects).toBe(`2,${quoted}\n`);
  });

  it('reads windows-1252 rows and rejects rows that mix encodings', async () => {
    const latin1 = Buffer.from('Müller,m@x.io\n', 'latin1');
    const mixed = Buffer.concat([Buffer.from('José,'), Buffer.from('Müller\n', 'latin1')]);
    const result = await enrichRows(Buffer.concat([latin1, mixed]), enricher, {
      ...comma,
      rowStart: 1,
      rowCount: 2,
    });
    const [first, second] = result.output.split('\n');
    expect(first).toBe('Müller,m@x.io,none,,0,');
    expect(second).toMatch(/^José,M\uFFFDller,rejected,,,row 2 mixes UTF-8 with another encoding/);
    expect(result.rejected).toBe(1);
  });

  it('fails the file when the parser finds other rows than the splitter planned', async () => {
    await expect(
      enrichRows(Buffer.from('a,b\nc,d\n'), enricher, { ...comma, rowStart: 1, rowCount: 3 }),
    ).rejects.toMatchObject({ code: 'csv_malformed' });
  });
});

describe('rejectOversizedRow', () => {
  it('rejects the row in the output shape of the enricher, with sizes and no content', () => {
    const result = rejectOversizedRow(
      enricher,
      { rowStart: 7, byteStart: 100, byteEnd: 5_000_100, columns },
      4_194_304,
    );
    const reason = 'row 7 is 5000000 bytes; rows may be at most 4194304 bytes';
    expect(result).toEqual({
      output: `,,rejected,,,${reason}\n`,
      rejects: `7,${reason}\n`,
      rows: 1,
      rejected: 1,
    });
  });
});
