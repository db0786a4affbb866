import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DependencyError } from '../errors.ts';
import type { WebhookMessage } from '../messages.ts';

/** SQS delays a message by at most 15 minutes; longer waits are done in several hops. */
export const MAX_DELAY_SECONDS = 900;

/**
 * Sends webhook work (a job-end event to fan out, one delivery attempt) to the worker's control
 * queue, so neither the api nor a job stage ever calls a customer's endpoint itself.
 */
export class WebhookPublisher {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;

  constructor(options: { sqs: SQSClient; queueUrl: string }) {
    this.#sqs = options.sqs;
    this.#queueUrl = options.queueUrl;
  }

  async send(message: WebhookMessage, delaySeconds = 0): Promise<void> {
    try {
      await this.#sqs.send(
        new SendMessageCommand({
          QueueUrl: this.#queueUrl,
          MessageBody: JSON.stringify(message),
          ...(delaySeconds > 0
            ? { DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.ceil(delaySeconds)) }
            : {}),
        }),
      );
    } catch (error) {
      throw new DependencyError(`sending ${message.type} for job ${message.jobId} failed`, {
        cause: error,
      });
    }
  }
}
