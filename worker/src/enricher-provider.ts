import type { JobEnricher } from '@contacts/enrichment';
import { InputFileError, type Job } from '@contacts/shared';

/** Gives the enricher for a job; the engine behind it is chosen by the composition root. */
export type EnricherProvider = (job: Job) => Promise<JobEnricher>;

/** Caches one enricher per job, so a worker builds it once however many chunks it runs. */
export function cachedEnricherProvider(
  create: (job: Job & { columns: readonly string[] }) => Promise<JobEnricher>,
  maxJobs = 32,
): EnricherProvider {
  const cache = new Map<string, Promise<JobEnricher>>();
  return (job) => {
    const hit = cache.get(job.id);
    if (hit) return hit;
    const { columns } = job;
    if (columns === undefined) {
      return Promise.reject(
        new InputFileError('header_missing', `job ${job.id} has no header yet`),
      );
    }
    const created = create({ ...job, columns });
    created.catch(() => cache.delete(job.id));
    cache.set(job.id, created);
    if (cache.size > maxJobs) cache.delete(cache.keys().next().value!);
    return created;
  };
}
