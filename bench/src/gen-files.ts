/**
 * Writes the generated benchmark as CSV files, to try the CLI or the pipeline on realistic data:
 *
 *   node --conditions=source bench/src/gen-files.ts [--out bench/out] [--directory 20000] [--rows 10000] [--seed N]
 *   npm run enrich -- --input bench/out/contacts.csv --directory bench/out/directory.csv --output bench/out/enriched.csv
 *
 * Also writes truth.csv (row_number, directory id or empty) for scoring the output by hand.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeToPath } from 'fast-csv';
import { DIRECTORY_COLUMNS, loadSeedNicknames } from '@contacts/enrichment';
import { generateBenchmark } from './gen-benchmark.ts';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: 'bench/out' },
    directory: { type: 'string', default: '20000' },
    rows: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '20240611' },
  },
});

const bench = generateBenchmark({
  seed: Number(args.seed),
  directorySize: Number(args.directory),
  uploadRows: Number(args.rows),
  duplicateShare: 0.7,
  nicknamePairs: await loadSeedNicknames(),
});
await mkdir(args.out, { recursive: true });
const columns = [...DIRECTORY_COLUMNS, 'updated_at'] as const;
const write = (file: string, rows: (readonly string[])[]): Promise<void> =>
  new Promise((resolve, reject) => {
    writeToPath(join(args.out, file), rows as string[][], { includeEndRowDelimiter: true })
      .on('error', reject)
      .on('finish', () => {
        resolve();
      });
  });
await write('directory.csv', [
  [...columns],
  ...bench.directory.map((r) => columns.map((c) => r[c] ?? '')),
]);
await write('contacts.csv', [[...bench.header], ...bench.rows]);
await write('truth.csv', [
  ['row_number', 'directory_id'],
  ...bench.truth.map((t, i) => [String(i + 1), t.directoryId ?? '']),
]);
console.log(
  `wrote ${bench.directory.length} directory records and ${bench.rows.length} contacts to ${args.out}`,
);
