import {
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DependencyError } from '../errors.ts';

/** A build lease: ours to build, or held by another worker until `leaseUntil` (epoch ms). */
export type IndexBuildClaim =
  { readonly claimed: true } | { readonly claimed: false; readonly leaseUntil: number };

/** A lease item outlives its last use by a day (DynamoDB TTL); the artifact is what lasts. */
const RETENTION_SECONDS = 24 * 3600;

/** The lease of one index artifact lives in the jobs table, under an id no job can have. */
export function directoryIndexLeaseId(artifactKey: string): string {
  return `directory-index#${artifactKey}`;
}

/**
 * Who builds a directory index artifact: one lease per artifact key, taken with a conditional
 * write, renewed while building and given back once the artifact is written. A builder that
 * dies stops renewing; its lease lapses and the next worker takes it. The lease only saves
 * work: two builders of one artifact would write the same content to the same key.
 */
export class DirectoryIndexLeases {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #now: () => number;

  constructor(options: { client: DynamoDBClient; table: string; now?: () => number }) {
    this.#client = options.client;
    this.#table = options.table;
    this.#now = options.now ?? Date.now;
  }

  /** Takes the lease of `artifactKey` unless another holder's is still live. */
  async claim(artifactKey: string, holder: string, leaseMs: number): Promise<IndexBuildClaim> {
    const now = this.#now();
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { id: { S: directoryIndexLeaseId(artifactKey) } },
          UpdateExpression: 'SET holder = :holder, leaseUntil = :until, expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(id) OR leaseUntil < :now',
          ExpressionAttributeValues: {
            ':holder': { S: holder },
            ':until': { N: String(now + leaseMs) },
            ':expires': { N: String(Math.floor(now / 1000) + RETENTION_SECONDS) },
            ':now': { N: String(now) },
          },
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException))
        throw new DependencyError(`claiming the index build of ${artifactKey} failed`, {
          cause: error,
        });
    }
    return { claimed: false, leaseUntil: await this.#leaseUntil(artifactKey, now) };
  }

  /** Extends our lease; false when it is no longer ours (it lapsed and was taken). */
  async renew(artifactKey: string, holder: string, leaseMs: number): Promise<boolean> {
    return this.#ifHolder(artifactKey, holder, 'SET leaseUntil = :until', {
      ':until': { N: String(this.#now() + leaseMs) },
    });
  }

  /** Gives our lease back (the artifact is written, or the build failed); false if not ours. */
  async release(artifactKey: string, holder: string): Promise<boolean> {
    return this.#ifHolder(artifactKey, holder, 'SET leaseUntil = :zero REMOVE holder', {
      ':zero': { N: '0' },
    });
  }

  async #ifHolder(
    artifactKey: string,
    holder: string,
    update: string,
    values: Record<string, { N: string }>,
  ): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { id: { S: directoryIndexLeaseId(artifactKey) } },
          UpdateExpression: update,
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ...values, ':holder': { S: holder } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new DependencyError(`updating the index build lease of ${artifactKey} failed`, {
        cause: error,
      });
    }
  }

  /** The live lease's end as stored; `now` when the item vanished meanwhile (claim again). */
  async #leaseUntil(artifactKey: string, now: number): Promise<number> {
    const output = await this.#client
      .send(
        new GetItemCommand({
          TableName: this.#table,
          Key: { id: { S: directoryIndexLeaseId(artifactKey) } },
          ConsistentRead: true,
        }),
      )
      .catch((error: unknown) => {
        throw new DependencyError(`reading the index build lease of ${artifactKey} failed`, {
          cause: error,
        });
      });
    return Number(output.Item?.leaseUntil?.N ?? now);
  }
}
