import { isUtf8 } from 'node:buffer';
import type { Job } from '@contacts/shared';
import { RecordScanner } from './record-scanner.ts';
import { hasUtf8Sequence } from './utf8-validation.ts';

/** One byte, one character: any run of records decodes on its own, whatever surrounds it. */
const windows1252 = new TextDecoder('windows-1252');

export interface DecodedRecord {
  readonly text: string;
  /**
   * Holds UTF-8 characters next to bytes that are not UTF-8: any single reading would garble
   * part of it, so it is decoded as UTF-8 (bad bytes become U+FFFD) and its row is rejected.
   */
  readonly mixed: boolean;
}

export interface DecodedRecords {
  readonly text: string;
  /** 0-based positions, among the non-blank records, of the mixed ones. */
  readonly mixedRows: readonly number[];
}

/**
 * Decodes one record: as UTF-8 when it is valid UTF-8, otherwise as windows-1252 (what Excel
 * writes on Windows, and a superset of Latin-1's printable characters).
 */
export function decodeRecord(bytes: Buffer): DecodedRecord {
  if (isUtf8(bytes)) return { text: bytes.toString('utf8'), mixed: false };
  if (hasUtf8Sequence(bytes)) return { text: bytes.toString('utf8'), mixed: true };
  return { text: windows1252.decode(bytes), mixed: false };
}

/**
 * Decodes a run of whole records. Valid UTF-8 (nearly every file) is decoded in one go; otherwise
 * each record is decoded on its own, so a stray windows-1252 row in a UTF-8 file, or a late
 * accented name in a windows-1252 file, is read correctly without garbling its neighbours.
 */
export function decodeRecords(
  bytes: Buffer,
  lineEnding: NonNullable<Job['lineEnding']>,
): DecodedRecords {
  if (isUtf8(bytes)) return { text: bytes.toString('utf8'), mixedRows: [] };
  // No UTF-8 sequence anywhere: every record is windows-1252 (ASCII reads the same in both).
  if (!hasUtf8Sequence(bytes)) return { text: windows1252.decode(bytes), mixedRows: [] };
  const parts: string[] = [];
  const mixedRows: number[] = [];
  let row = 0;
  const scanner = new RecordScanner({ lineEnding });
  const onRecord = (record: { start: number; end: number; blank: boolean }): void => {
    const decoded = decodeRecord(bytes.subarray(record.start, record.end));
    parts.push(decoded.text);
    if (record.blank) return;
    if (decoded.mixed) mixedRows.push(row);
    row++;
  };
  scanner.push(bytes, onRecord);
  scanner.finish(onRecord);
  return { text: parts.join(''), mixedRows };
}
