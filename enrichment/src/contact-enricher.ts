import {
  createContactStandardizer,
  hasIdentifiers,
  type Contact,
  type ContactCells,
} from './standardize/contact.ts';
import type { DirectoryIndex } from './directory/directory-index.ts';
import type { EnrichedRow, JobEnricher } from './enricher.ts';
import {
  ENRICHED_FIELDS,
  labelFields,
  type FieldLabel,
  type WrittenValues,
} from './match/label-fields.ts';
import { createCompactWriter, type CompactWriter } from './output/compact-row.ts';
import { describeMatch, formatScore, plainEngineReason } from './output/match-reason.ts';
import {
  baseEnrichmentColumns,
  enrichmentColumnNames as namesFor,
  type OutputMode,
} from './output/output-columns.ts';
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
import { cleanText } from './standardize/normalize-text.ts';
import { countryToRegion, findCountryColumn } from './standardize/phone-region.ts';
import { standardizeEmails } from './standardize/standardize-email.ts';
import {
  createPhoneStandardizer,
  type PhoneStandardizer,
} from './standardize/standardize-phone.ts';
import type { ContactQuery, ProviderAnswer } from './sources/provider.ts';

/** `match_source` of a directory match. */
export const DIRECTORY_SOURCE = 'directory';

/** Columns of the full output, in order, before any collision suffix (see enrichmentColumnNames). */
export const ENRICHMENT_COLUMNS: readonly string[] = baseEnrichmentColumns({
  mode: 'full',
  fields: ENRICHED_FIELDS,
});

/** `match_reason` of a row in a job that has neither a directory nor a provider. */
export const NO_SOURCE_REASON = 'no directory or provider was given';

export interface ContactEnricherOptions extends MatchOptions {
  /**
   * Region (ISO 3166-1 alpha-2) for upload phone numbers without a country code; a row's own
   * country column overrides it. Defaults to the directory's.
   */
  readonly defaultRegion?: string;
  /** `full` (default): three columns per field. `compact`: see docs/output-file.md. */
  readonly output?: OutputMode;
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
  const mode: OutputMode = options.output ?? 'full';
  const mapping = recognizeColumns(inputColumns, options.columnMapping);
  const defaultRegion = options.defaultRegion ?? directory.defaultRegion;
  const countryColumn = findCountryColumn(inputColumns);
  const standardizers = regionalStandardizers(directory, defaultRegion);
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
  const hasSource = directory.size > 0 || init.provider !== undefined;
  const width = inputColumns.length;
  const s = mapping.single;
  const cell = (fields: readonly string[], index: number | undefined): string | undefined =>
    index === undefined ? undefined : fields[index];
  const compact: CompactWriter | undefined =
    mode === 'compact'
      ? createCompactWriter({
          mapping,
          fields: ENRICHED_FIELDS,
          hasSource,
          emailKeys: (text) => standardizeEmails(text).map((e) => e.key),
          emailKey: (value) => standardizeEmails(value)[0]?.key,
          phoneKeys: (text) => {
            const phone = standardizers.phone(defaultRegion)(text);
            return phone === undefined ? [] : [phone.e164];
          },
          phoneKey: (value) => standardizers.phone(defaultRegion)(value)?.e164,
        })
      : undefined;
  const outputColumns = [
    ...inputColumns,
    ...namesFor(inputColumns, {
      mode,
      fields: ENRICHED_FIELDS,
      addedFields: compact?.addedFields ?? [],
    }),
  ];
  const enrichmentWidth = outputColumns.length - width;

  function cellsOf(fields: readonly string[]): ContactCells {
    return {
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
    };
  }

  /** The row's phone region: its country column when that names one, else the job's. */
  function regionOf(fields: readonly string[]): string {
    if (countryColumn === undefined) return defaultRegion;
    return countryToRegion(fields[countryColumn] ?? '') ?? defaultRegion;
  }

  function toContact(fields: readonly string[]): Contact {
    return standardizers.contact(regionOf(fields))(cellsOf(fields));
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
    const values: string[] = new Array<string>(width + enrichmentWidth);
    for (let i = 0; i < width; i++) values[i] = normalizeCell(fields[i] ?? '');
    return values;
  }

  /** Writes the match columns from `at`; returns the next column. */
  function writeMatch(values: string[], at: number, match: RowMatch): number {
    values[at++] = match.status;
    values[at++] = match.id;
    values[at++] = match.source;
    values[at++] = match.score;
    values[at++] = match.reason;
    return at;
  }

  /** Writes the field columns (full) or the in-place values and changes (compact). */
  function writeFields(
    values: string[],
    at: number,
    labels: readonly FieldLabel[],
    contact: Contact | undefined,
  ): void {
    if (compact !== undefined) {
      const changes = contact === undefined ? '' : compact.write(values, labels, contact.name, at);
      if (contact === undefined)
        for (let i = 0; i < compact.addedFields.length; i++) values[at + i] = '';
      values[at + compact.addedFields.length] = changes;
      return;
    }
    for (const label of labels) {
      values[at++] = label.value;
      values[at++] = label.status;
      values[at++] = label.previous;
    }
  }

  function rejectRow(cells: readonly string[], reason: string): EnrichedRow {
    const values = inputValues(cells);
    const at = writeMatch(values, width, {
      status: 'rejected',
      id: '',
      source: '',
      score: formatScore(0),
      reason,
    });
    writeFields(values, at, REJECTED_LABELS, undefined);
    return { values, rejectReason: reason };
  }

  /** The reason a job without a match says for a row, fitting what the job asked. */
  function unmatchedReason(directoryReason: string, providerReason?: string): string {
    const parts: string[] = [];
    if (directory.size > 0) parts.push(plainEngineReason(directoryReason));
    if (providerReason !== undefined) parts.push(providerReason);
    if (parts.length > 0) return parts.join('; ');
    return init.provider === undefined
      ? NO_SOURCE_REASON
      : `${init.provider} was not asked about this row`;
  }

  /** The row's match: the directory's, else the provider's verified candidate. */
  function decide(
    contact: Contact,
    directoryMatch: MatchResult,
    provided: ProviderAnswer | undefined,
  ): { match: MatchResult; source: string; reason: string; error?: string } {
    if (directoryMatch.entry !== undefined)
      return {
        match: directoryMatch,
        source: DIRECTORY_SOURCE,
        reason: describeMatch(directoryMatch),
      };
    if (provided === undefined || init.provider === undefined)
      return { match: directoryMatch, source: '', reason: unmatchedReason(directoryMatch.reason) };
    if (provided.outcome === 'error') {
      const error = `${init.provider}: ${provided.reason}`;
      return { match: directoryMatch, source: '', reason: error, error };
    }
    if (provided.outcome === 'no_match') {
      return {
        match: directoryMatch,
        source: '',
        reason: unmatchedReason(directoryMatch.reason, `${init.provider} found no one`),
      };
    }
    const { candidate } = provided;
    const verified = verifier.verify(contact, {
      id: candidate.providerId,
      contact: standardizers.contact(defaultRegion)(candidate.record),
    });
    if (verified.entry === undefined) {
      const why = `${init.provider} candidate ${candidate.providerId} rejected: ${plainEngineReason(verified.reason)}`;
      return { match: verified, source: '', reason: unmatchedReason(directoryMatch.reason, why) };
    }
    return { match: verified, source: init.provider, reason: describeMatch(verified) };
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
      const analyzed = analyzeRow(fields);
      const { contact } = analyzed;
      if (analyzed.match === undefined) return rejectRow(fields, REJECT_UNUSABLE);
      const values = inputValues(fields);
      const decided = decide(contact, analyzed.match, provided);
      const { match } = decided;
      const labels = labelFields(contact, match.entry?.contact, writtenValues(fields));
      const at = writeMatch(
        values,
        width,
        decided.error === undefined
          ? {
              status: match.status,
              id: match.entry?.id ?? '',
              source: decided.source,
              score: formatScore(match.entry === undefined ? 0 : match.score),
              reason: decided.reason,
            }
          : { status: 'error', id: '', source: '', score: formatScore(0), reason: decided.error },
      );
      writeFields(values, at, labels, contact);
      // A failed lookup is counted with the rejects (toleratedRejectPercent applies) and listed in
      // the rejects file, but the row keeps its own status: it was not refused, it was not looked up.
      if (decided.error !== undefined) return { values, rejectReason: decided.error };
      return { values, fields: labels };
    },
  };

  /** What the person wrote for each field, to tell a reformatted value from one kept as written. */
  function writtenValues(fields: readonly string[]): WrittenValues {
    const join = (indexes: readonly (number | undefined)[]): string =>
      indexes
        .map((i) => (i === undefined ? '' : cleanText(fields[i] ?? '')))
        .filter((text) => text !== '')
        .join(' | ');
    const names = join([s.full_name, s.first_name, s.last_name, s.middle_name]);
    return {
      first_name: names,
      last_name: names,
      email: join(mapping.emails),
      phone: join(mapping.phones),
      company: join([s.company]),
      title: join([s.title]),
      city: join([s.city]),
    };
  }
}

/** The match columns of one row, formatted. */
interface RowMatch {
  readonly status: string;
  readonly id: string;
  readonly source: string;
  readonly score: string;
  readonly reason: string;
}

const REJECTED_LABELS: readonly FieldLabel[] = ENRICHED_FIELDS.map((field) => ({
  field,
  value: '',
  status: 'rejected',
  previous: '',
}));

/**
 * Contact standardizers per phone region, made on first use: most files use one region, and a
 * file with a country column a handful. Each keeps its own memo of names and companies.
 */
function regionalStandardizers(
  directory: DirectoryIndex,
  defaultRegion: string,
): {
  contact(region: string): (cells: ContactCells) => Contact;
  phone(region: string): PhoneStandardizer;
} {
  const phones = new Map<string, PhoneStandardizer>();
  const contacts = new Map<string, (cells: ContactCells) => Contact>();
  const phone = (region: string): PhoneStandardizer => {
    let standardizer = phones.get(region);
    if (standardizer === undefined) {
      standardizer = createPhoneStandardizer({
        defaultRegion: region,
        knownNumbers: directory.knownPhones,
      });
      phones.set(region, standardizer);
    }
    return standardizer;
  };
  // Fails now, on a bad job option, rather than on the first row.
  phone(defaultRegion);
  return {
    phone,
    contact(region) {
      let standardizer = contacts.get(region);
      if (standardizer === undefined) {
        standardizer = createContactStandardizer({
          standardizePhone: phone(region),
          internKey: directory.internKey,
        });
        contacts.set(region, standardizer);
      }
      return standardizer;
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

/** Full-output enrichment column names for an upload (see output/output-columns.ts). */
export function enrichmentColumnNames(inputColumns: readonly string[]): string[] {
  return namesFor(inputColumns, { mode: 'full', fields: ENRICHED_FIELDS });
}
