import {
  JobListing,
  JobStore,
  MessagePublisher,
  ObjectStore,
  type AppConfig,
  type AwsClients,
  type Logger,
  type QueueUrls,
} from '@contacts/shared';
import type { AppDeps } from './app.ts';
import { JobEventHub } from './events/job-event-hub.ts';
import { snapshotOf } from './events/job-snapshot.ts';
import { StreamTokens } from './events/stream-token.ts';
import { DirectoryService } from './directories/directory-service.ts';
import { createReadinessProbe } from './http/readiness.ts';
import { JobService } from './jobs/job-service.ts';
import { JobLister } from './lists/job-lister.ts';
import { UrlSigner } from './jobs/uploads.ts';
import { defaultPageDir, storageOrigins } from './web/web-page.ts';

/** Wires the API's services to AWS clients; shared by server.ts and the in-process harness. */
export function createAppDeps(options: {
  config: AppConfig;
  clients: AwsClients;
  queueUrls: QueueUrls;
  logger: Logger;
}): AppDeps {
  const { config, clients, queueUrls, logger } = options;
  const { bucket, jobsTable } = config.resources;
  const objects = new ObjectStore({ s3: clients.s3, bucket });
  const signer = new UrlSigner({ s3: clients.s3Public, bucket });
  const jobStore = new JobStore({ client: clients.dynamodb, table: jobsTable });
  const jobs = new JobService({
    jobs: jobStore,
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
  });
  const { events } = config.api;
  return {
    jobs,
    jobList: new JobLister({
      listing: new JobListing({ client: clients.dynamodb, table: jobsTable }),
      view: (job) => jobs.view(job),
    }),
    directories: new DirectoryService({ objects, signer, config: config.api }),
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
