import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DLQ_RETENTION_SECONDS, queueAttributes, type QueueDefinition } from '@contacts/shared';

/** A work queue and its dead-letter queue, built from the application's queue definition. */
export interface WorkQueue {
  readonly definition: QueueDefinition;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
}

/** The SQS properties CloudFormation needs, read from the exact attributes the app provisions. */
export interface QueueProperties {
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  readonly receiveWaitSeconds: number;
  readonly maxReceiveCount: number;
}

const KNOWN_ATTRIBUTES = new Set([
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
]);

/**
 * Maps `queueAttributes()` (what the embedded default and LocalStack apply) to queue properties.
 * An attribute this mapping does not know fails synthesis instead of being silently dropped.
 */
export function queuePropertiesFrom(attributes: Record<string, string>): QueueProperties {
  const unknown = Object.keys(attributes).filter((name) => !KNOWN_ATTRIBUTES.has(name));
  if (unknown.length > 0) {
    throw new Error(`queue attributes not mapped to CloudFormation: ${unknown.join(', ')}`);
  }
  const seconds = (name: string): number => {
    const value = Number(attributes[name]);
    if (!Number.isInteger(value)) throw new Error(`queue attribute ${name} is not an integer`);
    return value;
  };
  const redrive = JSON.parse(attributes.RedrivePolicy ?? '{}') as { maxReceiveCount?: unknown };
  if (typeof redrive.maxReceiveCount !== 'number') {
    throw new Error('queue attribute RedrivePolicy has no maxReceiveCount');
  }
  return {
    visibilityTimeoutSeconds: seconds('VisibilityTimeout'),
    retentionSeconds: seconds('MessageRetentionPeriod'),
    receiveWaitSeconds: seconds('ReceiveMessageWaitTimeSeconds'),
    maxReceiveCount: redrive.maxReceiveCount,
  };
}

/** Creates one work queue with its DLQ; both encrypted and reachable over TLS only. */
export function createWorkQueue(
  scope: Construct,
  id: string,
  definition: QueueDefinition,
): WorkQueue {
  const deadLetterQueue = new sqs.Queue(scope, `${id}Dlq`, {
    queueName: definition.deadLetterQueue,
    retentionPeriod: Duration.seconds(DLQ_RETENTION_SECONDS),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  const properties = queuePropertiesFrom(queueAttributes(definition, deadLetterQueue.queueArn));
  const queue = new sqs.Queue(scope, id, {
    queueName: definition.name,
    visibilityTimeout: Duration.seconds(properties.visibilityTimeoutSeconds),
    retentionPeriod: Duration.seconds(properties.retentionSeconds),
    receiveMessageWaitTime: Duration.seconds(properties.receiveWaitSeconds),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: properties.maxReceiveCount },
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  return { definition, queue, deadLetterQueue };
}
