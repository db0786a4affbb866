import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DependencyError } from '../errors.ts';
import type { ChunkQueueMessage, ControlMessage, DirectoryIndexMessage } from '../messages.ts';
import { retryUnprocessed } from '../retry.ts';

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
    await this.#sendToControl(message, `${message.type} for job ${message.jobId}`);
  }

  /** Asks a worker to build a directory version's index artifact ahead of the first job. */
  async sendDirectoryIndex(message: DirectoryIndexMessage): Promise<void> {
    await this.#sendToControl(message, `directory.index for ${message.directoryId}`);
  }

  async #sendToControl(message: ControlMessage | DirectoryIndexMessage, what: string) {
    try {
      await this.#sqs.send(
        new SendMessageCommand({
          QueueUrl: this.#controlUrl,
          MessageBody: JSON.stringify(message),
        }),
      );
    } catch (error) {
      throw new DependencyError(`sending ${what} failed`, { cause: error });
    }
  }

  /** Sends up to ten chunk messages in one call, retrying entries SQS did not accept. */
  async sendChunks(messages: readonly ChunkQueueMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += BATCH_LIMIT) {
      await this.#sendBatch(messages.slice(i, i + BATCH_LIMIT));
    }
  }

  /**
   * One batch; entries SQS failed on its side are sent again under the shared policy. An entry
   * refused as the sender's fault (too large, invalid) would fail the same way again.
   */
  async #sendBatch(batch: readonly ChunkQueueMessage[]): Promise<void> {
    await retryUnprocessed(batch, (pending) => this.#trySend(pending), {
      what: 'chunk messages',
    });
  }

  /** Returns the messages SQS did not accept and may accept on another try. */
  async #trySend(batch: readonly ChunkQueueMessage[]): Promise<ChunkQueueMessage[]> {
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
    const failed = output.Failed ?? [];
    const refused = failed.find((entry) => entry.SenderFault === true);
    if (refused !== undefined) {
      throw new DependencyError(
        `SQS refused chunk message ${refused.Id ?? '?'}: ${refused.Code ?? ''} ${refused.Message ?? ''}`,
      );
    }
    const ids = new Set(failed.map((entry) => entry.Id));
    return batch.filter((message) => ids.has(String(message.index)));
  }
}
