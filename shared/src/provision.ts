import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTableCommand,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import { awsErrorName, DependencyError } from './errors.ts';
import {
  indexProjection,
  type IndexDefinition,
  type QueueDefinition,
  type ResourceDefinitions,
  type TableDefinition,
} from './resources.ts';

export interface QueueUrls {
  readonly control: string;
  readonly controlDlq: string;
  readonly chunk: string;
  readonly chunkDlq: string;
}

export interface ProvisionDeps {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  readonly logger: Logger;
}

/** Creates every resource that is missing and aligns queue attributes; safe to run repeatedly. */
export async function provisionResources(
  deps: ProvisionDeps,
  resources: ResourceDefinitions,
): Promise<QueueUrls> {
  await ensureBucket(deps, resources.bucket);
  const urls = new Map<string, string>();
  for (const queue of resources.queues) {
    const dlqUrl = await ensureQueue(deps.sqs, queue.deadLetterQueue, {
      MessageRetentionPeriod: String(14 * 24 * 3600),
    });
    const dlqArn = await queueArn(deps.sqs, dlqUrl);
    urls.set(queue.deadLetterQueue, dlqUrl);
    urls.set(queue.name, await ensureQueue(deps.sqs, queue.name, queueAttributes(queue, dlqArn)));
  }
  for (const table of resources.tables) await ensureTable(deps, table);
  deps.logger.info({ bucket: resources.bucket.name }, 'resources provisioned');
  return queueUrlsFrom(resources, (name) => urls.get(name));
}

/** Looks up the URLs of queues provisioned elsewhere (LocalStack init hook, the cloud stack). */
export async function resolveQueueUrls(
  sqs: SQSClient,
  resources: ResourceDefinitions,
): Promise<QueueUrls> {
  const urls = new Map<string, string>();
  for (const queue of resources.queues) {
    for (const name of [queue.name, queue.deadLetterQueue]) {
      try {
        const output = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
        if (output.QueueUrl !== undefined) urls.set(name, output.QueueUrl);
      } catch (error) {
        const missing = /QueueDoesNotExist|NonExistentQueue/.test(awsErrorName(error) ?? '');
        const what = missing
          ? `queue ${name} does not exist (is it provisioned?)`
          : `could not look up queue ${name}`;
        throw new DependencyError(what, { cause: error });
      }
    }
  }
  return queueUrlsFrom(resources, (name) => urls.get(name));
}

/** SQS attributes of a work queue, including its redrive policy to the dead-letter queue. */
export function queueAttributes(queue: QueueDefinition, dlqArn: string): Record<string, string> {
  return {
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(queue.retentionSeconds),
    ReceiveMessageWaitTimeSeconds: String(queue.receiveWaitSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: queue.maxReceiveCount,
    }),
  };
}

function queueUrlsFrom(
  resources: ResourceDefinitions,
  lookup: (name: string) => string | undefined,
): QueueUrls {
  const [control, chunk] = resources.queues;
  const need = (name: string | undefined): string => {
    const url = name === undefined ? undefined : lookup(name);
    if (url === undefined) throw new DependencyError(`queue ${name ?? '?'} has no URL`);
    return url;
  };
  return {
    control: need(control?.name),
    controlDlq: need(control?.deadLetterQueue),
    chunk: need(chunk?.name),
    chunkDlq: need(chunk?.deadLetterQueue),
  };
}

async function ensureBucket(
  deps: ProvisionDeps,
  bucket: ResourceDefinitions['bucket'],
): Promise<void> {
  try {
    await deps.s3.send(new CreateBucketCommand({ Bucket: bucket.name }));
  } catch (error) {
    const name = awsErrorName(error);
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
  try {
    await deps.s3.send(
      new PutBucketCorsCommand({
        Bucket: bucket.name,
        CORSConfiguration: {
          CORSRules: bucket.cors.map((rule) => ({
            AllowedMethods: [...rule.allowedMethods],
            AllowedOrigins: [...rule.allowedOrigins],
            AllowedHeaders: [...rule.allowedHeaders],
            ExposeHeaders: [...rule.exposeHeaders],
            MaxAgeSeconds: rule.maxAgeSeconds,
          })),
        },
      }),
    );
  } catch (error) {
    // An S3 without the bucket CORS API still serves everything but browser uploads.
    deps.logger.debug({ err: error, bucket: bucket.name }, 'bucket CORS not applied');
  }
}

async function ensureQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<string> {
  try {
    const output = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    return requireUrl(output.QueueUrl, name);
  } catch (error) {
    // An existing queue with other attributes: keep it and align its attributes.
    if (awsErrorName(error) !== 'QueueAlreadyExists' && awsErrorName(error) !== 'QueueNameExists') {
      throw error;
    }
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    const url = requireUrl(QueueUrl, name);
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
    return url;
  }
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const output = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = output.Attributes?.QueueArn;
  if (arn === undefined) throw new DependencyError(`queue ${url} has no ARN`);
  return arn;
}

async function ensureTable(deps: ProvisionDeps, table: TableDefinition): Promise<void> {
  const indexes = table.indexes ?? [];
  const keyNames = [
    table.partitionKey,
    ...indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  try {
    await deps.dynamodb.send(
      new CreateTableCommand({
        TableName: table.name,
        AttributeDefinitions: [...new Set(keyNames)].map((name) => ({
          AttributeName: name,
          AttributeType: 'S',
        })),
        KeySchema: [{ AttributeName: table.partitionKey, KeyType: 'HASH' }],
        ...(indexes.length === 0
          ? {}
          : { GlobalSecondaryIndexes: indexes.map(globalSecondaryIndex) }),
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const existing = await waitForTableActive(deps.dynamodb, table.name);
  await ensureIndexes(deps, table, existing);
}

function globalSecondaryIndex(index: IndexDefinition): {
  IndexName: string;
  KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  Projection: ReturnType<typeof indexProjection>;
} {
  return {
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' },
      { AttributeName: index.sortKey, KeyType: 'RANGE' },
    ],
    Projection: indexProjection(index),
  };
}

/**
 * A table created before an index was defined gets it added. DynamoDB builds it in the
 * background; the embedded emulator cannot add one, so there it is only reported.
 */
async function ensureIndexes(
  deps: ProvisionDeps,
  table: TableDefinition,
  existing: readonly string[],
): Promise<void> {
  for (const index of table.indexes ?? []) {
    if (existing.includes(index.name)) continue;
    try {
      await deps.dynamodb.send(
        new UpdateTableCommand({
          TableName: table.name,
          AttributeDefinitions: [index.partitionKey, index.sortKey].map((name) => ({
            AttributeName: name,
            AttributeType: 'S',
          })),
          GlobalSecondaryIndexUpdates: [{ Create: globalSecondaryIndex(index) }],
        }),
      );
    } catch (error) {
      deps.logger.warn({ err: error, table: table.name, index: index.name }, 'index not added');
    }
    const after = await waitForTableActive(deps.dynamodb, table.name);
    if (!after.includes(index.name))
      deps.logger.warn(
        { table: table.name, index: index.name },
        'table has no index and this DynamoDB cannot add one: recreate the table (delete the emulator data)',
      );
  }
}

/**
 * The SDK's waiter (DescribeTable until ACTIVE; short delays suit emulators and real tables), then
 * the names of the table's global secondary indexes.
 */
async function waitForTableActive(dynamodb: DynamoDBClient, name: string): Promise<string[]> {
  try {
    await waitUntilTableExists(
      { client: dynamodb, minDelay: 0.1, maxDelay: 5, maxWaitTime: 60 },
      { TableName: name },
    );
  } catch (error) {
    throw new DependencyError(`table ${name} did not become ACTIVE`, { cause: error });
  }
  const output = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
  return (output.Table?.GlobalSecondaryIndexes ?? []).flatMap((index) => index.IndexName ?? []);
}

function requireUrl(url: string | undefined, name: string): string {
  if (url === undefined) throw new DependencyError(`queue ${name} has no URL`);
  return url;
}
