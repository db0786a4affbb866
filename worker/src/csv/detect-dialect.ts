import type { Job } from '@contacts/shared';
import { RecordScanner } from './record-scanner.ts';

export type Delimiter = NonNullable<Job['delimiter']>;
export type LineEnding = NonNullable<Job['lineEnding']>;

export interface CsvDialect {
  readonly delimiter: Delimiter;
  readonly lineEnding: LineEnding;
}

/** In order of preference when two are equally likely. */
const DELIMITERS: readonly Delimiter[] = [',', ';', '\t', '|'];
const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
/** Rows after the header that vote on the delimiter. */
const SAMPLE_ROWS = 20;

/**
 * Works out how a CSV file is written from its first bytes (`head`, from `startOffset` on, past
 * any byte-order mark): the line ending, then the delimiter of its header and first rows.
 */
export function detectDialect(head: Uint8Array, startOffset = 0): CsvDialect {
  const text = head.subarray(startOffset);
  const lineEnding = detectLineEnding(text);
  return { lineEnding, delimiter: detectDelimiter(sampleRecords(text, lineEnding)) };
}

/**
 * `cr` only when there are carriage returns and no line feed at all: a CR inside a quoted field
 * of an LF file must not turn the whole file into one record per CR.
 */
export function detectLineEnding(text: Uint8Array): LineEnding {
  let lf = 0;
  let cr = 0;
  let crlf = 0;
  for (let i = 0; i < text.length; i++) {
    const byte = text[i];
    if (byte === LF) {
      lf++;
      if (i > 0 && text[i - 1] === CR) crlf++;
    } else if (byte === CR) cr++;
  }
  if (lf === 0) return cr > 0 ? 'cr' : 'lf';
  return crlf === lf ? 'crlf' : 'lf';
}

/**
 * The delimiter found (outside quotes) in the header, preferring the one that appears as often
 * in most sample rows: "Name;Company" rows with "Acme, Inc." in them stay semicolon-separated.
 * A header with none of them is a single column, read as comma-separated.
 */
export function detectDelimiter(records: readonly Uint8Array[]): Delimiter {
  const [header, ...rows] = records;
  if (header === undefined) return ',';
  let best = { delimiter: ',' as Delimiter, agreeing: 0, inHeader: 0 };
  for (const delimiter of DELIMITERS) {
    const code = delimiter.charCodeAt(0);
    const inHeader = countOutsideQuotes(header, code);
    if (inHeader === 0) continue;
    const agreeing = rows.filter((row) => countOutsideQuotes(row, code) === inHeader).length;
    const better =
      agreeing > best.agreeing || (agreeing === best.agreeing && inHeader > best.inHeader);
    if (better) best = { delimiter, agreeing, inHeader };
  }
  return best.delimiter;
}

/** The header (complete or not) and the complete non-blank rows that fit in `text`. */
function sampleRecords(text: Uint8Array, lineEnding: LineEnding): Uint8Array[] {
  const records: Uint8Array[] = [];
  const scanner = new RecordScanner({ lineEnding });
  scanner.push(text, (record) => {
    if (records.length <= SAMPLE_ROWS && (records.length === 0 || !record.blank))
      records.push(text.subarray(record.start, record.end));
  });
  if (records.length === 0) records.push(text);
  return records;
}

function countOutsideQuotes(record: Uint8Array, code: number): number {
  let count = 0;
  let inQuotes = false;
  for (const byte of record) {
    if (byte === QUOTE) inQuotes = !inQuotes;
    else if (byte === code && !inQuotes) count++;
  }
  return count;
}
