import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ConnectionNotFoundError,
  ConnectionStore,
  createMailchimpClient,
  MailchimpConnectionPools,
  MailchimpLimiters,
  openConnection,
  type Logger,
  type MailchimpConfig,
  type SecretSealer,
} from '@contacts/shared';
import type { AudienceOpener } from './audience.ts';
import { audienceOpener } from './audience-opener.ts';

/**
 * The worker's Mailchimp audiences from its configuration: connections read from the
 * connections table and opened with the sealer, one client per job whose calls hold slots of
 * the account's fleet-wide limiter (providers table; one limiter per account per process) and
 * go through the account's pool of at most that many connections.
 */
export function configuredAudiences(deps: {
  readonly mailchimp: MailchimpConfig;
  readonly dynamodb: DynamoDBClient;
  readonly connectionsTable: string;
  readonly providersTable: string;
  readonly sealer: SecretSealer;
  readonly logger: Logger;
}): AudienceOpener {
  const store = new ConnectionStore({ client: deps.dynamodb, table: deps.connectionsTable });
  const limiters = new MailchimpLimiters({
    client: deps.dynamodb,
    table: deps.providersTable,
    maxConnections: deps.mailchimp.maxConnections,
    logger: deps.logger,
  });
  const pools = new MailchimpConnectionPools(deps.mailchimp.maxConnections);
  const logger = deps.logger.child({ source: 'mailchimp' });
  return audienceOpener({
    openConnection: recentlyOpened((tenantId, connectionId) =>
      openConnection({ store, sealer: deps.sealer }, tenantId, connectionId).catch(
        (error: unknown) => {
          if (error instanceof ConnectionNotFoundError) return undefined;
          throw error;
        },
      ),
    ),
    client: ({ apiKey, accountKey, jobId }) =>
      createMailchimpClient({
        apiKey,
        ...(deps.mailchimp.apiUrl === undefined ? {} : { apiUrl: deps.mailchimp.apiUrl }),
        timeoutMs: deps.mailchimp.timeoutMs,
        limiter: limiters.forAccount(accountKey),
        dispatcher: pools.forAccount(accountKey),
        jobId,
        logger,
      }),
  });
}

/**
 * How long an opened connection is reused. Every page fetch, page and batch of a job opens its
 * connection; reading and unsealing it each time was a DynamoDB read per Mailchimp call. A
 * connection deleted meanwhile is noticed this much later at most.
 */
const REUSE_OPENED_MS = 30_000;

/** Reuses what `open` answered for a connection for a short while (never a missing one). */
function recentlyOpened<T>(
  open: (tenantId: string, connectionId: string) => Promise<T | undefined>,
  now: () => number = Date.now,
): (tenantId: string, connectionId: string) => Promise<T | undefined> {
  const opened = new Map<string, { until: number; connection: Promise<T | undefined> }>();
  return (tenantId, connectionId) => {
    const at = now();
    for (const [key, entry] of opened) if (entry.until <= at) opened.delete(key);
    const key = `${tenantId}#${connectionId}`;
    const cached = opened.get(key);
    if (cached !== undefined) return cached.connection;
    const connection = open(tenantId, connectionId);
    opened.set(key, { until: at + REUSE_OPENED_MS, connection });
    // A failure or a missing connection is asked again next time.
    connection.then(
      (value) => {
        if (value === undefined) opened.delete(key);
      },
      () => opened.delete(key),
    );
    return connection;
  };
}
