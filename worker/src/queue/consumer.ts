import { setTimeout as delay } from 'node:timers/promises';
import { ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { backoffDelayMs, OutageLog, type Logger } from '@contacts/shared';
import { disposeOfFailure, type FailureDeps } from './failure-disposition.ts';
import type { DeliveryContext, FailureDisposition, MessageHandler } from './message-handler.ts';
import { QueueMessages } from './queue-messages.ts';
import { heartbeatIntervalMs, startVisibilityHeartbeat } from './visibility-heartbeat.ts';

export type { DeliveryContext, FailureDisposition, MessageHandler } from './message-handler.ts';
export { DeferDeliveryError } from './message-handler.ts';

const POLL_BACKOFF_CAP_MS = 10_000;

export interface ConsumerOptions {
  readonly name: string;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly handler: MessageHandler;
  readonly concurrency: number;
  /** Deliveries that marked themselves light, run besides `concurrency` (default 0). */
  readonly lightConcurrency?: number;
  readonly waitTimeSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly logger: Logger;
  /** What a failure means (see FailureDisposition); `retry` without it. */
  readonly classify?: (error: unknown) => FailureDisposition;
  readonly deadLetterQueueUrl?: string;
  /** Told whenever this consumer goes from idle to busy and back. */
  readonly onBusyChange?: (busy: boolean) => void;
}

type DeliveryMarks = Pick<DeliveryContext, 'markLight' | 'markFinishing'>;

/**
 * What a delivery counts against: `counted` (the concurrency), `wantsLight` (still counted: it
 * marked itself light while the light room was full), `light` (the light room), `finishing`
 * (nothing).
 */
type Stage = 'counted' | 'wantsLight' | 'light' | 'finishing';

interface InFlight {
  readonly message: Message;
  readonly abort: AbortController;
  /** Set as the delivery starts. */
  done: Promise<void>;
  stage: Stage;
  /** When it asked to be light (a sequence number): the light room fills oldest first. */
  askedLight: number;
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
  #lightAsks = 0;
  readonly #pollAbort = new AbortController();
  readonly #outage: OutageLog;
  /** Handlers failing because S3, SQS or DynamoDB is down: logged once per outage too. */
  readonly #handlerOutage: OutageLog;
  readonly #messages: QueueMessages;
  readonly #failures: FailureDeps;
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
    this.#messages = new QueueMessages({
      sqs: options.sqs,
      queueUrl: options.queueUrl,
      outage: this.#outage,
      logger: options.logger,
    });
    this.#failures = {
      handler: options.handler,
      messages: this.#messages,
      handlerOutage: this.#handlerOutage,
      classify: options.classify,
      deadLetterQueueUrl: options.deadLetterQueueUrl,
    };
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
    const timer = delay(deadlineMs, 'timeout' as const, { ref: false });
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
      await Promise.allSettled(
        left.map((flight) => this.#messages.setVisibility(flight.message, 0)),
      );
    }
    await this.#running?.catch(() => undefined);
  }

  async #pollLoop(): Promise<void> {
    let failures = 0;
    while (!this.#stopping) {
      await this.#waitForSlot();
      if (this.#isStopping()) break;
      try {
        const messages = await this.#receive(this.#options.concurrency - this.#heavyCount());
        this.#outage.recovered();
        failures = 0;
        if (this.#isStopping()) {
          // Received while stopping: hand them straight back.
          await Promise.allSettled(
            messages.map((message) => this.#messages.setVisibility(message, 0)),
          );
          break;
        }
        for (const message of messages) this.#dispatch(message);
      } catch (error) {
        if (this.#isStopping()) break;
        failures++;
        this.#outage.failed(error);
        // Capped lower than message retries: after an outage, polling resumes within seconds.
        const wait = backoffDelayMs(failures, 1000, POLL_BACKOFF_CAP_MS);
        // Not retry(): this loop polls for as long as the worker runs; stop() ends the wait.
        await delay(wait, undefined, { signal: this.#pollAbort.signal }).catch(() => undefined);
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
    const flight: InFlight = {
      message,
      abort: new AbortController(),
      done: Promise.resolve(),
      stage: 'counted',
      askedLight: 0,
    };
    this.#inFlight.add(flight);
    if (this.#inFlight.size === 1) this.#options.onBusyChange?.(true);
    // The handler may mark itself light before its first await: the flight is counted already.
    const marks: DeliveryMarks = {
      markLight: () => {
        if (flight.stage !== 'counted' || !this.#inFlight.has(flight)) return;
        flight.stage = 'wantsLight';
        flight.askedLight = ++this.#lightAsks;
        this.#fillLightRoom();
      },
      markFinishing: () => {
        if (flight.stage === 'finishing' || !this.#inFlight.has(flight)) return;
        flight.stage = 'finishing';
        this.#fillLightRoom();
        this.#slotFreed?.();
      },
    };
    flight.done = this.#process(message, flight.abort.signal, marks).finally(() => {
      this.#inFlight.delete(flight);
      this.#fillLightRoom();
      if (this.#inFlight.size === 0) this.#options.onBusyChange?.(false);
      this.#slotFreed?.();
    });
  }

  /** Moves deliveries that asked to be light into the light room, oldest first, while it has room. */
  #fillLightRoom(): void {
    const room = (this.#options.lightConcurrency ?? 0) - this.#count('light');
    const asking = this.#inStage('wantsLight').sort((a, b) => a.askedLight - b.askedLight);
    for (const flight of asking.slice(0, Math.max(0, room))) flight.stage = 'light';
    if (room > 0 && asking.length > 0) this.#slotFreed?.();
  }

  /** Deliveries that count against `concurrency`: all but the light and finishing ones. */
  #heavyCount(): number {
    return this.#count('counted') + this.#count('wantsLight');
  }

  #count(stage: Stage): number {
    let count = 0;
    for (const flight of this.#inFlight) if (flight.stage === stage) count++;
    return count;
  }

  #inStage(stage: Stage): InFlight[] {
    return [...this.#inFlight].filter((flight) => flight.stage === stage);
  }

  /**
   * Room for another message: below concurrency, and no light delivery waiting for the light room
   * (more would only wait too, while another worker could run them).
   */
  #hasRoom(): boolean {
    return this.#heavyCount() < this.#options.concurrency && this.#count('wantsLight') === 0;
  }

  async #process(message: Message, signal: AbortSignal, marks: DeliveryMarks): Promise<void> {
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
      ...marks,
      logger,
    };
    const stopHeartbeat = startVisibilityHeartbeat({
      intervalMs: heartbeatIntervalMs(this.#options.visibilityTimeoutSeconds),
      extend: () => this.#messages.setVisibility(message, this.#options.visibilityTimeoutSeconds),
      renewals,
      outage: this.#handlerOutage,
      logger,
    });
    try {
      await this.#options.handler.handle(message.Body ?? '', context);
      this.#handlerOutage.recovered();
      stopHeartbeat();
      if (!signal.aborted) await this.#messages.delete(message);
    } catch (error) {
      stopHeartbeat();
      if (signal.aborted) return;
      await disposeOfFailure(this.#failures, message, error, context);
    }
  }

  /** A method, not a field read, so flow analysis does not assume it is unchanged after await. */
  #isStopping(): boolean {
    return this.#stopping;
  }

  async #waitForSlot(): Promise<void> {
    while (!this.#hasRoom() && !this.#stopping) {
      await new Promise<void>((resolve) => {
        this.#slotFreed = () => {
          this.#slotFreed = undefined;
          resolve();
        };
      });
    }
  }
}
