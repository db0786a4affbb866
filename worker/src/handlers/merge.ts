import { PassThrough, type Readable } from 'node:stream';
import { once } from 'node:events';
import { formatCsvRow, objectKeys, type Job, type MergeMessage } from '@contacts/shared';
import type { DeliveryContext } from '../queue/consumer.ts';
import type { PipelineDeps } from '../pipeline-deps.ts';

export const REJECTS_COLUMNS = ['row_number', 'reason'];

/**
 * Merge: streams the header and then every part, in chunk order, into one multipart upload
 * (small parts are combined into 8 MiB upload parts, never copied one by one), does the same
 * for rejects, marks the job completed and deletes the work objects. Holds the merge lease, so
 * a duplicate merge message never runs alongside; a redelivery after a crash starts over and
 * overwrites the same keys.
 */
export async function handleMerge(
  deps: PipelineDeps,
  message: MergeMessage,
  context: DeliveryContext,
): Promise<void> {
  const claim = await deps.jobs.claimStage(message.jobId, {
    from: 'processing',
    to: 'merging',
    holder: context.messageId,
    leaseMs: deps.leaseMs,
    requireAllChunks: true,
  });
  if (!claim.claimed) {
    context.logger.info({ status: claim.job?.status }, 'merge skipped: not ours to run');
    return;
  }
  context.onHeartbeat(async () => {
    await deps.jobs.renewLease(message.jobId, context.messageId, deps.leaseMs);
  });
  const job = claim.job;
  const enricher = await deps.enrichers(job);
  const resultKey = objectKeys.result(job);
  await concatenate(deps, resultKey, formatCsvRow(enricher.outputColumns), context, {
    parts: partKeys(job, objectKeys.part),
    partsOptional: false,
  });
  let rejectsKey: string | undefined;
  if (job.rowsRejected > 0) {
    rejectsKey = objectKeys.rejects(job);
    // Only chunks that rejected rows wrote a rejects part.
    await concatenate(deps, rejectsKey, formatCsvRow(REJECTS_COLUMNS), context, {
      parts: partKeys(job, objectKeys.rejectsPart),
      partsOptional: true,
    });
  }
  await deps.jobs.updateUnderLease(
    job.id,
    { status: 'merging', holder: context.messageId },
    { resultKey, ...(rejectsKey === undefined ? {} : { rejectsKey }) },
    { to: 'completed', releaseLease: true },
  );
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

function partKeys(job: Job, keyOf: (job: Job, index: number) => string): string[] {
  return Array.from({ length: job.chunksTotal ?? 0 }, (_, index) => keyOf(job, index));
}

async function concatenate(
  deps: PipelineDeps,
  key: string,
  header: string,
  context: DeliveryContext,
  source: { parts: readonly string[]; partsOptional: boolean },
): Promise<void> {
  const body = new PassThrough();
  const upload = deps.objects.upload(key, body, { signal: context.signal });
  try {
    body.write(header);
    for (const partKey of source.parts) {
      context.signal.throwIfAborted();
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
