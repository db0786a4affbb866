// The seam the pipeline calls.
export type { EnrichedRow, JobEnricher } from './enricher.ts';
export { createPassthroughEnricher, MATCH_COLUMNS } from './passthrough-enricher.ts';

// The contact enrichment engine.
export {
  createContactEnricher,
  DIRECTORY_SOURCE,
  enrichmentColumnNames,
  ENRICHMENT_COLUMNS,
  NO_SOURCE_REASON,
  type ContactEnricher,
  type ContactEnricherInit,
  type ContactEnricherOptions,
} from './contact-enricher.ts';
export {
  recognizeColumns,
  type ColumnMapping,
  type ExplicitColumnMapping,
  type MappableField,
  type MultiField,
  type SingleField,
} from './standardize/recognize-columns.ts';

// Reference directory.
export {
  buildDirectoryIndex,
  createDirectoryIndexBuilder,
  type DirectoryEntry,
  type DirectoryIndex,
  type DirectoryIndexBuilder,
  type DirectoryIndexOptions,
  type DirectoryRecord,
  type FrequencyField,
} from './directory/directory-index.ts';
export {
  checkDirectorySample,
  DIRECTORY_SAMPLE_BYTES,
  findIdColumn,
  type DirectoryCheck,
} from './validate/check-directory.ts';
export {
  loadDirectoryCsv,
  readDirectoryRecords,
  recognizeDirectoryColumns,
} from './directory/load-directory.ts';
export {
  directoryIndexArtifactChunks,
  INDEX_ARTIFACT_VERSION,
  IndexArtifactVersionError,
  loadDirectoryIndexArtifact,
  serializeDirectoryIndex,
  writeDirectoryIndexArtifact,
} from './directory/index-artifact.ts';
export { enrichCsv, type EnrichCsvOptions, type EnrichCsvStats } from './enrich-csv.ts';

// The output file: column names (never hard-code them), scores, reasons and the rejects file.
export {
  baseEnrichmentColumns,
  CHANGES_COLUMN,
  columnSuffix,
  fieldColumnName,
  indexOutputColumns,
  MATCH_COLUMN_NAMES,
  OUTPUT_MODES,
  type FieldColumnPart,
  type MatchColumn,
  type OutputColumnIndex,
  type OutputColumnsPlan,
  type OutputMode,
} from './output/output-columns.ts';
export { describeAgreement, formatScore, plainEngineReason } from './output/match-reason.ts';
export {
  formatRejectsHeader,
  formatRejectsRecord,
  REJECTS_COLUMNS,
} from './output/rejects-file.ts';
export { countryToRegion, findCountryColumn, isPhoneRegion } from './standardize/phone-region.ts';

// Nicknames.
export {
  createNicknameTable,
  loadNicknameFile,
  loadSeedNicknames,
  parseNicknameCsv,
  seedNicknamesPath,
  type NicknamePair,
  type NicknameTable,
} from './nicknames/nicknames.ts';

// Matching, scoring and labelling (for tuning, benchmarks and tests).
export {
  createCandidateVerifier,
  createMatcher,
  PROVIDER_PRIOR_LOG2_ODDS,
  type CandidateVerifier,
  type ProposedCandidate,
  type Matcher,
  type MatchOptions,
  type MatchResult,
  type MatchStatus,
} from './match/match-contact.ts';
export {
  compareFirst,
  COMPARED_FIELDS,
  DEFAULT_MATCH_MODEL,
  scoreCandidate,
  type CandidateScore,
  type ComparedField,
  type ComparisonLevel,
  type FieldLevels,
  type FieldModel,
  type LevelProbabilities,
  type MatchModel,
  type ModelTraining,
  type ScoringContext,
} from './match/score-candidate.ts';
export {
  directoryBlockingKeys,
  queryBlockingKeys,
  type BlockingContext,
  type BlockingVocabulary,
} from './match/blocking-keys.ts';
export { buildNameNeighbours, type NameNeighbours } from './match/name-neighbours.ts';
export {
  estimateU,
  expectationMaximisation,
  trainModel,
  type EmResult,
  type TrainingInput,
  type TrainingOptions,
} from './match/train-model.ts';
export { explainModel, explainPair } from './match/explain-model.ts';
export {
  countryCode,
  standardizeCountry,
  standardizeRegion,
} from './standardize/standardize-country.ts';
export { standardizeDate, type StandardDate } from './standardize/standardize-date.ts';
export { standardizePostcode, type StandardPostcode } from './standardize/standardize-postcode.ts';
export { standardizeStreet, type StandardStreet } from './standardize/standardize-street.ts';
export {
  ENRICHED_FIELDS,
  FIELD_STATUSES,
  labelFields,
  richerSpelling,
  type EnrichedField,
  type FieldLabel,
  type FieldStatus,
  type WrittenValues,
} from './match/label-fields.ts';
export { jaro, jaroWinkler, jaroWinklerKeys } from './match/jaro-winkler.ts';

// Standardizers.
export {
  companyKey,
  createContactStandardizer,
  hasFullName,
  parseTimestamp,
  standardizeContact,
  type Contact,
  type ContactCells,
  type ContactStandardizerOptions,
  CONTACT_FIELDS,
  DIRECTORY_COLUMNS,
  type ContactField,
} from './standardize/contact.ts';
export {
  displayCaseName,
  parseFullName,
  standardizeName,
  surnameCoreKey,
  type NameCells,
  type ParsedName,
} from './standardize/standardize-name.ts';
export {
  standardizeEmail,
  standardizeEmails,
  type StandardEmail,
} from './standardize/standardize-email.ts';
export {
  createPhoneStandardizer,
  type PhoneStandardizer,
  type PhoneStandardizerOptions,
  type StandardPhone,
} from './standardize/standardize-phone.ts';
export { cleanText, foldKey, normalizeCell } from './standardize/normalize-text.ts';
export { createPhoneticEncoder } from './match/phonetic-key.ts';

// Third-party people providers (paid, rate limited): the seam and People Data Labs.
export type {
  ContactProvider,
  ContactQuery,
  LookupOptions,
  ProviderAnswer,
  ProviderCandidate,
  ProviderQuery,
} from './sources/provider.ts';
export {
  ProviderError,
  ProviderUnauthorizedError,
  ProviderUnavailableError,
} from './sources/provider-errors.ts';
export {
  unlimitedRequests,
  type LimitPermit,
  type RequestLimiter,
} from './sources/request-limiter.ts';
export {
  createProviderTransport,
  ProviderRejectedError,
  type ProviderCircuitOptions,
  type ProviderLogger,
  type ProviderRequest,
  type ProviderResponse,
  type ProviderRetryOptions,
  type ProviderTransport,
  type ProviderTransportOptions,
} from './sources/provider-transport.ts';
export { lookupInBatches } from './sources/lookup-in-batches.ts';
export {
  createPdlProvider,
  PDL_MAX_BATCH_SIZE,
  PDL_PROVIDER_NAME,
  pdlAccount,
  type PdlProviderOptions,
} from './sources/pdl-provider.ts';

// Errors.
export {
  DirectoryFormatError,
  EnrichmentError,
  EnrichmentOptionsError,
  InvalidColumnMappingError,
  NicknameFormatError,
  UnrecognizedColumnsError,
} from './errors.ts';
