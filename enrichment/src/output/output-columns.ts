/**
 * The names of the columns enrichment adds to an upload. One scheme, driven by the field list,
 * so a field added later (address, postcode, country, date of birth…) gets its columns with no
 * extra work:
 * - `match_status`, `match_id`, `match_source`, `match_score`, `match_reason`: the row's match;
 * - `enriched_<field>`, `enriched_<field>_status`, `enriched_<field>_previous` per field (full);
 * - `enriched_changes`: one short summary of what changed (compact).
 * Every added name starts with `match_` or `enriched_`, so none sits beside an input column of
 * nearly the same name (`Email` next to `email`).
 */

/** `full`: input columns untouched, three columns per field. `compact`: see docs/output-file.md. */
export const OUTPUT_MODES = ['full', 'compact'] as const;
export type OutputMode = (typeof OUTPUT_MODES)[number];

/** The match columns, in output order, before any collision suffix. */
export const MATCH_COLUMN_NAMES = [
  'match_status',
  'match_id',
  'match_source',
  'match_score',
  'match_reason',
] as const;
export type MatchColumn = (typeof MATCH_COLUMN_NAMES)[number];

/** What a per-field column holds: the value, its status, or the value it replaced. */
export type FieldColumnPart = 'value' | 'status' | 'previous';
const FIELD_PARTS: readonly FieldColumnPart[] = ['value', 'status', 'previous'];

/** The compact output's summary column. */
export const CHANGES_COLUMN = 'enriched_changes';

/** `enriched_email`, `enriched_email_status`, `enriched_email_previous`. */
export function fieldColumnName(field: string, part: FieldColumnPart = 'value'): string {
  return part === 'value' ? `enriched_${field}` : `enriched_${field}_${part}`;
}

export interface OutputColumnsPlan {
  readonly mode: OutputMode;
  /** The fields labelled, in output order. */
  readonly fields: readonly string[];
  /**
   * Compact only: fields the upload has no column for, each given one `enriched_<field>`
   * column so a value a source supplies is not lost. Full output ignores it.
   */
  readonly addedFields?: readonly string[];
}

/** The enrichment column names of a plan, before any collision suffix. */
export function baseEnrichmentColumns(plan: OutputColumnsPlan): string[] {
  if (plan.mode === 'compact') {
    return [
      ...MATCH_COLUMN_NAMES,
      ...(plan.addedFields ?? []).map((field) => fieldColumnName(field)),
      CHANGES_COLUMN,
    ];
  }
  return [
    ...MATCH_COLUMN_NAMES,
    ...plan.fields.flatMap((field) => FIELD_PARTS.map((part) => fieldColumnName(field, part))),
  ];
}

/**
 * The enrichment column names for an upload. When any of them matches an input header up to
 * case and punctuation (a previous output submitted again, a file with its own `Enriched Email`),
 * every one of them gets the same `_2` (`_3`…) suffix, so the set stays recognizable as one run
 * and no two output columns look alike. `columnSuffix` says which suffix was used.
 */
export function enrichmentColumnNames(
  inputColumns: readonly string[],
  plan: OutputColumnsPlan,
): string[] {
  const base = baseEnrichmentColumns(plan);
  const suffix = columnSuffix(inputColumns, base);
  return base.map((name) => name + suffix);
}

/** '' when the enrichment columns collide with no input header, else `_2`, `_3`… */
export function columnSuffix(inputColumns: readonly string[], base: readonly string[]): string {
  const taken = new Set(inputColumns.map(compactHeader));
  for (let generation = 1; ; generation++) {
    const suffix = generation === 1 ? '' : `_${generation}`;
    if (!base.some((name) => taken.has(compactHeader(name + suffix)))) return suffix;
  }
}

/** Where each enrichment column sits in an output header (for readers of the output file). */
export interface OutputColumnIndex {
  /** Index of a match column, or -1. */
  match(name: MatchColumn): number;
  /** Index of a field column, or -1 (compact output has no status or previous columns). */
  field(field: string, part?: FieldColumnPart): number;
  /** Index of `enriched_changes`, or -1. */
  readonly changes: number;
}

/**
 * Finds the enrichment columns in an output header, whatever suffix the run used: the run's
 * columns are the last ones carrying its `match_status` name.
 */
export function indexOutputColumns(outputHeader: readonly string[]): OutputColumnIndex {
  let statusAt = -1;
  for (let i = outputHeader.length - 1; i >= 0; i--) {
    if (/^match_status(?:_\d+)?$/.test(outputHeader[i] ?? '')) {
      statusAt = i;
      break;
    }
  }
  const suffix = statusAt < 0 ? '' : (outputHeader[statusAt] ?? '').slice('match_status'.length);
  const find = (name: string): number =>
    statusAt < 0 ? -1 : outputHeader.indexOf(name + suffix, statusAt);
  return {
    match: (name) => find(name),
    field: (field, part = 'value') => find(fieldColumnName(field, part)),
    changes: find(CHANGES_COLUMN),
  };
}

function compactHeader(header: string): string {
  return header
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}
