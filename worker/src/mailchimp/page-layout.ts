import type { Job } from '@contacts/shared';
import { MAX_PAGE_MEMBERS } from './audience.ts';
import { batchSlotsPerPage } from './write-back-plan.ts';

/**
 * How a Mailchimp job's chunk indexes are laid out, decided at split from the pinned member
 * count: pages first (0 … pages-1, their parts make the result, in order), then, when the job
 * writes back, a fixed number of write-back slots per page (a page of up to 1000 members needs
 * at most two batches of 500). Fixing the slots at split lets the chunk counters, and so the
 * merge trigger, cover the write-back too; a slot its page does not need is counted done empty.
 */
export interface PageLayout {
  readonly pageSize: number;
  readonly pages: number;
  readonly slotsPerPage: number;
  readonly chunksTotal: number;
}

export function pageLayout(job: Pick<Job, 'options' | 'source'>, members: number): PageLayout {
  const pageSize = pageSizeOf(job);
  const pages = Math.ceil(members / pageSize);
  const slotsPerPage = job.source?.writeBack === true ? batchSlotsPerPage(pageSize) : 0;
  return { pageSize, pages, slotsPerPage, chunksTotal: pages * (1 + slotsPerPage) };
}

/** Members per page: the job's rows per chunk, at most Mailchimp's page limit. */
export function pageSizeOf(job: Pick<Job, 'options'>): number {
  return Math.min(MAX_PAGE_MEMBERS, job.options.chunkRows);
}

/** The chunk index of write-back batch `batch` of page `page`. */
export function writeBackIndex(layout: PageLayout, page: number, batch: number): number {
  return layout.pages + page * layout.slotsPerPage + batch;
}

/** The layout split recorded (before sending any page: its pages are its output chunks). */
export function layoutOf(job: Job): PageLayout {
  const pageSize = pageSizeOf(job);
  const pages = job.outputChunks;
  if (pages === undefined) throw new Error(`job ${job.id} has no page layout yet`);
  const slotsPerPage = job.source?.writeBack === true ? batchSlotsPerPage(pageSize) : 0;
  return { pageSize, pages, slotsPerPage, chunksTotal: pages * (1 + slotsPerPage) };
}

/** One page of the pinned order: its number (and chunk index), first member and size. */
export interface PageRange {
  readonly index: number;
  readonly offset: number;
  readonly count: number;
}

/** The pages that cover `[0, members)` of the pinned order, `pageSize` members each. */
export function pageRanges(
  layout: Pick<PageLayout, 'pageSize' | 'pages'>,
  members: number,
): PageRange[] {
  return Array.from({ length: layout.pages }, (_, index) => {
    const offset = index * layout.pageSize;
    return { index, offset, count: Math.min(layout.pageSize, members - offset) };
  });
}

/**
 * True once every page of the job was fetched and counted, while their enrichment has not been
 * sent yet: the fetch that sees it sends (or finishes sending) the `page.process` messages.
 */
export function pagesAwaitDispatch(
  job: Pick<Job, 'outputChunks' | 'pagesFetched' | 'pagesDispatchedAt'>,
): boolean {
  return (
    job.outputChunks !== undefined &&
    (job.pagesFetched ?? 0) >= job.outputChunks &&
    job.pagesDispatchedAt === undefined
  );
}
