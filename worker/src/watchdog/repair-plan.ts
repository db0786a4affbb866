import { allChunksDone, type Job } from '@contacts/shared';

/**
 * What a job without progress needs, decided from the job item alone:
 * - `split`: queued, or splitting with an expired lease (the split message was lost, died in the
 *   DLQ, or its worker died on the last delivery): send the split again;
 * - `merge`: every chunk counted but nobody merges (the worker that owed the merge send died
 *   after its write), or merging with an expired lease: send the merge again;
 * - `redrive`: chunks missing: their messages may sit in the chunk dead-letter queue (so may a
 *   Mailchimp job's page fetches, and the fetch that owes the sending of the pages' enrichment:
 *   they travel in the chunk queue too);
 * - `wait`: a stage still holds a live lease, so its worker is alive and will move the job.
 */
export type RepairPlan =
  | { readonly kind: 'split' | 'merge'; readonly situation: string }
  | {
      readonly kind: 'redrive';
      readonly situation: string;
      readonly missing: number;
      readonly total: number;
    }
  | { readonly kind: 'wait'; readonly situation: string };

/** Decides the repair of a running job whose item has not changed for too long. */
export function planRepair(job: Job, nowMs: number): RepairPlan {
  const leaseLive = job.leaseUntil !== undefined && job.leaseUntil > nowMs;
  switch (job.status) {
    case 'queued':
      return { kind: 'split', situation: 'the split never started' };
    case 'splitting':
      return leaseLive
        ? { kind: 'wait', situation: 'the split still holds its lease' }
        : { kind: 'split', situation: 'the split stopped (its lease expired)' };
    case 'processing': {
      const total = job.chunksTotal ?? 0;
      if (allChunksDone(job))
        return { kind: 'merge', situation: `all ${total} chunks done but no merge started` };
      const fetching = fetchStage(job, nowMs);
      if (fetching !== undefined) return fetching;
      const missing = Math.max(0, total - job.chunksDone);
      return {
        kind: 'redrive',
        situation: `${missing} of ${total} chunks missing`,
        missing,
        total,
      };
    }
    case 'merging':
      return leaseLive
        ? { kind: 'wait', situation: 'the merge still holds its lease' }
        : { kind: 'merge', situation: 'the merge stopped (its lease expired)' };
    default:
      return { kind: 'wait', situation: `the job is ${job.status}` };
  }
}

/**
 * A Mailchimp job still in its fetch stage (its pages' enrichment not sent yet): pages missing
 * are redriven like chunks; every page fetched but nothing sent means the fetch that owed the
 * sending stopped (its message is redelivered, or sits in the dead-letter queue) unless it is
 * sending right now.
 */
function fetchStage(job: Job, nowMs: number): RepairPlan | undefined {
  const pages = job.outputChunks;
  if (job.source === undefined || pages === undefined || job.pagesDispatchedAt !== undefined)
    return undefined;
  const fetched = Math.min(pages, job.pagesFetched ?? 0);
  if (fetched < pages)
    return {
      kind: 'redrive',
      situation: `${fetched} of ${pages} pages fetched`,
      missing: pages - fetched,
      total: pages,
    };
  if (job.dispatchUntil !== undefined && job.dispatchUntil > nowMs)
    return { kind: 'wait', situation: 'every page fetched; their enrichment is being sent' };
  return {
    kind: 'redrive',
    situation: `all ${pages} pages fetched but their enrichment was not sent`,
    missing: 1,
    total: pages,
  };
}

/** The `stalled` failure message: how long, in which stage, and why nothing more can be done. */
export function stalledMessage(job: Job, idleSeconds: number, why: string): string {
  return `no progress for ${idleSeconds} s while ${job.status}: ${why}`;
}
