import { randomUUID } from 'node:crypto';
import { JobStateConflictError } from '@contacts/shared';
import type { DeliveryContext } from '../queue/consumer.ts';
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
export function deliveryToken(context: DeliveryContext): string {
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
