import { InputFileError, type MailchimpJobSource } from '@contacts/shared';
import type { AudienceOpener } from './audience.ts';
import { mailchimpAudience, type MailchimpListCalls } from './mailchimp-audience.ts';

/** A stored connection, decrypted for the worker's calls (never logged, never stored). */
export interface OpenedConnection {
  readonly apiKey: string;
  /** The account the key belongs to (`<dc>#<account id>`): whose limiter the calls share. */
  readonly accountKey: string;
}

export interface AudienceOpenerDeps {
  /** Undefined when the tenant has no such connection (deleted after the job was created). */
  openConnection(tenantId: string, connectionId: string): Promise<OpenedConnection | undefined>;
  /** A client for one job on one account: every call holds a slot of that account's limiter. */
  client(options: { apiKey: string; accountKey: string; jobId: string }): MailchimpListCalls;
}

/**
 * Opens a job's audience: its tenant's connection, then a client whose calls share the
 * account's fleet-wide limiter, fairly between jobs (the job id names the turn).
 */
export function audienceOpener(deps: AudienceOpenerDeps): AudienceOpener {
  return async (tenantId: string, source: MailchimpJobSource, jobId: string) => {
    const connection = await deps.openConnection(tenantId, source.connectionId);
    if (connection === undefined)
      throw new InputFileError(
        'connection_not_found',
        `connection ${source.connectionId} no longer exists; create a connection and submit again`,
      );
    return mailchimpAudience(
      deps.client({ apiKey: connection.apiKey, accountKey: connection.accountKey, jobId }),
      source.listId,
    );
  };
}
