import { createAwsClients, type AwsClients } from './aws-clients.ts';
import type { AppConfig } from './config.ts';
import type { Logger } from './logger.ts';
import { provisionResources, resolveQueueUrls, type QueueUrls } from './provision.ts';
import { resourceDefinitions } from './resources.ts';

export interface AwsConnection {
  readonly clients: AwsClients;
  readonly queueUrls: QueueUrls;
}

/**
 * Builds the SDK clients and finds the queues: creates missing resources first when
 * `provision` (or PROVISION_RESOURCES) says so, otherwise only looks the queues up.
 */
export async function connectToAws(
  config: AppConfig,
  logger: Logger,
  options: { provision?: boolean } = {},
): Promise<AwsConnection> {
  const clients = createAwsClients(config.aws);
  const definitions = resourceDefinitions(config.resources, config.queues);
  try {
    const queueUrls =
      (options.provision ?? config.provisionResources)
        ? await provisionResources({ ...clients, logger }, definitions)
        : await resolveQueueUrls(clients.sqs, definitions);
    return { clients, queueUrls };
  } catch (error) {
    clients.destroy();
    throw error;
  }
}
