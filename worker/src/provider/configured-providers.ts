import {
  createPdlProvider,
  PDL_PROVIDER_NAME,
  type ContactProvider,
  type RequestLimiter,
} from '@contacts/enrichment';
import type { Logger, ProvidersConfig } from '@contacts/shared';

/**
 * The providers this worker has credentials for, by name (`match_source`). One client per
 * process: its circuit breaker and rate-limit hold-off then cover every job the process runs.
 */
export function configuredProviders(
  config: ProvidersConfig,
  deps: { readonly requestLimiter: RequestLimiter; readonly logger: Logger },
): ReadonlyMap<string, ContactProvider> {
  const providers = new Map<string, ContactProvider>();
  const pdl = config.pdl;
  if (pdl.apiKey !== undefined) {
    providers.set(
      PDL_PROVIDER_NAME,
      createPdlProvider({
        apiUrl: pdl.apiUrl,
        apiKey: pdl.apiKey,
        batchSize: pdl.batchSize,
        minLikelihood: pdl.minLikelihood,
        limiter: deps.requestLimiter,
        // Bulk requests one chunk keeps in flight; the limiter caps the whole fleet.
        concurrency: Math.min(2, pdl.maxConcurrency),
        logger: deps.logger.child({ provider: PDL_PROVIDER_NAME }),
      }),
    );
  }
  return providers;
}
