export { backoffDelayMs, OutageLog } from './backoff.ts';
export { mulberry32 } from './seeded-random.ts';
export { retry, retryUnprocessed, UnprocessedEntriesError, type RetryOptions } from './retry.ts';
export {
  callLogSink,
  iamRequestsOf,
  recordAwsCalls,
  recordCallsWhenConfigured,
  recordPresignedPost,
  targetOf,
  type AwsCall,
  type AwsCallSink,
  type AwsCallTarget,
  type IamRequest,
} from './aws-call-recorder.ts';
export {
  createAwsClients,
  DEFAULT_AWS_TIMEOUTS,
  type AwsClients,
  type AwsTimeouts,
} from './aws-clients.ts';
export {
  loadConfig,
  resourceNamesFor,
  type ApiConfig,
  type EventStreamConfig,
  type AppConfig,
  type AwsConfig,
  type EmulatorConfig,
  type MailchimpConfig,
  type PdlConfig,
  type SecretsConfig,
  type ProvidersConfig,
  type QueueSettings,
  type ResourceNames,
  type WatchdogConfig,
  type DirectoryIndexConfig,
  type WorkerConfig,
} from './config.ts';
export {
  AppError,
  awsErrorName,
  awsHttpStatus,
  ConfigError,
  DependencyError,
  InputFileError,
  isUnreachable,
  JobNotFoundError,
  JobStateConflictError,
} from './errors.ts';
export {
  allChunksDone,
  exceedsRejectTolerance,
  FINAL_STATUSES,
  isFinal,
  JOB_STATUSES,
  outputChunksOf,
  textKeyOf,
  type Job,
  type JobSource,
  type MailchimpJobSource,
  type JobError,
  type JobOptions,
  type JobStatus,
} from './jobs/job.ts';
export {
  JobStore,
  type ActiveJobRef,
  type ChunkDoneResult,
  type ClaimResult,
  type DispatchClaim,
  type FetchProgress,
  type JobProgress,
  type JobSummary,
} from './jobs/job-store.ts';
export {
  JobListing,
  MAX_INDEX_READS_PER_PAGE,
  type JobListPage,
  type JobListPosition,
  type JobListRequest,
} from './jobs/job-listing.ts';
export {
  CHUNK_SHARD_SIZE,
  ChunkShards,
  type ShardKind,
  MAX_CHUNKS_PER_JOB,
  shardItemId,
  shardOf,
  type ShardTally,
  NO_PROVIDER_USAGE,
  NO_SOURCE_USAGE,
  type ProviderUsage,
  type SourceUsage,
} from './jobs/chunk-shards.ts';
export {
  WriteBackRecords,
  writeBackRecordId,
  type WriteBackClaim,
  type WriteBackCounts,
} from './jobs/write-back-records.ts';
export {
  DirectoryIndexLeases,
  directoryIndexLeaseId,
  type IndexBuildClaim,
} from './jobs/directory-index-leases.ts';
export { queueCounts, type QueueCounts } from './queue/queue-counts.ts';
export {
  KEY_AREAS,
  keyAreaOf,
  objectKeys,
  type DirectoryIndexRef,
  type JobKeyRef,
  type KeyArea,
} from './keys.ts';
export {
  BUCKET_ACTIONS,
  INDEX_ACCESS,
  KEY_AREA_ACCESS,
  OBJECT_ACTIONS,
  QUEUE_ACCESS,
  QUEUE_ACTIONS,
  TABLE_ACCESS,
  TASK_ROLES,
  type ObjectAccess,
  type QueueAccess,
  type QueueRef,
  type TableRef,
  type TaskRole,
} from './task-access.ts';
export { createLogger, REDACTED_PATHS, type Logger } from './logger.ts';
export {
  chunkMessage,
  chunkQueueMessage,
  controlMessage,
  controlQueueMessage,
  directoryIndexMessage,
  type DirectoryIndexMessage,
  webhookDeliveryMessage,
  webhookEventMessage,
  webhookMessage,
  type ControlQueueMessage,
  type WebhookDeliveryMessage,
  type WebhookEventMessage,
  type WebhookMessage,
  mergeMessage,
  pageFetchMessage,
  pageMessage,
  splitMessage,
  workMessage,
  writeBackMessage,
  type ChunkMessage,
  type ChunkQueueMessage,
  type ControlMessage,
  type MergeMessage,
  type PageFetchMessage,
  type PageMessage,
  type SplitMessage,
  type WorkMessage,
  type WriteBackMessage,
} from './messages.ts';
export {
  provisionResources,
  queueAttributes,
  resolveQueueUrls,
  type ProvisionDeps,
  type QueueUrls,
} from './provision.ts';
export {
  ACTIVE_JOB_ATTRIBUTE,
  ACTIVE_JOB_MARK,
  ACTIVE_JOBS_INDEX,
  CONNECTIONS_BY_TENANT_INDEX,
  DLQ_RETENTION_SECONDS,
  indexProjection,
  TENANT_JOBS_INDEX,
  WORK_OBJECT_RETENTION_DAYS,
  DIRECTORY_INDEX_RETENTION_DAYS,
  resourceDefinitions,
  type CorsRule,
  type IndexDefinition,
  type QueueDefinition,
  type ResourceDefinitions,
  type TableDefinition,
} from './resources.ts';
export {
  isNotFound,
  MULTIPART_PART_BYTES,
  ObjectChangedError,
  ObjectStore,
  type ObjectInfo,
  type ReadOptions,
} from './storage/object-store.ts';
export { MessagePublisher } from './queue/message-publisher.ts';
export { formatCsvRow, neutralizeFormula } from './csv-format.ts';
export { connectToAws, type AwsConnection } from './bootstrap.ts';
export {
  nicknameItems,
  nicknamePairs,
  type NicknameItem,
  type NicknamePairLike,
} from './nicknames/nickname-items.ts';
export { NicknameStore } from './nicknames/nickname-store.ts';
export type { LimitPermit, RequestLimiter } from './limits/request-limiter.ts';
export {
  DynamoRequestLimiter,
  type DynamoRequestLimiterOptions,
} from './limits/dynamo-request-limiter.ts';
export type { CachedAnswer, ProviderResponseCache } from './providers/response-cache.ts';
export { cacheKeyOf, type CacheKeyOptions } from './providers/cache-key.ts';
export {
  DynamoResponseCache,
  type DynamoResponseCacheOptions,
  type ResponseCacheStats,
} from './providers/dynamo-response-cache.ts';
export { jobView, type ResultLinks } from './jobs/job-view.ts';
export {
  WEBHOOK_EVENT_TYPES,
  webhookEventOf,
  type WebhookEventType,
} from './webhooks/webhook-events.ts';
export { SecretBox, webhookSecretContext } from './webhooks/secret-box.ts';
export { newWebhookSecret, signWebhook, webhookSigningKey } from './webhooks/webhook-signature.ts';
export {
  MAX_WEBHOOKS_PER_TENANT,
  WebhookLimitError,
  WebhookNotFoundError,
  WebhookStore,
  type DeliveryRecord,
  type StoredWebhook,
} from './webhooks/webhook-store.ts';
export { MAX_DELAY_SECONDS, WebhookPublisher } from './webhooks/webhook-publisher.ts';
export { NotifyingJobStore, type JobEndListener } from './webhooks/notifying-job-store.ts';
export {
  createMailchimpClient,
  DEFAULT_MAILCHIMP_TIMEOUT_MS,
  MAILCHIMP_MAX_BATCH_MEMBERS,
  MAILCHIMP_MAX_CONNECTIONS,
  MAILCHIMP_MAX_PAGE_SIZE,
  mailchimpAccountKey,
  MailchimpAuthError,
  MailchimpConnectionPools,
  mailchimpBaseUrl,
  MailchimpError,
  mailchimpKeyDigest,
  MailchimpKeyFormatError,
  MailchimpLimiters,
  MailchimpNotFoundError,
  MailchimpRateLimitedError,
  MailchimpRequestError,
  MailchimpResponseError,
  MailchimpUnavailableError,
  parseMailchimpApiKey,
  parseMembersPage,
  type MailchimpApiKey,
  type MailchimpBatchError,
  type MailchimpBatchResult,
  type MailchimpClient,
  type MailchimpClientOptions,
  type MailchimpList,
  type MailchimpMember,
  type MailchimpMembersPage,
  type MailchimpProblemInfo,
  type MembersPageRequest,
  type MailchimpUpsertMember,
} from './mailchimp/index.ts';
export {
  KmsEnvelopeSealer,
  LocalKeySealer,
  SecretUnsealError,
  type SecretContext,
  type SecretSealer,
} from './secrets/index.ts';
export {
  CONNECTION_TYPES,
  ConnectionNotFoundError,
  ConnectionStore,
  connectionSecretContext,
  createSecretSealer,
  openConnection,
  type ConnectionRecord,
  type ConnectionType,
  type OpenedConnection,
} from './connections/index.ts';
export { listenOrExplain, PortInUseError, userFacingMessage } from './port-in-use.ts';
export {
  connectionHint,
  LOCAL_ENVIRONMENT_FILE,
  removeLocalEnvironment,
  toolEnvironment,
  writeLocalEnvironment,
  type LocalEnvironment,
  type ToolEnvironment,
} from './local-environment.ts';
