import type { Message } from '@aws-sdk/client-sqs';
import { backoffDelayMs, InputFileError, isUnreachable, type OutageLog } from '@contacts/shared';
import {
  DeferDeliveryError,
  MAX_VISIBILITY_SECONDS,
  type DeliveryContext,
  type FailureDisposition,
  type MessageHandler,
} from './message-handler.ts';
import type { QueueMessages } from './queue-messages.ts';

export interface FailureDeps {
  readonly handler: MessageHandler;
  readonly messages: QueueMessages;
  /** Handlers failing because S3, SQS or DynamoDB is down: logged once per outage. */
  readonly handlerOutage: OutageLog;
  readonly classify?: ((error: unknown) => FailureDisposition) | undefined;
  /** Where `dead-letter` sends a message; without it the message stays for SQS's redrive. */
  readonly deadLetterQueueUrl?: string | undefined;
}

/**
 * Does what a handler's failure calls for (see FailureDisposition). A retried message comes back
 * after a backoff that grows with its receive count; SQS's redrive policy bounds the retries, so
 * nothing here runs the handler again.
 */
export async function disposeOfFailure(
  deps: FailureDeps,
  message: Message,
  error: unknown,
  context: DeliveryContext,
): Promise<void> {
  if (error instanceof DeferDeliveryError) {
    context.logger.info({ retryAfterSeconds: error.retryAfterSeconds }, error.message);
    const seconds = Math.min(MAX_VISIBILITY_SECONDS, Math.max(1, error.retryAfterSeconds));
    await deps.messages.setVisibility(message, seconds);
    return;
  }
  const disposition = deps.classify?.(error) ?? 'retry';
  if (disposition === 'discard') {
    context.logger.info({ err: error }, 'message discarded: its job moved on');
    await deps.messages.delete(message);
    return;
  }
  const permanent = disposition !== 'retry';
  // The last attempt is logged in full: it fails the job, and an outage line may be old.
  if (disposition === 'retry' && !context.isLastAttempt && isUnreachable(error)) {
    deps.handlerOutage.failed(error);
    context.logger.debug({ err: error }, 'message handler failed: dependency unreachable');
  } else if (error instanceof InputFileError) {
    // A user's file we cannot read is their input, not our failure: the job says why, and a
    // stack trace would only suggest a crash.
    context.logger.warn(
      { code: error.code, reason: error.message, disposition },
      'input file refused',
    );
  } else context.logger.error({ err: error, disposition }, 'message handler failed');
  if (permanent || context.isLastAttempt) {
    await deps.handler
      .onRetriesExhausted?.(message.Body ?? '', error, context)
      .catch((cleanupError: unknown) => {
        context.logger.error({ err: cleanupError }, 'retries-exhausted cleanup failed');
      });
  }
  if (disposition === 'dead-letter') {
    if (deps.deadLetterQueueUrl !== undefined)
      await deps.messages.moveTo(deps.deadLetterQueueUrl, message, context.logger);
  } else if (disposition === 'settle') await deps.messages.delete(message);
  else
    await deps.messages.setVisibility(
      message,
      Math.ceil(backoffDelayMs(context.receiveCount) / 1000),
    );
}
