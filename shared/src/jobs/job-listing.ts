import { setTimeout } from 'node:timers/promises';
import {
  BatchGetItemCommand,
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { awsErrorName, DependencyError } from '../errors.ts';
import { TENANT_JOBS_INDEX } from '../resources.ts';
import type { JobStatus } from './job.ts';
import { SUMMARY_PROJECTION, toJob, type JobSummary } from './job-store.ts';

type Values = Record<string, AttributeValue>;

/** Where a page of a tenant's jobs ends: the index position of its last job. */
export interface JobListPosition {
  readonly id: string;
  readonly createdAt: string;
}

export interface JobListRequest {
  readonly tenantId: string;
  /** At most this many jobs (1–100: one BatchGetItem reads them). */
  readonly limit: number;
  readonly status?: JobStatus;
  /** The position the previous page ended at. */
  readonly after?: JobListPosition;
}

export interface JobListPage {
  /** Newest first. With a status filter a page may hold fewer than `limit` jobs, even none. */
  readonly jobs: readonly JobSummary[];
  /** Where the next page starts; undefined once the listing is exhausted. */
  readonly next: JobListPosition | undefined;
}

/** Index reads one filtered page may make before it answers with what it found. */
export const MAX_INDEX_READS_PER_PAGE = 5;
/** Index entries one filtered read evaluates (index entries are a few dozen bytes). */
const FILTERED_READ_SIZE = 200;
const MAX_BATCH_ATTEMPTS = 5;

/**
 * A tenant's jobs, newest first, from the tenant-by-created index (a Query, never a Scan): the
 * index gives the page's ids, then one BatchGetItem reads their views from the table. A status
 * filter is a FilterExpression on the index's copy of `status`; it reads at most
 * MAX_INDEX_READS_PER_PAGE index pages, so a rare status costs bounded reads per request and the
 * caller follows `next` for more.
 */
export class JobListing {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBClient; table: string }) {
    this.#client = options.client;
    this.#table = options.table;
  }

  async page(request: JobListRequest): Promise<JobListPage> {
    const { refs, next } = await this.#positions(request);
    const jobs = await this.#summaries(refs.map((ref) => ref.id));
    // The index is eventually consistent: the table's fresh status has the last word.
    const shown = jobs.filter(
      (job) =>
        job.tenantId === request.tenantId &&
        (request.status === undefined || job.status === request.status),
    );
    return { jobs: shown, next };
  }

  async #positions(
    request: JobListRequest,
  ): Promise<{ refs: JobListPosition[]; next: JobListPosition | undefined }> {
    const { tenantId, limit, status, after } = request;
    const refs: JobListPosition[] = [];
    let startKey: Values | undefined =
      after === undefined
        ? undefined
        : {
            id: { S: after.id },
            tenantId: { S: tenantId },
            createdAt: { S: after.createdAt },
          };
    for (let read = 0; read < MAX_INDEX_READS_PER_PAGE; read++) {
      const output = await this.#client
        .send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: TENANT_JOBS_INDEX.name,
            KeyConditionExpression: '#tenant = :tenant',
            ProjectionExpression: '#id, #created',
            ExpressionAttributeNames: {
              '#tenant': TENANT_JOBS_INDEX.partitionKey,
              '#created': TENANT_JOBS_INDEX.sortKey,
              '#id': 'id',
              ...(status === undefined ? {} : { '#status': 'status' }),
            },
            ExpressionAttributeValues: {
              ':tenant': { S: tenantId },
              ...(status === undefined ? {} : { ':status': { S: status } }),
            },
            ...(status === undefined
              ? { Limit: limit - refs.length }
              : { FilterExpression: '#status = :status', Limit: FILTERED_READ_SIZE }),
            ScanIndexForward: false,
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
        )
        .catch(rethrowQueryError);
      const items = (output.Items ?? []).map((item) => unmarshall(item) as JobListPosition);
      for (const [index, item] of items.entries()) {
        refs.push({ id: item.id, createdAt: item.createdAt });
        if (refs.length === limit) {
          const more = index < items.length - 1 || output.LastEvaluatedKey !== undefined;
          return { refs, next: more ? item : undefined };
        }
      }
      startKey = output.LastEvaluatedKey;
      if (startKey === undefined) return { refs, next: undefined };
    }
    const last = unmarshall(startKey!) as JobListPosition;
    return { refs, next: { id: last.id, createdAt: last.createdAt } };
  }

  /** The jobs' views in the order of `ids`; a job gone meanwhile (expired) is left out. */
  async #summaries(ids: readonly string[]): Promise<JobSummary[]> {
    if (ids.length === 0) return [];
    const found = new Map<string, JobSummary>();
    let keys: Values[] = ids.map((id) => ({ id: { S: id } }));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt === MAX_BATCH_ATTEMPTS)
        throw new DependencyError(`DynamoDB left ${keys.length} jobs unread (throttled)`);
      if (attempt > 0) await setTimeout(50 * 2 ** attempt * Math.random());
      const output = await this.#client
        .send(
          new BatchGetItemCommand({
            RequestItems: {
              [this.#table]: { Keys: keys, ConsistentRead: true, ...SUMMARY_PROJECTION },
            },
          }),
        )
        .catch((error: unknown) => {
          throw new DependencyError(`DynamoDB batch read of ${keys.length} jobs failed`, {
            cause: error,
          });
        });
      for (const item of output.Responses?.[this.#table] ?? []) {
        const job = toJob(item) as JobSummary;
        found.set(job.id, job);
      }
      keys = output.UnprocessedKeys?.[this.#table]?.Keys ?? [];
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  }
}

function rethrowQueryError(error: unknown): never {
  // A table provisioned before the index existed (an old local emulator data directory).
  const missingIndex =
    awsErrorName(error) === 'ValidationException' &&
    /index/i.test(error instanceof Error ? error.message : '');
  throw new DependencyError(
    missingIndex
      ? `the jobs table has no ${TENANT_JOBS_INDEX.name} index: provision it (locally: delete the emulator data under .data/ and restart)`
      : `DynamoDB query of index ${TENANT_JOBS_INDEX.name} failed`,
    { cause: error },
  );
}
