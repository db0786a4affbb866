import { isUnreachable, type Logger, type OutageLog } from '@contacts/shared';

/**
 * Keeps a message hidden while its handler runs: every `intervalMs`, `extend` resets its
 * visibility, then each `renewals` entry extends a lease held alongside it. Returns the stop
 * function. Failures are logged (an unreachable dependency once per outage) and the beat goes on:
 * the next one may succeed before the message reappears.
 */
export function startVisibilityHeartbeat(options: {
  intervalMs: number;
  extend: () => Promise<void>;
  renewals: readonly (() => Promise<void>)[];
  outage: OutageLog;
  logger: Logger;
}): () => void {
  const timer = setInterval(() => {
    void (async () => {
      try {
        await options.extend();
        for (const renew of options.renewals) await renew();
      } catch (error) {
        if (isUnreachable(error)) options.outage.failed(error);
        else options.logger.warn({ err: error }, 'heartbeat failed');
      }
    })();
  }, options.intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}

/** Extending at a third of the timeout leaves two chances before the message reappears. */
export function heartbeatIntervalMs(visibilityTimeoutSeconds: number): number {
  return Math.max(1000, (visibilityTimeoutSeconds * 1000) / 3);
}
