import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  DynamoResponseCache,
  type ProviderResponseCache,
  DirectoryIndexLeases,
  MessagePublisher,
  NotifyingJobStore,
  SecretBox,
  WebhookPublisher,
  WebhookStore,
  NicknameStore,
  ObjectStore,
  type Logger,
  type QueueUrls,
  type AppConfig,
  createSecretSealer,
  type SecretSealer,
  WriteBackRecords,
} from '@contacts/shared';
import type { ContactProvider, RequestLimiter } from '@contacts/enrichment';
import { directoryEnricherProvider } from './directory-enrichers.ts';
import { DirectoryIndexes } from './directory-index/directory-indexes.ts';
import type { EnricherProvider } from './enricher-provider.ts';
import {
  chunkQueueHandler,
  controlQueueHandler,
  classifyFailure,
} from './handlers/message-handlers.ts';
import type { AudienceOpener } from './mailchimp/audience.ts';
import { configuredAudiences } from './mailchimp/configured-audiences.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { configuredProviders } from './provider/configured-providers.ts';
import { QueueConsumer } from './queue/consumer.ts';
import { TaskProtection } from './queue/task-protection.ts';
import { StallWatchdog } from './watchdog/stall-watchdog.ts';
import type { WebhookDeps } from './webhooks/webhook-handlers.ts';

export interface WorkerDeps {
  /** The worker reads its own section, the queue settings and the resource names. */
  readonly config: AppConfig;
  readonly queueUrls: QueueUrls;
  readonly clients: {
    readonly s3: S3Client;
    readonly sqs: SQSClient;
    readonly dynamodb: DynamoDBClient;
  };
  readonly logger: Logger;
  readonly enrichers?: EnricherProvider;
  /**
   * Paces every provider HTTP request (rate and concurrency). Default: each provider account's
   * fleet-wide limiter in the providers table (DynamoDB).
   */
  readonly requestLimiter?: RequestLimiter;
  /** Provider answers already paid for. Default: the fleet's cache in the providers table. */
  readonly providerCache?: ProviderResponseCache;
  /** Overrides the providers built from the configuration (tests). */
  readonly providers?: ReadonlyMap<string, ContactProvider>;
  /** See ProviderSources.outageWaitMs. */
  readonly providerOutageWaitMs?: number;
  /** Opens Mailchimp audiences. Default: the connection store and the fleet-limited client. */
  readonly audiences?: AudienceOpener;
  /** Opens connection secrets. Default: from config (KMS, else the local key file). */
  readonly sealer?: SecretSealer;
  /** Told of every directory index this worker builds from a CSV (tests count them). */
  readonly onDirectoryIndexBuild?: (artifactKey: string) => void;
}

/**
 * Mailchimp audiences through the connections table. The sealer is made on first use: a worker
 * that never runs a Mailchimp job never builds a KMS client (or reads the key file).
 */
function defaultAudiences(deps: WorkerDeps): AudienceOpener {
  let opener: AudienceOpener | undefined;
  return (tenantId, source, jobId) => {
    opener ??= configuredAudiences({
      mailchimp: deps.config.mailchimp,
      dynamodb: deps.clients.dynamodb,
      connectionsTable: deps.config.resources.connectionsTable,
      providersTable: deps.config.resources.providersTable,
      sealer: deps.sealer ?? createSecretSealer(deps.config.secrets, deps.config.aws).sealer,
      logger: deps.logger,
    });
    return opener(tenantId, source, jobId);
  };
}

/** Combines the consumers' busy states into one switch for ECS task protection. */
function busyTracker(deps: WorkerDeps): {
  consumerBusy: (busy: boolean) => void;
  /** Resolves once the agent has heard the last change (the release, after a stop). */
  settled: () => Promise<void>;
} {
  const agentUri = deps.config.worker.ecsAgentUri;
  if (agentUri === undefined) return { consumerBusy: () => undefined, settled: async () => {} };
  const protection = new TaskProtection({ agentUri, logger: deps.logger });
  let busyConsumers = 0;
  return {
    consumerBusy(busy) {
      busyConsumers += busy ? 1 : -1;
      protection.update(busyConsumers > 0);
    },
    settled: () => protection.settled(),
  };
}

export interface Worker {
  start(): void;
  /** Stops polling and drains in-flight work within the shutdown deadline. Idempotent. */
  stop(): Promise<void>;
}

/** Wires the control and chunk consumers to the pipeline steps. */
export function createWorker(deps: WorkerDeps): Worker {
  const visibility = deps.config.queues.visibilityTimeoutSeconds;
  const objects = new ObjectStore({ s3: deps.clients.s3, bucket: deps.config.resources.bucket });
  const webhookPublisher = new WebhookPublisher({
    sqs: deps.clients.sqs,
    queueUrl: deps.queueUrls.control,
  });
  // Every job end this worker writes (merge, failure, watchdog) raises its webhook event.
  const jobs = new NotifyingJobStore({
    client: deps.clients.dynamodb,
    table: deps.config.resources.jobsTable,
    publisher: webhookPublisher,
    logger: deps.logger,
  });
  const indexConfig = deps.config.worker.directoryIndex;
  const directoryIndexes = new DirectoryIndexes({
    objects,
    nicknames: new NicknameStore({
      client: deps.clients.dynamodb,
      table: deps.config.resources.nicknamesTable,
    }),
    leases: new DirectoryIndexLeases({
      client: deps.clients.dynamodb,
      table: deps.config.resources.jobsTable,
    }),
    logger: deps.logger,
    maxIndexBytes: deps.config.worker.enricherCacheMaxBytes,
    leaseMs: indexConfig.leaseSeconds * 1000,
    maxWaitMs: indexConfig.waitSeconds * 1000,
    ...(deps.onDirectoryIndexBuild === undefined ? {} : { onBuild: deps.onDirectoryIndexBuild }),
  });
  const pipeline: PipelineDeps = {
    jobs,
    objects,
    publisher: new MessagePublisher({
      sqs: deps.clients.sqs,
      controlQueueUrl: deps.queueUrls.control,
      chunkQueueUrl: deps.queueUrls.chunk,
    }),
    enrichers:
      deps.enrichers ??
      directoryEnricherProvider({ indexes: directoryIndexes, logger: deps.logger }),
    directoryIndexes,
    providers: {
      byName:
        deps.providers ??
        configuredProviders(deps.config.providers, {
          ...(deps.requestLimiter === undefined ? {} : { requestLimiter: deps.requestLimiter }),
          limits: { client: deps.clients.dynamodb, table: deps.config.resources.providersTable },
          logger: deps.logger,
        }),
      cache:
        deps.providerCache ??
        new DynamoResponseCache({
          client: deps.clients.dynamodb,
          table: deps.config.resources.providersTable,
          ttlSeconds: deps.config.worker.providerCacheTtlSeconds,
          logger: deps.logger,
        }),
      ...(deps.providerOutageWaitMs === undefined
        ? {}
        : { outageWaitMs: deps.providerOutageWaitMs }),
    },
    audiences: deps.audiences ?? defaultAudiences(deps),
    writeBacks: new WriteBackRecords({
      client: deps.clients.dynamodb,
      table: deps.config.resources.jobsTable,
    }),
    logger: deps.logger,
    // A little shorter than the message's visibility: when a holder dies, its lease has expired
    // by the time SQS shows the message to another worker.
    leaseMs: Math.max(1000, visibility * 1000 - Math.min(5000, visibility * 200)),
    maxRowBytes: deps.config.worker.maxRowBytes,
  };
  const webhookConfig = deps.config.webhooks;
  const webhooks: WebhookDeps = {
    store: new WebhookStore({
      client: deps.clients.dynamodb,
      table: deps.config.resources.webhooksTable,
    }),
    jobs,
    publisher: webhookPublisher,
    ...(webhookConfig.secretKey === undefined
      ? {}
      : { secrets: new SecretBox(webhookConfig.secretKey) }),
    allowedHosts: webhookConfig.allowedHosts,
    timeoutMs: webhookConfig.timeoutMs,
    retryScheduleSeconds: webhookConfig.retryScheduleSeconds,
  };
  const busy = busyTracker(deps);
  const common = {
    onBusyChange: busy.consumerBusy,
    sqs: deps.clients.sqs,
    waitTimeSeconds: deps.config.worker.pollWaitSeconds,
    visibilityTimeoutSeconds: visibility,
    maxReceiveCount: deps.config.queues.maxReceiveCount,
    classify: classifyFailure,
  };
  const consumers = [
    new QueueConsumer({
      ...common,
      name: 'control',
      queueUrl: deps.queueUrls.control,
      deadLetterQueueUrl: deps.queueUrls.controlDlq,
      handler: controlQueueHandler(pipeline, webhooks),
      concurrency: deps.config.worker.controlConcurrency,
      logger: deps.logger.child({ consumer: 'control' }),
    }),
    new QueueConsumer({
      ...common,
      name: 'chunks',
      queueUrl: deps.queueUrls.chunk,
      deadLetterQueueUrl: deps.queueUrls.chunkDlq,
      handler: chunkQueueHandler(pipeline),
      concurrency: deps.config.worker.chunkConcurrency,
      lightConcurrency: deps.config.worker.fetchConcurrency,
      logger: deps.logger.child({ consumer: 'chunks' }),
    }),
  ];
  const watchdog = new StallWatchdog({
    jobs: pipeline.jobs,
    publisher: pipeline.publisher,
    sqs: deps.clients.sqs,
    queueUrls: deps.queueUrls,
    config: deps.config.worker.watchdog,
    logger: deps.logger.child({ component: 'watchdog' }),
  });
  let stopping: Promise<void> | undefined;
  return {
    start() {
      for (const consumer of consumers) consumer.start();
      watchdog.start();
      deps.logger.info('worker polling');
    },
    stop() {
      stopping ??= (async () => {
        const deadlineMs = deps.config.worker.shutdownDeadlineSeconds * 1000;
        const results = await Promise.allSettled([
          ...consumers.map((c) => c.stop(deadlineMs)),
          watchdog.stop(deadlineMs),
        ]);
        // Waits for other workers' index builds end with the deliveries that were released.
        directoryIndexes.close();
        for (const result of results) {
          if (result.status === 'rejected')
            deps.logger.error({ err: result.reason }, 'consumer stop failed');
        }
        // Idle now: let the release reach the agent so scale-in need not wait for the expiry.
        await busy.settled();
        deps.logger.info('worker stopped');
      })();
      return stopping;
    },
  };
}
