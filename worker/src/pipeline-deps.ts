import type {
  JobStore,
  Logger,
  MessagePublisher,
  ObjectStore,
  WriteBackRecords,
} from '@contacts/shared';
import type { ContactProvider } from '@contacts/enrichment';
import type { DirectoryIndexes } from './directory-index/directory-indexes.ts';
import type { EnricherProvider } from './enricher-provider.ts';
import type { AudienceOpener } from './mailchimp/audience.ts';
import type { ProviderResponseCache } from '@contacts/shared';

/** What the split, chunk and merge steps need, passed in by the composition root. */
export interface ProviderSources {
  /** By name ("pdl"): the providers this worker is configured for. */
  readonly byName: ReadonlyMap<string, ContactProvider>;
  /** What providers answered before: nothing is asked (or billed) twice. */
  readonly cache: ProviderResponseCache;
  /**
   * Longest a chunk waits in process (its message kept by the heartbeat) for an unavailable
   * provider before its message is deferred. Default 60 s.
   */
  readonly outageWaitMs?: number;
}

export interface PipelineDeps {
  readonly jobs: JobStore;
  readonly objects: ObjectStore;
  readonly publisher: MessagePublisher;
  readonly enrichers: EnricherProvider;
  /** Builds directory index artifacts ahead of jobs (`directory.index`); absent: on demand. */
  readonly directoryIndexes?: Pick<DirectoryIndexes, 'current' | 'prepare'>;
  /** Third-party people sources, for jobs that ask one; absent: no job may ask one. */
  readonly providers?: ProviderSources;
  /** Mailchimp audiences, for jobs that read one; absent: such jobs fail (not configured). */
  readonly audiences?: AudienceOpener;
  /** Idempotency records of write-back batches (needed by jobs that write back). */
  readonly writeBacks?: WriteBackRecords;
  readonly logger: Logger;
  /** How long a split or merge lease lasts without a heartbeat. */
  readonly leaseMs: number;
  /** Data rows longer than this are rejected without being read. */
  readonly maxRowBytes: number;
}
