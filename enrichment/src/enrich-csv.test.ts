import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createContactEnricher } from './contact-enricher.ts';
import { enrichCsv } from './enrich-csv.ts';
import { formatRejectsHeader, formatRejectsRecord } from './output/rejects-file.ts';
import { directoryRecord, testDirectory } from './test-factories.ts';

function collect(stream: PassThrough): Promise<string> {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) =>
    stream.on('end', () => {
      resolve(Buffer.concat(chunks).toString());
    }),
  );
}

describe('enrichCsv', () => {
  it('writes the rejects file in the pipeline format: row_number,reason', async () => {
    const directory = testDirectory([
      directoryRecord({ id: 'd1', first_name: 'Ann', last_name: 'Lee', email: 'ann@lee.test' }),
    ]);
    const output = new PassThrough();
    const rejects = new PassThrough();
    const [out, rej] = [collect(output), collect(rejects)];
    const stats = await enrichCsv({
      input: Readable.from(['Name,Email,Notes\nAnn Lee,ann@lee.test,x\nCher,,y\nBob,b@c.co\n']),
      output,
      rejects,
      createEnricher: (header) => createContactEnricher({ inputColumns: header, directory }),
    });
    expect(stats).toMatchObject({ rows: 3, rejected: 2 });
    expect(await rej).toBe(
      formatRejectsHeader() +
        formatRejectsRecord(
          2,
          'nothing to match on: no full name, valid email, valid phone or national id, and no name part with a birth date or address',
        ) +
        formatRejectsRecord(3, 'row has 2 fields, header has 3'),
    );
    expect(await rej).toMatch(/^row_number,reason\n2,"nothing to match on: /);
    expect((await out).split('\n')[1]).toContain('Ann Lee,ann@lee.test,x,exact,d1,directory,1.00');
  });
});
