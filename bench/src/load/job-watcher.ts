import { ApiClient, isFinalView, type JobView } from '@contacts/e2e';
import type { OwnedJob } from './job-pool.ts';

interface Watched {
  readonly job: OwnedJob;
  readonly group: string;
  view?: JobView;
  /** Milliseconds since the watcher's epoch when a final state was first seen. */
  finishedAt?: number;
}

export interface GroupProgress {
  readonly group: string;
  readonly jobs: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly rowsProcessed: number;
  readonly rowsTotal: number;
  /** Seconds after the epoch the last job of the group finished; absent while any is running. */
  readonly allFinishedAfter?: number;
}

/** Follows jobs through the API until they reach a final state, group by group. */
export class JobWatcher {
  readonly #apiUrl: string;
  readonly #epoch: number;
  readonly #watched: Watched[] = [];
  readonly #clients = new Map<string, ApiClient>();

  /** `epoch` (performance.now()) is the moment finish times are measured from. */
  constructor(options: { apiUrl: string; epoch: number }) {
    this.#apiUrl = options.apiUrl;
    this.#epoch = options.epoch;
  }

  watch(jobs: readonly OwnedJob[], group: string): void {
    for (const job of jobs) this.#watched.push({ job, group });
  }

  /** Reads every unfinished job once; read errors are counted as still running. */
  async poll(): Promise<number> {
    const pending = this.#watched.filter((w) => w.finishedAt === undefined);
    let unreadable = 0;
    await Promise.all(
      pending.map(async (watched) => {
        try {
          // Undefined while the API answers 503 (a dependency is down): still running.
          const view = await this.#client(watched.job.key).getJob(watched.job.id);
          if (view === undefined) return;
          watched.view = view;
          if (isFinalView(view)) watched.finishedAt = performance.now() - this.#epoch;
        } catch {
          unreadable++;
        }
      }),
    );
    return unreadable;
  }

  /** Polls every `intervalMs` until every job is final or `deadline` (performance.now()) passes. */
  async untilFinished(deadline: number, intervalMs = 1000): Promise<void> {
    for (;;) {
      await this.poll();
      if (this.#watched.every((w) => w.finishedAt !== undefined)) return;
      if (performance.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  progress(): GroupProgress[] {
    const groups = [...new Set(this.#watched.map((w) => w.group))];
    return groups.map((group) => {
      const members = this.#watched.filter((w) => w.group === group);
      const byStatus: Record<string, number> = {};
      for (const member of members) {
        const status = member.view?.status ?? 'unknown';
        byStatus[status] = (byStatus[status] ?? 0) + 1;
      }
      const finished = members.every((m) => m.finishedAt !== undefined);
      return {
        group,
        jobs: members.length,
        byStatus,
        rowsProcessed: sum(members.map((m) => m.view?.progress.rowsProcessed ?? 0)),
        rowsTotal: sum(members.map((m) => m.view?.progress.rowsTotal ?? 0)),
        ...(finished && members.length > 0
          ? { allFinishedAfter: Math.max(...members.map((m) => m.finishedAt ?? 0)) / 1000 }
          : {}),
      };
    });
  }

  #client(key: string): ApiClient {
    let client = this.#clients.get(key);
    if (client === undefined) {
      client = new ApiClient({ baseUrl: this.#apiUrl, apiKey: key });
      this.#clients.set(key, client);
    }
    return client;
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
