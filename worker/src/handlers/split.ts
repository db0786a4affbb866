import { Readable } from 'node:stream';
import {
  allChunksDone,
  DependencyError,
  InputFileError,
  MAX_CHUNKS_PER_JOB,
  objectKeys,
  type Job,
  type SplitMessage,
} from '@contacts/shared';
import { ChunkPlanner, minChunkBytesFor, type ChunkPlan } from '../csv/chunk-planner.ts';
import { detectDialect } from '../csv/detect-dialect.ts';
import { headerTooLongError, MAX_HEADER_BYTES, parseHeader } from '../csv/header.ts';
import { peekStream } from '../csv/peek-stream.ts';
import { RecordScanner, type RecordBoundary } from '../csv/record-scanner.ts';
import { binaryFileMessage, sniffFile, SNIFF_BYTES } from '../csv/sniff-file.ts';
import { transcodeUtf16 } from '../csv/transcode-utf16.ts';
import { Utf8Validator } from '../csv/utf8-validation.ts';
import type { DeliveryContext } from '../queue/consumer.ts';
import type { PipelineDeps } from '../pipeline-deps.ts';
import { openPinned, pinnedRead } from './pinned-upload.ts';
import { splitAudience } from './split-audience.ts';
import { holdStageLease, runStage, type StageLease } from './stage-lease.ts';

const CHUNK_BATCH = 10;
/**
 * Byte budget of a chunk. A worker holds a chunk in memory a few times over (bytes, text,
 * output) and runs several at once, so wide rows make chunks of fewer rows instead.
 */
const MAX_CHUNK_BYTES = 16 * 1024 * 1024;

type Encoding = NonNullable<Job['encoding']>;

/** The text split scans, after sniffing and any transcoding. */
interface SplitInput {
  /** The first bytes, already read; `pieces` yields them again. */
  readonly head: Buffer;
  readonly pieces: AsyncIterable<Buffer>;
  /** Released when split is done with it, whether or not it was read to the end. */
  readonly body: Readable;
  /** Where the text starts, past a byte-order mark. */
  readonly startOffset: number;
  /** As far as the first bytes tell. */
  readonly encoding: Encoding;
  readonly transcodedKey?: string;
}

/**
 * Split: sniffs the upload (binary files fail here, UTF-16 is transcoded to a UTF-8 copy), reads
 * it once as a stream, records its header and dialect and sends one chunk message per
 * `chunkRows` data rows (byte range + row range). Holds the job's split lease throughout; a
 * redelivery after a crash redoes the split, and the duplicate chunk messages it sends are
 * harmless because chunks are idempotent.
 */
export async function handleSplit(
  deps: PipelineDeps,
  message: SplitMessage,
  context: DeliveryContext,
): Promise<void> {
  await runStage(deps, message.jobId, context, {
    name: 'split',
    from: 'queued',
    to: 'splitting',
    run: (job, leased) =>
      job.source === undefined
        ? splitUnderLease(deps, job, leased)
        : splitAudience(deps, job, leased).then(async (split) => {
            if (split.sendMerge) await sendMerge(deps, split.job);
          }),
    // A split that died after its last write but before sending the merge left a job whose
    // chunks are all done and that nobody else will merge (chunks only send it when they count
    // the last one): its redelivery sends it. Merge is idempotent.
    async onRefused(job) {
      if (job?.status !== 'processing' || !allChunksDone(job)) return false;
      await sendMerge(deps, job);
      // Warn: it repairs a crash, as the watchdog's repairs do.
      context.logger.warn('split redelivered after its job reached processing: merge re-sent');
      return true;
    },
  });
}

/** The split itself, once its lease is ours. */
async function splitUnderLease(
  deps: PipelineDeps,
  job: Job,
  context: DeliveryContext & { readonly holder: string },
): Promise<void> {
  const { holder } = context;
  const lease = holdStageLease(deps, job.id, 'split', context);
  const input = await openInput(deps, job, context);
  let result: { rows: number; chunks: number; encoding: Encoding; minChunkBytes: number };
  try {
    result = await planAndSendChunks(deps, job, { ...context, lease }, input);
  } finally {
    input.body.destroy();
  }
  const updated = await deps.jobs.updateUnderLease(
    job.id,
    { status: 'splitting', holder },
    { chunksTotal: result.chunks, rowsTotal: result.rows, encoding: result.encoding },
    { to: 'processing', releaseLease: true },
  );
  context.logger.info(result, 'split done');
  // Chunks may all have finished while we were still splitting; then nobody else merges.
  if (allChunksDone(updated)) await sendMerge(deps, updated);
}

async function sendMerge(deps: PipelineDeps, job: Job): Promise<void> {
  await deps.publisher.sendControl({
    type: 'job.merge',
    v: 1,
    jobId: job.id,
    tenantId: job.tenantId,
  });
}

/** Opens the upload for scanning: refuses binary files, transcodes UTF-16 to a UTF-8 copy. */
async function openInput(
  deps: PipelineDeps,
  job: Job,
  context: DeliveryContext,
): Promise<SplitInput> {
  const body = await openPinned(() =>
    deps.objects.read(job.sourceKey, pinnedRead(job, job.sourceKey)),
  );
  const { head, pieces } = await peekStream(body as AsyncIterable<Buffer>, SNIFF_BYTES);
  const sniff = sniffFile(head);
  if (sniff.kind === 'text') {
    return { head, pieces, body, startOffset: sniff.bomLength, encoding: sniff.encoding };
  }
  if (sniff.kind === 'binary') {
    body.destroy();
    throw new InputFileError('file_binary', binaryFileMessage(sniff));
  }
  const transcodedKey = objectKeys.transcoded(job);
  try {
    await uploadTranscoded(deps, transcodeUtf16(pieces, sniff.encoding), transcodedKey, context);
  } finally {
    body.destroy();
  }
  context.logger.info({ encoding: sniff.encoding }, 'upload transcoded to UTF-8');
  const copy = await deps.objects.read(transcodedKey);
  let peeked: Awaited<ReturnType<typeof peekStream>>;
  try {
    peeked = await peekStream(copy as AsyncIterable<Buffer>, SNIFF_BYTES);
  } catch (error) {
    copy.destroy();
    throw error;
  }
  return {
    ...peeked,
    body: copy,
    startOffset: 0,
    encoding: sniff.encoding,
    transcodedKey,
  };
}

async function uploadTranscoded(
  deps: PipelineDeps,
  text: AsyncIterable<Buffer>,
  key: string,
  context: DeliveryContext,
): Promise<void> {
  try {
    await deps.objects.upload(key, Readable.from(text), { signal: context.signal });
  } catch (error) {
    // Invalid UTF-16 surfaces as the upload's failure; it is the file's fault, not S3's.
    if (error instanceof DependencyError && error.cause instanceof InputFileError)
      throw error.cause;
    throw error;
  }
}

/**
 * At least the size of the text split scans: the upload's size (recorded when it was queued),
 * or for a UTF-16 upload the most its UTF-8 copy can take (3 bytes per 2-byte code unit).
 */
async function textBytesOf(deps: PipelineDeps, job: Job, input: SplitInput): Promise<number> {
  const bytes = job.sourceBytes ?? (await deps.objects.head(job.sourceKey))?.size ?? 0;
  return input.transcodedKey === undefined ? bytes : Math.ceil(bytes * 1.5);
}

async function planAndSendChunks(
  deps: PipelineDeps,
  job: Job,
  context: DeliveryContext & { lease: StageLease },
  input: SplitInput,
): Promise<{ rows: number; chunks: number; encoding: Encoding; minChunkBytes: number }> {
  const dialect = detectDialect(input.head, input.startOffset);
  const scanner = new RecordScanner({
    startOffset: input.startOffset,
    lineEnding: dialect.lineEnding,
  });
  // Huge files get more rows per chunk than asked, so no job has more than MAX_CHUNKS_PER_JOB.
  const minChunkBytes = minChunkBytesFor(await textBytesOf(deps, job, input), MAX_CHUNKS_PER_JOB);
  const planner = new ChunkPlanner({
    rowsPerChunk: job.options.chunkRows,
    maxRowBytes: deps.maxRowBytes,
    maxChunkBytes: Math.max(MAX_CHUNK_BYTES, deps.maxRowBytes),
    minChunkBytes,
    maxChunks: MAX_CHUNKS_PER_JOB,
  });
  // A transcoded copy is UTF-8 by construction.
  const utf8 = input.transcodedKey === undefined ? new Utf8Validator() : undefined;
  const pending: ChunkPlan[] = [];
  const queue = (plan: ChunkPlan): void => {
    pending.push(plan);
  };
  let header: RecordBoundary | undefined;
  // Widened on purpose: saveHeaderOnce drops it, which flow analysis cannot see.
  let headerPieces = [] as Buffer[] | undefined;
  let chunks = 0;

  const onRecord = (record: RecordBoundary): void => {
    if (header === undefined) header = record;
    else planner.add(record, queue);
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
  // The header and dialect are recorded before any chunk message leaves, so every chunk can
  // rely on them.
  const saveHeaderOnce = async (): Promise<void> => {
    if (headerPieces === undefined || header === undefined) return;
    const bytes = Buffer.concat(headerPieces).subarray(0, header.end - header.start);
    headerPieces = undefined;
    await deps.jobs.updateUnderLease(
      job.id,
      { status: 'splitting', holder: context.lease.holder },
      {
        columns: await parseHeader(bytes, dialect),
        encoding: input.encoding,
        ...dialect,
      },
    );
  };

  let first = true;
  for await (const received of input.pieces) {
    context.signal.throwIfAborted();
    context.lease.assertHeld();
    const piece = first ? received.subarray(input.startOffset) : received;
    first = false;
    utf8?.push(piece);
    headerPieces?.push(piece);
    scanner.push(piece, onRecord);
    await saveHeaderOnce();
    if (headerPieces !== undefined && scanner.offset - input.startOffset > MAX_HEADER_BYTES)
      throw headerTooLongError();
    if (pending.length >= CHUNK_BATCH) await flush();
  }
  if (scanner.offset === input.startOffset)
    throw new InputFileError('file_empty', 'the file is empty');
  scanner.finish(onRecord);
  await saveHeaderOnce();
  if (scanner.inQuotes) {
    throw new InputFileError(
      'unbalanced_quote',
      'the file ends inside a quoted field: a quote is never closed',
    );
  }
  planner.finish(queue);
  await flush();
  // Bytes that are not UTF-8 may first appear long after the sniffed window.
  const encoding = utf8?.finish() === false ? 'windows-1252' : input.encoding;
  return { rows: planner.rowsSeen, chunks, encoding, minChunkBytes };
}
