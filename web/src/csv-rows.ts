/**
 * A small quote-aware CSV reader fed text piece by piece (RFC 4180: quoted fields may hold the
 * delimiter, quotes doubled, and line breaks). Enough for a preview and for counting the
 * result's columns; the server's reader stays the authority on what a file means.
 */
export class CsvRows {
  readonly #delimiter: string;
  #field = '';
  #row: string[] = [];
  #quoted = false;
  /** A quote seen inside a quoted field: either a doubled quote or the field's end. */
  #quotePending = false;
  #afterCr = false;

  constructor(delimiter = ',') {
    this.#delimiter = delimiter;
  }

  /** Parses `text` and returns the rows it completed. */
  push(text: string): string[][] {
    const rows: string[][] = [];
    for (const char of text) {
      if (this.#afterCr) {
        this.#afterCr = false;
        if (char === '\n') continue;
      }
      if (this.#quoted) {
        if (this.#quotePending) {
          this.#quotePending = false;
          if (char === '"') {
            this.#field += '"';
            continue;
          }
          this.#quoted = false;
        } else if (char === '"') {
          this.#quotePending = true;
          continue;
        } else {
          this.#field += char;
          continue;
        }
      }
      if (char === '"' && this.#field === '') this.#quoted = true;
      else if (char === this.#delimiter) this.#endField();
      else if (char === '\n' || char === '\r') {
        this.#afterCr = char === '\r';
        const row = this.#endRow();
        if (row) rows.push(row);
      } else this.#field += char;
    }
    return rows;
  }

  /** The last row when the text did not end with a line break. */
  end(): string[][] {
    if (this.#quotePending) {
      this.#quotePending = false;
      this.#quoted = false;
    }
    const row = this.#endRow();
    return row ? [row] : [];
  }

  #endField(): void {
    this.#row.push(this.#field);
    this.#field = '';
  }

  #endRow(): string[] | undefined {
    this.#endField();
    const row = this.#row;
    this.#row = [];
    // Blank lines are not rows (as on the server).
    return row.length === 1 && row[0] === '' ? undefined : row;
  }
}

const DELIMITERS = [',', ';', '\t', '|'] as const;

/** The separator the header line uses most (outside quotes), comma when none. */
export function sniffDelimiter(headerLine: string): string {
  const unquoted = headerLine.replace(/"[^"]*"/g, '');
  let best: string = ',';
  let bestCount = 0;
  for (const delimiter of DELIMITERS) {
    const count = unquoted.split(delimiter).length - 1;
    if (count > bestCount) {
      best = delimiter;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Header and first rows of a file's beginning; unless `whole`, the last line may be cut, so it
 * is dropped.
 */
export function previewRows(
  text: string,
  maxRows: number,
  whole = false,
): { header: string[]; rows: string[][] } {
  const withoutBom = text.replace(/^\uFEFF/, '');
  const firstLine = withoutBom.split(/\r?\n|\r/, 1)[0] ?? '';
  const reader = new CsvRows(sniffDelimiter(firstLine));
  const all = reader.push(withoutBom);
  if (whole) all.push(...reader.end());
  const [header = [], ...rows] = all;
  return { header: header.map((h) => h.trim()), rows: rows.slice(0, maxRows) };
}
