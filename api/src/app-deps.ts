import {
  ConnectionStore,
  createMailchimpClient,
  createSecretSealer,
  JobListing,
  MailchimpLimiters,
  MessagePublisher,
  NotifyingJobStore,
  SecretBox,
  WebhookPublisher,
  WebhookStore,
  ObjectStore,
  type AppConfig,
  type AwsClients,
  type Logger,
  type QueueUrls,
  ConnectionNotFoundError,
  type RequestLimiter,
  type SecretSealer,
} from '@contacts/shared';
import type { AppDeps } from './app.ts';
import { JobEventHub } from './events/job-event-hub.ts';
import { snapshotOf } from './events/job-snapshot.ts';
import { StreamTokens } from './events/stream-token.ts';
import { ConnectionService } from './connections/connection-service.ts';
import { DirectoryService } from './directories/directory-service.ts';
import { DirectoryIndexAnnouncer } from './directories/index-announcer.ts';
import { createReadinessProbe } from './http/readiness.ts';
import { JobService, type ConnectionLookup } from './jobs/job-service.ts';
import { JobLister } from './lists/job-lister.ts';
import { UrlSigner } from './jobs/uploads.ts';
import { WebhookService } from './webhooks/webhook-service.ts';
import { defaultPageDir, storageOrigins } from './web/web-page.ts';

/** Wires the API's services to AWS clients; shared by server.ts and the in-process harness. */
export function createAppDeps(options: {
  config: AppConfig;
  clients: AwsClients;
  queueUrls: QueueUrls;
  logger: Logger;
  /** Whether a tenant has a connection (Mailchimp jobs). Default: the connections table. */
  connections?: ConnectionLookup;
  /** Default: from config (KMS when CONNECTIONS_KMS_KEY_ID is set, else the key file). */
  sealer?: SecretSealer;
}): AppDeps {
  const { config, clients, queueUrls, logger } = options;
  const { bucket, jobsTable } = config.resources;
  const objects = new ObjectStore({ s3: clients.s3, bucket });
  const signer = new UrlSigner({ s3: clients.s3Public, bucket });
  const connectionStore = new ConnectionStore({
    client: clients.dynamodb,
    table: config.resources.connectionsTable,
  });
  // A cancel (or a failed upload) raises the job's webhook event; the worker delivers it.
  const jobStore = new NotifyingJobStore({
    client: clients.dynamodb,
    table: jobsTable,
    publisher: new WebhookPublisher({ sqs: clients.sqs, queueUrl: queueUrls.control }),
    logger,
  });
  const publisher = new MessagePublisher({
    sqs: clients.sqs,
    controlQueueUrl: queueUrls.control,
    chunkQueueUrl: queueUrls.chunk,
  });
  const jobs = new JobService({
    jobs: jobStore,
    objects,
    publisher,
    signer,
    config: config.api,
    providers: config.providers.pdl.enabled ? ['pdl'] : [],
    logger,
    connections: options.connections ?? connectionLookup(connectionStore),
  });
  const { events } = config.api;
  // One limiter per account for the whole api process, as each worker has.
  const mailchimpLimiters = new MailchimpLimiters({
    client: clients.dynamodb,
    table: config.resources.providersTable,
    maxConnections: config.mailchimp.maxConnections,
    logger,
  });
  return {
    jobs,
    webhooks: new WebhookService({
      store: new WebhookStore({ client: clients.dynamodb, table: config.resources.webhooksTable }),
      ...(config.webhooks.secretKey === undefined
        ? {}
        : { secrets: new SecretBox(config.webhooks.secretKey) }),
    }),
    jobList: new JobLister({
      listing: new JobListing({ client: clients.dynamodb, table: jobsTable }),
      view: (job) => jobs.view(job),
    }),
    directories: new DirectoryService({
      objects,
      signer,
      config: config.api,
      indexes: new DirectoryIndexAnnouncer({ publisher, logger }),
    }),
    connections: new ConnectionService({
      store: connectionStore,
      sealer: options.sealer ?? createSecretSealer(config.secrets, config.aws).sealer,
      mailchimp: (apiKey, accountKey) =>
        createMailchimpClient({
          apiKey,
          apiUrl: config.mailchimp.apiUrl,
          timeoutMs: config.mailchimp.timeoutMs,
          // Once the account is known, the check holds a slot of the limiter the workers use
          // (the same item in the providers table); it takes its turn like one more job. The
          // call that names the account cannot (see ConnectionService).
          limiter: accountKey === undefined ? UNPACED : mailchimpLimiters.forAccount(accountKey),
          jobId: 'connection-check',
          attempts: 3,
          logger,
        }),
    }),
    apiKeys: config.api.apiKeys,
    rateLimit: config.api.rateLimit,
    readiness: createReadinessProbe({
      ...clients,
      bucket,
      queueUrl: queueUrls.control,
      table: jobsTable,
    }),
    events: {
      hub: new JobEventHub({
        load: async (jobId) => {
          const job = await jobStore.getSummary(jobId);
          return job === undefined ? undefined : snapshotOf(job, await jobs.view(job));
        },
        intervalMs: events.pollIntervalMs,
        logger,
      }),
      tokens: new StreamTokens({ apiKeys: config.api.apiKeys, ttlSeconds: events.tokenTtlSeconds }),
      heartbeatMs: events.heartbeatMs,
    },
    logger,
    pageDir: defaultPageDir(),
    storageOrigins: storageOrigins(config.aws.s3PublicEndpoint ?? config.aws.endpoints.s3),
  };
}

const UNPACED: RequestLimiter = {
  acquire: () => Promise.resolve({ release: () => Promise.resolve() }),
};

/** A job only needs to know the connection is the tenant's; its key is opened by the worker. */
function connectionLookup(store: ConnectionStore): ConnectionLookup {
  return {
    exists: (tenantId, connectionId) =>
      store.get(tenantId, connectionId).then(
        () => true,
        (error: unknown) => {
          if (error instanceof ConnectionNotFoundError) return false;
          throw error;
        },
      ),
  };
}
