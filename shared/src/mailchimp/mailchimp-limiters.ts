import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoRequestLimiter } from '../limits/dynamo-request-limiter.ts';
import type { RequestLimiter } from '../limits/request-limiter.ts';
import type { Logger } from '../logger.ts';

/** Mailchimp's own limit: 10 simultaneous connections per account. */
export const MAILCHIMP_MAX_CONNECTIONS = 10;

/**
 * One fleet-wide connection limiter per Mailchimp account per process (the limiter queues its
 * waiters locally and speaks to DynamoDB once for all of them), in the providers table.
 * Concurrency only: Mailchimp limits connections, not requests per minute.
 */
export class MailchimpLimiters {
  readonly #limiters = new Map<string, RequestLimiter>();
  readonly #deps: {
    readonly client: DynamoDBClient;
    readonly table: string;
    readonly maxConnections?: number;
    readonly logger?: Logger;
  };

  constructor(deps: {
    client: DynamoDBClient;
    table: string;
    maxConnections?: number;
    logger?: Logger;
  }) {
    this.#deps = deps;
  }

  /** The limiter of one account (`mailchimpAccountKey(dc, accountId)`). */
  forAccount(accountKey: string): RequestLimiter {
    let limiter = this.#limiters.get(accountKey);
    if (!limiter) {
      limiter = new DynamoRequestLimiter({
        client: this.#deps.client,
        table: this.#deps.table,
        account: accountKey,
        maxConcurrency: this.#deps.maxConnections ?? MAILCHIMP_MAX_CONNECTIONS,
        ...(this.#deps.logger && { logger: this.#deps.logger.child({ limiter: accountKey }) }),
      });
      this.#limiters.set(accountKey, limiter);
    }
    return limiter;
  }
}
