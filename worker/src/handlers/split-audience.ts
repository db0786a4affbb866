import {
  allChunksDone,
  InputFileError,
  MAX_CHUNKS_PER_JOB,
  type Job,
  type PageFetchMessage,
} from '@contacts/shared';
import type { DeliveryContext } from '../queue/consumer.ts';
import type { PipelineDeps } from '../pipeline-deps.ts';
import { headerFor } from '../mailchimp/member-rows.ts';
import { pageLayout, pageRanges } from '../mailchimp/page-layout.ts';
import { openAudience } from '../mailchimp/open-audience.ts';
import { holdStageLease } from './stage-lease.ts';

const SEND_BATCH = 10;

/**
 * Split of a Mailchimp job: pins the audience's member count, records the header built from its
 * merge fields, and sends one page-fetch message per `pageSize` members (offset + count).
 * Nothing is read but the list's description: pages are fetched by the chunk workers, and the
 * last fetch sends their enrichment. A redelivery redoes it with the same layout when the
 * audience did not change; fetch messages are idempotent.
 */
export async function splitAudience(
  deps: PipelineDeps,
  job: Job,
  context: DeliveryContext & { readonly holder: string },
): Promise<{ sendMerge: boolean; job: Job }> {
  const { holder } = context;
  const lease = holdStageLease(deps, job.id, 'split', context);
  const audience = await openAudience(deps, job);
  const described = await audience.describe();
  const layout = pageLayout(job, described.members);
  if (layout.chunksTotal > MAX_CHUNKS_PER_JOB) {
    throw new InputFileError(
      'audience_too_large',
      `the audience has ${described.members} members; a job reads at most ${MAX_CHUNKS_PER_JOB} chunks`,
    );
  }
  // Recorded before any page leaves: pages read the header, the pinned count and the number of
  // pages (their write-back slots are numbered after it).
  await deps.jobs.updateUnderLease(
    job.id,
    { status: 'splitting', holder },
    {
      columns: headerFor(described.mergeFields),
      sourceMembers: described.members,
      outputChunks: layout.pages,
    },
  );
  const messages: PageFetchMessage[] = pageRanges(layout, described.members).map((range) => ({
    type: 'page.fetch',
    v: 1,
    jobId: job.id,
    tenantId: job.tenantId,
    ...range,
  }));
  for (let i = 0; i < messages.length; i += SEND_BATCH) {
    context.signal.throwIfAborted();
    lease.assertHeld();
    await deps.publisher.sendChunks(messages.slice(i, i + SEND_BATCH));
  }
  const updated = await deps.jobs.updateUnderLease(
    job.id,
    { status: 'splitting', holder },
    { chunksTotal: layout.chunksTotal, rowsTotal: described.members },
    { to: 'processing', releaseLease: true },
  );
  context.logger.info(
    { members: described.members, pages: layout.pages, chunks: layout.chunksTotal },
    'audience split',
  );
  return { sendMerge: allChunksDone(updated), job: updated };
}
