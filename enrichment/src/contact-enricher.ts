import { createContactStandardizer, hasFullName, type Contact } from './standardize/contact.ts';
import type { DirectoryIndex } from './directory/directory-index.ts';
import type { EnrichedRow, JobEnricher } from './enricher.ts';
import { ENRICHED_FIELDS, labelFields } from './match/label-fields.ts';
import { createMatcher, type MatchOptions, type MatchResult } from './match/match-contact.ts';
import type { NicknameTable } from './nicknames/nicknames.ts';
import { normalizeCell } from './standardize/normalize-text.ts';
import {
  recognizeColumns,
  type ColumnMapping,
  type ExplicitColumnMapping,
} from './standardize/recognize-columns.ts';
import { createPhoneStandardizer } from './standardize/standardize-phone.ts';

/** Enrichment columns, in output order, before collision renaming (see enrichmentColumnNames). */
export const ENRICHMENT_COLUMNS: readonly string[] = [
  'match_status',
  'match_id',
  'match_score',
  'match_reason',
  ...ENRICHED_FIELDS.flatMap((f) => [f, `${f}_status`, `${f}_previous`]),
];

export interface ContactEnricherOptions extends MatchOptions {
  /** Region for upload phone numbers without a country code. Defaults to the directory's. */
  readonly defaultRegion?: string;
  /** Explicit header names for some fields; the rest are recognized. */
  readonly columnMapping?: ExplicitColumnMapping;
}

export interface ContactEnricherInit {
  /** The upload's header row. */
  readonly inputColumns: readonly string[];
  readonly directory: DirectoryIndex;
  /** Defaults to the table the directory was indexed with; pass that same table if given. */
  readonly nicknames?: NicknameTable;
  readonly options?: ContactEnricherOptions;
}

/** A JobEnricher that also exposes how it read the header and how it decides, for the CLI and benchmarks. */
export interface ContactEnricher extends JobEnricher {
  readonly mapping: ColumnMapping;
  /** Standardizes and matches one row without formatting output (benchmarks, debugging). */
  analyzeRow(fields: readonly string[]): {
    readonly contact: Contact;
    readonly match: MatchResult | undefined;
  };
}

const REJECT_UNUSABLE = 'no usable full name, email or phone';

/**
 * The real enrichment engine behind the JobEnricher seam: recognizes the header, then for each
 * row standardizes, matches against the directory and labels every enriched field.
 * Throws UnrecognizedColumnsError / InvalidColumnMappingError for an unusable header.
 */
export function createContactEnricher(init: ContactEnricherInit): ContactEnricher {
  const { inputColumns, directory } = init;
  const options = init.options ?? {};
  const mapping = recognizeColumns(inputColumns, options.columnMapping);
  const standardizePhone = createPhoneStandardizer({
    defaultRegion: options.defaultRegion ?? directory.defaultRegion,
    knownNumbers: directory.knownPhones,
  });
  const standardizeContact = createContactStandardizer({
    standardizePhone,
    internKey: directory.internKey,
  });
  const matcher = createMatcher(directory, options, init.nicknames ?? directory.nicknames);
  const width = inputColumns.length;
  const outputColumns = [...inputColumns, ...enrichmentColumnNames(inputColumns)];
  const s = mapping.single;
  const cell = (fields: readonly string[], index: number | undefined): string | undefined =>
    index === undefined ? undefined : fields[index];

  function toContact(fields: readonly string[]): Contact {
    return standardizeContact({
      name: {
        full: cell(fields, s.full_name),
        first: cell(fields, s.first_name),
        middle: cell(fields, s.middle_name),
        last: cell(fields, s.last_name),
        prefix: cell(fields, s.prefix),
        suffix: cell(fields, s.suffix),
        nickname: cell(fields, s.nickname),
      },
      emails: mapping.emails.map((i) => fields[i] ?? ''),
      phones: mapping.phones.map((i) => fields[i] ?? ''),
      company: cell(fields, s.company),
      title: cell(fields, s.title),
      city: cell(fields, s.city),
      updatedAt: cell(fields, s.updated_at),
    });
  }

  function analyzeRow(fields: readonly string[]): {
    contact: Contact;
    match: MatchResult | undefined;
  } {
    const contact = toContact(fields);
    const usable = hasFullName(contact) || contact.emails.length > 0 || contact.phones.length > 0;
    return { contact, match: usable ? matcher.match(contact) : undefined };
  }

  function inputValues(fields: readonly string[]): string[] {
    // Sized once: growing the array column by column reallocates it several times per row.
    const values: string[] = new Array<string>(width + ENRICHMENT_COLUMNS.length);
    for (let i = 0; i < width; i++) values[i] = normalizeCell(fields[i] ?? '');
    return values;
  }

  function rejectRow(cells: readonly string[], reason: string): EnrichedRow {
    const values = inputValues(cells);
    let at = width;
    values[at++] = 'rejected';
    values[at++] = '';
    values[at++] = '0';
    values[at++] = reason;
    for (let i = 0; i < ENRICHED_FIELDS.length; i++) {
      values[at++] = '';
      values[at++] = 'unverified';
      values[at++] = '';
    }
    return { values, rejectReason: reason };
  }

  return {
    outputColumns,
    mapping,
    analyzeRow,
    rejectRow,
    enrichRow(fields: readonly string[]): EnrichedRow {
      if (fields.length !== width) {
        return rejectRow(fields, `row has ${fields.length} fields, header has ${width}`);
      }
      const values = inputValues(fields);
      let at = width;
      const { contact, match } = analyzeRow(fields);
      const labels = labelFields(contact, match?.entry?.contact);
      if (match === undefined) {
        values[at++] = 'rejected';
        values[at++] = '';
        values[at++] = '0';
        values[at++] = REJECT_UNUSABLE;
      } else {
        values[at++] = match.status;
        values[at++] = match.entry?.id ?? '';
        values[at++] = match.entry === undefined ? '0' : match.score.toFixed(4);
        values[at++] = match.reason;
      }
      for (const label of labels) {
        values[at++] = label.value;
        values[at++] = label.status;
        values[at++] = label.previous;
      }
      return match === undefined ? { values, rejectReason: REJECT_UNUSABLE } : { values };
    },
  };
}

/**
 * Enrichment column names for an upload. A name the upload already uses exactly (a snake_case
 * file with its own "first_name" column, or a previous output) gets an "enriched_" prefix, so no
 * two output columns share a name and the input columns stay untouched.
 */
export function enrichmentColumnNames(inputColumns: readonly string[]): string[] {
  const taken = new Set(inputColumns.map((c) => c.trim()));
  return ENRICHMENT_COLUMNS.map((name) => {
    let candidate = name;
    while (taken.has(candidate)) candidate = `enriched_${candidate}`;
    taken.add(candidate);
    return candidate;
  });
}
