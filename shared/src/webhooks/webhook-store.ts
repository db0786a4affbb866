import {
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { AppError, DependencyError } from '../errors.ts';
import type { WebhookEventType } from './webhook-events.ts';

/** Endpoints per tenant: they live in one item, which must stay small. */
export const MAX_WEBHOOKS_PER_TENANT = 10;

/** What happened to the last delivery attempt of a webhook (shown by GET /v1/webhooks). */
export interface DeliveryRecord {
  /** The `webhook-id` of the message (the same on every attempt). */
  readonly messageId: string;
  readonly event: WebhookEventType;
  readonly jobId: string;
  /** 1 for the first try. */
  readonly attempt: number;
  readonly at: string;
  /**
   * `delivered`: 2xx. `failed`: will be retried. `gave_up`: the retry schedule is spent.
   * `refused`: the target is not allowed (SSRF guard), not retried. `disabled`: the endpoint
   * answered 410 and was disabled.
   */
  readonly outcome: 'delivered' | 'failed' | 'gave_up' | 'refused' | 'disabled';
  readonly status?: number;
  readonly reason?: string;
}

/** A webhook endpoint as stored: the secret only sealed (see SecretBox). */
export interface StoredWebhook {
  readonly id: string;
  readonly url: string;
  readonly events: readonly WebhookEventType[];
  readonly sealedSecret: string;
  readonly createdAt: string;
  readonly disabledAt?: string;
  readonly disabledReason?: string;
  readonly lastDelivery?: DeliveryRecord;
}

export class WebhookNotFoundError extends AppError {
  constructor(id: string) {
    super('webhook_not_found', `webhook ${id} not found`);
  }
}

export class WebhookLimitError extends AppError {
  constructor() {
    super('webhook_limit', `a tenant has at most ${MAX_WEBHOOKS_PER_TENANT} webhooks`);
  }
}

/**
 * A tenant's webhook endpoints, all in one item of the webhooks table (partition key `pk` =
 * tenant id): the worker reads them with one GetItem when a job ends, and the item is bounded
 * by MAX_WEBHOOKS_PER_TENANT. Every write names one endpoint's entry, so concurrent changes to
 * different endpoints do not overwrite each other.
 */
export class WebhookStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBClient; table: string }) {
    this.#client = options.client;
    this.#table = options.table;
  }

  async create(tenantId: string, hook: StoredWebhook): Promise<void> {
    // The map must exist before an entry of it can be set (two writes, on creation only).
    await this.#update(tenantId, {
      UpdateExpression:
        'SET hooks = if_not_exists(hooks, :empty), hookCount = if_not_exists(hookCount, :zero)',
      ExpressionAttributeValues: marshall({ ':empty': {}, ':zero': 0 }),
    });
    const added = await this.#update(tenantId, {
      UpdateExpression: 'SET hooks.#id = :hook ADD hookCount :one',
      ConditionExpression: 'hookCount < :max AND attribute_not_exists(hooks.#id)',
      ExpressionAttributeNames: { '#id': hook.id },
      ExpressionAttributeValues: marshall(
        { ':hook': hook, ':one': 1, ':max': MAX_WEBHOOKS_PER_TENANT },
        { removeUndefinedValues: true },
      ),
    });
    if (!added) throw new WebhookLimitError();
  }

  /** The tenant's endpoints, oldest first. */
  async list(tenantId: string): Promise<StoredWebhook[]> {
    const output = await this.#client
      .send(
        new GetItemCommand({
          TableName: this.#table,
          Key: marshall({ pk: tenantId }),
          ProjectionExpression: 'hooks',
          ConsistentRead: true,
        }),
      )
      .catch((error: unknown) => {
        throw new DependencyError(`DynamoDB get of ${tenantId}'s webhooks failed`, {
          cause: error,
        });
      });
    const hooks = (
      output.Item === undefined ? {} : (unmarshall(output.Item).hooks ?? {})
    ) as Record<string, StoredWebhook>;
    return Object.values(hooks).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async get(tenantId: string, id: string): Promise<StoredWebhook | undefined> {
    return (await this.list(tenantId)).find((hook) => hook.id === id);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    const removed = await this.#update(tenantId, {
      UpdateExpression: 'REMOVE hooks.#id ADD hookCount :minus',
      ConditionExpression: 'attribute_exists(hooks.#id)',
      ExpressionAttributeNames: { '#id': id },
      ExpressionAttributeValues: marshall({ ':minus': -1 }),
    });
    if (!removed) throw new WebhookNotFoundError(id);
  }

  /**
   * Records the outcome of a delivery on its endpoint, and disables the endpoint when asked
   * (a 410). Nothing happens when the endpoint was deleted meanwhile.
   */
  async recordDelivery(
    tenantId: string,
    id: string,
    record: DeliveryRecord,
    disable?: { reason: string },
  ): Promise<void> {
    const sets = ['hooks.#id.lastDelivery = :record'];
    const values: Record<string, unknown> = { ':record': record };
    if (disable !== undefined) {
      sets.push('hooks.#id.disabledAt = :at', 'hooks.#id.disabledReason = :reason');
      values[':at'] = record.at;
      values[':reason'] = disable.reason;
    }
    await this.#update(tenantId, {
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'attribute_exists(hooks.#id)',
      ExpressionAttributeNames: { '#id': id },
      ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }),
    });
  }

  /** One conditional update of the tenant's item; false when its condition failed. */
  async #update(
    tenantId: string,
    expression: Pick<
      ConstructorParameters<typeof UpdateItemCommand>[0],
      | 'UpdateExpression'
      | 'ConditionExpression'
      | 'ExpressionAttributeNames'
      | 'ExpressionAttributeValues'
    >,
  ): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: marshall({ pk: tenantId }),
          ...expression,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new DependencyError(`DynamoDB update of ${tenantId}'s webhooks failed`, {
        cause: error,
      });
    }
  }
}
