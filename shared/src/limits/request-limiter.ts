/** Permission to run one request; `release()` ends it (idempotent, never throws). */
export interface LimitPermit {
  release(): Promise<void>;
}

/** Paces requests to one third-party account (rate and/or concurrency), fleet-wide. */
export interface RequestLimiter {
  /** Waits until one request for this account may start on behalf of jobId; rejects with signal.reason when aborted. */
  acquire(options: { jobId: string; signal?: AbortSignal }): Promise<LimitPermit>;
}
