import { InputFileError } from '@contacts/shared';
import { decodeRecord } from './decode-text.ts';
import type { Delimiter } from './detect-dialect.ts';
import { parseCsvText } from './parse-csv-text.ts';

/**
 * The columns are stored in the job's DynamoDB item (400 KB at most, next to an error message
 * that may list them again), so the header is capped well below that: 10,000 columns of ten
 * characters still fit. A longer "header" is not a contact file.
 */
export const MAX_HEADER_BYTES = 128 * 1024;
export const MAX_COLUMNS = 16_384;

export function headerTooLongError(): InputFileError {
  return new InputFileError(
    'header_too_long',
    `the header row is longer than ${MAX_HEADER_BYTES} bytes; is this a CSV file with a header?`,
  );
}

/** Decodes and parses the header record into trimmed column names. */
export async function parseHeader(
  record: Buffer,
  options: { delimiter: Delimiter },
): Promise<string[]> {
  if (record.length > MAX_HEADER_BYTES) throw headerTooLongError();
  const decoded = decodeRecord(record);
  if (decoded.mixed) {
    throw new InputFileError(
      'encoding_mixed',
      'the header row mixes UTF-8 with another encoding; save the file as UTF-8',
    );
  }
  if (decoded.text.includes('\0')) {
    throw new InputFileError('header_invalid', 'the header row contains a NUL byte');
  }
  const rows = await parseCsvText(decoded.text, options).catch((error: unknown) => {
    throw new InputFileError('header_invalid', 'the header row is not valid CSV', { cause: error });
  });
  const columns = (rows[0] ?? []).map((name) => name.trim());
  if (columns.length === 0 || columns.every((name) => name === '')) {
    throw new InputFileError('header_missing', 'the file has no header row');
  }
  if (columns.length > MAX_COLUMNS) {
    throw new InputFileError(
      'header_too_wide',
      `the header has ${columns.length} columns; at most ${MAX_COLUMNS} are supported`,
    );
  }
  return columns;
}
