/** Base class for every error the enrichment engine throws, so callers can catch them as one kind. */
export class EnrichmentError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The upload's header has no column the engine can match on (no name, email or phone). */
export class UnrecognizedColumnsError extends EnrichmentError {
  readonly headers: readonly string[];
  constructor(headers: readonly string[], detail?: string) {
    const seen = headers.length === 0 ? '(none)' : listHeaders(headers);
    super(
      `no usable name, email or phone column${detail ? ` (${detail})` : ''}; headers seen: ${seen}`,
    );
    this.headers = headers;
  }
}

/** An explicit column mapping names a header the file does not have, or an unknown field. */
export class InvalidColumnMappingError extends EnrichmentError {}

/** The directory CSV is malformed (missing required columns, bad row). */
export class DirectoryFormatError extends EnrichmentError {}

/** A nickname CSV is malformed. */
export class NicknameFormatError extends EnrichmentError {}

/** Options passed to the engine are out of range or inconsistent. */
export class EnrichmentOptionsError extends EnrichmentError {}

/** The message lands on the job record (a 400 KB DynamoDB item): a very wide header is cut short. */
const MAX_LISTED_HEADERS = 50;

function listHeaders(headers: readonly string[]): string {
  const listed = headers
    .slice(0, MAX_LISTED_HEADERS)
    .map((h) => JSON.stringify(h.length > 64 ? `${h.slice(0, 64)}…` : h));
  const more = headers.length - listed.length;
  return more > 0 ? `${listed.join(', ')} and ${more} more` : listed.join(', ');
}
