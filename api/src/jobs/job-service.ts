import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  JobStateConflictError,
  objectKeys,
  type ApiConfig,
  type Job,
  type JobStore,
  type MessagePublisher,
  type ObjectStore,
} from '@contacts/shared';
import { HttpProblem } from '../http/problem.ts';
import type { CreateJobBody, DirectUploadQuery } from './job-requests.ts';
import { jobView, type ResultLinks } from './job-view.ts';
import { limitBytes, TooLargeError, type UploadInstructions, type UrlSigner } from './uploads.ts';

export interface JobServiceDeps {
  readonly jobs: JobStore;
  readonly objects: ObjectStore;
  readonly publisher: MessagePublisher;
  readonly signer: UrlSigner;
  readonly config: ApiConfig;
  readonly now?: () => number;
}

/** What the HTTP routes can do with jobs; every call is scoped to one tenant. */
export class JobService {
  readonly #deps: JobServiceDeps;
  readonly #now: () => number;

  constructor(deps: JobServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** Creates a job waiting for its file and the instructions to upload it straight to S3. */
  async create(
    tenantId: string,
    request: CreateJobBody,
  ): Promise<{ job: Job; upload: UploadInstructions }> {
    const { config, signer } = this.#deps;
    if (request.fileSize !== undefined && request.fileSize > config.maxUploadBytes) {
      throw tooLarge(config.maxUploadBytes);
    }
    const job = await this.#newJob(tenantId, request.fileName, request.chunkRows);
    const upload =
      request.uploadMethod === 'PUT'
        ? await signer.presignedPut(job.sourceKey, config.uploadUrlTtlSeconds, request.fileSize)
        : await signer.presignedPost(
            job.sourceKey,
            config.maxUploadBytes,
            config.uploadUrlTtlSeconds,
          );
    return { job, upload };
  }

  /** Streams a file sent to the API into S3 (multipart, constant memory) and starts its job. */
  async uploadAndStart(tenantId: string, query: DirectUploadQuery, body: Readable): Promise<Job> {
    const job = await this.#newJob(tenantId, query.fileName, query.chunkRows);
    const limited = limitBytes(body, this.#deps.config.maxUploadBytes);
    try {
      await this.#deps.objects.upload(job.sourceKey, limited);
    } catch (error) {
      const tooBig = error instanceof TooLargeError || causeIs(error, TooLargeError);
      await this.#deps.jobs
        .fail(job.id, {
          code: tooBig ? 'file_too_large' : 'upload_failed',
          message: tooBig
            ? `the file exceeds ${this.#deps.config.maxUploadBytes} bytes`
            : 'the upload did not complete',
        })
        .catch(() => false);
      if (tooBig) throw tooLarge(this.#deps.config.maxUploadBytes);
      throw error;
    }
    return this.start(tenantId, job.id);
  }

  /** Queues the split of an uploaded file. Repeating it is safe: a queued job is re-sent. */
  async start(tenantId: string, jobId: string): Promise<Job> {
    const { jobs, objects, publisher, config } = this.#deps;
    const job = await jobs.getForTenant(tenantId, jobId);
    if (job.status !== 'awaiting_upload' && job.status !== 'queued') {
      throw new JobStateConflictError(`job ${jobId} is ${job.status}; it can only be started once`);
    }
    let queued = job;
    if (job.status === 'awaiting_upload') {
      const object = await objects.head(job.sourceKey);
      if (!object) {
        throw new HttpProblem(
          409,
          'upload_missing',
          'the file has not been uploaded yet; upload it, then start the job',
        );
      }
      if (object.size > config.maxUploadBytes) {
        await jobs.fail(job.id, {
          code: 'file_too_large',
          message: `the file exceeds ${config.maxUploadBytes} bytes`,
        });
        throw tooLarge(config.maxUploadBytes);
      }
      queued = await jobs.transition(job.id, {
        from: ['awaiting_upload'],
        to: 'queued',
        set: { sourceBytes: object.size },
      });
    }
    await publisher.sendControl({ type: 'job.split', v: 1, jobId: job.id, tenantId });
    return queued;
  }

  async get(tenantId: string, jobId: string): Promise<Job> {
    return this.#deps.jobs.getForTenant(tenantId, jobId);
  }

  /** The public view, with fresh download links once the job completed. */
  async view(job: Job): Promise<Record<string, unknown>> {
    return jobView(job, job.status === 'completed' ? await this.#resultLinks(job) : undefined);
  }

  async #resultLinks(job: Job): Promise<ResultLinks | undefined> {
    if (job.resultKey === undefined) return undefined;
    const { signer, config } = this.#deps;
    const ttl = config.resultUrlTtlSeconds;
    const base = job.fileName.replace(/\.[^.]*$/, '') || 'contacts';
    const url = await signer.download(job.resultKey, `${base}-enriched.csv`, ttl);
    const rejectsUrl =
      job.rejectsKey === undefined
        ? undefined
        : await signer.download(job.rejectsKey, `${base}-rejects.csv`, ttl);
    return {
      url,
      expiresAt: signer.expiresAt(ttl),
      ...(rejectsUrl === undefined ? {} : { rejectsUrl }),
    };
  }

  async #newJob(tenantId: string, fileName: string, chunkRows: number | undefined): Promise<Job> {
    const id = randomUUID();
    const now = new Date(this.#now()).toISOString();
    const job: Job = {
      id,
      tenantId,
      status: 'awaiting_upload',
      createdAt: now,
      updatedAt: now,
      fileName,
      sourceKey: objectKeys.upload({ tenantId, id }),
      options: { chunkRows: chunkRows ?? this.#deps.config.defaultChunkRows },
      rowsProcessed: 0,
      rowsRejected: 0,
      chunksDone: 0,
    };
    await this.#deps.jobs.create(job);
    return job;
  }
}

function tooLarge(limit: number): HttpProblem {
  return new HttpProblem(
    413,
    'file_too_large',
    `the file is larger than the limit of ${limit} bytes`,
    {
      extensions: { limitBytes: limit },
    },
  );
}

function causeIs(error: unknown, type: abstract new (...args: never[]) => Error): boolean {
  let current: unknown = error;
  while (current instanceof Error) {
    if (current instanceof type) return true;
    current = (current as Error).cause;
  }
  return false;
}
