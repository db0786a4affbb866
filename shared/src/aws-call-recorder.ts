import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsClients } from './aws-clients.ts';
import type { ResourceNames } from './config.ts';
import type { QueueRef, TableRef } from './task-access.ts';

/**
 * Records every AWS call a process makes as the IAM request it is authorized by, so tests can
 * check the calls against the task roles' policies. Attached only when asked (AWS_CALL_LOG_DIR);
 * production clients carry no recorder.
 */

/** Which of the application's resources a call addressed; `unknown` for anything else. */
export type AwsCallTarget = 'bucket' | QueueRef | TableRef | 'unknown';

export interface AwsCall {
  /** The process that made the call: `api`, `worker`, or `operator` for the ops tools. */
  readonly role: string;
  /** The SDK command, e.g. `DeleteObjects`. */
  readonly command: string;
  /** The IAM action that authorizes it, e.g. `s3:DeleteObject`. */
  readonly action: string;
  readonly target: AwsCallTarget;
  /** The bucket, queue or table name as called. */
  readonly name: string;
  /** The object key, for object-level S3 actions. */
  readonly key?: string;
  /** The DynamoDB index, for queries on one. */
  readonly index?: string;
  /** A URL or POST policy handed to a client rather than a call made here. */
  readonly presigned?: boolean;
}

export type AwsCallSink = (call: AwsCall) => void;

/** One IAM request behind an SDK command: action and resource names. */
export interface IamRequest {
  readonly action: string;
  readonly name: string;
  readonly key?: string;
  readonly index?: string;
}

type Input = Record<string, unknown>;
type Service = 's3' | 'sqs' | 'dynamodb';

const S3_OBJECT_ACTIONS: Record<string, string> = {
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  ListParts: 's3:ListMultipartUploadParts',
  DeleteObject: 's3:DeleteObject',
};

const S3_BUCKET_ACTIONS: Record<string, string> = {
  ListObjectsV2: 's3:ListBucket',
  ListObjects: 's3:ListBucket',
  HeadBucket: 's3:ListBucket',
  ListMultipartUploads: 's3:ListBucketMultipartUploads',
  CreateBucket: 's3:CreateBucket',
  PutBucketCors: 's3:PutBucketCORS',
};

// Batches are authorized as their single-message action.
const SQS_ACTIONS: Record<string, string> = {
  SendMessageBatch: 'sqs:SendMessage',
  DeleteMessageBatch: 'sqs:DeleteMessage',
  ChangeMessageVisibilityBatch: 'sqs:ChangeMessageVisibility',
};

// A transaction needs the item action of each of its parts.
const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The IAM requests one SDK command makes; an unknown command maps to `service:Command`. */
export function iamRequestsOf(service: Service, command: string, input: Input): IamRequest[] {
  if (service === 's3') return s3Requests(command, input);
  if (service === 'sqs') return sqsRequests(command, input);
  return dynamodbRequests(command, input);
}

function s3Requests(command: string, input: Input): IamRequest[] {
  const name = text(input.Bucket);
  if (command === 'DeleteObjects') {
    const objects = (input.Delete as { Objects?: { Key?: string }[] } | undefined)?.Objects ?? [];
    return objects.map((o) => ({ action: 's3:DeleteObject', name, key: text(o.Key) }));
  }
  if (command === 'CopyObject') {
    const [sourceBucket = '', ...rest] = decodeURIComponent(text(input.CopySource)).split('/');
    return [
      { action: 's3:PutObject', name, key: text(input.Key) },
      { action: 's3:GetObject', name: sourceBucket, key: rest.join('/') },
    ];
  }
  const objectAction = S3_OBJECT_ACTIONS[command];
  if (objectAction !== undefined) {
    // A versioned read is its own action.
    const action =
      objectAction === 's3:GetObject' && input.VersionId !== undefined
        ? 's3:GetObjectVersion'
        : objectAction;
    return [{ action, name, key: text(input.Key) }];
  }
  return [{ action: S3_BUCKET_ACTIONS[command] ?? `s3:${command}`, name }];
}

function sqsRequests(command: string, input: Input): IamRequest[] {
  const url = text(input.QueueUrl);
  // GetQueueUrl names the queue; every other call addresses it by URL (…/account/name).
  const name =
    command === 'GetQueueUrl' ? text(input.QueueName) : url.slice(url.lastIndexOf('/') + 1);
  return [{ action: SQS_ACTIONS[command] ?? `sqs:${command}`, name }];
}

function dynamodbRequests(command: string, input: Input): IamRequest[] {
  if (command === 'TransactWriteItems' || command === 'TransactGetItems') {
    const items = (input.TransactItems as Record<string, Input>[] | undefined) ?? [];
    return items.flatMap((item) =>
      Object.entries(item).map(([kind, part]) => ({
        action: TRANSACT_ACTIONS[kind] ?? `dynamodb:${kind}`,
        name: text(part.TableName),
      })),
    );
  }
  if (command === 'BatchGetItem' || command === 'BatchWriteItem') {
    return Object.keys((input.RequestItems as Input | undefined) ?? {}).map((name) => ({
      action: `dynamodb:${command}`,
      name,
    }));
  }
  const index = text(input.IndexName);
  return [
    {
      action: `dynamodb:${command}`,
      name: text(input.TableName),
      ...(index === '' ? {} : { index }),
    },
  ];
}

/** Which application resource a name is, by the process's configured names. */
export function targetOf(names: ResourceNames, service: Service, name: string): AwsCallTarget {
  const candidates: Record<Service, [string, AwsCallTarget][]> = {
    s3: [[names.bucket, 'bucket']],
    sqs: [
      [names.controlQueue, 'control'],
      [names.controlDlq, 'controlDlq'],
      [names.chunkQueue, 'chunk'],
      [names.chunkDlq, 'chunkDlq'],
    ],
    dynamodb: [
      [names.jobsTable, 'jobs'],
      [names.nicknamesTable, 'nicknames'],
      [names.providersTable, 'providers'],
      [names.connectionsTable, 'connections'],
    ],
  };
  return candidates[service].find(([candidate]) => candidate === name)?.[1] ?? 'unknown';
}

/** The slice of the SDK's middleware types the recorder uses (not a dependency of its own). */
type InitializeMiddleware = (
  next: (args: { input: Input }) => Promise<{ output: unknown }>,
  context: { clientName?: string; commandName?: string },
) => (args: { input: Input }) => Promise<{ output: unknown }>;

interface MiddlewareHost {
  add(
    middleware: InitializeMiddleware,
    options: { step: 'initialize'; name: string; priority: 'high' },
  ): void;
}

const SERVICE_OF_CLIENT: Record<string, Service> = {
  S3Client: 's3',
  SQSClient: 'sqs',
  DynamoDBClient: 'dynamodb',
};

/** Presigned POSTs are signed without a command, so their signer reports them here. */
const presignedPostRecorders = new WeakMap<object, (bucket: string, key: string) => void>();

/** Records a presigned POST to `key` when `client` has a recorder; a no-op otherwise. */
export function recordPresignedPost(client: object, bucket: string, key: string): void {
  presignedPostRecorders.get(client)?.(bucket, key);
}

/**
 * Adds a recording middleware to every client. A call is recorded when it settles, failed or not;
 * a URL signed with getSignedUrl is recorded as presigned.
 */
export function recordAwsCalls(
  clients: AwsClients,
  options: { role: string; names: ResourceNames; sink: AwsCallSink },
): void {
  const { role, names, sink } = options;
  const record = (service: Service, command: string, request: IamRequest, presigned: boolean) => {
    sink({
      role,
      command,
      ...request,
      target: targetOf(names, service, request.name),
      ...(presigned ? { presigned } : {}),
    });
  };
  const middleware: InitializeMiddleware = (next, context) => async (args) => {
    const service = SERVICE_OF_CLIENT[context.clientName ?? ''];
    const command = (context.commandName ?? '').replace(/Command$/, '');
    let presigned = false;
    try {
      const result = await next(args);
      // getSignedUrl runs the command's stack up to signing and returns the URL as output.
      presigned = (result.output as { presigned?: unknown }).presigned !== undefined;
      return result;
    } finally {
      if (service !== undefined) {
        for (const request of iamRequestsOf(service, command, args.input)) {
          record(service, command, request, presigned);
        }
      }
    }
  };
  for (const client of new Set([clients.s3, clients.s3Public, clients.sqs, clients.dynamodb])) {
    // The three clients' stacks differ only in their input and output types.
    (client.middlewareStack as unknown as MiddlewareHost).add(middleware, {
      step: 'initialize',
      name: 'awsCallRecorder',
      priority: 'high',
    });
  }
  for (const s3 of new Set([clients.s3, clients.s3Public])) {
    presignedPostRecorders.set(s3, (bucket, key) => {
      record('s3', 'PutObject', { action: 's3:PutObject', name: bucket, key }, true);
    });
  }
}

/**
 * Appends each distinct call once to `<dir>/<pid>.jsonl`. Synchronous, so a process that is
 * killed loses nothing it had recorded.
 */
export function callLogSink(dir: string): AwsCallSink {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${process.pid}.jsonl`);
  const seen = new Set<string>();
  return (call) => {
    const line = JSON.stringify(call);
    if (seen.has(line)) return;
    seen.add(line);
    appendFileSync(file, `${line}\n`);
  };
}

/** Records the clients' calls to AWS_CALL_LOG_DIR as `role`, when that is configured. */
export function recordCallsWhenConfigured(
  clients: AwsClients,
  options: { callLogDir: string | undefined; role: string | undefined; names: ResourceNames },
): void {
  if (options.callLogDir === undefined || options.role === undefined) return;
  recordAwsCalls(clients, {
    role: options.role,
    names: options.names,
    sink: callLogSink(options.callLogDir),
  });
}
