import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { AppError, type JobStatus, type QueueUrls } from '@contacts/shared';
import { summarizeBody, type MessageSummary } from './message-summary.ts';

const BATCH_LIMIT = 10;

/** Rounds in a row that bring no new message before a redrive pass ends. */
const IDLE_ROUNDS_TO_STOP = 3;

export const DEAD_LETTER_QUEUES = ['control', 'chunks'] as const;
export type DeadLetterQueueName = (typeof DEAD_LETTER_QUEUES)[number];
export type QueueSelection = DeadLetterQueueName | 'all';

/** A dead-letter queue and the work queue its messages came from (where redrive sends them). */
export interface DeadLetterRoute {
  readonly name: DeadLetterQueueName;
  readonly dlqUrl: string;
  readonly sourceUrl: string;
}

/** Control first: one stuck control message holds up a whole job. */
export function deadLetterRoutes(urls: QueueUrls): readonly DeadLetterRoute[] {
  return [
    { name: 'control', dlqUrl: urls.controlDlq, sourceUrl: urls.control },
    { name: 'chunks', dlqUrl: urls.chunkDlq, sourceUrl: urls.chunk },
  ];
}

export interface DeadLetter {
  readonly queue: DeadLetterQueueName;
  readonly messageId: string;
  /** SQS's count of deliveries, including the ones listings made. */
  readonly receiveCount: number;
  /** When the message was first sent (dead-lettering keeps the original time), ISO 8601. */
  readonly sentAt?: string;
  readonly summary: MessageSummary;
  /** The job's status now; `not_found` when it is gone; absent when the body names no job. */
  readonly jobStatus?: JobStatus | 'not_found';
}

export interface QueueDepth {
  readonly queue: DeadLetterQueueName;
  readonly visible: number;
  /** Hidden right now (another operator's listing or redrive holds them). */
  readonly inFlight: number;
}

export interface RedriveResult {
  readonly queue: DeadLetterQueueName;
  /** Sent back to the work queue and deleted from the DLQ. */
  readonly moved: number;
  /** Sent back, but the DLQ delete failed: in both queues now, which idempotent handlers allow. */
  readonly duplicated: readonly FailedMessage[];
  /** The work queue refused them; they stay in the DLQ. */
  readonly failed: readonly FailedMessage[];
  /** Left in the DLQ on purpose. */
  readonly skipped: {
    /** Filtered out by `jobId`. */
    readonly otherJob: number;
    /** No handler can read the body: sending it back would only dead-letter it again. */
    readonly invalid: number;
    /** Arrived after the pass started (maybe redriven by this pass and dead again): not looped. */
    readonly newerThanPass: number;
  };
}

export interface FailedMessage {
  readonly messageId: string;
  readonly reason: string;
}

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

export interface DeadLetterQueuesOptions {
  readonly sqs: SQSClient;
  readonly routes: readonly DeadLetterRoute[];
  /** The current status of a job, shown in listings; listings show none without it. */
  readonly jobStatus?: (jobId: string) => Promise<JobStatus | undefined>;
  /**
   * SQS cannot peek: a listing receives the messages, which hides them from everyone else until
   * it hands them back (at once, or at the latest after this many seconds).
   */
  readonly listVisibilitySeconds?: number;
  /** How long a redrive pass hides the messages it leaves behind, so it reads each only once. */
  readonly redriveVisibilitySeconds?: number;
  /** Long polling asks every SQS server, so an empty answer means the queue is really empty. */
  readonly waitTimeSeconds?: number;
  readonly now?: () => number;
}

/**
 * Operator access to the dead-letter queues: list what sits there and move messages back to the
 * queue they came from. Built from receive, send and delete, which every SQS implementation has
 * (the emulator has no StartMessageMoveTask).
 */
export class DeadLetterQueues {
  readonly #sqs: SQSClient;
  readonly #routes: readonly DeadLetterRoute[];
  readonly #jobStatus: ((jobId: string) => Promise<JobStatus | undefined>) | undefined;
  readonly #listVisibility: number;
  readonly #redriveVisibility: number;
  readonly #waitTimeSeconds: number;
  readonly #now: () => number;

  constructor(options: DeadLetterQueuesOptions) {
    this.#sqs = options.sqs;
    this.#routes = options.routes;
    this.#jobStatus = options.jobStatus;
    // At least 1: with 0 each message is back at once, so the next receive returns it again.
    this.#listVisibility = integerIn(
      'listVisibilitySeconds',
      options.listVisibilitySeconds ?? 5,
      1,
      30,
    );
    this.#redriveVisibility = integerIn(
      'redriveVisibilitySeconds',
      options.redriveVisibilitySeconds ?? 60,
      1,
      43_200,
    );
    this.#waitTimeSeconds = integerIn('waitTimeSeconds', options.waitTimeSeconds ?? 1, 0, 20);
    this.#now = options.now ?? Date.now;
  }

  /** Approximate message counts (SQS's own figures; no message is touched). */
  async depth(queue: QueueSelection): Promise<QueueDepth[]> {
    return Promise.all(this.#select(queue).map((route) => this.#depth(route)));
  }

  /**
   * Up to `max` messages in total (control DLQ first), each with its job's current status.
   * Reads them with a short visibility timeout and hands them back before returning.
   */
  async list(options: { queue: QueueSelection; max: number }): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    for (const route of this.#select(options.queue)) {
      const room = options.max - letters.length;
      if (room <= 0) break;
      const messages = await this.#peek(route, room);
      letters.push(...messages.map((message) => toDeadLetter(route.name, message)));
    }
    return this.#withJobStatus(letters);
  }

  /**
   * Moves up to `max` messages (of one job, with `jobId`) back to the queues they died in:
   * send first, then delete from the DLQ, so a failed send loses nothing and a failed delete
   * only duplicates a message, which idempotent handlers absorb.
   */
  async redrive(options: {
    queue: QueueSelection;
    max: number;
    jobId?: string;
  }): Promise<RedriveResult[]> {
    const results: RedriveResult[] = [];
    let budget = options.max;
    for (const route of this.#select(options.queue)) {
      if (budget <= 0) break;
      const result = await new RedrivePass(this.#passDeps(), route, {
        max: budget,
        startedAt: this.#now(),
        ...(options.jobId === undefined ? {} : { jobId: options.jobId }),
      }).run();
      budget -= result.moved + result.duplicated.length + result.failed.length;
      results.push(result);
    }
    return results;
  }

  #select(queue: QueueSelection): readonly DeadLetterRoute[] {
    return queue === 'all' ? this.#routes : this.#routes.filter((route) => route.name === queue);
  }

  #passDeps(): PassDeps {
    return {
      receive: (url, max, visibility) => this.#receive(url, max, visibility),
      release: (url, messages) => this.#release(url, messages),
      send: (url, messages) => this.#send(url, messages),
      remove: (url, messages) => this.#remove(url, messages),
      visibilitySeconds: this.#redriveVisibility,
    };
  }

  async #depth(route: DeadLetterRoute): Promise<QueueDepth> {
    try {
      const output = await this.#sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: route.dlqUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return {
        queue: route.name,
        visible: Number(output.Attributes?.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(output.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
      };
    } catch (error) {
      throw new DeadLetterQueueError(`reading the depth of ${route.dlqUrl} failed`, {
        queueUrl: route.dlqUrl,
        cause: error,
      });
    }
  }

  /** The closest SQS has to a peek: receive distinct messages, then hand them all back. */
  async #peek(route: DeadLetterRoute, max: number): Promise<Message[]> {
    const seen = new Map<string, Message>();
    try {
      while (seen.size < max) {
        const batch = await this.#receive(route.dlqUrl, max - seen.size, this.#listVisibility);
        const fresh = batch.filter((message) => !seen.has(idOf(message)));
        // The newest receipt handle is the one that can hand a message back.
        for (const message of batch) seen.set(idOf(message), message);
        if (fresh.length === 0) break;
      }
    } catch (error) {
      // The receive error is the one to report; unreleased messages reappear within seconds.
      await this.#release(route.dlqUrl, [...seen.values()]).catch(() => undefined);
      throw error;
    }
    await this.#release(route.dlqUrl, [...seen.values()]);
    return [...seen.values()];
  }

  async #withJobStatus(letters: readonly DeadLetter[]): Promise<DeadLetter[]> {
    const lookup = this.#jobStatus;
    if (lookup === undefined) return [...letters];
    const jobIds = [...new Set(letters.flatMap((letter) => letter.summary.jobId ?? []))];
    const statuses = new Map(
      await Promise.all(
        jobIds.map(async (jobId) => [jobId, (await lookup(jobId)) ?? 'not_found'] as const),
      ),
    );
    return letters.map((letter) => {
      const status =
        letter.summary.jobId === undefined ? undefined : statuses.get(letter.summary.jobId);
      return status === undefined ? letter : { ...letter, jobStatus: status };
    });
  }

  async #receive(queueUrl: string, max: number, visibilitySeconds: number): Promise<Message[]> {
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
  async #release(queueUrl: string, messages: readonly Message[]): Promise<void> {
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
  async #send(queueUrl: string, messages: readonly Message[]): Promise<Map<Message, string>> {
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
  async #remove(queueUrl: string, messages: readonly Message[]): Promise<Map<Message, string>> {
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

interface PassDeps {
  receive(queueUrl: string, max: number, visibilitySeconds: number): Promise<Message[]>;
  release(queueUrl: string, messages: readonly Message[]): Promise<void>;
  send(queueUrl: string, messages: readonly Message[]): Promise<Map<Message, string>>;
  remove(queueUrl: string, messages: readonly Message[]): Promise<Map<Message, string>>;
  readonly visibilitySeconds: number;
}

/** One redrive of one DLQ: the state of a pass, kept out of the long-lived class. */
class RedrivePass {
  readonly #deps: PassDeps;
  readonly #route: DeadLetterRoute;
  readonly #options: { max: number; startedAt: number; jobId?: string };
  /** Messages left in the DLQ, hidden until the pass ends so they are read only once. */
  readonly #leftBehind = new Map<string, Message>();
  /** Every message id this pass has dealt with, so none is handled twice. */
  readonly #seen = new Set<string>();
  #moved = 0;
  readonly #duplicated: FailedMessage[] = [];
  readonly #failed: FailedMessage[] = [];
  readonly #skipped = { otherJob: 0, invalid: 0, newerThanPass: 0 };

  constructor(
    deps: PassDeps,
    route: DeadLetterRoute,
    options: { max: number; startedAt: number; jobId?: string },
  ) {
    this.#deps = deps;
    this.#route = route;
    this.#options = options;
  }

  async run(): Promise<RedriveResult> {
    let failure: Error | undefined;
    try {
      await this.#moveAll();
    } catch (error) {
      failure = asError(error);
    }
    try {
      await this.#deps.release(this.#route.dlqUrl, [...this.#leftBehind.values()]);
    } catch (releaseError) {
      // What stopped the pass matters more; unreleased messages reappear after their timeout.
      failure ??= asError(releaseError);
    }
    if (failure !== undefined) throw failure;
    return {
      queue: this.#route.name,
      moved: this.#moved,
      duplicated: this.#duplicated,
      failed: this.#failed,
      skipped: { ...this.#skipped },
    };
  }

  async #moveAll(): Promise<void> {
    let idleRounds = 0;
    while (this.#attempted() < this.#options.max) {
      const room = this.#options.max - this.#attempted();
      const batch = await this.#deps.receive(
        this.#route.dlqUrl,
        room,
        this.#deps.visibilitySeconds,
      );
      const fresh = batch.filter((message) => !this.#seen.has(idOf(message)));
      // Seen again (the pass outlived their visibility): keep the newest handle to release.
      for (const message of batch) {
        if (this.#leftBehind.has(idOf(message))) this.#leftBehind.set(idOf(message), message);
        this.#seen.add(idOf(message));
      }
      // A receive may return only messages seen before (SQS samples its servers, and a long
      // pass outlives their visibility): stop only after a few rounds with nothing new.
      if (fresh.length === 0) {
        if (++idleRounds >= IDLE_ROUNDS_TO_STOP) return;
        continue;
      }
      idleRounds = 0;
      await this.#moveBack(fresh.filter((message) => this.#shouldMove(message)));
    }
  }

  #attempted(): number {
    return this.#moved + this.#duplicated.length + this.#failed.length;
  }

  /** Counts and keeps back what this pass must not move. */
  #shouldMove(message: Message): boolean {
    const summary = summarizeBody(message.Body ?? '');
    const sentAt = Number(message.Attributes?.SentTimestamp ?? 0);
    let reason: keyof RedriveResult['skipped'] | undefined;
    if (this.#options.jobId !== undefined && summary.jobId !== this.#options.jobId)
      reason = 'otherJob';
    else if (!summary.valid) reason = 'invalid';
    else if (sentAt >= this.#options.startedAt) reason = 'newerThanPass';
    if (reason === undefined) return true;
    this.#skipped[reason]++;
    this.#leftBehind.set(idOf(message), message);
    return false;
  }

  async #moveBack(messages: readonly Message[]): Promise<void> {
    if (messages.length === 0) return;
    // A send that throws moved nothing of this batch: it stays in the DLQ (released below).
    const refused = await this.#deps
      .send(this.#route.sourceUrl, messages)
      .catch((error: unknown) => {
        for (const message of messages) this.#leftBehind.set(idOf(message), message);
        throw error;
      });
    for (const [message, reason] of refused) {
      this.#failed.push({ messageId: idOf(message), reason });
      this.#leftBehind.set(idOf(message), message);
    }
    const sent = messages.filter((message) => !refused.has(message));
    if (sent.length === 0) return;
    const undeleted = await this.#deps.remove(this.#route.dlqUrl, sent);
    for (const [message, reason] of undeleted)
      this.#duplicated.push({ messageId: idOf(message), reason });
    this.#moved += sent.length - undeleted.size;
  }
}

function toDeadLetter(queue: DeadLetterQueueName, message: Message): DeadLetter {
  const sent = Number(message.Attributes?.SentTimestamp);
  return {
    queue,
    messageId: idOf(message),
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    ...(Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent).toISOString() } : {}),
    summary: summarizeBody(message.Body ?? ''),
  };
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${name} must be an integer from ${min} to ${max}`);
  return value;
}

function idOf(message: Message): string {
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

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
