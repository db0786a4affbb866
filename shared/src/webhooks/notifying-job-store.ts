import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isFinal, type Job, type JobError, type JobStatus } from '../jobs/job.ts';
import { JobStore, type JobSummary } from '../jobs/job-store.ts';
import type { Logger } from '../logger.ts';
import { webhookEventOf } from './webhook-events.ts';
import type { WebhookPublisher } from './webhook-publisher.ts';

/** Hears every job end this process wrote. */
export type JobEndListener = (
  job: Pick<JobSummary, 'id' | 'tenantId' | 'status' | 'updatedAt'>,
) => Promise<void>;

/**
 * A JobStore that raises the webhook event of each job end it writes. Every final write is
 * conditional on the job not being final yet, so exactly one writer wins it, in whichever
 * process (api cancel, worker merge or failure, watchdog): that writer, and only it, sends the
 * event. The event goes to a queue; the endpoints are called by the worker, never here.
 */
export class NotifyingJobStore extends JobStore {
  readonly #onEnd: JobEndListener;
  readonly #logger: Logger;

  constructor(options: {
    client: DynamoDBClient;
    table: string;
    now?: () => number;
    publisher: WebhookPublisher;
    logger: Logger;
  }) {
    super(options);
    this.#logger = options.logger;
    this.#onEnd = async (job) => {
      const event = webhookEventOf(job.status);
      if (event === undefined) return;
      await options.publisher.send({
        type: 'webhook.event',
        v: 1,
        jobId: job.id,
        tenantId: job.tenantId,
        event,
        occurredAt: job.updatedAt,
      });
    };
  }

  override async transition(
    id: string,
    change: { from: readonly JobStatus[]; to: JobStatus; set?: Record<string, unknown> },
  ): Promise<Job> {
    const job = await super.transition(id, change);
    if (isFinal(job.status)) await this.#ended(job);
    return job;
  }

  override async updateUnderLease(
    id: string,
    lease: { status: JobStatus; holder: string },
    set: Record<string, unknown>,
    options: { to?: JobStatus; releaseLease?: boolean } = {},
  ): Promise<Job> {
    const job = await super.updateUnderLease(id, lease, set, options);
    if (options.to !== undefined && isFinal(options.to)) await this.#ended(job);
    return job;
  }

  override async fail(id: string, error: JobError): Promise<boolean> {
    const failed = await super.fail(id, error);
    if (failed) await this.#endedById(id);
    return failed;
  }

  override async failIfUnchanged(id: string, updatedAt: string, error: JobError): Promise<boolean> {
    const failed = await super.failIfUnchanged(id, updatedAt, error);
    if (failed) await this.#endedById(id);
    return failed;
  }

  override async cancel(id: string): Promise<Job | undefined> {
    const job = await super.cancel(id);
    if (job !== undefined) await this.#ended(job);
    return job;
  }

  async #endedById(id: string): Promise<void> {
    const job = await this.getSummary(id).catch((error: unknown) => {
      this.#logger.error(
        { err: error, jobId: id },
        'job ended but could not be read for its webhook event',
      );
      return undefined;
    });
    if (job !== undefined) await this.#ended(job);
  }

  /** The job's state is final whatever happens here: a lost event is logged, never thrown. */
  async #ended(job: Parameters<JobEndListener>[0]): Promise<void> {
    try {
      await this.#onEnd(job);
    } catch (error) {
      this.#logger.error(
        { err: error, jobId: job.id, status: job.status },
        'webhook event not sent',
      );
    }
  }
}
