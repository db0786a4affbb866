import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { awsErrorName, DependencyError, AppError } from '../errors.ts';
import { CONNECTIONS_BY_TENANT_INDEX } from '../resources.ts';

export const CONNECTION_TYPES = ['mailchimp'] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

/** A tenant's connection as stored: the secret only sealed. */
export interface ConnectionRecord {
  readonly tenantId: string;
  readonly id: string;
  readonly type: ConnectionType;
  readonly dataCenter: string;
  /** The fleet-wide limiter's name of the account (`mailchimp#<dc>#<account id>`). */
  readonly accountKey: string;
  /** The API key, sealed by a SecretSealer with { tenantId, connectionId } as context. */
  readonly sealedSecret: string;
  readonly createdAt: string;
}

export class ConnectionNotFoundError extends AppError {
  constructor(connectionId: string) {
    super('connection_not_found', `connection ${connectionId} not found`);
  }
}

/**
 * Connections in their own table. The key is `<tenant>#<id>`: a tenant only ever reads or
 * deletes under its own prefix, so another tenant's connection is simply not there. Listing goes
 * through the by-tenant index (keys only), then reads each item: a tenant has a handful.
 */
export class ConnectionStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBClient; table: string }) {
    this.#client = options.client;
    this.#table = options.table;
  }

  async put(record: ConnectionRecord): Promise<void> {
    await this.#wrap(() =>
      this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: marshall({ pk: keyOf(record.tenantId, record.id), ...record }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async get(tenantId: string, id: string): Promise<ConnectionRecord> {
    const output = await this.#wrap(() =>
      this.#client.send(
        new GetItemCommand({
          TableName: this.#table,
          Key: marshall({ pk: keyOf(tenantId, id) }),
          ConsistentRead: true,
        }),
      ),
    );
    if (!output.Item) throw new ConnectionNotFoundError(id);
    return recordOf(output.Item);
  }

  /** The tenant's connections, oldest first (a tenant has a handful: one page). */
  async list(tenantId: string): Promise<ConnectionRecord[]> {
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const output = await this.#wrap(() =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: CONNECTIONS_BY_TENANT_INDEX.name,
            KeyConditionExpression: 'tenantId = :t',
            ExpressionAttributeValues: marshall({ ':t': tenantId }),
            ...(start === undefined ? {} : { ExclusiveStartKey: marshall(start) }),
          }),
        ),
      );
      for (const item of output.Items ?? []) {
        const pk = unmarshall(item).pk as string;
        ids.push(pk.slice(tenantId.length + 1));
      }
      start = output.LastEvaluatedKey ? unmarshall(output.LastEvaluatedKey) : undefined;
    } while (start !== undefined);
    // The index is eventually consistent: one deleted meanwhile is left out, not an error.
    const records = await Promise.all(
      ids.map((id) =>
        this.get(tenantId, id).catch((error: unknown) => {
          if (error instanceof ConnectionNotFoundError) return undefined;
          throw error;
        }),
      ),
    );
    return records.filter((r): r is ConnectionRecord => r !== undefined);
  }

  /** Deletes the tenant's connection; ConnectionNotFoundError when it has none by that id. */
  async delete(tenantId: string, id: string): Promise<void> {
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#table,
          Key: marshall({ pk: keyOf(tenantId, id) }),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException')
        throw new ConnectionNotFoundError(id);
      throw new DependencyError(`connections table ${this.#table} failed`, { cause: error });
    }
  }

  async #wrap<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new DependencyError(`connections table ${this.#table} failed`, { cause: error });
    }
  }
}

function keyOf(tenantId: string, id: string): string {
  return `${tenantId}#${id}`;
}

function recordOf(item: Parameters<typeof unmarshall>[0]): ConnectionRecord {
  const { tenantId, id, type, dataCenter, accountKey, sealedSecret, createdAt } = unmarshall(
    item,
  ) as ConnectionRecord;
  return { tenantId, id, type, dataCenter, accountKey, sealedSecret, createdAt };
}
