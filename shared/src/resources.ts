import type { QueueSettings, ResourceNames } from './config.ts';

/**
 * The resources the application expects, described once. The embedded default and LocalStack
 * provision from these definitions and the cloud stack reads them, so the three cannot drift.
 */

export interface QueueDefinition {
  readonly name: string;
  readonly deadLetterQueue: string;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  /** Work that is not picked up in this time is worthless to the user; DLQs keep it longer. */
  readonly retentionSeconds: number;
  readonly receiveWaitSeconds: number;
}

export interface TableDefinition {
  readonly name: string;
  readonly partitionKey: string;
  /** Attribute that holds an epoch-seconds expiry (enforced by DynamoDB TTL in the cloud). */
  readonly ttlAttribute?: string;
}

export interface ResourceDefinitions {
  readonly bucket: { readonly name: string; readonly cors: readonly CorsRule[] };
  readonly queues: readonly QueueDefinition[];
  readonly tables: readonly TableDefinition[];
}

export interface CorsRule {
  readonly allowedMethods: readonly string[];
  readonly allowedOrigins: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds: number;
}

export const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;
/**
 * How long work/ objects (chunk parts, the UTF-8 copy of a UTF-16 upload) are kept: a day longer
 * than a message can wait in a dead-letter queue, so a chunk or merge redriven on its last day
 * still finds the parts of its job. Merge and cancel delete them long before on the happy path.
 */
export const WORK_OBJECT_RETENTION_DAYS = Math.ceil(DLQ_RETENTION_SECONDS / (24 * 3600)) + 1;
const WORK_RETENTION_SECONDS = 4 * 24 * 3600;

export function resourceDefinitions(
  names: ResourceNames,
  queues: QueueSettings,
): ResourceDefinitions {
  const queue = (name: string, deadLetterQueue: string): QueueDefinition => ({
    name,
    deadLetterQueue,
    visibilityTimeoutSeconds: queues.visibilityTimeoutSeconds,
    maxReceiveCount: queues.maxReceiveCount,
    retentionSeconds: WORK_RETENTION_SECONDS,
    receiveWaitSeconds: 20,
  });
  return {
    bucket: {
      name: names.bucket,
      // Browsers upload straight to S3 with the presigned POST/PUT.
      cors: [
        {
          allowedMethods: ['GET', 'PUT', 'POST'],
          allowedOrigins: ['*'],
          allowedHeaders: ['*'],
          exposeHeaders: ['ETag'],
          maxAgeSeconds: 3000,
        },
      ],
    },
    queues: [queue(names.controlQueue, names.controlDlq), queue(names.chunkQueue, names.chunkDlq)],
    tables: [
      { name: names.jobsTable, partitionKey: 'id', ttlAttribute: 'expiresAt' },
      { name: names.nicknamesTable, partitionKey: 'name' },
    ],
  };
}
