import { PassThrough, type Readable } from 'node:stream';
import { once } from 'node:events';
import {
  exceedsRejectTolerance,
  formatCsvRow,
  JobStateConflictError,
  objectKeys,
  outputChunksOf,
  type Job,
  type JobError,
  type MergeMessage,
} from '@contacts/shared';
// The rejects file is written in the one format the local CLI writes too.
import { formatRejectsHeader } from '@contacts/enrichment';
import type { DeliveryContext } from '../queue/consumer.ts';
import type { PipelineDeps } from '../pipeline-deps.ts';
import { holdStageLease, runStage, type StageLease } from './stage-lease.ts';

/**
 * Merge: streams the header and then every part, in chunk order, into one multipart upload
 * (small parts are combined into 8 MiB upload parts, never copied one by one), does the same
 * for rejects, marks the job completed and deletes the work objects. A job that rejected more
 * rows than its options tolerate gets only its rejects file and fails with the counts. Holds the
 * merge lease, so a duplicate merge message never runs alongside; a redelivery after a crash
 * starts over and overwrites the same keys.
 */
export async function handleMerge(
  deps: PipelineDeps,
  message: MergeMessage,
  context: DeliveryContext,
): Promise<void> {
  await runStage(deps, message.jobId, context, {
    name: 'merge',
    from: 'processing',
    to: 'merging',
    requireAllChunks: true,
    run: (job, leased) => mergeUnderLease(deps, job, leased),
  });
}

/** The merge itself, once its lease is ours. */
async function mergeUnderLease(
  deps: PipelineDeps,
  job: Job,
  context: DeliveryContext & { readonly holder: string },
): Promise<void> {
  const { holder } = context;
  const merging: MergeContext = {
    ...context,
    lease: holdStageLease(deps, job.id, 'merge', context),
  };
  const overTolerance = exceedsRejectTolerance(job);
  const written: { resultKey?: string; rejectsKey?: string } = {};
  try {
    if (!overTolerance) written.resultKey = await mergeResult(deps, job, merging);
    if (job.rowsRejected > 0 || (job.writeBackErrors ?? 0) > 0)
      written.rejectsKey = await mergeRejects(deps, job, merging);
    await deps.jobs.updateUnderLease(
      job.id,
      { status: 'merging', holder },
      { ...written, ...(overTolerance ? { error: toleranceError(job) } : {}) },
      { to: overTolerance ? 'failed' : 'completed', releaseLease: true },
    );
  } catch (error) {
    // Cancelled while merging: what we wrote must not be published. (Not when another delivery
    // took the lease over: it writes the same keys, and they may be its result by now.)
    if (await wasCancelled(deps, job.id, error)) {
      await deps.objects.deleteKeys(Object.values(written));
      throw new JobStateConflictError(`job ${job.id} was cancelled while merging`, {
        status: 'cancelled',
        cause: error,
      });
    }
    throw error;
  }
  if (overTolerance) context.logger.warn({ error: toleranceError(job) }, 'job failed');
  else
    context.logger.info({ rows: job.rowsProcessed, rejected: job.rowsRejected }, 'job completed');
  // After completion, so a crash here can only leave garbage (expired by lifecycle), never a
  // job whose parts are gone before its result exists.
  const deleted = await deps.objects
    .deletePrefix(objectKeys.workPrefix(job))
    .catch((error: unknown) => {
      context.logger.warn(
        { err: error },
        'could not delete work objects; lifecycle will expire them',
      );
      return 0;
    });
  context.logger.debug({ deleted }, 'work objects deleted');
}

async function mergeResult(deps: PipelineDeps, job: Job, context: MergeContext): Promise<string> {
  const enricher = await deps.enrichers(job);
  const key = objectKeys.result(job);
  await concatenate(deps, key, formatCsvRow(enricher.outputColumns), context, {
    parts: partKeys(job, objectKeys.part, outputChunksOf(job)),
    partsOptional: false,
  });
  return key;
}

/** Only chunks that rejected rows wrote a rejects part. */
async function mergeRejects(deps: PipelineDeps, job: Job, context: MergeContext): Promise<string> {
  const key = objectKeys.rejects(job);
  await concatenate(deps, key, formatRejectsHeader(), context, {
    parts: partKeys(job, objectKeys.rejectsPart, job.chunksTotal ?? 0),
    partsOptional: true,
  });
  return key;
}

type MergeContext = DeliveryContext & { readonly lease: StageLease };

/**
 * A cancel shows as a refused write, a lost lease, or (when the API already deleted the parts)
 * a failed read: the job's status tells them apart from real failures.
 */
async function wasCancelled(deps: PipelineDeps, jobId: string, error: unknown): Promise<boolean> {
  if (error instanceof JobStateConflictError && error.status !== undefined)
    return error.status === 'cancelled';
  const current = await deps.jobs.get(jobId).catch(() => undefined);
  return current?.status === 'cancelled';
}

function toleranceError(job: Job): JobError {
  const share = ((job.rowsRejected / job.rowsProcessed) * 100).toFixed(1);
  return {
    code: 'too_many_rejected_rows',
    message:
      `${job.rowsRejected} of ${job.rowsProcessed} rows (${share}%) were rejected; the job ` +
      `tolerates at most ${job.options.toleratedRejectPercent}%. The rejects file lists each row and why.`,
  };
}

/** A Mailchimp job's write-back batches come after its pages: they add rejects, not rows. */
function partKeys(job: Job, keyOf: (job: Job, index: number) => string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => keyOf(job, index));
}

async function concatenate(
  deps: PipelineDeps,
  key: string,
  header: string,
  context: MergeContext,
  source: { parts: readonly string[]; partsOptional: boolean },
): Promise<void> {
  const body = new PassThrough();
  const upload = deps.objects.upload(key, body, { signal: context.signal });
  try {
    body.write(header);
    for (const partKey of source.parts) {
      context.signal.throwIfAborted();
      context.lease.assertHeld();
      const part: Readable | undefined = source.partsOptional
        ? await deps.objects.readIfExists(partKey)
        : await deps.objects.read(partKey);
      if (part) await copyInto(part, body);
    }
    body.end();
  } catch (error) {
    body.destroy(error as Error);
    await upload.catch(() => undefined);
    throw error;
  }
  await upload;
}

/** Appends a stream to `target` respecting back-pressure, leaving `target` open for the next. */
async function copyInto(source: Readable, target: PassThrough): Promise<void> {
  for await (const chunk of source as AsyncIterable<Buffer>) {
    if (!target.write(chunk)) await once(target, 'drain');
  }
}
