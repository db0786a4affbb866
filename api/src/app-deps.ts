import {
  ConnectionStore,
  createMailchimpClient,
  createSecretSealer,
  JobStore,
  MessagePublisher,
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
import { ConnectionService } from './connections/connection-service.ts';
import { DirectoryService } from './directories/directory-service.ts';
import { createReadinessProbe } from './http/readiness.ts';
import { JobService, type ConnectionLookup } from './jobs/job-service.ts';
import { UrlSigner } from './jobs/uploads.ts';

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
  return {
    jobs: new JobService({
      jobs: new JobStore({ client: clients.dynamodb, table: jobsTable }),
      objects,
      publisher: new MessagePublisher({
        sqs: clients.sqs,
        controlQueueUrl: queueUrls.control,
        chunkQueueUrl: queueUrls.chunk,
      }),
      signer,
      config: config.api,
      providers: config.providers.pdl.apiKey === undefined ? [] : ['pdl'],
      logger,
      connections: options.connections ?? connectionLookup(connectionStore),
    }),
    directories: new DirectoryService({ objects, signer, config: config.api }),
    connections: new ConnectionService({
      store: connectionStore,
      sealer: options.sealer ?? createSecretSealer(config.secrets, config.aws).sealer,
      mailchimp: (apiKey) =>
        createMailchimpClient({
          apiKey,
          apiUrl: config.mailchimp.apiUrl,
          timeoutMs: config.mailchimp.timeoutMs,
          // Checking a new key is two calls, one after the other, outside any job: it takes no
          // fleet slot (the api has no limiter grants). At worst it meets a 429 while imports
          // saturate the account, and retries with backoff like any call.
          limiter: UNPACED,
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
    logger,
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
