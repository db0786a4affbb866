import {
  formatRejectsRecord,
  type ContactQuery,
  type EnrichedRow,
  type JobEnricher,
  type ProviderAnswer,
} from '@contacts/enrichment';
import { formatCsvRow, InputFileError } from '@contacts/shared';
import { decodeRecords } from './decode-text.ts';
import type { CsvDialect } from './detect-dialect.ts';
import { parseCsvText } from './parse-csv-text.ts';

export interface EnrichedChunk {
  /** Output records (CSV, no header), one per input row, in input order. */
  readonly output: string;
  /** `row_number,reason` records for the rejected rows. */
  readonly rejects: string;
  readonly rows: number;
  readonly rejected: number;
}

export interface ChunkRows extends CsvDialect {
  /** 1-based number of the first data row. */
  readonly rowStart: number;
  readonly rowCount: number;
  /** The header, to name columns in reasons and give rejected rows the right width. */
  readonly columns: readonly string[];
}

/**
 * Looks up a chunk's rows at the job's provider (one optional query per row, answers in order):
 * the only I/O of enrichment, done once per chunk before any row is enriched.
 */
export type ChunkProviderLookup = (
  queries: readonly (ContactQuery | undefined)[],
) => Promise<readonly (ProviderAnswer | undefined)[]>;

/**
 * Decodes and parses one chunk's bytes, enriches every row and formats the output and rejects
 * records. Rows the enricher must not see (mixed encodings, NUL bytes) are rejected here.
 * Reasons name rows and columns, never cell contents. With `lookup`, the rows the enricher has
 * a provider query for are looked up first, and each row is enriched with its answer.
 */
export async function enrichRows(
  bytes: Buffer,
  enricher: JobEnricher,
  chunk: ChunkRows,
  lookup?: ChunkProviderLookup,
): Promise<EnrichedChunk> {
  const decoded = decodeRecords(bytes, chunk.lineEnding);
  const records = await parseRecords(decoded.text, chunk);
  const mixed = new Set(decoded.mixedRows);
  // Checked once per chunk, so clean chunks never look for NULs row by row.
  const mayHaveNul = decoded.text.includes('\0');
  const rowsRead: RowToEnrich[] = [];
  for (const fields of records) {
    if (isBlank(fields)) continue;
    const rowNumber = chunk.rowStart + rowsRead.length;
    const problem = mixed.has(rowsRead.length)
      ? `row ${rowNumber} mixes UTF-8 with another encoding; save the file as UTF-8`
      : mayHaveNul
        ? nulReason(fields, chunk.columns, rowNumber)
        : undefined;
    rowsRead.push({ fields, rowNumber, problem });
  }
  const rows = rowsRead.length;
  if (rows !== chunk.rowCount) {
    // The splitter and the parser disagree on record boundaries: malformed quoting.
    throw new InputFileError(
      'csv_malformed',
      `rows ${chunk.rowStart}-${chunk.rowStart + chunk.rowCount - 1} could not be read consistently (found ${rows} rows, expected ${chunk.rowCount}); check the file for stray quotes`,
    );
  }
  return enrichRecords(rowsRead, enricher, lookup);
}

/** A parsed row ready for the enricher: `problem` rejects it without enriching it. */
export interface RowToEnrich {
  readonly fields: readonly string[];
  readonly rowNumber: number;
  readonly problem: string | undefined;
}

/** A chunk's output with each row's enrichment as data (for a write-back), when asked. */
export interface EnrichedRecords extends EnrichedChunk {
  readonly enriched: readonly EnrichedRow[];
}

/**
 * Enriches rows already parsed (a CSV chunk's, or a Mailchimp page's) and formats the output and
 * rejects records, looking the rows up at the job's provider first when `lookup` is given.
 */
export async function enrichRecords(
  rowsRead: readonly RowToEnrich[],
  enricher: JobEnricher,
  lookup?: ChunkProviderLookup,
  options: { keepRows?: boolean } = {},
): Promise<EnrichedRecords> {
  const providerQuery = enricher.providerQuery?.bind(enricher);
  const answers =
    lookup === undefined || providerQuery === undefined
      ? []
      : await lookup(
          rowsRead.map((row) =>
            row.problem === undefined ? providerQuery(row.fields) : undefined,
          ),
        );
  const output: string[] = [];
  const rejects: string[] = [];
  const enriched: EnrichedRow[] = [];
  rowsRead.forEach(({ fields, rowNumber, problem }, index) => {
    const result =
      problem === undefined
        ? enricher.enrichRow(fields, rowNumber, answers[index])
        : enricher.rejectRow(withoutNul(fields), problem);
    // Kept only when asked: a CSV chunk's rows would double its memory for nothing.
    if (options.keepRows === true) enriched.push(result);
    output.push(formatCsvRow(result.values));
    if (result.rejectReason !== undefined) {
      rejects.push(formatRejectsRecord(rowNumber, result.rejectReason));
    }
  });
  return {
    output: output.join(''),
    rejects: rejects.join(''),
    rows: rowsRead.length,
    rejected: rejects.length,
    enriched,
  };
}

/**
 * The output of a chunk whose one row is longer than the row limit, made without reading it:
 * the row stays in the output, with empty cells, marked rejected.
 */
export function rejectOversizedRow(
  enricher: JobEnricher,
  chunk: { rowStart: number; byteStart: number; byteEnd: number; columns: readonly string[] },
  limitBytes: number,
): EnrichedChunk {
  const reason = `row ${chunk.rowStart} is ${chunk.byteEnd - chunk.byteStart} bytes; rows may be at most ${limitBytes} bytes`;
  return {
    output: formatCsvRow(enricher.rejectRow([], reason).values),
    rejects: formatRejectsRecord(chunk.rowStart, reason),
    rows: 1,
    rejected: 1,
  };
}

async function parseRecords(text: string, chunk: ChunkRows): Promise<string[][]> {
  try {
    return await parseCsvText(text, { delimiter: chunk.delimiter });
  } catch (error) {
    if (error instanceof Error && /Parse Error/i.test(error.message)) {
      throw new InputFileError('csv_malformed', `rows ${chunk.rowStart}+ are not valid CSV`, {
        cause: error,
      });
    }
    throw error;
  }
}

function nulReason(
  fields: readonly string[],
  columns: readonly string[],
  rowNumber: number,
): string | undefined {
  const at = fields.findIndex((field) => field.includes('\0'));
  if (at < 0) return undefined;
  const name = columns[at];
  const column = name === undefined ? `column ${at + 1}` : `column ${at + 1} ("${name}")`;
  return `row ${rowNumber} contains a NUL byte in ${column}; the file may hold binary data`;
}

/** NUL bytes shown as U+FFFD: the reason says why, and the output stays a text file. */
function withoutNul(fields: readonly string[]): string[] {
  return fields.map((field) => field.replaceAll('\0', '\uFFFD'));
}

/** A blank line parses to no field or a single empty one; the splitter skips the same lines. */
function isBlank(fields: readonly string[]): boolean {
  return fields.length === 0 || (fields.length === 1 && fields[0] === '');
}
