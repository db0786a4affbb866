import { randomUUID } from 'node:crypto';
import {
  isFinal,
  objectKeys,
  type Job,
  type PageFetchMessage,
  type PageMessage,
} from '@contacts/shared';
import { openAudience } from '../mailchimp/open-audience.ts';
import { layoutOf, pageRanges, pagesAwaitDispatch } from '../mailchimp/page-layout.ts';
import { DeferDeliveryError, type DeliveryContext } from '../queue/consumer.ts';
import type { PipelineDeps } from '../pipeline-deps.ts';
import { ACTIVE } from './chunk.ts';

const SEND_BATCH = 10;

/**
 * The fetch of one page of a Mailchimp job: one members call (a slot of the account's
 * fleet-wide limiter for its duration), the page stored under the job's work area, the page
 * counted fetched once. No enrichment runs here, so a worker's event loop stays free for the
 * next fetch while the page crosses the network. The fetch whose count completes the pages
 * sends their enrichment (`page.process`), under a claim so it is sent once. A redelivery
 * refetches and rewrites the same key and counts nothing twice; once the pages' enrichment was
 * sent, it does nothing.
 */
export async function handlePageFetch(
  deps: PipelineDeps,
  message: PageFetchMessage,
  context: DeliveryContext,
): Promise<void> {
  // Waits on Mailchimp (and a slot of its limiter), not the CPU: the next message comes meanwhile.
  context.markLight();
  const job = await deps.jobs.get(message.jobId);
  if (job?.tenantId !== message.tenantId || !ACTIVE.includes(job.status)) {
    context.logger.info({ status: job?.status }, 'page fetch skipped: job not active');
    return;
  }
  if (job.pagesDispatchedAt !== undefined) {
    context.logger.info('page fetch skipped: every page was fetched (duplicate delivery)');
    return;
  }
  const audience = await openAudience(deps, job);
  // Stored as Mailchimp sent it: the page's enrichment reads it (see fetched-page.ts).
  const text = await audience.pageText(message.offset, message.count, context.signal);
  // The slot is back; storing and counting the page are a few writes.
  context.markFinishing();
  context.signal.throwIfAborted();
  const key = objectKeys.fetchedPage(job, message.index);
  await deps.objects.put(key, text);
  const counted = await deps.jobs.recordPageFetched(job.id, message.index);
  if (counted.job === undefined || isFinal(counted.job.status)) {
    // Cancelled (or failed) while this page was read: its copy must not outlive the job's work.
    await deps.objects.deleteKeys([key]);
    context.logger.info({ status: counted.job?.status }, 'fetched page discarded: job ended');
    return;
  }
  if (!counted.applied)
    context.logger.info('page was already counted fetched (duplicate delivery)');
  // Re-checked on a duplicate too: a worker that died between counting the last page and
  // sending the pages leaves that to the redelivered message.
  if (pagesAwaitDispatch(counted.job)) await dispatchPages(deps, job, context);
}

/**
 * Sends one `page.process` message per page, once: the claim on the job item is a lease, so a
 * delivery that dies while sending is followed, after the lease, by the redelivery of its
 * message, which sends them all again (pages are idempotent: nothing counts twice).
 */
async function dispatchPages(
  deps: PipelineDeps,
  job: Job,
  context: DeliveryContext,
): Promise<void> {
  const holder = `${context.messageId}/${randomUUID()}`;
  const claim = await deps.jobs.claimPageDispatch(job.id, holder, deps.leaseMs);
  if (claim.state === 'held') {
    const retryAfterSeconds = Math.max(1, Math.ceil((claim.leaseUntil - Date.now()) / 1000));
    throw new DeferDeliveryError(`the pages of job ${job.id} are being sent by another delivery`, {
      retryAfterSeconds,
    });
  }
  if (claim.state !== 'claimed') {
    context.logger.info({ claim: claim.state }, 'pages not sent: sent before, or job ended');
    return;
  }
  context.onHeartbeat(async () => {
    await deps.jobs.renewPageDispatch(job.id, holder, deps.leaseMs);
  });
  const messages = pageMessages(job);
  for (let i = 0; i < messages.length; i += SEND_BATCH) {
    context.signal.throwIfAborted();
    await deps.publisher.sendChunks(messages.slice(i, i + SEND_BATCH));
  }
  if (!(await deps.jobs.completePageDispatch(job.id, holder)))
    context.logger.warn(
      'page dispatch claim was taken over while sending; sent twice (idempotent)',
    );
  context.logger.info({ pages: messages.length }, 'every page fetched: enrichment sent');
}

/** The enrichment message of every page of the layout split recorded. */
export function pageMessages(job: Job): PageMessage[] {
  return pageRanges(layoutOf(job), job.sourceMembers ?? 0).map((range) => ({
    type: 'page.process',
    v: 1,
    jobId: job.id,
    tenantId: job.tenantId,
    index: range.index,
    offset: range.offset,
    count: range.count,
    rowStart: range.offset + 1,
  }));
}
