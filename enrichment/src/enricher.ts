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
}

export interface JobEnricher {
  /** The input columns, unchanged and in order, followed by the enrichment columns. */
  readonly outputColumns: readonly string[];
  /** `rowNumber` is the 1-based data row number in the input file (the header is row 0). */
  enrichRow(fields: readonly string[], rowNumber: number): EnrichedRow;
  /**
   * The output row for a row rejected before enrichment (by the pipeline, or for its shape):
   * `cells` as the input values, no match, `reason` as the match reason.
   */
  rejectRow(cells: readonly string[], reason: string): EnrichedRow;
}
