export { createWorker, type Worker, type WorkerDeps } from './worker.ts';
export { cachedEnricherProvider, type EnricherProvider } from './enricher-provider.ts';
export { directoryEnricherProvider } from './directory-enrichers.ts';
export { nicknameFingerprint } from './directory-index/nickname-fingerprint.ts';
export {
  DeferDeliveryError,
  QueueConsumer,
  type DeliveryContext,
  type MessageHandler,
} from './queue/consumer.ts';
export { parseCsvText } from './csv/parse-csv-text.ts';
export {
  DeadLetterQueues,
  DeadLetterQueueError,
  deadLetterRoutes,
  type DeadLetter,
  type DeadLetterRoute,
  type QueueSelection,
  type RedriveResult,
} from './ops/dead-letter-queues.ts';
export { runDlqCommand, type CommandOutput } from './ops/dlq-command.ts';
export {
  StallWatchdog,
  type StallOutcome,
  type StallWatchdogOptions,
} from './watchdog/stall-watchdog.ts';
export { planRepair, type RepairPlan } from './watchdog/repair-plan.ts';
// The pipeline steps, for integration tests that drive one delivery of a message directly.
export { handleChunk } from './handlers/chunk.ts';
export { handleMerge } from './handlers/merge.ts';
export { handleSplit } from './handlers/split.ts';
export { handlePage } from './handlers/page.ts';
export { handlePageFetch } from './handlers/page-fetch.ts';
export { handleWriteBack } from './handlers/write-back.ts';
export type { Audience, AudienceOpener } from './mailchimp/audience.ts';
export {
  audienceOpener,
  type AudienceOpenerDeps,
  type OpenedConnection,
} from './mailchimp/audience-opener.ts';
export { mailchimpAudience, type MailchimpListCalls } from './mailchimp/mailchimp-audience.ts';
export type { PipelineDeps, ProviderSources } from './pipeline-deps.ts';
export { InMemoryProviderResponseCache } from './provider/response-cache.ts';
export { providerQueryKey } from './provider/query-key.ts';
export { lookupWithCache, type ChunkLookup } from './provider/cached-lookup.ts';
