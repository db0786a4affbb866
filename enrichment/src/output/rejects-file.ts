/**
 * The rejects file, written the same way by the local CLI and the pipeline: a `row_number,reason`
 * header, then one record per rejected row (1 = first data row). It repeats no cell of the row
 * (the output file keeps the whole row, marked rejected, at the same place), and reasons name
 * rows and columns, never cell contents.
 */

/** The rejects file's columns. */
export const REJECTS_COLUMNS = ['row_number', 'reason'] as const;

/** The rejects file's header line. */
export function formatRejectsHeader(): string {
  return `${REJECTS_COLUMNS.join(',')}\n`;
}

/** One rejects record: the row's number and why, as a CSV line (RFC 4180 quoting). */
export function formatRejectsRecord(rowNumber: number, reason: string): string {
  // A reason may quote a provider's message: never let a spreadsheet run it as a formula.
  const safe = /^[=+\-@\t\r]/.test(reason) ? `'${reason}` : reason;
  const quoted = /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  return `${rowNumber},${quoted}\n`;
}
