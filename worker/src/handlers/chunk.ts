import { setTimeout as sleep } from 'node:timers/promises';
import {
  allChunksDone,
  InputFileError,
  isFinal,
  NO_PROVIDER_USAGE,
  objectKeys,
  textKeyOf,
  type ChunkMessage,
  type Job,
  type ProviderUsage,
} from '@contacts/shared';
import type { JobEnricher } from '@contacts/enrichment';
import {
  enrichRows,
  rejectOversizedRow,
  type ChunkProviderLookup,
  type EnrichedChunk,
} from '../csv/enrich-rows.ts';
import { ChunkLookupUnavailableError, lookupWithCache } from '../provider/cached-lookup.ts';
import { DeferDeliveryError, type DeliveryContext } from '../queue/consumer.ts';
import type { PipelineDeps } from '../pipeline-deps.ts';
import { openPinned, pinnedRead } from './pinned-upload.ts';

export const ACTIVE: readonly Job['status'][] = ['splitting', 'processing'];

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
  let usage = NO_PROVIDER_USAGE;
  const lookup = providerLookup(deps, job, message.index, context, (used) => {
    usage = used;
  });
  const result = await readAndEnrich(deps, job, message, enricher, lookup);
  context.signal.throwIfAborted();
  await deps.objects.put(objectKeys.part(job, message.index), result.output);
  if (result.rejected > 0)
    await deps.objects.put(objectKeys.rejectsPart(job, message.index), result.rejects);

  await countChunk(
    deps,
    job,
    { index: message.index, rows: result.rows, rejected: result.rejected, provider: usage },
    context,
  );
}

/**
 * Counts a chunk (any kind: CSV range, page, write-back batch) done exactly once; the count that
 * completes the last chunk sends the merge. A chunk whose job ended meanwhile removes its parts.
 */
export async function countChunk(
  deps: PipelineDeps,
  job: Job,
  chunk: Parameters<PipelineDeps['jobs']['recordChunkDone']>[1],
  context: DeliveryContext,
): Promise<void> {
  const done = await deps.jobs.recordChunkDone(job.id, chunk);
  if (!done.applied && done.job !== undefined && isFinal(done.job.status)) {
    // Cancelled (or failed) while this chunk ran: its part must not outlive the job's work.
    await discardParts(deps, job, chunk.index);
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

/**
 * The chunk's provider lookup when its job asks one, cache first. While the provider cannot be
 * reached, the chunk waits for it in process (the visibility heartbeat keeps its message) up to
 * `providerOutageWaitMs`, retrying only what is not cached yet; past that the message is
 * deferred and the chunk is redone later from the start, which is safe because chunks are
 * idempotent. Either way its rows never become errors for an outage.
 */
export function providerLookup(
  deps: PipelineDeps,
  job: Job,
  index: number,
  context: DeliveryContext,
  onUsage: (usage: ProviderUsage) => void,
): ChunkProviderLookup | undefined {
  const name = job.options.provider;
  if (name === undefined) return undefined;
  const provider = deps.providers?.byName.get(name);
  const cache = deps.providers?.cache;
  if (provider === undefined || cache === undefined)
    throw new InputFileError(
      'provider_not_configured',
      `provider "${name}" is not configured on the workers`,
    );
  const maxWaitMs = deps.providers?.outageWaitMs ?? DEFAULT_OUTAGE_WAIT_MS;
  return async (queries) => {
    let usage: ProviderUsage | undefined;
    let waitedMs = 0;
    for (;;) {
      try {
        const looked = await lookupWithCache({ provider, cache }, queries, {
          jobId: job.id,
          signal: context.signal,
          usage,
          // Every delivery of this chunk is one claimant: a redelivery takes its claims back.
          claimant: `${job.id}#${index}`,
        });
        onUsage(looked.usage);
        return looked.answers;
      } catch (error) {
        if (!(error instanceof ChunkLookupUnavailableError)) throw error;
        usage = error.usage;
        const pauseMs = Math.max(MIN_PROVIDER_PAUSE_MS, error.retryAfterMs ?? 0);
        if (waitedMs + pauseMs <= maxWaitMs) {
          context.logger.info({ err: error, pauseMs }, 'provider unavailable: chunk waits');
          await sleep(pauseMs, undefined, { signal: context.signal });
          waitedMs += pauseMs;
          continue;
        }
        const retryAfterSeconds = Math.ceil(pauseMs / 1000);
        context.logger.warn(
          { err: error, retryAfterSeconds },
          'provider unavailable: chunk deferred',
        );
        throw new DeferDeliveryError(`${error.message}; chunk deferred`, { retryAfterSeconds });
      }
    }
  };
}

/** A provider that just failed every retry is not asked again sooner than this. */
const MIN_PROVIDER_PAUSE_MS = 5_000;
/** Longest a chunk waits in process for an unavailable provider before deferring its message. */
export const DEFAULT_OUTAGE_WAIT_MS = 60_000;

/** Reads the chunk's bytes (never those of an oversized row) and enriches its rows. */
async function readAndEnrich(
  deps: PipelineDeps,
  job: Job,
  message: ChunkMessage,
  enricher: JobEnricher,
  lookup: ChunkProviderLookup | undefined,
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
  return enrichRows(
    bytes,
    enricher,
    { ...message, columns, delimiter: job.delimiter ?? ',', lineEnding: job.lineEnding ?? 'lf' },
    lookup,
  );
}
