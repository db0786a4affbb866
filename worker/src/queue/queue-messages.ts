import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { isUnreachable, type Logger, type OutageLog } from '@contacts/shared';

/** SQS's ceiling for a message's visibility timeout (12 hours). */
const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * Settles received messages of one queue: delete, change visibility, move to a dead-letter queue.
 * Each is one SDK call, whose own retries (maxAttempts) are the only ones: when it still fails
 * the message reappears at its visibility timeout and runs again, which idempotent handlers
 * allow. So failures are logged (once per outage) and never thrown.
 */
export class QueueMessages {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;
  readonly #outage: OutageLog;
  readonly #logger: Logger;

  constructor(options: { sqs: SQSClient; queueUrl: string; outage: OutageLog; logger: Logger }) {
    this.#sqs = options.sqs;
    this.#queueUrl = options.queueUrl;
    this.#outage = options.outage;
    this.#logger = options.logger;
  }

  async delete(message: Message): Promise<void> {
    await this.#sqs
      .send(
        new DeleteMessageCommand({
          QueueUrl: this.#queueUrl,
          ReceiptHandle: message.ReceiptHandle,
        }),
      )
      .catch((error: unknown) => {
        this.#failed(error, message, 'delete failed');
      });
  }

  async setVisibility(message: Message, seconds: number): Promise<void> {
    await this.#sqs
      .send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.#queueUrl,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, seconds)),
        }),
      )
      .catch((error: unknown) => {
        this.#failed(error, message, 'visibility change failed');
      });
  }

  /** Sends the body to `dlqUrl`, then deletes it here; if the send fails it stays to retry. */
  async moveTo(dlqUrl: string, message: Message, logger: Logger): Promise<void> {
    try {
      await this.#sqs.send(
        new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: message.Body ?? '' }),
      );
    } catch (error) {
      logger.warn(
        { err: error },
        'could not move the message to the dead-letter queue; it will retry',
      );
      return;
    }
    await this.delete(message);
  }

  #failed(error: unknown, message: Message, what: string): void {
    if (isUnreachable(error)) this.#outage.failed(error);
    else this.#logger.warn({ err: error, messageId: message.MessageId }, what);
  }
}
