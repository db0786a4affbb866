import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ConnectionNotFoundError,
  ConnectionStore,
  createMailchimpClient,
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
 * the account's fleet-wide limiter (providers table; one limiter per account per process).
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
  const logger = deps.logger.child({ source: 'mailchimp' });
  return audienceOpener({
    openConnection: (tenantId, connectionId) =>
      openConnection({ store, sealer: deps.sealer }, tenantId, connectionId).catch(
        (error: unknown) => {
          if (error instanceof ConnectionNotFoundError) return undefined;
          throw error;
        },
      ),
    client: ({ apiKey, accountKey, jobId }) =>
      createMailchimpClient({
        apiKey,
        ...(deps.mailchimp.apiUrl === undefined ? {} : { apiUrl: deps.mailchimp.apiUrl }),
        timeoutMs: deps.mailchimp.timeoutMs,
        limiter: limiters.forAccount(accountKey),
        jobId,
        logger,
      }),
  });
}
