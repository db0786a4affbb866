import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { contactRow, CONTACT_HEADER, csvLine, seededRandom } from '../contacts.ts';
import { csvRecords } from './csv-records.ts';

/** Every row carries its number here, so the output can be checked row by row. */
export const ROW_ID_COLUMN = 'Row Id';
/** One row in this many has no name, email or phone: the engine must reject it. */
const UNUSABLE_EVERY = 50;

export function isUnusableRow(n: number): boolean {
  return n % UNUSABLE_EVERY === 0;
}

/** Rows the file of `rows` rows holds that the engine rejects. */
export function unusableRowCount(rows: number): number {
  return Math.floor(rows / UNUSABLE_EVERY);
}

/** A contact file with quoted commas and newlines, a row id per row and some unusable rows. */
export async function writeRowFile(path: string, rows: number, seed: number): Promise<void> {
  const random = seededRandom(seed);
  function* lines(): Generator<string> {
    yield csvLine([...CONTACT_HEADER, ROW_ID_COLUMN]);
    let batch = '';
    for (let n = 1; n <= rows; n++) {
      const row = contactRow(n, random, true);
      const values = isUnusableRow(n) ? ['', '', '', '', ...row.slice(4)] : row;
      batch += csvLine([...values, `id-${n}`]);
      if (n % 1000 === 0) {
        yield batch;
        batch = '';
      }
    }
    yield batch;
  }
  await pipeline(Readable.from(lines()), createWriteStream(path));
}

/** A file's text in pieces, as it streams in. */
type Text = AsyncIterable<string> | Iterable<string>;

export interface OutputCheck {
  readonly outputRows: number;
  /** Input rows missing from the output. */
  readonly lost: number;
  /** Extra copies of rows already seen. */
  readonly duplicated: number;
  /** Rows whose id is not above the id of the row before them. */
  readonly outOfOrder: number;
  /** Rows whose id is no input row's. */
  readonly unknown: number;
  /** Rows marked `rejected` that should not be, plus unusable rows that are not. */
  readonly misjudged: number;
  /** Reject records that do not name exactly the unusable rows, once each. */
  readonly rejectsMismatch: number;
}

/** Checks an output file (and its rejects file) against the row file of `rows` rows. */
export async function checkOutput(
  rows: number,
  output: Text,
  rejects: Text | undefined,
): Promise<OutputCheck> {
  const seen = new Uint8Array(rows + 1);
  let outputRows = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  let unknown = 0;
  let misjudged = 0;
  let previous = 0;
  let idColumn = -1;
  let statusColumn = -1;
  for await (const record of csvRecords(output)) {
    if (idColumn === -1) {
      idColumn = record.indexOf(ROW_ID_COLUMN);
      statusColumn = record.indexOf('match_status');
      if (idColumn === -1 || statusColumn === -1)
        throw new Error(`output header lacks ${ROW_ID_COLUMN} or match_status`);
      continue;
    }
    outputRows++;
    const id = rowIdOf(record[idColumn], rows);
    if (id === undefined) {
      unknown++;
      continue;
    }
    if (seen[id] === 1) duplicated++;
    seen[id] = 1;
    if (id <= previous) outOfOrder++;
    previous = id;
    if ((record[statusColumn] === 'rejected') !== isUnusableRow(id)) misjudged++;
  }
  let lost = 0;
  for (let n = 1; n <= rows; n++) if (seen[n] === 0) lost++;
  return {
    outputRows,
    lost,
    duplicated,
    outOfOrder,
    unknown,
    misjudged,
    rejectsMismatch: await checkRejects(rows, rejects),
  };
}

function rowIdOf(value: string | undefined, rows: number): number | undefined {
  const match = /^id-(\d+)$/.exec(value ?? '');
  const id = match ? Number(match[1]) : 0;
  return id >= 1 && id <= rows ? id : undefined;
}

async function checkRejects(rows: number, rejects: Text | undefined): Promise<number> {
  const expected = unusableRowCount(rows);
  if (rejects === undefined) return expected;
  const seen = new Set<number>();
  let wrong = 0;
  let header = true;
  for await (const [rowNumber] of csvRecords(rejects)) {
    if (header) {
      header = false;
      continue;
    }
    const n = Number(rowNumber);
    if (n < 1 || n > rows || !isUnusableRow(n) || seen.has(n)) wrong++;
    else seen.add(n);
  }
  return wrong + (expected - seen.size);
}
