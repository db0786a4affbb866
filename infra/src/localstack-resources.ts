import { loadConfig, resourceDefinitions, type ResourceDefinitions } from '@contacts/shared';

/**
 * The resources LocalStack must hold for services configured by `environment` (by default the
 * application defaults, which is what docker-compose.yml uses).
 */
export function localstackResources(
  environment: Record<string, string | undefined> = {},
): ResourceDefinitions {
  const config = loadConfig(environment);
  return resourceDefinitions(config.resources, config.queues);
}
