import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { format, parse } from 'fast-csv';
import type { JobEnricher } from './enricher.ts';
import { EnrichmentError } from './errors.ts';
import { indexOutputColumns } from './output/output-columns.ts';
import { formatRejectsHeader, formatRejectsRecord } from './output/rejects-file.ts';

export interface EnrichCsvOptions {
  readonly input: Readable;
  readonly output: Writable;
  /** Receives the rejects file: `row_number,reason` per rejected row, as the pipeline writes it. */
  readonly rejects?: Writable | undefined;
  /** Builds the enricher once the header is known (it may throw UnrecognizedColumnsError). */
  readonly createEnricher: (header: readonly string[]) => JobEnricher;
}

export interface EnrichCsvStats {
  rows: number;
  rejected: number;
  /** Rows per match_status value. */
  readonly statuses: Map<string, number>;
}

/**
 * Streams a contact CSV through an enricher, in process (the local CLI and benchmarks): one row
 * in, one row out, back-pressure respected, memory flat whatever the file size.
 */
export async function enrichCsv(options: EnrichCsvOptions): Promise<EnrichCsvStats> {
  const parser = options.input.pipe(parse<string[], string[]>({ headers: false }));
  options.input.once('error', (error) => parser.destroy(error));
  const out = format<string[], string[]>({ writeBOM: false });
  out.pipe(options.output);
  const rejectsOut = options.rejects;
  const stats: EnrichCsvStats = { rows: 0, rejected: 0, statuses: new Map() };
  let enricher: JobEnricher | undefined;
  let statusColumn = -1;

  const write = async (stream: Writable, row: string[] | string): Promise<void> => {
    if (!stream.write(row)) await new Promise((resolve) => stream.once('drain', resolve));
  };
  try {
    for await (const row of parser as AsyncIterable<string[]>) {
      if (enricher === undefined) {
        const header = row.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h));
        enricher = options.createEnricher(header);
        statusColumn = indexOutputColumns(enricher.outputColumns).match('match_status');
        await write(out, [...enricher.outputColumns]);
        if (rejectsOut) await write(rejectsOut, formatRejectsHeader());
        continue;
      }
      stats.rows++;
      const enriched = enricher.enrichRow(row, stats.rows);
      const status = enriched.values[statusColumn] ?? '';
      stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
      await write(out, [...enriched.values]);
      if (enriched.rejectReason !== undefined) {
        stats.rejected++;
        if (rejectsOut)
          await write(rejectsOut, formatRejectsRecord(stats.rows, enriched.rejectReason));
      }
    }
  } catch (error) {
    if (error instanceof EnrichmentError) throw error;
    throw new EnrichmentError(`cannot enrich CSV (near data row ${stats.rows + 1})`, {
      cause: error,
    });
  } finally {
    out.end();
    options.rejects?.end();
  }
  if (enricher === undefined) throw new EnrichmentError('input CSV is empty: no header row');
  await finished(options.output);
  if (options.rejects) await finished(options.rejects);
  return stats;
}
