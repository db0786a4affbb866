import { setTimeout as delay } from 'node:timers/promises';
import { backoffDelayMs } from './backoff.ts';
import { DependencyError } from './errors.ts';

/*
 * The one retry policy of this codebase, layered on the AWS SDK's own:
 *
 * 1. Per call, the SDK retries throttling, 5xx and network errors (`maxAttempts` in
 *    aws-clients.ts, with its own jittered backoff). Nothing here retries those errors again.
 * 2. `retry()` covers only what the SDK does not retry: entries a batch call answered as not
 *    processed (SendMessageBatch `Failed`, BatchWriteItem `UnprocessedItems`), waiting for an
 *    outage to end (start-up), a condition that becomes true later. `shouldRetry` is required,
 *    so every caller names the failures it retries and an SDK error is never tried
 *    attempts × maxAttempts times by accident.
 * 3. A message handler that fails is not retried in process at all: the message becomes visible
 *    again and SQS's receive count and redrive policy bound its retries (queue/consumer.ts).
 */

export interface RetryOptions {
  /** Tries in all, the first included: at least 1; `Infinity` with `deadlineMs`. */
  readonly attempts: number;
  /** First wait before jitter; doubles per retry up to `capMs` (see backoffDelayMs). */
  readonly baseMs?: number;
  readonly capMs?: number;
  /** No retry starts later than this many milliseconds after the first try. */
  readonly deadlineMs?: number;
  /** Ends a wait at once; the promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Whether a failure is worth another try; any other failure is thrown at once. */
  readonly shouldRetry: (error: unknown) => boolean;
  /**
   * The least wait a failure asks for (a server's Retry-After, in ms); the backoff's own delay
   * is used when it is longer.
   */
  readonly minDelayMs?: (error: unknown) => number | undefined;
  /** Told before each wait (to log an outage once, for instance). */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Runs `operation` until it succeeds, with jittered exponential waits between tries. */
export async function retry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { attempts, baseMs = 100, capMs = 5_000, deadlineMs = Infinity, signal } = options;
  if (!(attempts >= 1) || (!Number.isInteger(attempts) && attempts !== Infinity))
    throw new RangeError('attempts must be an integer of at least 1, or Infinity');
  if (attempts === Infinity && deadlineMs === Infinity)
    throw new RangeError('endless attempts need a deadlineMs');
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await operation(attempt);
    } catch (error) {
      const left = deadline - Date.now();
      if (attempt >= attempts || left <= 0 || !options.shouldRetry(error)) throw error;
      const asked = options.minDelayMs?.(error) ?? 0;
      const wait = Math.min(Math.max(backoffDelayMs(attempt, baseMs, capMs), asked), left);
      options.onRetry?.(error, attempt, wait);
      await delay(wait, undefined, signal === undefined ? {} : { signal }).catch(() => {
        // An aborted wait: report the caller's reason, not the timer's AbortError.
        signal?.throwIfAborted();
      });
    }
  }
}

/** Some entries of a batch call were not processed; retried by `retryUnprocessed`. */
export class UnprocessedEntriesError extends DependencyError {
  readonly count: number;

  constructor(what: string, count: number) {
    super(`${count} ${what} were not processed`);
    this.count = count;
  }
}

/**
 * Sends `items` with one batch call, then only the ones it left unprocessed, until none is left
 * or the tries run out (then throws UnprocessedEntriesError). `send` returns the items left;
 * an error it throws (the SDK already retried it) ends the whole thing at once.
 */
export async function retryUnprocessed<T>(
  items: readonly T[],
  send: (items: readonly T[]) => Promise<readonly T[]>,
  options: { what: string; attempts?: number; baseMs?: number; capMs?: number },
): Promise<void> {
  let pending = items;
  await retry(
    async () => {
      pending = await send(pending);
      if (pending.length > 0) throw new UnprocessedEntriesError(options.what, pending.length);
    },
    {
      attempts: options.attempts ?? 5,
      baseMs: options.baseMs ?? 100,
      capMs: options.capMs ?? 2_000,
      shouldRetry: (error) => error instanceof UnprocessedEntriesError,
    },
  );
}
