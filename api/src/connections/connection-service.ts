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
  /** A Mailchimp client for a key (the service checks each new key with it). */
  readonly mailchimp: (apiKey: string) => MailchimpClient;
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
    const accountId = await this.#check(apiKey);
    const id = randomUUID();
    const record: ConnectionRecord = {
      tenantId,
      id,
      type: body.type,
      dataCenter,
      accountKey: mailchimpAccountKey(dataCenter, accountId),
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

  /** Pings with the key, then asks which account it belongs to (the limiter's name for it). */
  async #check(apiKey: string): Promise<string> {
    const client = this.#deps.mailchimp(apiKey);
    try {
      await client.ping();
      return await client.accountId();
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
