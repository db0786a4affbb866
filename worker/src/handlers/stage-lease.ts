import { randomUUID } from 'node:crypto';
import {
  JobStateConflictError,
  type ClaimResult,
  type Job,
  type JobStatus,
} from '@contacts/shared';
import { DeferDeliveryError, type DeliveryContext } from '../queue/consumer.ts';
import type { PipelineDeps } from '../pipeline-deps.ts';

export interface StageLease {
  /** This delivery's lease token (not the message id: a redelivery must not pass for us). */
  readonly holder: string;
  /** Throws once a renewal was refused: the job was cancelled or the stage taken over. */
  assertHeld(): void;
}

/**
 * A lease token for one delivery of a message. SQS may deliver a message again while the first
 * delivery still runs (its visibility lapsed); that second delivery must find the lease taken.
 */
function deliveryToken(context: DeliveryContext): string {
  return `${context.messageId}/${randomUUID()}`;
}

/**
 * Renews a split or merge lease on every visibility heartbeat. A refused renewal must stop the
 * stage: a cancelled split would otherwise read the rest of a large file and send chunk messages
 * nobody runs, and a cancelled merge would copy the whole result before finding out.
 */
export function holdStageLease(
  deps: PipelineDeps,
  jobId: string,
  stage: 'split' | 'merge',
  context: DeliveryContext & { readonly holder: string },
): StageLease {
  let lost = false;
  context.onHeartbeat(async () => {
    if (!(await deps.jobs.renewLease(jobId, context.holder, deps.leaseMs))) lost = true;
  });
  return {
    holder: context.holder,
    assertHeld() {
      if (lost) {
        throw new JobStateConflictError(
          `job ${jobId}: the ${stage} lease was lost (cancelled or taken over)`,
        );
      }
    },
  };
}

/**
 * Why a stage could not be claimed, when the answer is "later": another delivery holds its live
 * lease (a duplicate, or a redelivery while the first delivery still works). That message must
 * come back when the lease ends, not be deleted: if the holder dies, nobody else runs the stage.
 */
function deferWhileHeld(
  claim: ClaimResult,
  stage: { name: 'split' | 'merge'; status: JobStatus },
  now = Date.now(),
): void {
  const job = claim.job;
  if (claim.claimed || job?.status !== stage.status || job.leaseUntil === undefined) return;
  const leftMs = job.leaseUntil - now;
  if (leftMs <= 0) return;
  throw new DeferDeliveryError(
    `${stage.name} of job ${job.id} is held by another delivery; back when its lease ends`,
    { retryAfterSeconds: Math.ceil(leftMs / 1000) + 1 },
  );
}

/**
 * Runs a stage under the lease `holder` took, and gives the lease back when the stage fails, so
 * the message's retry (after a backoff shorter than the lease) can take it at once. A crashed
 * worker cannot give it back; its lease expires before its message reappears.
 */
async function releasingOnFailure<T>(
  deps: PipelineDeps,
  lease: { jobId: string; holder: string; logger: DeliveryContext['logger'] },
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    await deps.jobs.releaseLease(lease.jobId, lease.holder).catch((releaseError: unknown) => {
      lease.logger.warn({ err: releaseError }, 'could not give the stage lease back; it expires');
    });
    throw error;
  }
}

/** A split or merge: the status it claims the job from and into, and what it does then. */
export interface StageSpec {
  readonly name: 'split' | 'merge';
  readonly from: JobStatus;
  readonly to: JobStatus;
  readonly requireAllChunks?: boolean;
  /** Runs under the lease, which `context.holder` names. */
  run(job: Job, context: DeliveryContext & { readonly holder: string }): Promise<void>;
  /** A refused claim this stage can still act on (true: handled). */
  onRefused?(job: Job | undefined): Promise<boolean>;
}

/**
 * One delivery of a stage's message: claims the stage's lease with a token of this delivery,
 * runs it (giving the lease back if it fails), or, when the claim is refused, defers the
 * message while another delivery holds a live lease and else skips it.
 */
export async function runStage(
  deps: PipelineDeps,
  jobId: string,
  context: DeliveryContext,
  stage: StageSpec,
): Promise<void> {
  const holder = deliveryToken(context);
  const claim = await deps.jobs.claimStage(jobId, {
    from: stage.from,
    to: stage.to,
    holder,
    leaseMs: deps.leaseMs,
    ...(stage.requireAllChunks === true ? { requireAllChunks: true } : {}),
  });
  if (!claim.claimed) {
    if ((await stage.onRefused?.(claim.job)) === true) return;
    deferWhileHeld(claim, { name: stage.name, status: stage.to });
    context.logger.info({ status: claim.job?.status }, `${stage.name} skipped: not ours to run`);
    return;
  }
  await releasingOnFailure(deps, { jobId, holder, logger: context.logger }, () =>
    stage.run(claim.job, { ...context, holder }),
  );
}
