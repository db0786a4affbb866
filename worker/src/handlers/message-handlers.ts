import {
  AppError,
  chunkQueueMessage,
  controlQueueMessage,
  InputFileError,
  JobStateConflictError,
  type JobStore,
  type Logger,
} from '@contacts/shared';
import { ProviderUnauthorizedError } from '@contacts/enrichment';
import type { z } from 'zod';
import type { DeliveryContext, FailureDisposition, MessageHandler } from '../queue/consumer.ts';
import type { PipelineDeps } from '../pipeline-deps.ts';
import { handleChunk } from './chunk.ts';
import { handleDirectoryIndex } from './directory-index.ts';
import { handleMerge } from './merge.ts';
import { handlePage } from './page.ts';
import { handlePageFetch } from './page-fetch.ts';
import { handleWriteBack } from './write-back.ts';
import { handleSplit } from './split.ts';
import {
  handleWebhookDelivery,
  handleWebhookEvent,
  type WebhookDeps,
} from '../webhooks/webhook-handlers.ts';

/** A body that is not a message we know. It can never succeed, so it is not retried. */
export class PoisonMessageError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('message_invalid', message, options);
  }
}

/**
 * Bad input files fail their job at once; unreadable messages go straight to the DLQ; a step
 * whose job was cancelled, or whose stage lease another delivery took over, is dropped: retrying
 * it can only be refused again, and failing the job would be wrong.
 */
export function classifyFailure(error: unknown): FailureDisposition {
  if (error instanceof PoisonMessageError) return 'dead-letter';
  if (error instanceof InputFileError) return 'settle';
  // The provider refused the key: every retry would be refused too (and counted).
  if (error instanceof ProviderUnauthorizedError) return 'settle';
  if (error instanceof JobStateConflictError) return 'discard';
  return 'retry';
}

/** Job stages, and webhook work (fan-out of a job's end, delivery attempts). */
export function controlQueueHandler(deps: PipelineDeps, webhooks: WebhookDeps): MessageHandler {
  const handler = queueHandler(deps, controlQueueMessage, (message, context) => {
    switch (message.type) {
      case 'job.split':
        return handleSplit(deps, message, context);
      case 'job.merge':
        return handleMerge(deps, message, context);
      case 'webhook.event':
        return handleWebhookEvent(webhooks, message, context.logger);
      case 'webhook.deliver':
        return handleWebhookDelivery(webhooks, message, context.logger);
      case 'directory.index':
        return handleDirectoryIndex(deps, message, context);
    }
  });
  return {
    handle: (body, context) => handler.handle(body, context),
    async onRetriesExhausted(body, error, context) {
      // Webhook work belongs to a job that already ended, and a directory's index to no job
      // (the first job builds it on demand): there is nothing to fail.
      if (/"type"\s*:\s*"(webhook|directory)\./.test(body)) {
        context.logger.error({ err: error }, 'control message failed every attempt');
        return;
      }
      await handler.onRetriesExhausted?.(body, error, context);
    },
  };
}

export function chunkQueueHandler(deps: PipelineDeps): MessageHandler {
  return queueHandler(deps, chunkQueueMessage, (message, context) => {
    switch (message.type) {
      case 'chunk.process':
        return handleChunk(deps, message, context);
      case 'page.fetch':
        return handlePageFetch(deps, message, context);
      case 'page.process':
        return handlePage(deps, message, context);
      case 'writeback.batch':
        return handleWriteBack(deps, message, context);
    }
  });
}

function queueHandler<T extends { type: string; jobId?: string; directoryId?: string }>(
  deps: PipelineDeps,
  schema: z.ZodType<T>,
  run: (message: T, context: DeliveryContext) => Promise<void>,
): MessageHandler {
  return {
    async handle(body, context) {
      const message = parseMessage(schema, body);
      const { jobId, directoryId, type } = message;
      const logger = context.logger.child(
        jobId === undefined ? { directoryId, type } : { jobId, type },
      );
      await run(message, { ...context, logger });
    },
    async onRetriesExhausted(body, error, context) {
      await failJob(deps.jobs, deps.logger, body, error, context);
    },
  };
}

function parseMessage<T>(schema: z.ZodType<T>, body: string): T {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new PoisonMessageError('message body is not JSON', { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new PoisonMessageError(`message does not match any known type: ${parsed.error.message}`);
  return parsed.data;
}

/** Ends the job a hopeless message belongs to, so it never stays stuck in processing. */
async function failJob(
  jobs: JobStore,
  logger: Logger,
  body: string,
  error: unknown,
  context: DeliveryContext,
): Promise<void> {
  const jobId = jobIdOf(body);
  if (jobId === undefined) {
    logger.error(
      { messageId: context.messageId },
      'poison message names no job; left for the dead-letter queue',
    );
    return;
  }
  const failure =
    error instanceof InputFileError || error instanceof ProviderUnauthorizedError
      ? { code: error.code, message: error.message }
      : {
          code: 'processing_failed',
          message: `a step of this job failed ${context.receiveCount} times: ${describe(error)}`,
        };
  if (await jobs.fail(jobId, failure)) logger.warn({ jobId, failure }, 'job failed');
}

function jobIdOf(body: string): string | undefined {
  try {
    const value: unknown = JSON.parse(body);
    if (
      typeof value === 'object' &&
      value !== null &&
      'jobId' in value &&
      typeof value.jobId === 'string'
    ) {
      return value.jobId;
    }
  } catch {
    // not JSON: no job to fail
  }
  return undefined;
}

function describe(error: unknown): string {
  if (error instanceof AppError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.name : 'unknown error';
}
