export type { EnrichedRow, JobEnricher } from './enricher.ts';
export { createPassthroughEnricher, MATCH_COLUMNS } from './passthrough-enricher.ts';
