import {
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DependencyError } from '../errors.ts';

/**
 * Chunks per shard item. A shard item holds the done-markers of this many chunks (a number set
 * of under 1 KB, so marking a chunk costs one write unit), and the job item one small tally per
 * shard: 200 keeps both a shard item and the job item of a job at the chunk cap small.
 */
export const CHUNK_SHARD_SIZE = 200;

/**
 * The most chunks one job may have. Split raises the rows per chunk of huge files to stay under
 * it; with CHUNK_SHARD_SIZE this bounds the job item's shard tallies to 100 entries (~2 KB).
 */
export const MAX_CHUNKS_PER_JOB = 20_000;

/** What a chunk's provider lookups cost (all zero for a job without a provider). */
export interface ProviderUsage {
  /** HTTP requests sent to the provider. */
  readonly requests: number;
  /** Lookups those requests carried. */
  readonly recordsSent: number;
  /** Lookups the provider matched, and so billed. */
  readonly matchesBilled: number;
  /** Lookups answered from the response cache instead (a duplicate row, a redelivery). */
  readonly cacheHits: number;
}

export const NO_PROVIDER_USAGE: ProviderUsage = {
  requests: 0,
  recordsSent: 0,
  matchesBilled: 0,
  cacheHits: 0,
};

/**
 * What a chunk of a remote-audience job did besides its rows: members written back and refused
 * (write-back batches), and members its page found shifted from where split pinned them.
 */
export interface SourceUsage {
  readonly writtenBack: number;
  readonly writeBackErrors: number;
  readonly shifts: number;
}

export const NO_SOURCE_USAGE: SourceUsage = { writtenBack: 0, writeBackErrors: 0, shifts: 0 };

/** What one shard item has counted: chunks, their rows and their rejected rows. */
export interface ShardTally {
  readonly shard: number;
  /** Grows by exactly one per chunk, so it names one state of the shard item. */
  readonly chunks: number;
  readonly rows: number;
  readonly rejected: number;
  /** Provider usage of the shard's counted chunks (grows with `chunks`, so never counted twice). */
  readonly provider: ProviderUsage;
  /** Remote-source usage of the shard's counted chunks (zero for upload jobs). */
  readonly source: SourceUsage;
}

export function shardOf(chunkIndex: number): number {
  return Math.floor(chunkIndex / CHUNK_SHARD_SIZE);
}

/**
 * What a shard item counts: finished chunks, or the fetched pages of a Mailchimp job (counted
 * apart: a fetch is not a chunk, and the last fetch starts the pages' enrichment).
 */
export type ShardKind = 'chunks' | 'fetches';

/** Shard items live in the jobs table, next to their job, under an id no job can have. */
export function shardItemId(jobId: string, shard: number, kind: ShardKind = 'chunks'): string {
  return `${jobId}#${kind}#${shard}`;
}

/**
 * The first of the two writes that count a finished chunk: its done-marker goes into its shard
 * item and the shard's counters move in the same conditional write, which is refused if the
 * marker is already there. The job item learns the shard's tally in a second write
 * (JobStore.recordChunkDone), so no item grows with the number of chunks.
 */
export class ChunkShards {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #kind: ShardKind;

  constructor(options: { client: DynamoDBClient; table: string; kind?: ShardKind }) {
    this.#client = options.client;
    this.#table = options.table;
    this.#kind = options.kind ?? 'chunks';
  }

  /**
   * Marks a chunk done in its shard; returns the shard's tally including it, or undefined when
   * the chunk was marked before (a duplicate delivery).
   */
  async mark(
    jobId: string,
    chunk: {
      index: number;
      rows: number;
      rejected: number;
      provider?: ProviderUsage;
      source?: SourceUsage;
    },
    expiresAt: number,
  ): Promise<ShardTally | undefined> {
    const shard = shardOf(chunk.index);
    try {
      const output = await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { id: { S: shardItemId(jobId, shard, this.#kind) } },
          UpdateExpression:
            'ADD done :marker, chunks :one, #rows :rows, rejected :rejected, ' +
            'pq :pq, ps :ps, pb :pb, ph :ph, sw :sw, se :se, sx :sx ' +
            'SET expiresAt = if_not_exists(expiresAt, :expiresAt)',
          ConditionExpression: 'NOT contains(done, :index)',
          ExpressionAttributeNames: { '#rows': 'rows' },
          ExpressionAttributeValues: {
            ':marker': { NS: [String(chunk.index)] },
            ':index': { N: String(chunk.index) },
            ':one': { N: '1' },
            ':rows': { N: String(chunk.rows) },
            ':rejected': { N: String(chunk.rejected) },
            ...usageValues(chunk.provider ?? NO_PROVIDER_USAGE),
            ...sourceValues(chunk.source ?? NO_SOURCE_USAGE),
            ':expiresAt': { N: String(expiresAt) },
          },
          // The counters are what the job item needs; the marker set comes along (bounded).
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const attributes = output.Attributes ?? {};
      return {
        shard,
        chunks: Number(attributes.chunks?.N ?? 0),
        rows: Number(attributes.rows?.N ?? 0),
        rejected: Number(attributes.rejected?.N ?? 0),
        provider: usageOf(attributes),
        source: sourceOf(attributes),
      };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw new DependencyError(`DynamoDB update of chunk shard ${shard} of job ${jobId} failed`, {
        cause: error,
      });
    }
  }

  /** The shard's current tally (never its markers); undefined when no chunk of it was marked. */
  async read(jobId: string, shard: number): Promise<ShardTally | undefined> {
    const output = await this.#client
      .send(
        new GetItemCommand({
          TableName: this.#table,
          Key: { id: { S: shardItemId(jobId, shard, this.#kind) } },
          ConsistentRead: true,
          ProjectionExpression: 'chunks, #rows, rejected, pq, ps, pb, ph, sw, se, sx',
          ExpressionAttributeNames: { '#rows': 'rows' },
        }),
      )
      .catch((error: unknown) => {
        throw new DependencyError(`DynamoDB get of chunk shard ${shard} of job ${jobId} failed`, {
          cause: error,
        });
      });
    const item = output.Item;
    if (item?.chunks?.N === undefined) return undefined;
    return {
      shard,
      chunks: Number(item.chunks.N),
      rows: Number(item.rows?.N ?? 0),
      rejected: Number(item.rejected?.N ?? 0),
      provider: usageOf(item),
      source: sourceOf(item),
    };
  }
}

function usageValues(usage: ProviderUsage): Record<string, { N: string }> {
  return {
    ':pq': { N: String(usage.requests) },
    ':ps': { N: String(usage.recordsSent) },
    ':pb': { N: String(usage.matchesBilled) },
    ':ph': { N: String(usage.cacheHits) },
  };
}

/** Shard items written before provider usage existed have none of these: zero. */
function usageOf(item: Record<string, { N?: string } | undefined>): ProviderUsage {
  return {
    requests: Number(item.pq?.N ?? 0),
    recordsSent: Number(item.ps?.N ?? 0),
    matchesBilled: Number(item.pb?.N ?? 0),
    cacheHits: Number(item.ph?.N ?? 0),
  };
}

function sourceValues(usage: SourceUsage): Record<string, { N: string }> {
  return {
    ':sw': { N: String(usage.writtenBack) },
    ':se': { N: String(usage.writeBackErrors) },
    ':sx': { N: String(usage.shifts) },
  };
}

function sourceOf(item: Record<string, { N?: string } | undefined>): SourceUsage {
  return {
    writtenBack: Number(item.sw?.N ?? 0),
    writeBackErrors: Number(item.se?.N ?? 0),
    shifts: Number(item.sx?.N ?? 0),
  };
}
