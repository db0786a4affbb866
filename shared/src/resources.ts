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
  readonly indexes?: readonly IndexDefinition[];
}

/** A global secondary index with string keys, projecting the keys and `projected` (if any). */
export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /** Non-key attributes copied into the index (INCLUDE projection); keys only without. */
  readonly projected?: readonly string[];
}

/** The DynamoDB `Projection` of an index (CreateTable, UpdateTable, the LocalStack hook). */
export function indexProjection(
  index: IndexDefinition,
): { ProjectionType: 'KEYS_ONLY' } | { ProjectionType: 'INCLUDE'; NonKeyAttributes: string[] } {
  return index.projected === undefined || index.projected.length === 0
    ? { ProjectionType: 'KEYS_ONLY' }
    : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projected] };
}

/**
 * The jobs index the watchdog reads: only jobs that are still running carry `ACTIVE_JOB_ATTRIBUTE`
 * (set when a job is queued, removed when it reaches a final state), so the index is sparse and
 * never holds the finished jobs kept for 30 days. Sorted by `updatedAt`, which every write to a
 * job moves, so the jobs without progress are the oldest entries.
 */
export const ACTIVE_JOBS_INDEX: IndexDefinition = {
  name: 'active-by-progress',
  partitionKey: 'active',
  sortKey: 'updatedAt',
};
export const ACTIVE_JOB_ATTRIBUTE = ACTIVE_JOBS_INDEX.partitionKey;

/** A tenant's connections, oldest first (GET /v1/connections). */
export const CONNECTIONS_BY_TENANT_INDEX: IndexDefinition = {
  name: 'by-tenant',
  partitionKey: 'tenantId',
  sortKey: 'createdAt',
};
/** The one partition of the index: active jobs are few, and each index write is small. */
export const ACTIVE_JOB_MARK = 'job';

/**
 * A tenant's jobs, newest first (`GET /v1/jobs`). Its keys are attributes every job item has
 * had from the start, so an index added to an existing table lists the old jobs too (chunk shard
 * items have neither and stay out). Only `status` is copied in: a status filter is then applied
 * to the index itself, and since status changes a few times per job while progress counters
 * change with every chunk, the index is written only on those few changes. The views are read
 * from the table (BatchGetItem) for the page's ids.
 */
export const TENANT_JOBS_INDEX: IndexDefinition = {
  name: 'tenant-by-created',
  partitionKey: 'tenantId',
  sortKey: 'createdAt',
  projected: ['status'],
};

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
/**
 * How long a directory index artifact is kept after it was written. It is derived data: one
 * that expires is built again by the next job that needs it (one build per directory a month),
 * and the artifacts of replaced directories, old nickname tables and old formats go away.
 */
export const DIRECTORY_INDEX_RETENTION_DAYS = 30;
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
      {
        name: names.jobsTable,
        partitionKey: 'id',
        ttlAttribute: 'expiresAt',
        indexes: [ACTIVE_JOBS_INDEX, TENANT_JOBS_INDEX],
      },
      { name: names.nicknamesTable, partitionKey: 'name' },
      // Limiter items (a few per provider account) and cached provider answers; both expire.
      { name: names.providersTable, partitionKey: 'pk', ttlAttribute: 'expiresAt' },
      // Webhook endpoints: one small item per tenant.
      { name: names.webhooksTable, partitionKey: 'pk' },
      // Tenants' connections (Mailchimp): `<tenant>#<id>`, listed per tenant by the index.
      {
        name: names.connectionsTable,
        partitionKey: 'pk',
        indexes: [CONNECTIONS_BY_TENANT_INDEX],
      },
    ],
  };
}
