import type { JobStore, Logger, MessagePublisher, ObjectStore } from '@contacts/shared';
import type { EnricherProvider } from './enricher-provider.ts';

/** What the split, chunk and merge steps need, passed in by the composition root. */
export interface PipelineDeps {
  readonly jobs: JobStore;
  readonly objects: ObjectStore;
  readonly publisher: MessagePublisher;
  readonly enrichers: EnricherProvider;
  readonly logger: Logger;
  /** How long a split or merge lease lasts without a heartbeat. */
  readonly leaseMs: number;
  /** Data rows longer than this are rejected without being read. */
  readonly maxRowBytes: number;
}
