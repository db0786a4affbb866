import { randomUUID } from 'node:crypto';
import {
  ConnectionNotFoundError,
  connectionSecretContext,
  mailchimpAccountKey,
  MailchimpAuthError,
  MailchimpError,
  MailchimpKeyFormatError,
  parseMailchimpApiKey,
  type ConnectionRecord,
  type ConnectionStore,
  type MailchimpClient,
  type SecretSealer,
} from '@contacts/shared';
import { HttpProblem } from '../http/problem.ts';
import type { ConnectionView, CreateConnectionBody } from './connection-requests.ts';

export interface ConnectionServiceDeps {
  readonly store: ConnectionStore;
  readonly sealer: SecretSealer;
  /**
   * A Mailchimp client for a key (the service checks each new key with it). With the account
   * (`mailchimp#<dc>#<account id>`), its calls hold slots of that account's fleet-wide limiter;
   * without, the account is not known yet and no slot can name it.
   */
  readonly mailchimp: (apiKey: string, accountKey?: string) => MailchimpClient;
  readonly now?: () => Date;
}

/** Tenants' connections: checked with the service they name, stored with the secret sealed. */
export class ConnectionService {
  readonly #deps: ConnectionServiceDeps;

  constructor(deps: ConnectionServiceDeps) {
    this.#deps = deps;
  }

  async create(tenantId: string, body: CreateConnectionBody): Promise<ConnectionView> {
    const { apiKey, dataCenter } = parseKey(body.apiKey);
    const accountKey = await this.#check(apiKey, dataCenter);
    const id = randomUUID();
    const record: ConnectionRecord = {
      tenantId,
      id,
      type: body.type,
      dataCenter,
      accountKey,
      sealedSecret: await this.#deps.sealer.seal(apiKey, connectionSecretContext(tenantId, id)),
      createdAt: (this.#deps.now?.() ?? new Date()).toISOString(),
    };
    await this.#deps.store.put(record);
    return viewOf(record);
  }

  async list(tenantId: string): Promise<ConnectionView[]> {
    return (await this.#deps.store.list(tenantId)).map(viewOf);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    try {
      await this.#deps.store.delete(tenantId, id);
    } catch (error) {
      if (error instanceof ConnectionNotFoundError)
        throw new HttpProblem(404, error.code, error.message);
      throw error;
    }
  }

  /**
   * Asks which account the key belongs to (the limiter's name for it), then pings with the key
   * holding a slot of that account's fleet-wide limiter, like every call of an import.
   *
   * Why this order: the limiter counts connections per account, and only Mailchimp can say
   * which account a key is. Any slot taken before that answer would have to be named after the
   * key (its hash), which two keys of one account do not share, so it would bound nothing. The
   * one call that cannot hold a slot is therefore the call that names the account, `GET /3.0/`;
   * it refuses a bad key with the same 401 detail as ping does. At worst, while imports hold
   * all of the account's connections, it meets a 429 and retries with backoff.
   */
  async #check(apiKey: string, dataCenter: string): Promise<string> {
    try {
      const accountKey = mailchimpAccountKey(
        dataCenter,
        await this.#deps.mailchimp(apiKey).accountId(),
      );
      await this.#deps.mailchimp(apiKey, accountKey).ping();
      return accountKey;
    } catch (error) {
      if (error instanceof MailchimpAuthError)
        throw new HttpProblem(400, error.code, `Mailchimp refused the key: ${error.detail}`, {
          cause: error,
        });
      if (error instanceof MailchimpError)
        throw new HttpProblem(
          503,
          error.code,
          `Mailchimp could not check the key now: ${error.detail}`,
          { headers: { 'Retry-After': '30' }, cause: error },
        );
      throw error;
    }
  }
}

function parseKey(raw: string): { apiKey: string; dataCenter: string } {
  try {
    return parseMailchimpApiKey(raw);
  } catch (error) {
    if (error instanceof MailchimpKeyFormatError)
      throw new HttpProblem(400, error.code, error.message);
    throw error;
  }
}

function viewOf(record: ConnectionRecord): ConnectionView {
  return {
    id: record.id,
    type: record.type,
    dataCenter: record.dataCenter,
    createdAt: record.createdAt,
  };
}
