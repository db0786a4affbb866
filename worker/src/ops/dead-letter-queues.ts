import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { JobStatus } from '@contacts/shared';
import type { DeadLetterQueueName, DeadLetterRoute, QueueSelection } from './dead-letter-routes.ts';
import { DeadLetterSqs, idOf } from './dead-letter-sqs.ts';
import { summarizeBody, type MessageSummary } from './message-summary.ts';
import { RedrivePass, type PassDeps, type RedriveResult } from './redrive-pass.ts';

// The facade operator commands (and anything else that lists or redrives) import; the SQS batch
// calls live in dead-letter-sqs.ts and one redrive of one queue in redrive-pass.ts.
export {
  DEAD_LETTER_QUEUES,
  deadLetterRoutes,
  type DeadLetterQueueName,
  type DeadLetterRoute,
  type QueueSelection,
} from './dead-letter-routes.ts';
export { DeadLetterQueueError } from './dead-letter-sqs.ts';
export type { FailedMessage, RedriveResult } from './redrive-pass.ts';

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
  readonly #sqs: DeadLetterSqs;
  readonly #routes: readonly DeadLetterRoute[];
  readonly #jobStatus: ((jobId: string) => Promise<JobStatus | undefined>) | undefined;
  readonly #listVisibility: number;
  readonly #redriveVisibility: number;
  readonly #now: () => number;

  constructor(options: DeadLetterQueuesOptions) {
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
    this.#sqs = new DeadLetterSqs({
      sqs: options.sqs,
      waitTimeSeconds: integerIn('waitTimeSeconds', options.waitTimeSeconds ?? 1, 0, 20),
    });
    this.#now = options.now ?? Date.now;
  }

  /** Approximate message counts (SQS's own figures; no message is touched). */
  async depth(queue: QueueSelection): Promise<QueueDepth[]> {
    return Promise.all(
      this.#select(queue).map(async (route) => ({
        queue: route.name,
        ...(await this.#sqs.depth(route.dlqUrl)),
      })),
    );
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
    const sqs = this.#sqs;
    return {
      receive: (url, max, visibility) => sqs.receive(url, max, visibility),
      release: (url, messages) => sqs.release(url, messages),
      send: (url, messages) => sqs.send(url, messages),
      remove: (url, messages) => sqs.remove(url, messages),
      visibilitySeconds: this.#redriveVisibility,
    };
  }

  /** The closest SQS has to a peek: receive distinct messages, then hand them all back. */
  async #peek(route: DeadLetterRoute, max: number): Promise<Message[]> {
    const seen = new Map<string, Message>();
    try {
      while (seen.size < max) {
        const batch = await this.#sqs.receive(route.dlqUrl, max - seen.size, this.#listVisibility);
        const fresh = batch.filter((message) => !seen.has(idOf(message)));
        // The newest receipt handle is the one that can hand a message back.
        for (const message of batch) seen.set(idOf(message), message);
        if (fresh.length === 0) break;
      }
    } catch (error) {
      // The receive error is the one to report; unreleased messages reappear within seconds.
      await this.#sqs.release(route.dlqUrl, [...seen.values()]).catch(() => undefined);
      throw error;
    }
    await this.#sqs.release(route.dlqUrl, [...seen.values()]);
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
