const NEEDS_QUOTES = /[",\r\n]/;

/** Formats one CSV record (RFC 4180: quoted only when needed, quotes doubled, CRLF-free). */
export function formatCsvRow(values: readonly string[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (i > 0) line += ',';
    line += NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
  }
  return line + '\n';
}
