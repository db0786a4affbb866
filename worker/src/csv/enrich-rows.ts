import type { Readable } from 'node:stream';
import { parse } from '@fast-csv/parse';
import type { JobEnricher } from '@contacts/enrichment';
import { formatCsvRow, InputFileError } from '@contacts/shared';

export interface EnrichedChunk {
  /** Output records (CSV, no header), one per input row, in input order. */
  readonly output: string;
  /** `row_number,reason` records for the rejected rows. */
  readonly rejects: string;
  readonly rows: number;
  readonly rejected: number;
}

/** Parses one chunk's bytes, enriches every row and formats the output and rejects records. */
export async function enrichRows(
  input: Readable,
  enricher: JobEnricher,
  chunk: { rowStart: number; rowCount: number },
): Promise<EnrichedChunk> {
  const output: string[] = [];
  const rejects: string[] = [];
  let rowNumber = chunk.rowStart;
  const parser = input.pipe(parse<string[], string[]>({ headers: false }));
  input.on('error', (error) => parser.destroy(error));
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      if (isBlank(fields)) continue;
      const result = enricher.enrichRow(fields, rowNumber);
      output.push(formatCsvRow(result.values));
      if (result.rejectReason !== undefined) {
        rejects.push(formatCsvRow([String(rowNumber), result.rejectReason]));
      }
      rowNumber++;
    }
  } catch (error) {
    if (error instanceof Error && /Parse Error/i.test(error.message)) {
      throw new InputFileError('csv_malformed', `rows ${chunk.rowStart}+ are not valid CSV`, {
        cause: error,
      });
    }
    throw error;
  }
  const rows = rowNumber - chunk.rowStart;
  if (rows !== chunk.rowCount) {
    // The splitter and the parser disagree on record boundaries: malformed quoting.
    throw new InputFileError(
      'csv_malformed',
      `rows ${chunk.rowStart}-${chunk.rowStart + chunk.rowCount - 1} could not be read consistently (found ${rows} rows, expected ${chunk.rowCount}); check the file for stray quotes`,
    );
  }
  return { output: output.join(''), rejects: rejects.join(''), rows, rejected: rejects.length };
}

/** A blank line parses to no field or a single empty one; the splitter skips the same lines. */
function isBlank(fields: readonly string[]): boolean {
  return fields.length === 0 || (fields.length === 1 && fields[0] === '');
}
