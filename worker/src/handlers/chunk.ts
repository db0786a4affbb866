import {
  allChunksDone,
  isFinal,
  objectKeys,
  textKeyOf,
  type ChunkMessage,
  type Job,
} from '@contacts/shared';
import type { JobEnricher } from '@contacts/enrichment';
import { enrichRows, rejectOversizedRow, type EnrichedChunk } from '../csv/enrich-rows.ts';
import type { DeliveryContext } from '../queue/consumer.ts';
import type { PipelineDeps } from '../pipeline-deps.ts';
import { openPinned, pinnedRead } from './pinned-upload.ts';

const ACTIVE: readonly Job['status'][] = ['splitting', 'processing'];

/**
 * Chunk: reads its byte range, enriches the rows and writes a part object under a key fixed by
 * the chunk index, then counts itself done with a conditional write. Running twice rewrites the
 * same part and counts nothing; the write that completes the last chunk enqueues the merge.
 */
export async function handleChunk(
  deps: PipelineDeps,
  message: ChunkMessage,
  context: DeliveryContext,
): Promise<void> {
  const job = await deps.jobs.get(message.jobId);
  if (job?.tenantId !== message.tenantId || !ACTIVE.includes(job.status)) {
    context.logger.info({ status: job?.status }, 'chunk skipped: job not active');
    return;
  }
  const enricher = await deps.enrichers(job);
  const result = await readAndEnrich(deps, job, message, enricher);
  context.signal.throwIfAborted();
  await deps.objects.put(objectKeys.part(job, message.index), result.output);
  if (result.rejected > 0)
    await deps.objects.put(objectKeys.rejectsPart(job, message.index), result.rejects);

  const done = await deps.jobs.recordChunkDone(job.id, {
    index: message.index,
    rows: result.rows,
    rejected: result.rejected,
  });
  if (!done.applied && done.job !== undefined && isFinal(done.job.status)) {
    // Cancelled (or failed) while this chunk ran: its part must not outlive the job's work.
    await discardParts(deps, job, message.index);
    context.logger.info({ status: done.job.status }, 'chunk discarded: job ended meanwhile');
    return;
  }
  if (!done.applied) context.logger.info('chunk was already counted (duplicate delivery)');
  // Re-checked on a duplicate too: a worker that died between counting the last chunk and
  // sending the merge leaves that send to the redelivered message. Merge is idempotent.
  if (done.job?.status === 'processing' && allChunksDone(done.job)) {
    await deps.publisher.sendControl({
      type: 'job.merge',
      v: 1,
      jobId: job.id,
      tenantId: job.tenantId,
    });
  }
}

async function discardParts(deps: PipelineDeps, job: Job, index: number): Promise<void> {
  await deps.objects.deleteKeys([objectKeys.part(job, index), objectKeys.rejectsPart(job, index)]);
}

/** Reads the chunk's bytes (never those of an oversized row) and enriches its rows. */
async function readAndEnrich(
  deps: PipelineDeps,
  job: Job,
  message: ChunkMessage,
  enricher: JobEnricher,
): Promise<EnrichedChunk> {
  const columns = job.columns ?? [];
  if (message.oversized !== undefined)
    return rejectOversizedRow(enricher, { ...message, columns }, message.oversized.limitBytes);
  const key = textKeyOf(job);
  const input = await openPinned(() =>
    deps.objects.readRange(key, message.byteStart, message.byteEnd, pinnedRead(job, key)),
  );
  // Bounded by the chunk byte budget; the encoding is decided on the whole chunk.
  const bytes = Buffer.concat((await input.toArray()) as Buffer[]);
  return enrichRows(bytes, enricher, {
    ...message,
    columns,
    delimiter: job.delimiter ?? ',',
    lineEnding: job.lineEnding ?? 'lf',
  });
}
