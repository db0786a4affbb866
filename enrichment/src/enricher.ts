import type { FieldLabel } from './match/label-fields.ts';
import type { ContactQuery, ProviderAnswer } from './sources/provider.ts';

/**
 * The seam between the pipeline and the enrichment engine.
 *
 * The worker creates one JobEnricher per job (from the job's header and options) and calls
 * enrichRow for every data row of every chunk. Implementations must be pure and synchronous
 * per row: no I/O happens on the hot path, so anything they need (directory index, nickname
 * table) is loaded before the JobEnricher is created.
 */

/** What the enricher made of one input row. `values` lines up with `outputColumns`. */
export interface EnrichedRow {
  readonly values: readonly string[];
  /** Set when the row could not be processed; the row still appears in the output, marked rejected. */
  readonly rejectReason?: string;
  /**
   * The enriched fields as data (value, status, previous), for callers that act on them (a
   * Mailchimp write-back sends the `new` and `updated` ones): never read back from `values`,
   * whose column names may change. Absent from enrichers that label no fields.
   */
  readonly fields?: readonly FieldLabel[];
}

export interface JobEnricher {
  /** The input columns, unchanged and in order, followed by the enrichment columns. */
  readonly outputColumns: readonly string[];
  /**
   * `rowNumber` is the 1-based data row number in the input file (the header is row 0).
   * `provided` is the job's provider answer for this row, looked up beforehand with
   * `providerQuery` (the only I/O of a row happens there, once per chunk, not here).
   */
  enrichRow(fields: readonly string[], rowNumber: number, provided?: ProviderAnswer): EnrichedRow;
  /**
   * Present when the job asks a provider (`providerName`): what to ask about a row, or undefined
   * when the row needs no lookup (the directory matched it, or it has nothing to look up by).
   */
  providerQuery?(fields: readonly string[]): ContactQuery | undefined;
  /** The provider the job asks (`match_source` of its matches), when it asks one. */
  readonly providerName?: string;
  /**
   * The output row for a row rejected before enrichment (by the pipeline, or for its shape):
   * `cells` as the input values, no match, `reason` as the match reason.
   */
  rejectRow(cells: readonly string[], reason: string): EnrichedRow;
}
