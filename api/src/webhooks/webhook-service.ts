import { randomUUID } from 'node:crypto';
import {
  newWebhookSecret,
  WEBHOOK_EVENT_TYPES,
  webhookSecretContext,
  WebhookLimitError,
  WebhookNotFoundError,
  type SecretBox,
  type StoredWebhook,
  type WebhookStore,
} from '@contacts/shared';
import { HttpProblem } from '../http/problem.ts';
import type { CreatedWebhook, CreateWebhookBody, WebhookView } from './webhook-schemas.ts';

/** Webhook endpoints of a tenant; every call is scoped to one tenant. */
export class WebhookService {
  readonly #store: WebhookStore;
  readonly #secrets: SecretBox | undefined;
  readonly #now: () => number;

  constructor(options: { store: WebhookStore; secrets?: SecretBox; now?: () => number }) {
    this.#store = options.store;
    this.#secrets = options.secrets;
    this.#now = options.now ?? Date.now;
  }

  /** The secret is in this answer and nowhere else: it is stored sealed, never logged. */
  async create(tenantId: string, body: CreateWebhookBody): Promise<CreatedWebhook> {
    const secrets = this.#requireSecrets();
    const id = randomUUID();
    const secret = newWebhookSecret();
    const hook: StoredWebhook = {
      id,
      url: body.url,
      events: body.events ?? [...WEBHOOK_EVENT_TYPES],
      sealedSecret: secrets.seal(secret, webhookSecretContext(tenantId, id)),
      createdAt: new Date(this.#now()).toISOString(),
    };
    try {
      await this.#store.create(tenantId, hook);
    } catch (error) {
      if (error instanceof WebhookLimitError)
        throw new HttpProblem(409, error.code, error.message, { cause: error });
      throw error;
    }
    return { ...viewOf(hook), secret };
  }

  async list(tenantId: string): Promise<WebhookView[]> {
    this.#requireSecrets();
    return (await this.#store.list(tenantId)).map(viewOf);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    this.#requireSecrets();
    try {
      await this.#store.delete(tenantId, id);
    } catch (error) {
      if (error instanceof WebhookNotFoundError)
        throw new HttpProblem(404, error.code, error.message, { cause: error });
      throw error;
    }
  }

  #requireSecrets(): SecretBox {
    if (this.#secrets === undefined) {
      throw new HttpProblem(
        503,
        'webhooks_not_configured',
        'webhooks are not configured on this service (WEBHOOK_SECRET_KEY is not set)',
      );
    }
    return this.#secrets;
  }
}

/** The public shape of an endpoint: everything but the sealed secret. */
function viewOf(hook: StoredWebhook): WebhookView {
  return {
    id: hook.id,
    url: hook.url,
    events: [...hook.events],
    createdAt: hook.createdAt,
    ...(hook.disabledAt === undefined
      ? {}
      : { disabled: { at: hook.disabledAt, reason: hook.disabledReason ?? '' } }),
    ...(hook.lastDelivery === undefined ? {} : { lastDelivery: hook.lastDelivery }),
  };
}
