import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import {
  connectToAws,
  createLogger,
  JobStore,
  loadConfig,
  MessagePublisher,
  ObjectStore,
} from '@contacts/shared';
import { createApp } from './app.ts';
import { createReadinessProbe } from './http/readiness.ts';
import { JobService } from './jobs/job-service.ts';
import { UrlSigner } from './jobs/uploads.ts';

/** Composition root of the API process. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel, name: 'api' });
  if (config.api.apiKeys.length === 0)
    logger.warn('API_KEYS is empty: every request will be refused');
  const { clients, queueUrls } = await connectToAws(config, logger);
  const { bucket, jobsTable } = config.resources;
  const jobs = new JobService({
    jobs: new JobStore({ client: clients.dynamodb, table: jobsTable }),
    objects: new ObjectStore({ s3: clients.s3, bucket }),
    publisher: new MessagePublisher({
      sqs: clients.sqs,
      controlQueueUrl: queueUrls.control,
      chunkQueueUrl: queueUrls.chunk,
    }),
    signer: new UrlSigner({ s3: clients.s3Public, bucket }),
    config: config.api,
  });
  const readiness = createReadinessProbe({
    ...clients,
    bucket,
    queueUrl: queueUrls.control,
    table: jobsTable,
  });
  const app = createApp({ jobs, apiKeys: config.api.apiKeys, readiness, logger });
  const server = app.listen(config.api.port, config.api.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  logger.info({ url: `http://${config.api.host}:${port}` }, 'api listening');

  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      clients.destroy();
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGTERM', () => {
    shutdown('SIGTERM');
  });
  process.once('SIGINT', () => {
    shutdown('SIGINT');
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
