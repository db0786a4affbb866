import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { KEY_AREAS } from './files-bucket.ts';
import type { WorkQueue } from './work-queues.ts';

/** The data resources the two task roles are scoped to. */
export interface DataResources {
  readonly bucket: s3.IBucket;
  readonly control: WorkQueue;
  readonly chunk: WorkQueue;
  readonly jobsTable: dynamodb.ITable;
  readonly nicknamesTable: dynamodb.ITable;
}

const objectsIn = (bucket: s3.IBucket, ...areas: string[]): string[] =>
  areas.map((area) => bucket.arnForObjects(`${area}*`));

// Without s3:ListBucket a missing key answers 403 instead of 404, and the app tells
// "not uploaded yet" from "forbidden" by that status.
const listBucket = (bucket: s3.IBucket): iam.PolicyStatement =>
  new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] });

// resolveQueueUrls() looks up every work queue and its DLQ by name at start-up.
const lookUpQueues = (data: DataResources): iam.PolicyStatement =>
  new iam.PolicyStatement({
    actions: ['sqs:GetQueueUrl', 'sqs:GetQueueAttributes'],
    resources: [data.control, data.chunk].flatMap((q) => [
      q.queue.queueArn,
      q.deadLetterQueue.queueArn,
    ]),
  });

const JOB_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];

/**
 * The api creates jobs, receives uploads under `uploads/`, hands out result links and enqueues
 * control messages. It never reads chunk parts or consumes queues.
 */
export function grantApiAccess(role: iam.IRole, data: DataResources): void {
  const statements = [
    new iam.PolicyStatement({
      // Streamed and presigned uploads (multipart for large files).
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resources: objectsIn(data.bucket, KEY_AREAS.uploads),
    }),
    new iam.PolicyStatement({
      // HeadObject before a job starts; presigned downloads of results.
      actions: ['s3:GetObject'],
      resources: objectsIn(data.bucket, KEY_AREAS.uploads, KEY_AREAS.results),
    }),
    listBucket(data.bucket),
    new iam.PolicyStatement({
      actions: ['sqs:SendMessage'],
      resources: [data.control.queue.queueArn],
    }),
    lookUpQueues(data),
    new iam.PolicyStatement({
      actions: JOB_TABLE_ACTIONS,
      resources: [data.jobsTable.tableArn],
    }),
    new iam.PolicyStatement({
      actions: ['dynamodb:DescribeTable'],
      resources: [data.nicknamesTable.tableArn],
    }),
  ];
  for (const statement of statements) role.addToPrincipalPolicy(statement);
}

/**
 * The worker reads uploads, writes and cleans chunk parts under `work/`, writes results, consumes
 * and feeds both work queues, updates jobs and reads the nickname table.
 */
export function grantWorkerAccess(role: iam.IRole, data: DataResources): void {
  const workQueueArns = [data.control.queue.queueArn, data.chunk.queue.queueArn];
  const statements = [
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: objectsIn(data.bucket, KEY_AREAS.uploads, KEY_AREAS.work, KEY_AREAS.results),
    }),
    new iam.PolicyStatement({
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resources: objectsIn(data.bucket, KEY_AREAS.work, KEY_AREAS.results),
    }),
    new iam.PolicyStatement({
      actions: ['s3:DeleteObject'],
      resources: objectsIn(data.bucket, KEY_AREAS.work),
    }),
    listBucket(data.bucket),
    new iam.PolicyStatement({
      actions: [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:SendMessage',
      ],
      resources: workQueueArns,
    }),
    lookUpQueues(data),
    new iam.PolicyStatement({
      actions: JOB_TABLE_ACTIONS,
      resources: [data.jobsTable.tableArn],
    }),
    new iam.PolicyStatement({
      actions: [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:DescribeTable',
      ],
      resources: [data.nicknamesTable.tableArn],
    }),
  ];
  for (const statement of statements) role.addToPrincipalPolicy(statement);
}

/**
 * The worker marks its own task protected from scale-in while it holds messages
 * (through the ECS agent endpoint in ECS_AGENT_URI), so scale-in never kills a busy task.
 */
export function grantTaskProtection(role: iam.IRole, cluster: ecs.ICluster): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['ecs:UpdateTaskProtection', 'ecs:GetTaskProtection'],
      resources: [
        Stack.of(cluster).formatArn({
          service: 'ecs',
          resource: 'task',
          resourceName: `${cluster.clusterName}/*`,
        }),
      ],
    }),
  );
}
