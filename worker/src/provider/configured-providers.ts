import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  createPdlProvider,
  PDL_PROVIDER_NAME,
  pdlAccount,
  type ContactProvider,
  type RequestLimiter,
} from '@contacts/enrichment';
import {
  DynamoRequestLimiter,
  type Logger,
  type PdlConfig,
  type ProvidersConfig,
} from '@contacts/shared';

/**
 * The providers this worker has credentials for, by name (`match_source`). One client per
 * process: its circuit breaker and rate-limit hold-off then cover every job the process runs.
 */
export function configuredProviders(
  config: ProvidersConfig,
  deps: {
    /** Absent: the fleet-wide limiter of each provider account, in the providers table. */
    readonly requestLimiter?: RequestLimiter;
    readonly limits: { readonly client: DynamoDBClient; readonly table: string };
    readonly logger: Logger;
  },
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
        limiter: deps.requestLimiter ?? pdlLimiter(pdl, pdl.apiKey, deps),
        // Bulk requests one chunk keeps waiting or in flight; the limiter caps the whole fleet.
        // As many as the fleet may run: a chunk alone (the last of a job, or the only one) must
        // be able to use the whole allowance while each request also waits for its cache reads
        // and writes (2 left the account a third idle on a loaded machine).
        concurrency: pdl.maxConcurrency,
        logger: deps.logger.child({ provider: PDL_PROVIDER_NAME }),
      }),
    );
  }
  return providers;
}

/**
 * The PDL account's limits, shared by every worker and job through DynamoDB. The account is named
 * by a digest of its key: the key itself is never stored.
 */
function pdlLimiter(
  pdl: PdlConfig,
  apiKey: string,
  deps: { readonly limits: { client: DynamoDBClient; table: string }; readonly logger: Logger },
): RequestLimiter {
  return new DynamoRequestLimiter({
    client: deps.limits.client,
    table: deps.limits.table,
    account: pdlAccount(apiKey),
    requestsPerMinute: pdl.requestsPerMinute,
    maxConcurrency: pdl.maxConcurrency,
    slotLeaseMs: pdl.slotLeaseSeconds * 1000,
    logger: deps.logger.child({ limiter: PDL_PROVIDER_NAME }),
  });
}
