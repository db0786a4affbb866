const NEEDS_QUOTES = /[",\r\n]/;

/**
 * Cells a spreadsheet would run as a formula ("CSV injection", OWASP): anything starting with
 * `=`, `@`, a tab or a carriage return, and `+`/`-` unless the rest is plainly a number or a
 * phone number (so "+1 415 555 0132" and "-3.5" stay as they are).
 */
const FORMULA_START = /^[=@\t\r]/;
const SIGNED = /^[+-]/;
const PLAIN_NUMBER = /^[+-][\d\s().-]*$/;

/** Prefixes a cell that a spreadsheet would evaluate, so it is shown as text instead. */
export function neutralizeFormula(value: string): string {
  if (FORMULA_START.test(value) || (SIGNED.test(value) && !PLAIN_NUMBER.test(value)))
    return `'${value}`;
  return value;
}

/** Formats one CSV record (RFC 4180: quoted only when needed, quotes doubled), formula-safe. */
export function formatCsvRow(values: readonly string[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    const value = neutralizeFormula(values[i]!);
    if (i > 0) line += ',';
    line += NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
  }
  return line + '\n';
}
