import { allChunksDone, InputFileError, type Job, type SplitMessage } from '@contacts/shared';
import { ChunkPlanner, type ChunkPlan } from '../csv/chunk-planner.ts';
import { bomLength, parseHeader } from '../csv/header.ts';
import { RecordScanner, type RecordBoundary } from '../csv/record-scanner.ts';
import type { DeliveryContext } from '../queue/consumer.ts';
import type { PipelineDeps } from '../pipeline-deps.ts';

/** The header must fit in this many bytes; anything longer is not a contact file. */
const MAX_HEADER_BYTES = 1024 * 1024;
const CHUNK_BATCH = 10;

/**
 * Split: reads the upload once as a stream, records its header and sends one chunk message per
 * `chunkRows` data rows (byte range + row range). Holds the job's split lease throughout; a
 * redelivery after a crash redoes the split, and the duplicate chunk messages it sends are
 * harmless because chunks are idempotent.
 */
export async function handleSplit(
  deps: PipelineDeps,
  message: SplitMessage,
  context: DeliveryContext,
): Promise<void> {
  const claim = await deps.jobs.claimStage(message.jobId, {
    from: 'queued',
    to: 'splitting',
    holder: context.messageId,
    leaseMs: deps.leaseMs,
  });
  if (!claim.claimed) {
    context.logger.info({ status: claim.job?.status }, 'split skipped: job not splittable by us');
    return;
  }
  context.onHeartbeat(async () => {
    await deps.jobs.renewLease(message.jobId, context.messageId, deps.leaseMs);
  });
  const job = claim.job;
  const result = await planAndSendChunks(deps, job, context);
  const updated = await deps.jobs.updateUnderLease(
    job.id,
    { status: 'splitting', holder: context.messageId },
    { chunksTotal: result.chunks, rowsTotal: result.rows },
    { to: 'processing', releaseLease: true },
  );
  context.logger.info({ rows: result.rows, chunks: result.chunks }, 'split done');
  // Chunks may all have finished while we were still splitting; then nobody else merges.
  if (allChunksDone(updated)) {
    await deps.publisher.sendControl({
      type: 'job.merge',
      v: 1,
      jobId: job.id,
      tenantId: job.tenantId,
    });
  }
}

async function planAndSendChunks(
  deps: PipelineDeps,
  job: Job,
  context: DeliveryContext,
): Promise<{ rows: number; chunks: number }> {
  const source = (await deps.objects.read(job.sourceKey)) as AsyncIterable<Buffer>;
  const planner = new ChunkPlanner(job.options.chunkRows);
  const pending: ChunkPlan[] = [];
  let scanner: RecordScanner | undefined;
  let header: RecordBoundary | undefined;
  // Widened on purpose: the closure below sets it, which flow analysis cannot see.
  let columnsSaved = false as boolean;
  let headerPieces: Buffer[] = [];
  let chunks = 0;

  const onRecord = (record: RecordBoundary): void => {
    if (header === undefined) header = record;
    else {
      const plan = planner.add(record);
      if (plan) pending.push(plan);
    }
  };
  const flush = async (): Promise<void> => {
    const batch = pending.splice(0, pending.length);
    chunks += batch.length;
    await deps.publisher.sendChunks(
      batch.map((plan) => ({
        type: 'chunk.process',
        v: 1,
        jobId: job.id,
        tenantId: job.tenantId,
        ...plan,
      })),
    );
  };
  // The header is recorded before any chunk message leaves, so every chunk can rely on it.
  const saveColumnsOnce = async (): Promise<void> => {
    if (columnsSaved || header === undefined || scanner === undefined) return;
    const start = header.start;
    const bytes = Buffer.concat(headerPieces).subarray(0, header.end - start);
    const columns = await parseHeader(bytes);
    await deps.jobs.updateUnderLease(
      job.id,
      { status: 'splitting', holder: context.messageId },
      { columns },
    );
    columnsSaved = true;
    headerPieces = [];
  };

  for await (const received of source) {
    context.signal.throwIfAborted();
    let piece = received;
    if (scanner === undefined) {
      const bom = bomLength(piece);
      scanner = new RecordScanner(bom);
      piece = piece.subarray(bom);
    }
    if (!columnsSaved) headerPieces.push(piece);
    scanner.push(piece, onRecord);
    await saveColumnsOnce();
    if (!columnsSaved && scanner.offset > MAX_HEADER_BYTES) {
      throw new InputFileError(
        'header_too_long',
        `the header row is longer than ${MAX_HEADER_BYTES} bytes`,
      );
    }
    if (pending.length >= CHUNK_BATCH) await flush();
  }
  if (scanner === undefined) throw new InputFileError('file_empty', 'the file is empty');
  scanner.finish(onRecord);
  if (header === undefined) throw new InputFileError('file_empty', 'the file is empty');
  await saveColumnsOnce();
  if (scanner.inQuotes) {
    throw new InputFileError(
      'unbalanced_quote',
      'the file ends inside a quoted field: a quote is never closed',
    );
  }
  const last = planner.finish();
  if (last) pending.push(last);
  await flush();
  return { rows: planner.rowsSeen, chunks };
}
