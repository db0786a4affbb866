import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DependencyError } from '../errors.ts';
import type { ChunkMessage, ControlMessage } from '../messages.ts';

const BATCH_LIMIT = 10;

/** Sends typed messages to the control and chunk queues. */
export class MessagePublisher {
  readonly #sqs: SQSClient;
  readonly #controlUrl: string;
  readonly #chunkUrl: string;

  constructor(options: { sqs: SQSClient; controlQueueUrl: string; chunkQueueUrl: string }) {
    this.#sqs = options.sqs;
    this.#controlUrl = options.controlQueueUrl;
    this.#chunkUrl = options.chunkQueueUrl;
  }

  async sendControl(message: ControlMessage): Promise<void> {
    try {
      await this.#sqs.send(
        new SendMessageCommand({
          QueueUrl: this.#controlUrl,
          MessageBody: JSON.stringify(message),
        }),
      );
    } catch (error) {
      throw new DependencyError(`sending ${message.type} for job ${message.jobId} failed`, {
        cause: error,
      });
    }
  }

  /** Sends up to ten chunk messages in one call, retrying entries SQS did not accept. */
  async sendChunks(messages: readonly ChunkMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += BATCH_LIMIT) {
      await this.#sendBatch(messages.slice(i, i + BATCH_LIMIT));
    }
  }

  async #sendBatch(batch: readonly ChunkMessage[], attempt = 1): Promise<void> {
    let output;
    try {
      output = await this.#sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.#chunkUrl,
          Entries: batch.map((message) => ({
            Id: String(message.index),
            MessageBody: JSON.stringify(message),
          })),
        }),
      );
    } catch (error) {
      throw new DependencyError(`sending ${batch.length} chunk messages failed`, { cause: error });
    }
    const failed = new Set((output.Failed ?? []).map((entry) => entry.Id));
    if (failed.size === 0) return;
    if (attempt >= 5) throw new DependencyError(`SQS refused ${failed.size} chunk messages`);
    await this.#sendBatch(
      batch.filter((m) => failed.has(String(m.index))),
      attempt + 1,
    );
  }
}
