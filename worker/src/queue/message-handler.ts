import { AppError, type Logger } from '@contacts/shared';

/**
 * Thrown by a handler whose message cannot be worked on yet, through no failure: another
 * delivery holds the work for a while. The message comes back after `retryAfterSeconds`; it is
 * neither logged as a failure nor cleaned up as a last attempt.
 */
export class DeferDeliveryError extends AppError {
  readonly retryAfterSeconds: number;

  constructor(message: string, options: { retryAfterSeconds: number }) {
    super('delivery_deferred', message);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

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
  /**
   * Says this delivery's work is light (it waits on a remote service, with little CPU or
   * memory): it stops counting against the consumer's concurrency, within the consumer's room
   * for light deliveries, so the next message is received meanwhile.
   */
  markLight(): void;
  /**
   * Says this delivery only has a few short writes left: it counts against nothing any more, so
   * a light delivery's room goes to the next message while it finishes.
   */
  markFinishing(): void;
  readonly logger: Logger;
}

export interface MessageHandler {
  handle(body: string, context: DeliveryContext): Promise<void>;
  /** Called once the last permitted attempt failed, before the message moves to the DLQ. */
  onRetriesExhausted?(body: string, error: unknown, context: DeliveryContext): Promise<void>;
}

/**
 * What a failure means: `retry` returns the message after a backoff; `settle` deletes it after
 * the handler's cleanup (the job already failed with the reason); `discard` deletes it without
 * cleanup (its work is moot: the job was cancelled or moved on); `dead-letter` moves it to the
 * dead-letter queue at once (a body no handler can ever read).
 */
export type FailureDisposition = 'retry' | 'settle' | 'discard' | 'dead-letter';

/** SQS's longest visibility timeout. */
export const MAX_VISIBILITY_SECONDS = 12 * 3600;
