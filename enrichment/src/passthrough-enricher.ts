import type { EnrichedRow, JobEnricher } from './enricher.ts';

/** Columns every enriched output carries, whatever engine produced it (output file contract). */
export const MATCH_COLUMNS = ['match_status', 'match_id', 'match_score', 'match_reason'] as const;

/**
 * The minimal enricher: keeps every input value (NFC-normalized and trimmed), checks the row has
 * the header's shape, and reports no match. Used when no directory is configured.
 */
export function createPassthroughEnricher(inputColumns: readonly string[]): JobEnricher {
  const outputColumns = [...inputColumns, ...MATCH_COLUMNS];
  const width = inputColumns.length;
  const inputValues = (fields: readonly string[]): string[] => {
    const values = new Array<string>(width);
    for (let i = 0; i < width; i++) values[i] = normalizeCell(fields[i] ?? '');
    return values;
  };
  const rejectRow = (cells: readonly string[], reason: string): EnrichedRow => ({
    values: [...inputValues(cells), 'rejected', '', '', reason],
    rejectReason: reason,
  });
  return {
    outputColumns,
    rejectRow,
    enrichRow(fields: readonly string[]): EnrichedRow {
      if (fields.length !== width) {
        return rejectRow(fields, `row has ${fields.length} fields, header has ${width}`);
      }
      return { values: [...inputValues(fields), 'none', '', '0', ''] };
    },
  };
}

function normalizeCell(value: string): string {
  // Fast path: most cells are ASCII and need no normalization.
  const trimmed = value.trim();
  return isAscii(trimmed) ? trimmed : trimmed.normalize('NFC');
}

function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7f) return false;
  return true;
}
