import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  JobStateConflictError,
  objectKeys,
  type ApiConfig,
  type Job,
  type JobSource,
  type JobStore,
  type JobSummary,
  type Logger,
  type MessagePublisher,
  type ObjectStore,
} from '@contacts/shared';
import { checkDirectory } from '../directories/directory-status.ts';
import { HttpProblem } from '../http/problem.ts';
import type { CreateJobBody, CreateSourceJobBody, DirectUploadQuery } from './job-requests.ts';
import { jobView, type ResultLinks } from './job-view.ts';
import {
  storeUpload,
  tooLargeProblem,
  type UploadInstructions,
  type UrlSigner,
} from './uploads.ts';

export interface JobServiceDeps {
  readonly jobs: JobStore;
  readonly objects: ObjectStore;
  readonly publisher: MessagePublisher;
  readonly signer: UrlSigner;
  readonly config: ApiConfig;
  /** Providers this deployment has credentials for (`pdl` once PDL_API_KEY is set). */
  readonly providers: readonly string[];
  readonly logger: Logger;
  /** The tenant's stored connections (Mailchimp); absent: jobs cannot read a remote source. */
  readonly connections?: ConnectionLookup;
  readonly now?: () => number;
}

/** Whether a tenant has a connection: all a job needs to know before it is queued. */
export interface ConnectionLookup {
  exists(tenantId: string, connectionId: string): Promise<boolean>;
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
      throw tooLargeProblem(config.maxUploadBytes);
    }
    const job = await this.#newJob(tenantId, request);
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
    if (query.directoryId !== undefined) await this.#requireDirectory(tenantId, query.directoryId);
    const job = await this.#newJob(tenantId, query);
    const limit = this.#deps.config.maxUploadBytes;
    let stored: { size: number; etag: string };
    try {
      stored = await storeUpload(this.#deps.objects, job.sourceKey, body, limit);
    } catch (error) {
      const tooBig = error instanceof HttpProblem && error.status === 413;
      await this.#deps.jobs
        .fail(job.id, {
          code: tooBig ? 'file_too_large' : 'upload_failed',
          message: tooBig ? `the file exceeds ${limit} bytes` : 'the upload did not complete',
        })
        .catch(() => false);
      throw error;
    }
    return this.#queue(job, stored);
  }

  /**
   * Creates a job that reads a Mailchimp audience and queues its split at once: there is no
   * upload. The connection must be the tenant's; the job records which (never the key).
   */
  async createFromSource(tenantId: string, request: CreateSourceJobBody): Promise<Job> {
    const { source, writeBack, ...options } = request;
    const connections = this.#deps.connections;
    if (connections === undefined)
      throw new HttpProblem(
        400,
        'mailchimp_not_configured',
        'this service has no connection store; Mailchimp jobs are not available',
      );
    if (!(await connections.exists(tenantId, source.connectionId)))
      throw new HttpProblem(
        404,
        'connection_not_found',
        `connection ${source.connectionId} not found; create one with POST /v1/connections`,
      );
    if (options.directoryId !== undefined)
      await this.#requireDirectory(tenantId, options.directoryId);
    const job = await this.#newJob(tenantId, {
      ...options,
      fileName: `mailchimp-${source.listId}.csv`,
      source: { ...source, writeBack },
    });
    const queued = await this.#deps.jobs.transition(job.id, {
      from: ['awaiting_upload'],
      to: 'queued',
    });
    await this.#deps.publisher.sendControl({ type: 'job.split', v: 1, jobId: job.id, tenantId });
    return queued;
  }

  /** Queues the split of an uploaded file. Repeating it is safe: a queued job is re-sent. */
  async start(tenantId: string, jobId: string): Promise<Job> {
    const { jobs, objects, publisher, config } = this.#deps;
    const job = await jobs.getForTenant(tenantId, jobId);
    if (job.status !== 'awaiting_upload' && job.status !== 'queued') {
      throw new JobStateConflictError(`job ${jobId} is ${job.status}; it can only be started once`);
    }
    if (job.options.directoryId !== undefined) {
      await this.#requireDirectory(tenantId, job.options.directoryId);
    }
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
        throw tooLargeProblem(config.maxUploadBytes);
      }
      // The version seen now is the one the job processes: a later PUT through a still-valid
      // upload URL fails the job (upload_changed) instead of changing its bytes.
      return this.#queue(job, object);
    }
    // Already queued: a retried start re-sends the split (split is idempotent).
    await publisher.sendControl({ type: 'job.split', v: 1, jobId: job.id, tenantId });
    return job;
  }

  /** Moves an uploaded job to queued, pinned to the upload's version, and sends its split. */
  async #queue(job: Job, source: { size: number; etag: string }): Promise<Job> {
    const queued = await this.#deps.jobs.transition(job.id, {
      from: ['awaiting_upload'],
      to: 'queued',
      set: { sourceBytes: source.size, sourceEtag: source.etag },
    });
    await this.#deps.publisher.sendControl({
      type: 'job.split',
      v: 1,
      jobId: job.id,
      tenantId: job.tenantId,
    });
    return queued;
  }

  /**
   * Cancels an unfinished job. Repeating it is safe; a job that already completed or failed
   * stays as it is (409). Work objects go now; parts a running chunk writes later are removed
   * by that chunk, and anything missed expires with the work/ lifecycle rule.
   */
  async cancel(tenantId: string, jobId: string): Promise<Job> {
    const { jobs, objects } = this.#deps;
    const job = await jobs.getForTenant(tenantId, jobId);
    if (job.status === 'cancelled') return job;
    const cancelled = await jobs.cancel(job.id);
    if (cancelled === undefined) {
      const current = await jobs.getForTenant(tenantId, jobId);
      if (current.status === 'cancelled') return current;
      throw new JobStateConflictError(
        `job ${jobId} is ${current.status}; only unfinished jobs can be cancelled`,
      );
    }
    await objects.deletePrefix(objectKeys.workPrefix(cancelled)).catch((error: unknown) => {
      // The cancel stands; the work/ lifecycle rule removes what is left.
      this.#deps.logger.warn(
        { err: error, jobId },
        'could not delete a cancelled job’s work objects',
      );
    });
    return cancelled;
  }

  /** Reads only what the view shows: never the job's chunk tallies or header. */
  async get(tenantId: string, jobId: string): Promise<JobSummary> {
    return this.#deps.jobs.getSummaryForTenant(tenantId, jobId);
  }

  /**
   * The public view, with fresh download links once the job completed; a job failed for too
   * many rejected rows links its rejects file, so the reasons can be read.
   */
  async view(job: JobSummary): Promise<Record<string, unknown>> {
    const linked = job.status === 'completed' || job.status === 'failed';
    return jobView(job, linked ? await this.#resultLinks(job) : undefined);
  }

  async #resultLinks(job: JobSummary): Promise<ResultLinks | undefined> {
    if (job.resultKey === undefined && job.rejectsKey === undefined) return undefined;
    const { signer, config } = this.#deps;
    const ttl = config.resultUrlTtlSeconds;
    const base = job.fileName.replace(/\.[^.]*$/, '') || 'contacts';
    const link = (key: string | undefined, suffix: string): Promise<string> | undefined =>
      key === undefined ? undefined : signer.download(key, `${base}-${suffix}.csv`, ttl);
    const [url, rejectsUrl] = await Promise.all([
      link(job.resultKey, 'enriched'),
      link(job.rejectsKey, 'rejects'),
    ]);
    return {
      ...(url === undefined ? {} : { url }),
      expiresAt: signer.expiresAt(ttl),
      ...(rejectsUrl === undefined ? {} : { rejectsUrl }),
    };
  }

  async #requireDirectory(tenantId: string, directoryId: string): Promise<void> {
    const key = objectKeys.directory({ tenantId, id: directoryId });
    const found = await this.#deps.objects.head(key);
    if (!found) {
      throw new HttpProblem(
        409,
        'directory_missing',
        `directory ${directoryId} has not been uploaded`,
      );
    }
    // A job against a directory no worker could index would only fail later: refuse it now.
    const checked = await checkDirectory(this.#deps.objects, key, found);
    if (checked.status === 'failed') {
      throw new HttpProblem(
        409,
        'directory_invalid',
        `directory ${directoryId} cannot be used: ${checked.error.message}; upload a corrected directory`,
      );
    }
  }

  async #newJob(
    tenantId: string,
    request: {
      fileName: string;
      chunkRows?: number | undefined;
      directoryId?: string | undefined;
      provider?: 'pdl' | undefined;
      columnMapping?: Record<string, string | string[]> | undefined;
      toleratedRejectPercent?: number | undefined;
      source?: JobSource;
      region?: string | undefined;
      output?: 'full' | 'compact' | undefined;
    },
  ): Promise<Job> {
    const { fileName, chunkRows, directoryId, provider, columnMapping, toleratedRejectPercent } =
      request;
    const { region, output } = request;
    // Refused now, not when the first chunk runs: a job that can only fail should not start.
    if (provider !== undefined && !this.#deps.providers.includes(provider)) {
      throw new HttpProblem(
        400,
        'provider_not_configured',
        `provider "${provider}" is not configured on this service (neither PDL_API_KEY nor PDL_ENABLED is set); ` +
          'submit without "provider", or ask the operator to configure it',
      );
    }
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
      ...(request.source === undefined ? {} : { source: request.source }),
      options: {
        chunkRows: chunkRows ?? this.#deps.config.defaultChunkRows,
        ...(directoryId === undefined ? {} : { directoryId }),
        ...(provider === undefined ? {} : { provider }),
        ...(columnMapping === undefined ? {} : { columnMapping }),
        ...(toleratedRejectPercent === undefined ? {} : { toleratedRejectPercent }),
        ...(region === undefined ? {} : { region }),
        ...(output === undefined ? {} : { output }),
      },
      rowsProcessed: 0,
      rowsRejected: 0,
      chunksDone: 0,
    };
    await this.#deps.jobs.create(job);
    return job;
  }
}
