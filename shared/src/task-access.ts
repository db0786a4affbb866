import type { KeyArea } from './keys.ts';
import type { QueueUrls } from './provision.ts';

/**
 * What each process does with each resource, declared once. The cloud stack builds the task
 * roles' IAM policies from these tables (infra/src/task-permissions.ts) and the integration
 * suite checks every AWS call the processes make against those policies, so a grant can neither
 * go missing nor linger: a new key area, queue or table does not compile until it has a row.
 */

export const TASK_ROLES = ['api', 'worker'] as const;
export type TaskRole = (typeof TASK_ROLES)[number];

/**
 * `read`: GET and HEAD, and the download links the role signs. `write`: PUT, multipart uploads
 * (aborted when a stream fails) and the upload URLs the role signs, since a presigned request
 * acts with its signer's permissions. `delete`: single and batch deletes.
 */
export type ObjectAccess = 'read' | 'write' | 'delete';

export const OBJECT_ACTIONS: Record<ObjectAccess, readonly string[]> = {
  read: ['s3:GetObject'],
  write: ['s3:PutObject', 's3:AbortMultipartUpload'],
  delete: ['s3:DeleteObject'],
};

export const KEY_AREA_ACCESS: Record<KeyArea, Record<TaskRole, readonly ObjectAccess[]>> = {
  // The api streams or signs uploads and checks they arrived; the worker splits them.
  uploads: { api: ['read', 'write'], worker: ['read'] },
  // Chunk parts: the worker's own; the api's cancel removes a cancelled job's parts.
  work: { api: ['delete'], worker: ['read', 'write', 'delete'] },
  // Reference directories: uploaded through the api (signed or streamed), read by chunks.
  directories: { api: ['read', 'write'], worker: ['read'] },
  // Directory index artifacts: built and read by workers only. The api never deletes a
  // directory (its artifacts expire by lifecycle rule).
  directoryIndexes: { api: [], worker: ['read', 'write'] },
  // Results: written by merge (and removed again when the job was cancelled meanwhile); the
  // api signs the download links.
  results: { api: ['read'], worker: ['write', 'delete'] },
};

/**
 * Listing the bucket: deleting a prefix lists it, and without s3:ListBucket a HEAD of a missing
 * key answers 403 instead of 404, which is how both processes tell "not there yet" apart.
 */
export const BUCKET_ACTIONS: Record<TaskRole, readonly string[]> = {
  api: ['s3:ListBucket'],
  worker: ['s3:ListBucket'],
};

export type QueueRef = keyof QueueUrls;

/**
 * `lookUp`: the queue URL at start-up. `inspect`: its attributes (readiness, ARN). `send`,
 * single or batch. `consume`: receive, delete, change visibility (single or batch).
 */
export type QueueAccess = 'lookUp' | 'inspect' | 'send' | 'consume';

export const QUEUE_ACTIONS: Record<QueueAccess, readonly string[]> = {
  lookUp: ['sqs:GetQueueUrl'],
  inspect: ['sqs:GetQueueAttributes'],
  send: ['sqs:SendMessage'],
  consume: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'],
};

export const QUEUE_ACCESS: Record<QueueRef, Record<TaskRole, readonly QueueAccess[]>> = {
  // Both processes resolve every queue URL at start-up (resolveQueueUrls).
  // The watchdog inspects the work queues before it fails a stalled job (a backlog may hold
  // the job's own messages).
  control: {
    api: ['lookUp', 'inspect', 'send'],
    worker: ['lookUp', 'inspect', 'send', 'consume'],
  },
  // The worker moves a message it cannot parse straight to its queue's DLQ.
  controlDlq: { api: ['lookUp'], worker: ['lookUp', 'send'] },
  chunk: { api: ['lookUp'], worker: ['lookUp', 'inspect', 'send', 'consume'] },
  // The watchdog moves a stalled job's chunk messages back from the chunk DLQ (and hands the
  // other jobs' messages back at once).
  chunkDlq: { api: ['lookUp'], worker: ['lookUp', 'inspect', 'send', 'consume'] },
};

export type TableRef = 'jobs' | 'nicknames' | 'providers' | 'webhooks' | 'connections';

/**
 * DynamoDB actions per table. A transaction needs the item action of each part (PutItem,
 * UpdateItem, ConditionCheckItem…); a batch its own (BatchGetItem, BatchWriteItem).
 */
export const TABLE_ACCESS: Record<TableRef, Record<TaskRole, readonly string[]>> = {
  // The api creates, reads, starts and cancels jobs and checks the table for readiness; the
  // worker reads jobs and moves them along with conditional updates.
  jobs: {
    // GET /v1/jobs reads a page's job views in one BatchGetItem.
    api: [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DescribeTable',
      'dynamodb:BatchGetItem',
    ],
    worker: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  },
  // Chunks load the whole nickname table (small) once per worker and cache it.
  nicknames: {
    api: [],
    worker: ['dynamodb:Scan'],
  },
  // Provider lookups (issue 10): the request limiter reads its account item and changes it with
  // conditional updates (takes, slot renewals and releases; PutItem creates it); the response
  // cache reads and writes answers in batches. The api's check of a new Mailchimp key holds a
  // slot of the account's limiter too (and creates its item when no import used it yet).
  providers: {
    api: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    worker: [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
    ],
  },
  // Webhook endpoints: the api creates, lists and deletes them (item reads, conditional
  // updates); the worker reads them to fan an event out and records each delivery's outcome.
  webhooks: {
    api: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    worker: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  },
  // Connections (issue 11): the api creates, reads (listing) and deletes them; the worker reads
  // one to open its sealed key.
  connections: {
    api: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
    worker: ['dynamodb:GetItem'],
  },
};

/** DynamoDB actions per table on its indexes (`table/<name>/index/*`): queries by an index. */
export const INDEX_ACCESS: Record<TableRef, Record<TaskRole, readonly string[]>> = {
  // The watchdog lists running jobs by last progress from the sparse active-jobs index; the
  // api lists a tenant's jobs from the tenant-by-created index (GET /v1/jobs).
  jobs: { api: ['dynamodb:Query'], worker: ['dynamodb:Query'] },
  nicknames: { api: [], worker: [] },
  providers: { api: [], worker: [] },
  webhooks: { api: [], worker: [] },
  // GET /v1/connections lists a tenant's connections by the by-tenant index.
  connections: { api: ['dynamodb:Query'], worker: [] },
};
