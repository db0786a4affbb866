import { UnrecognizedColumnsError } from '../errors.ts';
import { recognizeColumns } from '../standardize/recognize-columns.ts';

/**
 * Checks the start of an uploaded directory CSV before anyone relies on it: a header the
 * engine recognizes (an id column, and a name, email or phone column, by the same header
 * recognition as uploads) and sample rows of the header's width. A directory that fails is
 * never `ready`, so a job cannot start against a file no worker could index.
 */

/** What the check found: usable, or why not (the message names headers, never cell values). */
export type DirectoryCheck =
  | { readonly ok: true; readonly columns: readonly string[]; readonly sampleRows: number }
  | { readonly ok: false; readonly message: string };

/** Bytes of a directory read to check it: enough for the header and a few hundred rows. */
export const DIRECTORY_SAMPLE_BYTES = 64 * 1024;

// Header names (compacted) of the column holding each person's id in the directory.
const ID_HEADERS: ReadonlySet<string> = new Set([
  'id',
  'uid',
  'uuid',
  'contactid',
  'personid',
  'recordid',
  'externalid',
  'customerid',
  'memberid',
  'crmid',
]);

/** The index of the directory's id column, or -1. */
export function findIdColumn(headers: readonly string[]): number {
  return headers.findIndex((h) => ID_HEADERS.has(h.toLowerCase().replace(/[^a-z0-9]/g, '')));
}

/**
 * Checks a sample of a directory: its first `DIRECTORY_SAMPLE_BYTES` (or all of it when
 * `complete`). A sample cut mid-row loses its last, partial row.
 */
export function checkDirectorySample(sample: Buffer, complete: boolean): DirectoryCheck {
  if (sample.length === 0) return fail('the directory file is empty');
  if (sample.includes(0))
    return fail('the directory is not a text CSV file (it holds binary data)');
  let text = sample.toString('utf8').replace(/^\uFEFF/, '');
  if (!complete) {
    const end = text.lastIndexOf('\n');
    text = end < 0 ? text : text.slice(0, end);
  }
  const records = parseCsv(text).filter((r) => !(r.length === 1 && r[0]?.trim() === ''));
  const [header, ...rows] = records;
  if (header === undefined) return fail('the directory file is empty');
  const headers = header.map((h) => h.trim());
  const seen = headers.map((h) => JSON.stringify(h)).join(', ');
  if (findIdColumn(headers) < 0)
    return fail(
      `the directory has no id column (such as "id" or "Contact ID"); headers seen: ${seen}`,
    );
  try {
    recognizeColumns(headers);
  } catch (error) {
    if (error instanceof UnrecognizedColumnsError)
      return fail(
        `the directory has no recognizable name, email or phone column; headers seen: ${seen}`,
      );
    throw error;
  }
  if (rows.length === 0) return fail('the directory has a header but no rows');
  const misshapen = rows.filter((r) => r.length !== headers.length).length;
  // A few ragged rows are the worker's to skip; a majority means the file is not this CSV.
  if (misshapen * 2 > rows.length) {
    return fail(
      `${misshapen} of the first ${rows.length} rows do not have the header's ${headers.length} fields; ` +
        'check the delimiter (directories are comma-separated) and quoting',
    );
  }
  return { ok: true, columns: headers, sampleRows: rows.length };
}

function fail(message: string): DirectoryCheck {
  return { ok: false, message };
}

/** A small RFC 4180 parser (quoted fields, doubled quotes, CRLF or LF): enough for a sample. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}
