import type { JobEnricher } from '@contacts/enrichment';
import { InputFileError, type Job } from '@contacts/shared';
import { LRUCache } from 'lru-cache';

/** Gives the enricher for a job; the engine behind it is chosen by the composition root. */
export type EnricherProvider = (job: Job) => Promise<JobEnricher>;

type JobWithHeader = Job & { columns: readonly string[] };

/** An enricher, and the key of the shared index it holds on to, if any. */
export interface BuiltEnricher {
  readonly enricher: JobEnricher;
  readonly holds?: string;
}

export interface JobEnricherCacheOptions {
  /** Enrichers kept at once, least recently used out. */
  readonly maxJobs?: number;
  /**
   * True while the shared index `key` is still kept by its own cache (and marks it used). An
   * enricher whose index is no longer kept is not kept either: the index cache's budget would
   * mean nothing if enrichers kept the indexes it let go alive.
   */
  readonly isKept?: (key: string) => boolean;
}

interface Entry {
  readonly enricher: Promise<JobEnricher>;
  /** Known once the enricher is built. */
  holds?: string | undefined;
}

/**
 * Caches one enricher per job, so a worker builds it once however many chunks it runs; chunks
 * of a job that arrive while it is being built share that build.
 */
export class JobEnricherCache {
  readonly #build: (job: JobWithHeader) => Promise<BuiltEnricher>;
  readonly #isKept: (key: string) => boolean;
  readonly #jobs: LRUCache<string, Entry>;

  constructor(
    build: (job: JobWithHeader) => Promise<BuiltEnricher>,
    options: JobEnricherCacheOptions = {},
  ) {
    this.#build = build;
    this.#isKept = options.isKept ?? (() => true);
    this.#jobs = new LRUCache<string, Entry>({ max: options.maxJobs ?? 32 });
  }

  readonly provider: EnricherProvider = (job) => {
    const hit = this.#jobs.get(job.id);
    if (hit !== undefined && (hit.holds === undefined || this.#isKept(hit.holds)))
      return hit.enricher;
    const { columns } = job;
    if (columns === undefined) {
      return Promise.reject(
        new InputFileError('header_missing', `job ${job.id} has no header yet`),
      );
    }
    const entry: Entry = {
      enricher: this.#build({ ...job, columns }).then((built) => {
        entry.holds = built.holds;
        // Too large for the index cache: used for this call, rebuilt for the next.
        if (built.holds !== undefined && !this.#isKept(built.holds)) this.#forget(job.id, entry);
        return built.enricher;
      }),
    };
    entry.enricher.catch(() => {
      this.#forget(job.id, entry);
    });
    this.#jobs.set(job.id, entry);
    return entry.enricher;
  };

  /** Drops the enrichers that hold the index `key`, which its cache no longer keeps. */
  release(key: string): void {
    const holders = [...this.#jobs.entries()].filter(([, entry]) => entry.holds === key);
    for (const [jobId] of holders) this.#jobs.delete(jobId);
  }

  #forget(jobId: string, entry: Entry): void {
    if (this.#jobs.peek(jobId) === entry) this.#jobs.delete(jobId);
  }
}

/** Caches one enricher per job, so a worker builds it once however many chunks it runs. */
export function cachedEnricherProvider(
  create: (job: JobWithHeader) => Promise<JobEnricher>,
  maxJobs = 32,
): EnricherProvider {
  return new JobEnricherCache(async (job) => ({ enricher: await create(job) }), { maxJobs })
    .provider;
}
