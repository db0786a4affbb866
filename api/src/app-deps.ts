import {
  JobStore,
  MessagePublisher,
  ObjectStore,
  type AppConfig,
  type AwsClients,
  type Logger,
  type QueueUrls,
} from '@contacts/shared';
import type { AppDeps } from './app.ts';
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
  /** The tenants' stored connections (Mailchimp jobs); absent: such jobs are refused. */
  connections?: ConnectionLookup;
}): AppDeps {
  const { config, clients, queueUrls, logger } = options;
  const { bucket, jobsTable } = config.resources;
  const objects = new ObjectStore({ s3: clients.s3, bucket });
  const signer = new UrlSigner({ s3: clients.s3Public, bucket });
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
      ...(options.connections === undefined ? {} : { connections: options.connections }),
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
    logger,
  };
}
