/*
 * The fleet-wide pacing of provider requests. shared/src/limits/request-limiter.ts (a DynamoDB
 * limiter shared by every worker) provides the same shape; it is declared here so the enrichment
 * package does not depend on shared. The lead unifies the two.
 */

/** Held for the duration of one HTTP request. */
export interface LimitPermit {
  release(): Promise<void>;
}

/** Grants one permit per provider HTTP request (rate per minute and concurrency, fleet-wide). */
export interface RequestLimiter {
  acquire(options: { jobId: string; signal?: AbortSignal | undefined }): Promise<LimitPermit>;
}

const NO_PERMIT: LimitPermit = { release: () => Promise.resolve() };

/** A limiter that never waits: for the CLI, benchmarks against a simulator, and tests. */
export const unlimitedRequests: RequestLimiter = {
  acquire: () => Promise.resolve(NO_PERMIT),
};
