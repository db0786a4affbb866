import { gunzipSync, gzipSync } from 'node:zlib';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { awsErrorName } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { retryUnprocessed } from '../retry.ts';
import type { CachedAnswer, ProviderResponseCache } from './response-cache.ts';

export interface DynamoResponseCacheOptions {
  readonly client: DynamoDBClient;
  readonly table: string;
  /** How long an answer is reused (PROVIDER_CACHE_TTL_SECONDS). */
  readonly ttlSeconds: number;
  /**
   * Largest stored (gzipped) body, in bytes (default 100 KiB). DynamoDB items stop at 400 KB
   * and every write pays per KB, so a larger answer is not cached (and counted).
   */
  readonly maxBodyBytes?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
}

/** BatchGetItem takes 100 keys at most, BatchWriteItem 25 requests. */
const GET_LIMIT = 100;
const WRITE_LIMIT = 25;
const DEFAULT_MAX_BODY_BYTES = 100 * 1024;

/** What the cache has done since it was made (for metrics and logs). */
export interface ResponseCacheStats {
  hits: number;
  misses: number;
  written: number;
  /** Answers not cached because their body was larger than maxBodyBytes. */
  oversizedSkipped: number;
}

/**
 * The provider response cache in DynamoDB: one item per answer, `pk = cache#<provider>#<key>`,
 * the body gzipped (answers are JSON of a few KB; compressed they usually fit one write unit),
 * expired by DynamoDB TTL on `expiresAt` and ignored once past it even before TTL deletes it.
 */
export class DynamoResponseCache implements ProviderResponseCache {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #ttlSeconds: number;
  readonly #maxBodyBytes: number;
  readonly #now: () => number;
  readonly #logger: Logger | undefined;
  readonly stats: ResponseCacheStats = { hits: 0, misses: 0, written: 0, oversizedSkipped: 0 };

  constructor(options: DynamoResponseCacheOptions) {
    if (!(Number.isInteger(options.ttlSeconds) && options.ttlSeconds > 0))
      throw new RangeError('ttlSeconds must be a positive integer');
    this.#client = options.client;
    this.#table = options.table;
    this.#ttlSeconds = options.ttlSeconds;
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger;
  }

  async getMany(provider: string, keys: readonly string[]): Promise<Map<string, CachedAnswer>> {
    // A file's duplicate contacts ask for the same key; BatchGetItem refuses duplicates.
    const unique = [...new Set(keys)];
    const found = new Map<string, CachedAnswer>();
    const nowSeconds = Math.floor(this.#now() / 1000);
    const prefix = `cache#${provider}#`;
    for (let i = 0; i < unique.length; i += GET_LIMIT) {
      const requestKeys = unique
        .slice(i, i + GET_LIMIT)
        .map((key) => ({ pk: { S: `${prefix}${key}` } }));
      await retryUnprocessed(
        requestKeys,
        async (pending) => {
          const output = await this.#client.send(
            new BatchGetItemCommand({ RequestItems: { [this.#table]: { Keys: [...pending] } } }),
          );
          for (const item of output.Responses?.[this.#table] ?? []) {
            const key = item.pk?.S?.slice(prefix.length);
            const answer = answerOf(item, nowSeconds);
            if (key !== undefined && answer !== undefined) found.set(key, answer);
          }
          return (output.UnprocessedKeys?.[this.#table]?.Keys ?? []) as typeof requestKeys;
        },
        { what: 'cache reads' },
      );
    }
    this.stats.hits += found.size;
    this.stats.misses += unique.length - found.size;
    return found;
  }

  async putMany(
    provider: string,
    entries: readonly { key: string; answer: CachedAnswer }[],
  ): Promise<void> {
    const expiresAt = String(Math.floor(this.#now() / 1000) + this.#ttlSeconds);
    // One request per key (BatchWriteItem refuses two for the same item): the last answer wins.
    const items = new Map<string, Record<string, AttributeValue>>();
    for (const { key, answer } of entries) {
      const item: Record<string, AttributeValue> = {
        pk: { S: `cache#${provider}#${key}` },
        status: { S: answer.status },
        expiresAt: { N: expiresAt },
      };
      if (answer.status === 'match') {
        const body = gzipSync(Buffer.from(answer.body, 'utf8'));
        if (body.length > this.#maxBodyBytes) {
          this.stats.oversizedSkipped++;
          this.#logger?.warn(
            { provider, bytes: body.length, maxBytes: this.#maxBodyBytes },
            'provider answer too large to cache',
          );
          items.delete(key);
          continue;
        }
        item.body = { B: body };
      }
      items.set(key, item);
    }
    const requests: WriteRequest[] = [...items.values()].map((Item) => ({ PutRequest: { Item } }));
    for (let i = 0; i < requests.length; i += WRITE_LIMIT) {
      await retryUnprocessed(
        requests.slice(i, i + WRITE_LIMIT),
        async (pending) => {
          const output = await this.#client.send(
            new BatchWriteItemCommand({ RequestItems: { [this.#table]: [...pending] } }),
          );
          return output.UnprocessedItems?.[this.#table] ?? [];
        },
        { what: 'cache writes' },
      );
    }
    this.stats.written += requests.length;
  }

  /**
   * One conditional PutItem per key: a `pending` item that an answer (putMany) overwrites. It
   * is taken only where no unexpired answer is cached and no other claimant's mark is current.
   */
  async claim(
    provider: string,
    keys: readonly string[],
    options: { readonly claimant: string; readonly ttlMs: number },
  ): Promise<Set<string>> {
    const now = this.#now();
    const claimed = new Set<string>();
    await Promise.all(
      [...new Set(keys)].map(async (key) => {
        try {
          await this.#client.send(
            new PutItemCommand({
              TableName: this.#table,
              Item: {
                pk: { S: `cache#${provider}#${key}` },
                status: { S: 'pending' },
                claimant: { S: options.claimant },
                claimUntil: { N: String(now + options.ttlMs) },
                // DynamoDB TTL removes a mark nobody answered.
                expiresAt: { N: String(Math.ceil((now + options.ttlMs) / 1000)) },
              },
              ConditionExpression:
                'attribute_not_exists(pk) OR expiresAt <= :nowSeconds OR ' +
                '(#status = :pending AND (claimUntil < :now OR claimant = :claimant))',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':nowSeconds': { N: String(Math.floor(now / 1000)) },
                ':now': { N: String(now) },
                ':pending': { S: 'pending' },
                ':claimant': { S: options.claimant },
              },
            }),
          );
          claimed.add(key);
        } catch (error) {
          if (awsErrorName(error) !== 'ConditionalCheckFailedException') throw error;
        }
      }),
    );
    return claimed;
  }
}

function answerOf(
  item: Record<string, AttributeValue>,
  nowSeconds: number,
): CachedAnswer | undefined {
  const expiresAt = Number(item.expiresAt?.N ?? 0);
  // DynamoDB deletes expired items within days, not at once.
  if (expiresAt <= nowSeconds) return undefined;
  if (item.status?.S === 'no_match') return { status: 'no_match' };
  const body = item.body?.B;
  if (item.status?.S !== 'match' || body === undefined) return undefined;
  return { status: 'match', body: gunzipSync(body).toString('utf8') };
}
