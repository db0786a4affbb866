/** The job view of `GET /v1/jobs/{id}` (docs/api.md), as far as the page reads it. */
export interface JobView {
  readonly id: string;
  readonly status: JobStatus;
  readonly fileName?: string;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  readonly progress: {
    readonly rowsTotal: number | null;
    readonly rowsProcessed: number;
    readonly rowsRejected: number;
    readonly chunksTotal: number | null;
    readonly chunksDone: number;
  };
  readonly result?: {
    readonly url?: string;
    readonly rejectsUrl?: string;
    readonly expiresAt?: string;
  };
  readonly error?: { readonly code: string; readonly message: string };
}

export type JobStatus =
  | 'awaiting_upload'
  | 'queued'
  | 'splitting'
  | 'processing'
  | 'merging'
  | 'completed'
  | 'failed'
  | 'cancelled';

export const FINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export interface UploadInstructions {
  readonly method: 'POST' | 'PUT';
  readonly url: string;
  readonly fields?: Record<string, string>;
  readonly headers?: Record<string, string>;
}

export interface JobOptions {
  readonly directoryId?: string;
  readonly provider?: string;
  readonly region?: string;
  readonly columnMapping?: Record<string, string | string[]>;
  readonly toleratedRejectPercent?: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export interface DirectoryItem {
  readonly id: string;
  readonly status?: string;
  readonly sizeBytes?: number;
  readonly updatedAt?: string;
}

/** An answer of the API that is not a success: its problem document, read for people. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, detail: string) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** Calls the API of the page's own origin with the user's key. */
export class ApiClient {
  readonly #key: () => string;

  constructor(key: () => string) {
    this.#key = key;
  }

  get authorization(): string {
    return `Bearer ${this.#key()}`;
  }

  async createJob(
    fileName: string,
    options: JobOptions,
  ): Promise<JobView & { upload: UploadInstructions }> {
    return this.#json('POST', '/v1/jobs', { fileName, ...options });
  }

  startJob(id: string): Promise<JobView> {
    return this.#json('POST', `/v1/jobs/${encodeURIComponent(id)}/start`);
  }

  getJob(id: string): Promise<JobView> {
    return this.#json('GET', `/v1/jobs/${encodeURIComponent(id)}`);
  }

  cancelJob(id: string): Promise<JobView> {
    return this.#json('POST', `/v1/jobs/${encodeURIComponent(id)}/cancel`);
  }

  /** Undefined when this API has no list route yet (404). */
  listJobs(limit: number): Promise<Page<JobView> | undefined> {
    return this.#optional(`/v1/jobs?limit=${limit}`);
  }

  listDirectories(limit: number): Promise<Page<DirectoryItem> | undefined> {
    return this.#optional(`/v1/directories?limit=${limit}`);
  }

  /** The query of the API upload route (`POST /v1/jobs` with the file as the body). */
  directUploadUrl(fileName: string, options: JobOptions): string {
    const query = new URLSearchParams({ fileName });
    for (const [name, value] of Object.entries(options)) {
      if (value === undefined) continue;
      query.set(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
    return `/v1/jobs?${query.toString()}`;
  }

  async #optional<T>(path: string): Promise<T | undefined> {
    try {
      return await this.#json<T>('GET', path);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 405))
        return undefined;
      throw error;
    }
  }

  async #json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {
      Authorization: this.authorization,
      Accept: 'application/json',
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw problemError(res.status, text);
    return JSON.parse(text) as T;
  }
}

/** Reads an RFC 9457 problem (or any error body) into an ApiError. */
export function problemError(status: number, text: string): ApiError {
  try {
    const problem = JSON.parse(text) as { type?: string; detail?: string; title?: string };
    const code = problem.type?.split('/').pop() ?? `http_${status}`;
    return new ApiError(status, code, problem.detail ?? problem.title ?? `HTTP ${status}`);
  } catch {
    return new ApiError(status, `http_${status}`, text.trim().slice(0, 200) || `HTTP ${status}`);
  }
}
