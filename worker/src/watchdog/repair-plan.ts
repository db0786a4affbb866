import { allChunksDone, type Job } from '@contacts/shared';

/**
 * What a job without progress needs, decided from the job item alone:
 * - `split`: queued, or splitting with an expired lease (the split message was lost, died in the
 *   DLQ, or its worker died on the last delivery): send the split again;
 * - `merge`: every chunk counted but nobody merges (the worker that owed the merge send died
 *   after its write), or merging with an expired lease: send the merge again;
 * - `redrive`: chunks missing: their messages may sit in the chunk dead-letter queue;
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

/** The `stalled` failure message: how long, in which stage, and why nothing more can be done. */
export function stalledMessage(job: Job, idleSeconds: number, why: string): string {
  return `no progress for ${idleSeconds} s while ${job.status}: ${why}`;
}
