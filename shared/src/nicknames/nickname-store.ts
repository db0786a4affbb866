import {
  BatchWriteItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { DependencyError } from '../errors.ts';
import { retryUnprocessed } from '../retry.ts';
import {
  nicknameItems,
  nicknamePairs,
  type NicknameItem,
  type NicknamePairLike,
} from './nickname-items.ts';

const BATCH_LIMIT = 25;

/** The nickname table in DynamoDB (one item per given name with a string set of nicknames). */
export class NicknameStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBClient; table: string }) {
    this.#client = options.client;
    this.#table = options.table;
  }

  /** Writes the seed table when the table is empty; returns how many names were written. */
  async seedIfEmpty(pairs: Iterable<NicknamePairLike>): Promise<number> {
    const probe = await this.#scan({ Limit: 1 });
    if ((probe.Items?.length ?? 0) > 0) return 0;
    const items = nicknameItems(pairs);
    for (let i = 0; i < items.length; i += BATCH_LIMIT) {
      await this.#batchPut(items.slice(i, i + BATCH_LIMIT).map(putRequest));
    }
    return items.length;
  }

  /** Adds pairs to whatever the table holds (set union per name); safe to repeat. */
  async importPairs(pairs: Iterable<NicknamePairLike>): Promise<number> {
    const items = nicknameItems(pairs);
    for (const item of items) {
      try {
        await this.#client.send(
          new UpdateItemCommand({
            TableName: this.#table,
            Key: { name: { S: item.name } },
            UpdateExpression: 'ADD nicknames :n',
            ExpressionAttributeValues: { ':n': { SS: [...item.nicknames] } },
          }),
        );
      } catch (error) {
        throw new DependencyError(`importing nicknames of ${item.name} failed`, { cause: error });
      }
    }
    return items.length;
  }

  /** Every pair in the table (a full scan: the table holds a few thousand names at most). */
  async loadPairs(): Promise<NicknamePairLike[]> {
    const items: NicknameItem[] = [];
    let start: Record<string, never> | undefined;
    do {
      const page = await this.#scan(start === undefined ? {} : { ExclusiveStartKey: start });
      for (const item of page.Items ?? []) {
        const name = item.name?.S;
        const nicknames = item.nicknames?.SS;
        if (name !== undefined && nicknames !== undefined) items.push({ name, nicknames });
      }
      start = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (start !== undefined);
    return nicknamePairs(items);
  }

  async #scan(options: { Limit?: number; ExclusiveStartKey?: Record<string, never> }) {
    try {
      return await this.#client.send(new ScanCommand({ TableName: this.#table, ...options }));
    } catch (error) {
      throw new DependencyError(`scanning ${this.#table} failed`, { cause: error });
    }
  }

  /** One batch; what DynamoDB leaves unprocessed (throttling inside the batch) is sent again. */
  async #batchPut(requests: WriteRequest[]): Promise<void> {
    await retryUnprocessed(
      requests,
      async (pending) => {
        try {
          const output = await this.#client.send(
            new BatchWriteItemCommand({ RequestItems: { [this.#table]: [...pending] } }),
          );
          return output.UnprocessedItems?.[this.#table] ?? [];
        } catch (error) {
          throw new DependencyError(`writing nicknames to ${this.#table} failed`, {
            cause: error,
          });
        }
      },
      { what: `nickname items for ${this.#table}` },
    );
  }
}

function putRequest(item: NicknameItem): WriteRequest {
  return {
    PutRequest: { Item: { name: { S: item.name }, nicknames: { SS: [...item.nicknames] } } },
  };
}
