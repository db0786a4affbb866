import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** A queue's messages, as SQS reports them: approximate, and a little behind. */
export interface QueueCounts {
  /** Waiting to be received. */
  readonly visible: number;
  /** Received and not yet deleted or returned. */
  readonly inFlight: number;
}

/** How many messages wait in a queue and how many are in flight (one GetQueueAttributes). */
export async function queueCounts(sqs: SQSClient, queueUrl: string): Promise<QueueCounts> {
  const output = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(output.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(output.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}
