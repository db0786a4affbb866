import { recordCallsWhenConfigured } from './aws-call-recorder.ts';
import { createAwsClients, type AwsClients } from './aws-clients.ts';
import { OutageLog } from './backoff.ts';
import type { AppConfig } from './config.ts';
import { isUnreachable } from './errors.ts';
import type { Logger } from './logger.ts';
import { provisionResources, resolveQueueUrls, type QueueUrls } from './provision.ts';
import { resourceDefinitions } from './resources.ts';
import { retry } from './retry.ts';

export interface AwsConnection {
  readonly clients: AwsClients;
  readonly queueUrls: QueueUrls;
}

/** How long a process waits at start-up for AWS endpoints that do not answer yet. */
const STARTUP_WAIT_MS = 60_000;

/**
 * Builds the SDK clients and finds the queues: creates missing resources first when
 * `provision` (or PROVISION_RESOURCES) says so, otherwise only looks the queues up. Endpoints
 * that do not answer (an outage, a compose service still starting) are waited for up to
 * `waitMs`; an answer that says no (a missing queue, denied access) fails at once.
 */
export async function connectToAws(
  config: AppConfig,
  logger: Logger,
  options: {
    provision?: boolean;
    waitMs?: number;
    /** The role this process's calls are recorded as, when AWS_CALL_LOG_DIR is set (tests). */
    recordAs?: string;
  } = {},
): Promise<AwsConnection> {
  const clients = createAwsClients(config.aws);
  recordCallsWhenConfigured(clients, {
    callLogDir: config.aws.callLogDir,
    role: options.recordAs,
    names: config.resources,
  });
  const definitions = resourceDefinitions(config.resources, config.queues);
  const connect = (): Promise<QueueUrls> =>
    (options.provision ?? config.provisionResources)
      ? provisionResources({ ...clients, logger }, definitions)
      : resolveQueueUrls(clients.sqs, definitions);
  try {
    const queueUrls = await untilReachable(connect, options.waitMs ?? STARTUP_WAIT_MS, logger);
    return { clients, queueUrls };
  } catch (error) {
    clients.destroy();
    throw error;
  }
}

/** Waits for an outage to end: each try already had the SDK's retries (maxAttempts). */
async function untilReachable<T>(
  attempt: () => Promise<T>,
  waitMs: number,
  logger: Logger,
): Promise<T> {
  const outage = new OutageLog(logger, 'AWS endpoints');
  const value = await retry(attempt, {
    attempts: Infinity,
    deadlineMs: waitMs,
    baseMs: 250,
    capMs: 5000,
    shouldRetry: isUnreachable,
    onRetry: (error) => {
      outage.failed(error);
    },
  });
  outage.recovered();
  return value;
}
