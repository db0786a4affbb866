import { JobStateConflictError } from '@contacts/shared';
import type { DeliveryContext } from '../queue/consumer.ts';
import type { PipelineDeps } from '../pipeline-deps.ts';

export interface StageLease {
  /** Throws once a renewal was refused: the job was cancelled or the stage taken over. */
  assertHeld(): void;
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
  context: DeliveryContext,
): StageLease {
  let lost = false;
  context.onHeartbeat(async () => {
    if (!(await deps.jobs.renewLease(jobId, context.messageId, deps.leaseMs))) lost = true;
  });
  return {
    assertHeld() {
      if (lost) {
        throw new JobStateConflictError(
          `job ${jobId}: the ${stage} lease was lost (cancelled or taken over)`,
        );
      }
    },
  };
}
