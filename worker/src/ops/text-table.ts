/** Left-aligned columns separated by two spaces, for terminals (the last column is not padded). */
export function textTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    headers
      .map((_, column) => {
        const cell = cells[column] ?? '';
        return column === headers.length - 1 ? cell : cell.padEnd(widths[column]!);
      })
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
