import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { FINAL_STATUSES } from '@contacts/shared';

/** What `GET /v1/jobs/{id}` answers (the parts scripts read). */
export interface JobView {
  readonly id: string;
  readonly status: string;
  readonly progress: {
    readonly rowsTotal?: number;
    readonly rowsProcessed: number;
    readonly rowsRejected: number;
    readonly chunksTotal?: number;
    readonly chunksDone: number;
  };
  readonly result?: { readonly url: string; readonly rejectsUrl?: string };
  readonly error?: { readonly code: string; readonly message: string };
}

/** A small HTTP client of the API for scripts (benchmarks, chaos runs) over a real socket. */
export class ApiClient {
  readonly #baseUrl: string;
  readonly #auth: { Authorization: string };

  constructor(options: { baseUrl: string; apiKey: string }) {
    this.#baseUrl = options.baseUrl;
    this.#auth = { Authorization: `Bearer ${options.apiKey}` };
  }

  /** Streams a CSV file to `POST /v1/jobs` (the job starts at once); returns the job id. */
  async submitFile(path: string, query: Record<string, string>): Promise<string> {
    const res = await this.#postFile(`/v1/jobs?${new URLSearchParams(query).toString()}`, path);
    const body = (await res.json()) as { id: string };
    if (res.status !== 202) throw new Error(`upload failed: ${res.status} ${JSON.stringify(body)}`);
    return body.id;
  }

  /** Streams a reference directory to `POST /v1/directories`; returns its id. */
  async uploadDirectory(path: string): Promise<string> {
    const res = await this.#postFile('/v1/directories', path);
    const body = (await res.json()) as { id: string };
    if (res.status !== 201)
      throw new Error(`directory upload failed: ${res.status} ${JSON.stringify(body)}`);
    return body.id;
  }

  /** The job, or `undefined` while the API answers 503 (its dependencies are down). */
  async getJob(id: string): Promise<JobView | undefined> {
    const res = await fetch(`${this.#baseUrl}/v1/jobs/${id}`, { headers: this.#auth });
    if (res.status === 503) {
      await res.body?.cancel();
      return undefined;
    }
    if (res.status !== 200) throw new Error(`GET job ${id}: ${res.status} ${await res.text()}`);
    return (await res.json()) as JobView;
  }

  /**
   * Polls until the job is completed, failed or cancelled, or throws after `timeoutMs`; rides
   * out 503 answers as a client should.
   */
  async waitForFinalState(
    id: string,
    options: { timeoutMs?: number; intervalMs?: number } = {},
  ): Promise<JobView> {
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    for (;;) {
      const job = await this.getJob(id);
      if (job !== undefined && isFinalView(job)) return job;
      if (Date.now() > deadline)
        throw new Error(`job ${id} still ${job?.status ?? 'unavailable'} at the deadline`);
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
    }
  }

  #postFile(path: string, file: string): Promise<Response> {
    return fetch(`${this.#baseUrl}${path}`, {
      method: 'POST',
      headers: { ...this.#auth, 'Content-Type': 'text/csv' },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream,
      duplex: 'half',
    });
  }
}

/** True once the job reached a state that never changes. */
export function isFinalView(view: JobView): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(view.status);
}
