import {
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DependencyError } from '../errors.ts';

/** What one write-back batch did, once it is done. */
export interface WriteBackCounts {
  readonly written: number;
  readonly errors: number;
}

/**
 * The claim of a write-back batch: `claimed` (ours to send), `done` (sent before: its counts),
 * or `held` (another delivery is sending it now).
 */
export type WriteBackClaim =
  | { readonly state: 'claimed' }
  | { readonly state: 'done'; readonly counts: WriteBackCounts }
  | { readonly state: 'held'; readonly leaseUntil: number };

const RETENTION_SECONDS = 30 * 24 * 3600;

/** The record of a batch lives in the jobs table next to its job, under an id no job can have. */
export function writeBackRecordId(jobId: string, index: number): string {
  return `${jobId}#writeback#${index}`;
}

/**
 * Idempotency records of write-back batches: a batch is sent by the delivery that claims it and
 * marked done with its counts; a redelivery of a done batch sends nothing. A claim is a lease:
 * when its holder dies before marking it done, the next delivery after the lease sends it again
 * (the same values: the audience ends up unchanged by the second send).
 */
export class WriteBackRecords {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #now: () => number;

  constructor(options: { client: DynamoDBClient; table: string; now?: () => number }) {
    this.#client = options.client;
    this.#table = options.table;
    this.#now = options.now ?? Date.now;
  }

  async claim(
    jobId: string,
    index: number,
    holder: string,
    leaseMs: number,
  ): Promise<WriteBackClaim> {
    const now = this.#now();
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { id: { S: writeBackRecordId(jobId, index) } },
          UpdateExpression: 'SET holder = :holder, leaseUntil = :until, expiresAt = :expires',
          ConditionExpression:
            'attribute_not_exists(id) OR (attribute_not_exists(doneAt) AND leaseUntil < :now)',
          ExpressionAttributeValues: {
            ':holder': { S: holder },
            ':until': { N: String(now + leaseMs) },
            ':expires': { N: String(Math.floor(now / 1000) + RETENTION_SECONDS) },
            ':now': { N: String(now) },
          },
        }),
      );
      return { state: 'claimed' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException))
        throw new DependencyError(`claiming write-back ${index} of job ${jobId} failed`, {
          cause: error,
        });
    }
    const item = await this.#read(jobId, index);
    if (item?.doneAt !== undefined)
      return {
        state: 'done',
        counts: { written: Number(item.written?.N ?? 0), errors: Number(item.errors?.N ?? 0) },
      };
    return { state: 'held', leaseUntil: Number(item?.leaseUntil?.N ?? now) };
  }

  /** Extends our claim; false when it is no longer ours. */
  async renew(jobId: string, index: number, holder: string, leaseMs: number): Promise<boolean> {
    return this.#ifHolder(jobId, index, holder, 'SET leaseUntil = :until', {
      ':until': { N: String(this.#now() + leaseMs) },
    });
  }

  /**
   * Gives our claim back before its lease ends (the send failed): the next delivery claims it at
   * once instead of waiting out the lease. False when it is no longer ours.
   */
  async release(jobId: string, index: number, holder: string): Promise<boolean> {
    return this.#ifHolder(jobId, index, holder, 'SET leaseUntil = :until', {
      ':until': { N: '0' },
    });
  }

  /** Marks our batch sent with its counts; false when the claim was taken over meanwhile. */
  async complete(
    jobId: string,
    index: number,
    holder: string,
    counts: WriteBackCounts,
  ): Promise<boolean> {
    return this.#ifHolder(
      jobId,
      index,
      holder,
      'SET doneAt = :done, written = :written, #errors = :errors',
      {
        ':done': { S: new Date(this.#now()).toISOString() },
        ':written': { N: String(counts.written) },
        ':errors': { N: String(counts.errors) },
      },
      { '#errors': 'errors' },
    );
  }

  async #ifHolder(
    jobId: string,
    index: number,
    holder: string,
    update: string,
    values: Record<string, { S: string } | { N: string }>,
    names?: Record<string, string>,
  ): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { id: { S: writeBackRecordId(jobId, index) } },
          UpdateExpression: update,
          ConditionExpression: 'holder = :holder AND attribute_not_exists(doneAt)',
          ExpressionAttributeValues: { ...values, ':holder': { S: holder } },
          ...(names === undefined ? {} : { ExpressionAttributeNames: names }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new DependencyError(`updating write-back ${index} of job ${jobId} failed`, {
        cause: error,
      });
    }
  }

  async #read(
    jobId: string,
    index: number,
  ): Promise<Record<string, { N?: string; S?: string }> | undefined> {
    const output = await this.#client
      .send(
        new GetItemCommand({
          TableName: this.#table,
          Key: { id: { S: writeBackRecordId(jobId, index) } },
          ConsistentRead: true,
        }),
      )
      .catch((error: unknown) => {
        throw new DependencyError(`reading write-back ${index} of job ${jobId} failed`, {
          cause: error,
        });
      });
    return output.Item;
  }
}
