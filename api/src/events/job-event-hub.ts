import { isFinal, type Logger } from '@contacts/shared';
import type { JobSnapshot } from './job-snapshot.ts';

/** What a stream hears from the hub. */
export interface SnapshotListener {
  /** Each new state of the job; `undefined` once: the job does not exist. */
  snapshot(snapshot: JobSnapshot | undefined): void;
  /** The first read failed (later failures are retried silently: the stream stays open). */
  failed(error: unknown): void;
}

export interface JobEventHubOptions {
  /** Reads the job's current state (one DynamoDB read); undefined when there is no such job. */
  readonly load: (jobId: string) => Promise<JobSnapshot | undefined>;
  readonly intervalMs: number;
  readonly logger: Logger;
}

export interface HubStats {
  /** Jobs with a poller running or a final state held for their streams. */
  readonly watchedJobs: number;
  readonly subscribers: number;
  /** Reads made since the hub started. */
  readonly reads: number;
}

interface Watch {
  readonly jobId: string;
  readonly listeners: Set<SnapshotListener>;
  latest?: JobSnapshot | undefined;
  loaded: boolean;
  timer?: NodeJS.Timeout | undefined;
  /** Nothing more to read: the job ended or does not exist. */
  settled: boolean;
}

/**
 * One poller per watched job in this process, shared by all of its streams: however many
 * clients watch a job, it costs one read per interval, and the poller stops with its last
 * stream. State lives in DynamoDB, so any API task can serve any stream (no sticky sessions).
 */
export class JobEventHub {
  readonly #options: JobEventHubOptions;
  readonly #watches = new Map<string, Watch>();
  #reads = 0;

  constructor(options: JobEventHubOptions) {
    this.#options = options;
  }

  /** Watches a job; the listener hears the current state first. Returns the unsubscribe. */
  subscribe(jobId: string, listener: SnapshotListener): () => void {
    let watch = this.#watches.get(jobId);
    if (watch === undefined) {
      watch = { jobId, listeners: new Set(), loaded: false, settled: false };
      this.#watches.set(jobId, watch);
      void this.#poll(watch);
    } else if (watch.loaded) {
      const known = watch.latest;
      const current = watch;
      // After subscribe returns, so the caller holds its unsubscribe when it hears the state.
      setImmediate(() => {
        if (current.listeners.has(listener)) listener.snapshot(known);
      });
    }
    watch.listeners.add(listener);
    const subscribed = watch;
    return () => {
      this.#unsubscribe(subscribed, listener);
    };
  }

  stats(): HubStats {
    let subscribers = 0;
    for (const watch of this.#watches.values()) subscribers += watch.listeners.size;
    return { watchedJobs: this.#watches.size, subscribers, reads: this.#reads };
  }

  /** Stops every poller (server shutdown); streams end on their own when their sockets close. */
  close(): void {
    for (const watch of this.#watches.values()) this.#stop(watch);
    this.#watches.clear();
  }

  #unsubscribe(watch: Watch, listener: SnapshotListener): void {
    watch.listeners.delete(listener);
    if (watch.listeners.size > 0) return;
    this.#stop(watch);
    if (this.#watches.get(watch.jobId) === watch) this.#watches.delete(watch.jobId);
  }

  #stop(watch: Watch): void {
    watch.settled = true;
    clearTimeout(watch.timer);
    watch.timer = undefined;
  }

  async #poll(watch: Watch): Promise<void> {
    watch.timer = undefined;
    this.#reads++;
    let snapshot: JobSnapshot | undefined;
    try {
      snapshot = await this.#options.load(watch.jobId);
    } catch (error) {
      // Streams stay open through a dependency blip; the next interval reads again.
      this.#options.logger.warn({ err: error, jobId: watch.jobId }, 'job event poll failed');
      if (!watch.loaded)
        this.#notify(watch, (listener) => {
          listener.failed(error);
        });
      this.#schedule(watch);
      return;
    }
    if (watch.settled) return;
    const changed =
      !watch.loaded || snapshot === undefined || snapshot.version !== watch.latest?.version;
    watch.loaded = true;
    watch.latest = snapshot;
    if (snapshot === undefined || isFinal(snapshot.status)) watch.settled = true;
    if (changed)
      this.#notify(watch, (listener) => {
        listener.snapshot(snapshot);
      });
    this.#schedule(watch);
  }

  #schedule(watch: Watch): void {
    if (watch.settled || watch.listeners.size === 0) return;
    watch.timer = setTimeout(() => void this.#poll(watch), this.#options.intervalMs);
  }

  #notify(watch: Watch, tell: (listener: SnapshotListener) => void): void {
    for (const listener of [...watch.listeners]) {
      try {
        tell(listener);
      } catch (error) {
        this.#options.logger.error({ err: error, jobId: watch.jobId }, 'job event listener failed');
      }
    }
  }
}
