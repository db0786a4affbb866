import { MATCH_COLUMNS, normalizeCell, type JobEnricher } from '@contacts/enrichment';

// Every enricher's output starts its own columns with these (output file contract).
const STATUS_AT = MATCH_COLUMNS.indexOf('match_status');
const REASON_AT = MATCH_COLUMNS.indexOf('match_reason');

/** Makes output rows for the rows the pipeline rejects before the enricher sees them. */
export type RowRejecter = (cells: readonly string[], reason: string) => string[];

/**
 * Rejected rows in the enricher's own output shape: a row of the wrong width is one every
 * enricher rejects, so its output row is the template (blank fields, "unverified" statuses…);
 * the input cells and the reason are then ours.
 */
export function rowRejecter(enricher: JobEnricher, width: number): RowRejecter {
  let template: readonly string[] | undefined;
  return (cells, reason) => {
    template ??= enricher.enrichRow(new Array<string>(width + 1).fill(''), 0).values;
    const values = [...template];
    for (let i = 0; i < width; i++) values[i] = normalizeCell(cells[i] ?? '');
    values[width + STATUS_AT] = 'rejected';
    values[width + REASON_AT] = reason;
    return values;
  };
}
