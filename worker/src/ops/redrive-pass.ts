import type { Message } from '@aws-sdk/client-sqs';
import type { DeadLetterQueueName, DeadLetterRoute } from './dead-letter-routes.ts';
import { idOf } from './dead-letter-sqs.ts';
import { summarizeBody } from './message-summary.ts';

/** Rounds in a row that bring no new message before a redrive pass ends. */
const IDLE_ROUNDS_TO_STOP = 3;

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

/** The SQS calls a pass makes (DeadLetterSqs), and how long it hides what it leaves behind. */
export interface PassDeps {
  receive(queueUrl: string, max: number, visibilitySeconds: number): Promise<Message[]>;
  release(queueUrl: string, messages: readonly Message[]): Promise<void>;
  send(queueUrl: string, messages: readonly Message[]): Promise<Map<Message, string>>;
  remove(queueUrl: string, messages: readonly Message[]): Promise<Map<Message, string>>;
  readonly visibilitySeconds: number;
}

/** One redrive of one DLQ: the state of a pass, kept out of the long-lived class. */
export class RedrivePass {
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

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
