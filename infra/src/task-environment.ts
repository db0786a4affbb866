import { Aws } from 'aws-cdk-lib';
import type { ResourceNames } from '@contacts/shared';
import type { ContactsSettings } from './settings.ts';

/**
 * Environment of the api and worker tasks, in the variable names of shared/src/config.ts.
 * Resource names are passed explicitly so the tasks never guess them from the prefix.
 */
export function commonEnvironment(
  settings: ContactsSettings,
  names: ResourceNames,
  bucketName: string,
): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    AWS_REGION: Aws.REGION,
    RESOURCE_PREFIX: settings.prefix,
    BUCKET_NAME: bucketName,
    CONTROL_QUEUE_NAME: names.controlQueue,
    CHUNK_QUEUE_NAME: names.chunkQueue,
    JOBS_TABLE: names.jobsTable,
    NICKNAMES_TABLE: names.nicknamesTable,
    PROVIDERS_TABLE: names.providersTable,
    CONNECTIONS_TABLE: names.connectionsTable,
    PROVISION_RESOURCES: 'false',
    VISIBILITY_TIMEOUT_SECONDS: String(settings.visibilityTimeoutSeconds),
    MAX_RECEIVE_COUNT: String(settings.maxReceiveCount),
  };
}

/** The api listens on all interfaces inside the task; the load balancer reaches it on PORT. */
export const API_PORT = 3000;

export function apiEnvironment(common: Record<string, string>): Record<string, string> {
  return { ...common, HOST: '0.0.0.0', PORT: String(API_PORT) };
}

export function workerEnvironment(
  common: Record<string, string>,
  settings: ContactsSettings,
): Record<string, string> {
  return {
    ...common,
    CHUNK_CONCURRENCY: String(settings.workerChunkConcurrency),
    SHUTDOWN_DEADLINE_SECONDS: String(settings.shutdownDeadlineSeconds),
  };
}
