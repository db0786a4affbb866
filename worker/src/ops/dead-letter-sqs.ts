import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { AppError, queueCounts } from '@contacts/shared';

const BATCH_LIMIT = 10;

/** An SQS call of an operator command failed; names the queue and the messages involved. */
export class DeadLetterQueueError extends AppError {
  readonly queueUrl: string;
  readonly messageIds: readonly string[];

  constructor(
    message: string,
    options: { queueUrl: string; messageIds?: readonly string[]; cause?: unknown },
  ) {
    super('dead_letter_queue_failed', message, { cause: options.cause });
    this.queueUrl = options.queueUrl;
    this.messageIds = options.messageIds ?? [];
  }
}

/**
 * The SQS calls operator commands make on dead-letter queues, in batches of ten. Each is one SDK
 * call with the SDK's own retries and no more: a refused entry is reported to the operator (who
 * can run the command again), never retried here.
 */
export class DeadLetterSqs {
  readonly #sqs: SQSClient;
  readonly #waitTimeSeconds: number;

  /** Long polling asks every SQS server, so an empty answer means the queue is really empty. */
  constructor(options: { sqs: SQSClient; waitTimeSeconds: number }) {
    this.#sqs = options.sqs;
    this.#waitTimeSeconds = options.waitTimeSeconds;
  }

  /** Approximate counts of visible and hidden messages (SQS's own figures). */
  async depth(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
    try {
      return await queueCounts(this.#sqs, queueUrl);
    } catch (error) {
      throw new DeadLetterQueueError(`reading the depth of ${queueUrl} failed`, {
        queueUrl,
        cause: error,
      });
    }
  }

  /** Up to ten messages, hidden for `visibilitySeconds`, with what listings and redrive need. */
  async receive(queueUrl: string, max: number, visibilitySeconds: number): Promise<Message[]> {
    try {
      const output = await this.#sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(BATCH_LIMIT, max),
          VisibilityTimeout: visibilitySeconds,
          WaitTimeSeconds: this.#waitTimeSeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          MessageAttributeNames: ['All'],
        }),
      );
      return output.Messages ?? [];
    } catch (error) {
      throw new DeadLetterQueueError(`receiving from ${queueUrl} failed`, {
        queueUrl,
        cause: error,
      });
    }
  }

  /** Makes messages visible again (almost) at once. */
  async release(queueUrl: string, messages: readonly Message[]): Promise<void> {
    for (const batch of batches(messages)) {
      try {
        // Entries that fail (a stale receipt handle) reappear by themselves at their timeout.
        await this.#sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((message, i) => ({
              Id: String(i),
              ReceiptHandle: message.ReceiptHandle,
              VisibilityTimeout: 0,
            })),
          }),
        );
      } catch (error) {
        throw new DeadLetterQueueError(
          `handing ${batch.length} messages back to ${queueUrl} failed; they reappear at their visibility timeout`,
          { queueUrl, messageIds: batch.map(idOf), cause: error },
        );
      }
    }
  }

  /** Sends a batch of at most ten; returns the messages SQS refused, with its reasons. */
  async send(queueUrl: string, messages: readonly Message[]): Promise<Map<Message, string>> {
    let output;
    try {
      output = await this.#sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((message, i) => ({
            Id: String(i),
            MessageBody: message.Body ?? '',
            ...(message.MessageAttributes === undefined
              ? {}
              : { MessageAttributes: message.MessageAttributes }),
          })),
        }),
      );
    } catch (error) {
      throw new DeadLetterQueueError(`sending ${messages.length} messages to ${queueUrl} failed`, {
        queueUrl,
        messageIds: messages.map(idOf),
        cause: error,
      });
    }
    return byEntryId(messages, output.Failed ?? []);
  }

  /** Deletes a batch of at most ten; returns the messages that could not be deleted. */
  async remove(queueUrl: string, messages: readonly Message[]): Promise<Map<Message, string>> {
    try {
      const output = await this.#sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((message, i) => ({
            Id: String(i),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
      return byEntryId(messages, output.Failed ?? []);
    } catch (error) {
      return new Map(messages.map((message) => [message, `delete failed: ${describe(error)}`]));
    }
  }
}

/** A message's id (the receipt handle if an implementation gives none). */
export function idOf(message: Message): string {
  return message.MessageId ?? message.ReceiptHandle ?? '';
}

function batches<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH_LIMIT) result.push(items.slice(i, i + BATCH_LIMIT));
  return result;
}

function byEntryId(
  messages: readonly Message[],
  failed: readonly {
    Id?: string | undefined;
    Code?: string | undefined;
    Message?: string | undefined;
  }[],
): Map<Message, string> {
  const result = new Map<Message, string>();
  for (const entry of failed) {
    const message = messages[Number(entry.Id)];
    if (message !== undefined)
      result.set(message, `${entry.Code ?? 'Error'}: ${entry.Message ?? 'no reason given'}`);
  }
  return result;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
