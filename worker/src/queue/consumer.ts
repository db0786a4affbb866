import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { backoffDelayMs, isUnreachable, OutageLog, type Logger } from '@contacts/shared';

const POLL_BACKOFF_CAP_MS = 10_000;

/** What a handler learns about the delivery it is working on. */
export interface DeliveryContext {
  readonly messageId: string;
  /** 1 on first delivery. */
  readonly receiveCount: number;
  /** True when a failure now sends the message to the dead-letter queue. */
  readonly isLastAttempt: boolean;
  /** Aborted when the worker shuts down past its deadline and the message is released. */
  readonly signal: AbortSignal;
  /** Runs `renew` on every visibility heartbeat (to extend leases held alongside the message). */
  onHeartbeat(renew: () => Promise<void>): void;
  readonly logger: Logger;
}

export interface MessageHandler {
  handle(body: string, context: DeliveryContext): Promise<void>;
  /** Called once the last permitted attempt failed, before the message moves to the DLQ. */
  onRetriesExhausted?(body: string, error: unknown, context: DeliveryContext): Promise<void>;
}

export interface ConsumerOptions {
  readonly name: string;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly handler: MessageHandler;
  readonly concurrency: number;
  readonly waitTimeSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly logger: Logger;
  /**
   * What a failure means: `retry` (the default) returns the message after a backoff; `settle`
   * deletes it after the handler's cleanup (the job already failed with the reason); `discard`
   * deletes it without cleanup (its work is moot: the job was cancelled or moved on);
   * `dead-letter` moves it to `deadLetterQueueUrl` at once (a body no handler can ever read).
   */
  readonly classify?: (error: unknown) => FailureDisposition;
  readonly deadLetterQueueUrl?: string;
  /** Told whenever this consumer goes from idle to busy and back. */
  readonly onBusyChange?: (busy: boolean) => void;
}

export type FailureDisposition = 'retry' | 'settle' | 'discard' | 'dead-letter';

interface InFlight {
  readonly message: Message;
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

/**
 * Long-polls one queue and runs a handler for each message with bounded concurrency. A message
 * is deleted only after its handler succeeded; while it runs its visibility is extended on a
 * heartbeat; a failure makes it visible again after a backoff, so SQS's receive count and
 * redrive policy bound the retries.
 */
export class QueueConsumer {
  readonly #options: ConsumerOptions;
  readonly #inFlight = new Set<InFlight>();
  readonly #pollAbort = new AbortController();
  readonly #outage: OutageLog;
  /** Handlers failing because S3, SQS or DynamoDB is down: logged once per outage too. */
  readonly #handlerOutage: OutageLog;
  #running: Promise<void> | undefined;
  #stopping = false;
  #slotFreed: (() => void) | undefined;

  constructor(options: ConsumerOptions) {
    if (options.concurrency < 1) throw new RangeError('concurrency must be at least 1');
    if (options.visibilityTimeoutSeconds < 3) {
      throw new RangeError(
        'visibilityTimeoutSeconds must be at least 3 to leave room for heartbeats',
      );
    }
    this.#options = options;
    this.#outage = new OutageLog(options.logger, `${options.name} queue`);
    this.#handlerOutage = new OutageLog(
      options.logger,
      `a dependency of the ${options.name} handler`,
    );
  }

  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  start(): void {
    this.#running ??= this.#pollLoop();
  }

  /**
   * Stops polling, waits up to `deadlineMs` for in-flight messages, then releases the rest
   * (visibility 0) so another worker picks them up at once, and ends the current long poll.
   * Safe to call more than once.
   */
  async stop(deadlineMs: number): Promise<void> {
    this.#stopping = true;
    this.#slotFreed?.();
    const timer = new Promise<'timeout'>((resolve) =>
      setTimeout(() => {
        resolve('timeout');
      }, deadlineMs).unref(),
    );
    const inFlight = Promise.allSettled([...this.#inFlight].map((flight) => flight.done));
    const outcome = await Promise.race([inFlight, timer]);
    // Only now: a message handed to an abandoned poll stays hidden for a visibility timeout, so
    // the poll runs while work drains (it may still return messages, which are handed back).
    this.#pollAbort.abort();
    if (outcome === 'timeout') {
      const left = [...this.#inFlight];
      this.#options.logger.warn(
        { queue: this.#options.name, count: left.length },
        'releasing in-flight messages',
      );
      for (const flight of left) flight.abort.abort();
      await Promise.allSettled(left.map((flight) => this.#setVisibility(flight.message, 0)));
    }
    await this.#running?.catch(() => undefined);
  }

  async #pollLoop(): Promise<void> {
    let failures = 0;
    while (!this.#stopping) {
      await this.#waitForSlot();
      if (this.#isStopping()) break;
      try {
        const messages = await this.#receive(this.#options.concurrency - this.#inFlight.size);
        this.#outage.recovered();
        failures = 0;
        if (this.#isStopping()) {
          // Received while stopping: hand them straight back.
          await Promise.allSettled(messages.map((message) => this.#setVisibility(message, 0)));
          break;
        }
        for (const message of messages) this.#dispatch(message);
      } catch (error) {
        if (this.#isStopping()) break;
        failures++;
        this.#outage.failed(error);
        // Capped lower than message retries: after an outage, polling resumes within seconds.
        await sleep(backoffDelayMs(failures, 1000, POLL_BACKOFF_CAP_MS), this.#pollAbort.signal);
      }
    }
  }

  async #receive(capacity: number): Promise<Message[]> {
    const output = await this.#options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#options.queueUrl,
        MaxNumberOfMessages: Math.min(10, capacity),
        WaitTimeSeconds: this.#options.waitTimeSeconds,
        VisibilityTimeout: this.#options.visibilityTimeoutSeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
      { abortSignal: this.#pollAbort.signal },
    );
    return output.Messages ?? [];
  }

  #dispatch(message: Message): void {
    const abort = new AbortController();
    const flight: InFlight = {
      message,
      abort,
      done: this.#process(message, abort.signal).finally(() => {
        this.#inFlight.delete(flight);
        if (this.#inFlight.size === 0) this.#options.onBusyChange?.(false);
        this.#slotFreed?.();
      }),
    };
    this.#inFlight.add(flight);
    if (this.#inFlight.size === 1) this.#options.onBusyChange?.(true);
  }

  async #process(message: Message, signal: AbortSignal): Promise<void> {
    const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
    const messageId = message.MessageId ?? 'unknown';
    const logger = this.#options.logger.child({
      queue: this.#options.name,
      messageId,
      receiveCount,
    });
    const renewals: (() => Promise<void>)[] = [];
    const context: DeliveryContext = {
      messageId,
      receiveCount,
      isLastAttempt: receiveCount >= this.#options.maxReceiveCount,
      signal,
      onHeartbeat: (renew) => renewals.push(renew),
      logger,
    };
    const heartbeat = this.#startHeartbeat(message, renewals, logger);
    try {
      await this.#options.handler.handle(message.Body ?? '', context);
      this.#handlerOutage.recovered();
      clearInterval(heartbeat);
      if (!signal.aborted) await this.#delete(message);
    } catch (error) {
      clearInterval(heartbeat);
      if (signal.aborted) return;
      await this.#handleFailure(message, error, context);
    }
  }

  async #handleFailure(message: Message, error: unknown, context: DeliveryContext): Promise<void> {
    const disposition = this.#options.classify?.(error) ?? 'retry';
    if (disposition === 'discard') {
      context.logger.info({ err: error }, 'message discarded: its job moved on');
      await this.#delete(message);
      return;
    }
    const permanent = disposition !== 'retry';
    // The last attempt is logged in full: it fails the job, and an outage line may be old.
    if (disposition === 'retry' && !context.isLastAttempt && isUnreachable(error)) {
      this.#handlerOutage.failed(error);
      context.logger.debug({ err: error }, 'message handler failed: dependency unreachable');
    } else context.logger.error({ err: error, disposition }, 'message handler failed');
    if (permanent || context.isLastAttempt) {
      await this.#options.handler
        .onRetriesExhausted?.(message.Body ?? '', error, context)
        .catch((cleanupError: unknown) => {
          context.logger.error({ err: cleanupError }, 'retries-exhausted cleanup failed');
        });
    }
    if (disposition === 'dead-letter') await this.#moveToDeadLetterQueue(message, context.logger);
    else if (disposition === 'settle') await this.#delete(message);
    else await this.#setVisibility(message, Math.ceil(backoffDelayMs(context.receiveCount) / 1000));
  }

  /** Sends the body to the DLQ, then deletes it here; left for redrive if the DLQ is unknown. */
  async #moveToDeadLetterQueue(message: Message, logger: Logger): Promise<void> {
    const dlq = this.#options.deadLetterQueueUrl;
    if (dlq === undefined) return;
    try {
      await this.#options.sqs.send(
        new SendMessageCommand({ QueueUrl: dlq, MessageBody: message.Body ?? '' }),
      );
    } catch (error) {
      logger.warn(
        { err: error },
        'could not move the message to the dead-letter queue; it will retry',
      );
      return;
    }
    await this.#delete(message);
  }

  #startHeartbeat(
    message: Message,
    renewals: (() => Promise<void>)[],
    logger: Logger,
  ): NodeJS.Timeout {
    // Extending at a third of the timeout leaves two chances before the message reappears.
    const intervalMs = Math.max(1000, (this.#options.visibilityTimeoutSeconds * 1000) / 3);
    const timer = setInterval(() => {
      void (async () => {
        try {
          await this.#setVisibility(message, this.#options.visibilityTimeoutSeconds);
          for (const renew of renewals) await renew();
        } catch (error) {
          if (isUnreachable(error)) this.#handlerOutage.failed(error);
          else logger.warn({ err: error }, 'heartbeat failed');
        }
      })();
    }, intervalMs);
    timer.unref();
    return timer;
  }

  async #delete(message: Message): Promise<void> {
    await retry(() =>
      this.#options.sqs.send(
        new DeleteMessageCommand({
          QueueUrl: this.#options.queueUrl,
          ReceiptHandle: message.ReceiptHandle,
        }),
      ),
    ).catch((error: unknown) => {
      // The message will be delivered again; handlers are idempotent, so that is safe.
      if (isUnreachable(error)) this.#outage.failed(error);
      else this.#options.logger.warn({ err: error, messageId: message.MessageId }, 'delete failed');
    });
  }

  async #setVisibility(message: Message, seconds: number): Promise<void> {
    await this.#options.sqs
      .send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.#options.queueUrl,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: Math.min(43_200, Math.max(0, seconds)),
        }),
      )
      .catch((error: unknown) => {
        if (isUnreachable(error)) this.#outage.failed(error);
        else
          this.#options.logger.warn(
            { err: error, messageId: message.MessageId },
            'visibility change failed',
          );
      });
  }

  /** A method, not a field read, so flow analysis does not assume it is unchanged after await. */
  #isStopping(): boolean {
    return this.#stopping;
  }

  #waitForSlot(): Promise<void> {
    if (this.#inFlight.size < this.#options.concurrency) return Promise.resolve();
    return new Promise((resolve) => {
      this.#slotFreed = () => {
        this.#slotFreed = undefined;
        resolve();
      };
    });
  }
}

async function retry<T>(operation: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await sleep(backoffDelayMs(attempt, 200));
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
