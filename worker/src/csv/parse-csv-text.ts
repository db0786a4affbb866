import { parseString } from '@fast-csv/parse';

/** Parses a whole CSV text held in memory into records (headers, one chunk's rows, tests). */
export function parseCsvText(
  text: string,
  options: { delimiter?: string } = {},
): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const rows: string[][] = [];
    parseString<string[], string[]>(text, { headers: false, delimiter: options.delimiter ?? ',' })
      .on('data', (row: string[]) => rows.push(row))
      .on('error', reject)
      .on('end', () => {
        resolve(rows);
      });
  });
}
