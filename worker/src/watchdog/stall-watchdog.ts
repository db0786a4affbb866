import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  isFinal,
  isUnreachable,
  queueCounts,
  type Job,
  type JobStatus,
  type JobStore,
  type Logger,
  type MessagePublisher,
  type QueueUrls,
  type WatchdogConfig,
} from '@contacts/shared';
import { DeadLetterQueues, deadLetterRoutes } from '../ops/dead-letter-queues.ts';
import { planRepair, stalledMessage, type RepairPlan } from './repair-plan.ts';

/** Stalled jobs one pass looks at; the rest wait for the next pass. */
const JOBS_PER_PASS = 25;
/**
 * A busy queue defers a stalled job's failure (its messages may be waiting behind others), but
 * only until the job has been idle this many stall periods: on a fleet that never drains, a job
 * must not wait forever.
 */
const BACKLOG_PATIENCE_STALLS = 4;

export interface StallWatchdogOptions {
  readonly jobs: JobStore;
  readonly publisher: MessagePublisher;
  readonly sqs: SQSClient;
  readonly queueUrls: QueueUrls;
  readonly config: WatchdogConfig;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** What one pass did about one job. */
export interface StallOutcome {
  readonly jobId: string;
  /** The job's status when the watchdog looked. */
  readonly status: JobStatus | 'gone';
  readonly action:
    | 'resent-split'
    | 'resent-merge'
    | 'redriven'
    | 'failed'
    /** Nothing left to repair, but the stage's queue still holds messages: maybe some are its. */
    | 'waiting-for-queue'
    /** A live lease, progress since the index was read, or another watchdog's claim. */
    | 'left-alone';
  readonly detail: string;
}

/**
 * Finds running jobs whose item has not changed for `stallAfterSeconds` (through the sparse
 * active-jobs index, never a scan) and repairs them: sends a lost split or merge again, or moves
 * the job's chunk messages back from the chunk dead-letter queue, at most `maxRepairs` times per
 * job. A job that cannot be repaired fails with `stalled` and names its stage. Every worker runs
 * one; there is no leader: a conditional write on the job decides who repairs a stall.
 */
export class StallWatchdog {
  readonly #options: StallWatchdogOptions;
  readonly #deadLetters: DeadLetterQueues;
  readonly #now: () => number;
  readonly #random: () => number;
  #timer: NodeJS.Timeout | undefined;
  #pass: Promise<unknown> | undefined;
  #stopping = false;

  constructor(options: StallWatchdogOptions) {
    this.#options = options;
    this.#deadLetters = new DeadLetterQueues({
      sqs: options.sqs,
      routes: deadLetterRoutes(options.queueUrls),
    });
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  /** Runs a pass every interval (none when the interval is 0). */
  start(): void {
    if (this.#options.config.intervalSeconds === 0 || this.#stopping) return;
    this.#schedule();
  }

  /** Stops the timer and waits for a running pass, at most `deadlineMs`. Idempotent. */
  async stop(deadlineMs: number): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    if (this.#pass === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    });
    // A redrive cut short leaves its messages hidden for a while, or in both queues: never lost.
    await Promise.race([this.#pass.catch(() => undefined), deadline]);
    clearTimeout(timer);
  }

  /** One look at the stalled jobs; what it did about each. */
  async runPass(): Promise<StallOutcome[]> {
    const stallMs = this.#options.config.stallAfterSeconds * 1000;
    const before = new Date(this.#now() - stallMs).toISOString();
    const refs = await this.#options.jobs.listUnchangedSince(before, JOBS_PER_PASS);
    const outcomes: StallOutcome[] = [];
    for (const ref of refs) {
      if (this.#stopping) break;
      try {
        outcomes.push(await this.#handle(ref.id));
      } catch (error) {
        this.#logFailure(error, { jobId: ref.id }, 'stalled job not handled');
      }
    }
    return outcomes;
  }

  #schedule(): void {
    // Jittered, so the workers of a fleet started together do not all look at once.
    const ms = this.#options.config.intervalSeconds * 1000 * (0.8 + 0.4 * this.#random());
    this.#timer = setTimeout(() => {
      this.#pass = this.runPass()
        .catch((error: unknown) => {
          this.#logFailure(error, {}, 'watchdog pass failed');
        })
        .finally(() => {
          if (!this.#stopping) this.#schedule();
        });
    }, ms);
    this.#timer.unref();
  }

  async #handle(jobId: string): Promise<StallOutcome> {
    const job = await this.#options.jobs.get(jobId);
    if (job === undefined || isFinal(job.status) || job.status === 'awaiting_upload')
      return leftAlone(jobId, job?.status ?? 'gone', 'not running');
    const idleMs = this.#now() - Date.parse(job.updatedAt);
    // The index is eventually consistent: the job may have moved since.
    if (idleMs < this.#options.config.stallAfterSeconds * 1000)
      return leftAlone(jobId, job.status, 'moved since the index was read');
    const idleSeconds = Math.round(idleMs / 1000);
    const plan = planRepair(job, this.#now());
    if (plan.kind === 'wait') return leftAlone(jobId, job.status, plan.situation);
    const repairs = job.repairs ?? 0;
    const { maxRepairs } = this.#options.config;
    if (repairs >= maxRepairs) {
      const why = `${plan.situation}; ${repairs} automatic repairs did not get it moving`;
      return this.#failStalled(job, job.updatedAt, plan, stalledMessage(job, idleSeconds, why));
    }
    const claimed = await this.#options.jobs.claimRepair(job.id, {
      status: job.status,
      updatedAt: job.updatedAt,
      maxRepairs,
    });
    if (claimed === undefined)
      return leftAlone(jobId, job.status, 'changed meanwhile, or another watchdog repairs it');
    const log = this.#options.logger.child({ jobId, status: job.status, idleSeconds });
    if (plan.kind === 'redrive') {
      const moved = await this.#redriveChunks(job, plan.missing);
      if (moved === 0) {
        const why = `${plan.situation} and none in the dead-letter queue`;
        return this.#failStalled(
          job,
          claimed.updatedAt,
          plan,
          stalledMessage(job, idleSeconds, why),
        );
      }
      log.warn({ moved, repairs: claimed.repairs }, 'stalled job repaired: chunks redriven');
      return outcome(job, 'redriven', `${plan.situation}; ${moved} chunk messages redriven`);
    }
    await this.#options.publisher.sendControl({
      type: plan.kind === 'split' ? 'job.split' : 'job.merge',
      v: 1,
      jobId: job.id,
      tenantId: job.tenantId,
    });
    log.warn(
      { repairs: claimed.repairs, situation: plan.situation },
      `stalled job repaired: ${plan.kind} re-sent`,
    );
    return outcome(job, plan.kind === 'split' ? 'resent-split' : 'resent-merge', plan.situation);
  }

  /** Moves this job's chunk messages back from the chunk DLQ; how many went back. */
  async #redriveChunks(job: Job, missing: number): Promise<number> {
    const results = await this.#deadLetters.redrive({
      queue: 'chunks',
      max: Math.max(1, missing),
      jobId: job.id,
    });
    return results.reduce((sum, result) => sum + result.moved + result.duplicated.length, 0);
  }

  /**
   * Fails the job as stalled unless the queue of its stage still holds messages: a backlog of
   * other jobs' work can hold its messages back, and a message in flight may be one of its own
   * retrying (its last failure fails the job with the real reason), without anything being lost.
   * Not beyond BACKLOG_PATIENCE_STALLS stall periods of idleness, though.
   */
  async #failStalled(
    job: Job,
    updatedAt: string,
    plan: RepairPlan,
    message: string,
  ): Promise<StallOutcome> {
    const queue = plan.kind === 'redrive' ? 'chunks' : 'control';
    const idleMs = this.#now() - Date.parse(updatedAt);
    const patienceMs = BACKLOG_PATIENCE_STALLS * this.#options.config.stallAfterSeconds * 1000;
    const waiting = idleMs < patienceMs ? await this.#heldMessages(queue) : 0;
    if (waiting > 0) {
      this.#options.logger.warn(
        { jobId: job.id, status: job.status, queue, waiting },
        'stalled job not failed: its queue still holds messages',
      );
      return outcome(job, 'waiting-for-queue', `${message} (${queue} queue holds ${waiting})`);
    }
    const failed = await this.#options.jobs.failIfUnchanged(job.id, updatedAt, {
      code: 'stalled',
      message,
    });
    if (!failed) return leftAlone(job.id, job.status, 'changed before it could be failed');
    this.#options.logger.warn(
      { jobId: job.id, status: job.status, message },
      'job failed: stalled',
    );
    return outcome(job, 'failed', message);
  }

  /**
   * Messages waiting or in flight in a work queue; for chunks, also those of the chunk DLQ that
   * another redrive pass (or an operator's `dlq list`) holds hidden right now: they may be ours.
   */
  async #heldMessages(queue: 'control' | 'chunks'): Promise<number> {
    const { sqs, queueUrls } = this.#options;
    if (queue === 'control') {
      const counts = await queueCounts(sqs, queueUrls.control);
      return counts.visible + counts.inFlight;
    }
    const [chunks, deadLetters] = await Promise.all([
      queueCounts(sqs, queueUrls.chunk),
      queueCounts(sqs, queueUrls.chunkDlq),
    ]);
    return chunks.visible + chunks.inFlight + deadLetters.inFlight;
  }

  #logFailure(error: unknown, fields: Record<string, unknown>, message: string): void {
    // An outage is reported by the consumers already; the next pass tries again.
    if (isUnreachable(error)) this.#options.logger.debug({ ...fields, err: error }, message);
    else this.#options.logger.warn({ ...fields, err: error }, message);
  }
}

function outcome(job: Job, action: StallOutcome['action'], detail: string): StallOutcome {
  return { jobId: job.id, status: job.status, action, detail };
}

function leftAlone(jobId: string, status: StallOutcome['status'], detail: string): StallOutcome {
  return { jobId, status, action: 'left-alone', detail };
}
