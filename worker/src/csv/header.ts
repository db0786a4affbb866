import { InputFileError } from '@contacts/shared';
import { parseCsvText } from './parse-csv-text.ts';

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** Length of a UTF-8 byte-order mark at the start of `bytes` (0 or 3). */
export function bomLength(bytes: Uint8Array): number {
  return UTF8_BOM.every((b, i) => bytes[i] === b) ? UTF8_BOM.length : 0;
}

/** Parses the header record into trimmed column names. */
export async function parseHeader(record: Buffer): Promise<string[]> {
  const rows = await parseCsvText(record.toString('utf8')).catch((error: unknown) => {
    throw new InputFileError('header_invalid', 'the header row is not valid CSV', { cause: error });
  });
  const columns = (rows[0] ?? []).map((name) => name.trim());
  if (columns.length === 0 || columns.every((name) => name === '')) {
    throw new InputFileError('header_missing', 'the file has no header row');
  }
  return columns;
}
