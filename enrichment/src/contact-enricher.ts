import { createContactStandardizer, hasIdentifiers, type Contact } from './standardize/contact.ts';
import type { DirectoryIndex } from './directory/directory-index.ts';
import type { EnrichedRow, JobEnricher } from './enricher.ts';
import { ENRICHED_FIELDS, labelFields } from './match/label-fields.ts';
import {
  createCandidateVerifier,
  createMatcher,
  type MatchOptions,
  type MatchResult,
} from './match/match-contact.ts';
import type { NicknameTable } from './nicknames/nicknames.ts';
import { normalizeCell } from './standardize/normalize-text.ts';
import {
  recognizeColumns,
  type ColumnMapping,
  type ExplicitColumnMapping,
} from './standardize/recognize-columns.ts';
import { createPhoneStandardizer } from './standardize/standardize-phone.ts';
import type { ContactQuery, ProviderAnswer } from './sources/provider.ts';

/** `match_source` of a directory match. */
export const DIRECTORY_SOURCE = 'directory';

/** Enrichment columns, in output order, before collision renaming (see enrichmentColumnNames). */
export const ENRICHMENT_COLUMNS: readonly string[] = [
  'match_status',
  'match_id',
  'match_source',
  'match_score',
  'match_reason',
  ...ENRICHED_FIELDS.flatMap((f) => [f, `${f}_status`, `${f}_previous`]),
];

export interface ContactEnricherOptions extends MatchOptions {
  /** Region for upload phone numbers without a country code. Defaults to the directory's. */
  readonly defaultRegion?: string;
  /** Explicit header names for some fields; the rest are recognized. */
  readonly columnMapping?: ExplicitColumnMapping;
  /**
   * Prior of a provider's candidate (log2 odds); see PROVIDER_PRIOR_LOG2_ODDS. The threshold
   * and field model are the directory's.
   */
  readonly providerPriorLog2Odds?: number;
}

export interface ContactEnricherInit {
  /** The upload's header row. */
  readonly inputColumns: readonly string[];
  readonly directory: DirectoryIndex;
  /** Defaults to the table the directory was indexed with; pass that same table if given. */
  readonly nicknames?: NicknameTable;
  readonly options?: ContactEnricherOptions;
  /**
   * The provider the job asks after the directory (its name, e.g. "pdl"): rows the directory
   * did not match get a providerQuery, and their answers are verified like directory entries.
   */
  readonly provider?: string;
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

const REJECT_UNUSABLE =
  'nothing to match on: no full name, valid email, valid phone or national id, and no name part with a birth date or address';

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
  const nicknames = init.nicknames ?? directory.nicknames;
  const matcher = createMatcher(directory, options, nicknames);
  const verifier = createCandidateVerifier(
    {
      ...(options.minScore === undefined ? {} : { minScore: options.minScore }),
      ...(options.model === undefined ? {} : { model: options.model }),
      ...(options.providerPriorLog2Odds === undefined
        ? {}
        : { priorLog2Odds: options.providerPriorLog2Odds }),
    },
    nicknames,
  );
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
      street: cell(fields, s.street),
      street2: cell(fields, s.street2),
      streetNumber: cell(fields, s.street_number),
      postcode: cell(fields, s.postcode),
      state: cell(fields, s.state),
      country: cell(fields, s.country),
      birthDate: cell(fields, s.birth_date),
      nationalId: cell(fields, s.national_id),
      updatedAt: cell(fields, s.updated_at),
    });
  }

  function analyzeRow(fields: readonly string[]): {
    contact: Contact;
    match: MatchResult | undefined;
  } {
    const contact = toContact(fields);
    const usable = hasIdentifiers(contact);
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

  /** The row's match: the directory's, else the provider's verified candidate. */
  function decide(
    contact: Contact,
    directoryMatch: MatchResult,
    provided: ProviderAnswer | undefined,
  ): { match: MatchResult; source: string; error?: string } {
    if (directoryMatch.status !== 'none' || provided === undefined || init.provider === undefined)
      return { match: directoryMatch, source: directoryMatch.entry ? DIRECTORY_SOURCE : '' };
    if (provided.outcome === 'error')
      return { match: directoryMatch, source: '', error: `${init.provider}: ${provided.reason}` };
    if (provided.outcome === 'no_match') {
      const reason = `${init.provider} found no one`;
      return {
        match: { ...directoryMatch, reason: joinReasons(directoryMatch.reason, reason) },
        source: '',
      };
    }
    const { candidate } = provided;
    const verified = verifier.verify(contact, {
      id: candidate.providerId,
      contact: standardizeContact(candidate.record),
    });
    if (verified.entry === undefined) {
      const reason = `${init.provider} candidate ${candidate.providerId} rejected: ${verified.reason}`;
      return {
        match: { ...verified, reason: joinReasons(directoryMatch.reason, reason) },
        source: '',
      };
    }
    return { match: verified, source: init.provider };
  }

  return {
    outputColumns,
    mapping,
    analyzeRow,
    rejectRow,
    ...(init.provider === undefined
      ? {}
      : {
          providerName: init.provider,
          providerQuery(fields: readonly string[]): ContactQuery | undefined {
            if (fields.length !== width) return undefined;
            const { contact, match } = analyzeRow(fields);
            if (match === undefined || match.status !== 'none') return undefined;
            return contactQuery(contact);
          },
        }),
    enrichRow(fields: readonly string[], _rowNumber: number, provided?: ProviderAnswer) {
      if (fields.length !== width) {
        return rejectRow(fields, `row has ${fields.length} fields, header has ${width}`);
      }
      const values = inputValues(fields);
      let at = width;
      const analyzed = analyzeRow(fields);
      const { contact } = analyzed;
      const decided =
        analyzed.match === undefined ? undefined : decide(contact, analyzed.match, provided);
      const match = decided?.match;
      const labels = labelFields(contact, match?.entry?.contact);
      if (match === undefined) {
        values[at++] = 'rejected';
        values[at++] = '';
        values[at++] = '';
        values[at++] = '0';
        values[at++] = REJECT_UNUSABLE;
      } else if (decided?.error !== undefined) {
        values[at++] = 'error';
        values[at++] = '';
        values[at++] = '';
        values[at++] = '0';
        values[at++] = decided.error;
      } else {
        values[at++] = match.status;
        values[at++] = match.entry?.id ?? '';
        values[at++] = decided?.source ?? '';
        values[at++] = match.entry === undefined ? '0' : match.score.toFixed(4);
        values[at++] = match.reason;
      }
      for (const label of labels) {
        values[at++] = label.value;
        values[at++] = label.status;
        values[at++] = label.previous;
      }
      if (match === undefined) return { values, rejectReason: REJECT_UNUSABLE };
      // A failed lookup is counted with the rejects (toleratedRejectPercent applies) and listed in
      // the rejects file, but the row keeps its own status: it was not refused, it was not looked up.
      if (decided?.error !== undefined) return { values, rejectReason: decided.error };
      return { values };
    },
  };
}

/** What a provider is asked about a row: its standardized identifiers, so equal rows ask alike. */
function contactQuery(contact: Contact): ContactQuery {
  const { name } = contact;
  return {
    name: {
      first: name.first || undefined,
      middle: name.middle || undefined,
      last: name.last || undefined,
    },
    emails: contact.emails.map((email) => email.value),
    phones: contact.phones.map((phone) => phone.e164),
    company: contact.company || undefined,
    title: contact.title || undefined,
    locality: contact.city || undefined,
  };
}

function joinReasons(first: string, second: string): string {
  return first === '' ? second : `${first}; ${second}`;
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
