import { setTimeout } from 'node:timers/promises';
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  awsErrorName,
  DependencyError,
  JobNotFoundError,
  JobStateConflictError,
} from '../errors.ts';
import {
  ChunkShards,
  shardOf,
  type ProviderUsage,
  type ShardTally,
  type SourceUsage,
} from './chunk-shards.ts';
import { ACTIVE_JOB_ATTRIBUTE, ACTIVE_JOB_MARK, ACTIVE_JOBS_INDEX } from '../resources.ts';
import { FINAL_STATUSES, isFinal, type Job, type JobError, type JobStatus } from './job.ts';

const FINISHED_JOB_RETENTION_SECONDS = 30 * 24 * 3600;

type Values = Record<string, AttributeValue>;

/** The outcome of trying to take the exclusive lease of a job stage (split, merge). */
export type ClaimResult =
  | { readonly claimed: true; readonly job: Job }
  | { readonly claimed: false; readonly job: Job | undefined };

/** A running job as the active-jobs index lists it (eventually consistent: read it again). */
export interface ActiveJobRef {
  readonly id: string;
  readonly updatedAt: string;
}

/** What a chunk needs to know about its job after counting itself. */
export type JobProgress = Pick<
  Job,
  'status' | 'chunksTotal' | 'chunksDone' | 'rowsProcessed' | 'rowsRejected'
>;

export interface ChunkDoneResult {
  /**
   * True only for the first count of this chunk, and only while the job was splitting or
   * processing: false for a duplicate delivery and for a job that ended meanwhile.
   */
  readonly applied: boolean;
  /** The job's progress including this chunk (when the job still counts chunks). */
  readonly job: JobProgress | undefined;
}

/** The job attributes callers read: never the per-shard tallies (nor legacy marker sets). */
const JOB_ATTRIBUTES: Record<keyof Job, true> = {
  id: true,
  tenantId: true,
  status: true,
  createdAt: true,
  updatedAt: true,
  fileName: true,
  sourceKey: true,
  options: true,
  sourceBytes: true,
  columns: true,
  encoding: true,
  delimiter: true,
  lineEnding: true,
  rowsTotal: true,
  rowsProcessed: true,
  rowsRejected: true,
  chunksTotal: true,
  chunksDone: true,
  resultKey: true,
  rejectsKey: true,
  error: true,
  leaseHolder: true,
  leaseUntil: true,
  sourceEtag: true,
  repairs: true,
  repairedAt: true,
  providerRequests: true,
  providerRecordsSent: true,
  providerMatchesBilled: true,
  providerCacheHits: true,
  source: true,
  outputChunks: true,
  sourceMembers: true,
  sourceShifts: true,
  writtenBack: true,
  writeBackErrors: true,
  // Not stored: the sum of the per-shard fetch counts (fetchShards), computed by toJob.
  pagesFetched: true,
  pagesDispatchedAt: true,
  dispatchHolder: true,
  dispatchUntil: true,
};
/** Job attributes that are not stored as such, and the stored ones they are computed from. */
function storedNames(names: readonly string[]): string[] {
  return names.flatMap((name) => (name === 'pagesFetched' ? ['fetchShards'] : [name]));
}
const JOB_PROJECTION = projectionOf(storedNames(Object.keys(JOB_ATTRIBUTES)));

/** A job without what only the workers use (its header can be long). */
export type JobSummary = Omit<
  Job,
  | 'sourceKey'
  | 'sourceBytes'
  | 'columns'
  | 'leaseHolder'
  | 'leaseUntil'
  | 'dispatchHolder'
  | 'dispatchUntil'
>;
const SUMMARY_ATTRIBUTES: Record<keyof JobSummary, true> = (({
  sourceKey: _sourceKey,
  sourceBytes: _sourceBytes,
  columns: _columns,
  leaseHolder: _leaseHolder,
  leaseUntil: _leaseUntil,
  dispatchHolder: _dispatchHolder,
  dispatchUntil: _dispatchUntil,
  ...summary
}) => summary)(JOB_ATTRIBUTES);
export const SUMMARY_PROJECTION = projectionOf(storedNames(Object.keys(SUMMARY_ATTRIBUTES)));

/** What a page fetch needs to know about its job after counting itself. */
export type FetchProgress = Pick<
  Job,
  'status' | 'outputChunks' | 'pagesFetched' | 'pagesDispatchedAt'
>;

/**
 * The claim of sending a Mailchimp job's page enrichment: `claimed` (ours to send), `done`
 * (sent before), `held` (another delivery is sending now, until `leaseUntil`) or `inactive`
 * (the job no longer counts: cancelled or failed).
 */
export type DispatchClaim =
  | { readonly state: 'claimed' | 'done' | 'inactive' }
  | { readonly state: 'held'; readonly leaseUntil: number };

/** A shard's entry in the job item: chunks, rows, rejected, then provider usage when any. */
interface TallyEntry {
  readonly c: number;
  readonly r: number;
  readonly j: number;
  readonly q?: number;
  readonly s?: number;
  readonly b?: number;
  readonly h?: number;
  readonly w?: number;
  readonly e?: number;
  readonly x?: number;
}

const COUNTING: readonly JobStatus[] = ['splitting', 'processing'];
/** Rounds of the job's compare-and-set before giving up (the message is then retried). */
const MAX_TALLY_ATTEMPTS = 25;

/**
 * Job state in DynamoDB. Every change is a conditional write (chunk counts: two, see
 * recordChunkDone), so transitions only move forward, counters never double-count and
 * concurrent workers cannot overwrite each other. The job item stays small: chunk markers live
 * in shard items, and reads name the attributes they return.
 */
export class JobStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #now: () => number;
  readonly #shards: ChunkShards;
  readonly #fetchShards: ChunkShards;

  constructor(options: { client: DynamoDBClient; table: string; now?: () => number }) {
    this.#client = options.client;
    this.#table = options.table;
    this.#now = options.now ?? Date.now;
    this.#shards = new ChunkShards(options);
    this.#fetchShards = new ChunkShards({ ...options, kind: 'fetches' });
  }

  async create(job: Job): Promise<void> {
    // chunkShards starts empty so that recordChunkDone can set one entry of it.
    // fetchShards likewise, for the page fetches of a job that reads an audience.
    const item = marshall(
      {
        ...job,
        chunkShards: {},
        ...(job.source === undefined ? {} : { fetchShards: {} }),
        expiresAt: this.#expiresAt(),
      },
      { removeUndefinedValues: true },
    );
    const command = new PutItemCommand({
      TableName: this.#table,
      Item: item,
      ConditionExpression: 'attribute_not_exists(id)',
    });
    await this.#client.send(command).catch(rethrowAs(`DynamoDB put of job ${job.id} failed`));
  }

  async get(id: string): Promise<Job | undefined> {
    return this.#read<Job>(id, JOB_PROJECTION);
  }

  /** A job of another tenant does not exist, as far as the caller can tell. */
  async getForTenant(tenantId: string, id: string): Promise<Job> {
    const job = await this.get(id);
    if (job?.tenantId !== tenantId) throw new JobNotFoundError(id);
    return job;
  }

  /** What a client may be shown of a job, whoever's it is (the caller checks the tenant). */
  async getSummary(id: string): Promise<JobSummary | undefined> {
    return this.#read<JobSummary>(id, SUMMARY_PROJECTION);
  }

  /** What a client is shown of a job (GET /v1/jobs/{id}); a job of another tenant is not found. */
  async getSummaryForTenant(tenantId: string, id: string): Promise<JobSummary> {
    const job = await this.#read<JobSummary>(id, SUMMARY_PROJECTION);
    if (job?.tenantId !== tenantId) throw new JobNotFoundError(id);
    return job;
  }

  async #read<T>(id: string, projection: ReturnType<typeof projectionOf>): Promise<T | undefined> {
    const command = new GetItemCommand({
      TableName: this.#table,
      Key: key(id),
      ConsistentRead: true,
      ...projection,
    });
    const output = await this.#client
      .send(command)
      .catch(rethrowAs(`DynamoDB get of job ${id} failed`));
    return output.Item === undefined ? undefined : (toJob(output.Item) as T);
  }

  /** Moves a job from one of `from` to `to`, optionally setting more attributes at once. */
  async transition(
    id: string,
    change: { from: readonly JobStatus[]; to: JobStatus; set?: Record<string, unknown> },
  ): Promise<Job> {
    const update = new UpdateBuilder(this.#now()).set('status', change.to);
    for (const [name, value] of Object.entries(change.set ?? {})) update.set(name, value);
    if (isFinal(change.to)) update.remove(ACTIVE_JOB_ATTRIBUTE);
    else if (change.to !== 'awaiting_upload') update.set(ACTIVE_JOB_ATTRIBUTE, ACTIVE_JOB_MARK);
    const condition = update.statusIn(change.from);
    const job = await this.#conditionalUpdate(id, update, condition);
    if (job === undefined) throw await this.#conflict(id, `cannot move to ${change.to}`);
    return job;
  }

  /**
   * Takes the lease of a stage: moves `from` → `to`, or takes over `to` once its lease expired.
   * `holder` is a token of one delivery, so a second delivery of the same message cannot take a
   * lease the first still holds. `requireAllChunks` guards merge.
   */
  async claimStage(
    id: string,
    claim: {
      from: JobStatus;
      to: JobStatus;
      holder: string;
      leaseMs: number;
      requireAllChunks?: boolean;
    },
  ): Promise<ClaimResult> {
    const now = this.#now();
    const update = new UpdateBuilder(now)
      .set('status', claim.to)
      .set('leaseHolder', claim.holder)
      .set('leaseUntil', now + claim.leaseMs)
      // Also marks jobs queued before the watchdog's index existed.
      .set(ACTIVE_JOB_ATTRIBUTE, ACTIVE_JOB_MARK);
    const from = update.value(claim.from);
    const to = update.value(claim.to);
    const nowValue = update.value(now);
    let condition =
      `(#status = ${from} OR (#status = ${to} AND (attribute_not_exists(leaseUntil) ` +
      `OR leaseUntil < ${nowValue})))`;
    if (claim.requireAllChunks === true) condition += ' AND chunksDone >= chunksTotal';
    const job = await this.#conditionalUpdate(id, update, condition);
    return job === undefined ? { claimed: false, job: await this.get(id) } : { claimed: true, job };
  }

  /** Extends a lease we hold; false when it was taken over (we must stop). */
  async renewLease(id: string, holder: string, leaseMs: number): Promise<boolean> {
    const update = new UpdateBuilder(this.#now()).set('leaseUntil', this.#now() + leaseMs);
    const condition = `leaseHolder = ${update.value(holder)}`;
    return this.#conditionalUpdate(id, update, condition, 'NONE');
  }

  /**
   * Gives a lease we hold back, so the next delivery of the stage's message may take it at once
   * (a failed attempt, retried after a backoff shorter than the lease); false when not ours.
   */
  async releaseLease(id: string, holder: string): Promise<boolean> {
    const update = new UpdateBuilder(this.#now()).remove('leaseHolder').remove('leaseUntil');
    const condition = `leaseHolder = ${update.value(holder)}`;
    return this.#conditionalUpdate(id, update, condition, 'NONE');
  }

  /** Sets attributes while we still hold the lease of `status`. */
  async updateUnderLease(
    id: string,
    lease: { status: JobStatus; holder: string },
    set: Record<string, unknown>,
    options: { to?: JobStatus; releaseLease?: boolean } = {},
  ): Promise<Job> {
    const update = new UpdateBuilder(this.#now());
    for (const [name, value] of Object.entries(set)) update.set(name, value);
    if (options.to !== undefined) update.set('status', options.to);
    if (options.to !== undefined && isFinal(options.to)) update.remove(ACTIVE_JOB_ATTRIBUTE);
    if (options.releaseLease === true) update.remove('leaseHolder').remove('leaseUntil');
    const condition = `#status = ${update.value(lease.status)} AND leaseHolder = ${update.value(lease.holder)}`;
    const job = await this.#conditionalUpdate(id, update, condition);
    if (job === undefined) throw await this.#conflict(id, `lost the ${lease.status} lease`);
    return job;
  }

  /**
   * Counts a finished chunk exactly once, in two single-item writes (DynamoDB transactions are
   * not available everywhere this runs): the chunk's marker and its shard's counters move in the
   * shard item (ChunkShards.mark), then the job item takes the shard's new tally. The second
   * write is a compare-and-set on that shard's entry, adding the difference to the job's totals,
   * and a tally only replaces an older one: so a crash between the writes is repaired by the
   * redelivery (its mark is refused, it re-reads the shard and applies the tally), and
   * concurrent chunks of one shard never count twice or lose a count.
   */
  async recordChunkDone(
    id: string,
    chunk: {
      index: number;
      rows: number;
      rejected: number;
      provider?: ProviderUsage;
      source?: SourceUsage;
    },
  ): Promise<ChunkDoneResult> {
    const marked = await this.#shards.mark(id, chunk, this.#expiresAt());
    const tally = marked ?? (await this.#shards.read(id, shardOf(chunk.index)));
    if (tally === undefined) {
      throw new DependencyError(
        `chunk ${chunk.index} of job ${id}: its shard was refused but is gone`,
      );
    }
    const counted = await this.#applyTally(id, tally);
    return { applied: marked !== undefined && counted.counted, job: counted.job };
  }

  /** Brings the job's entry for the tally's shard up to it; `counted` once the job includes it. */
  async #applyTally(
    id: string,
    tally: ShardTally,
  ): Promise<{ counted: boolean; job: JobProgress | undefined }> {
    for (let attempt = 0; attempt < MAX_TALLY_ATTEMPTS; attempt++) {
      const current = await this.#readProgress(id, tally.shard);
      if (current === undefined) return { counted: false, job: undefined };
      if (!COUNTING.includes(current.job.status)) return { counted: false, job: current.job };
      // Shard counts only grow, by one per chunk: a tally as high as ours already includes it.
      if (current.tally !== undefined && current.tally.chunks >= tally.chunks)
        return { counted: true, job: current.job };
      const totals = await this.#writeTally(id, tally, current.tally);
      if (totals === undefined) {
        // Chunks of one shard finish together; a short jittered pause spreads the next round.
        await setTimeout(Math.random() * 20 * (attempt + 1));
        continue;
      }
      // Split records chunksTotal when it ends. If it had not when we read, read again: either
      // we see it, or split's own write (after ours) sees our count and starts the merge.
      const job =
        current.job.chunksTotal === undefined
          ? ((await this.#readProgress(id, tally.shard))?.job ?? { ...current.job, ...totals })
          : { ...current.job, ...totals };
      return { counted: true, job };
    }
    throw new DependencyError(
      `job ${id}: shard ${tally.shard} tally still contended after ${MAX_TALLY_ATTEMPTS} attempts`,
    );
  }

  /** The job's progress and its entry for one shard (only that entry: the map is not read). */
  async #readProgress(
    id: string,
    shard: number,
  ): Promise<{ job: JobProgress; tally: ShardTally | undefined } | undefined> {
    const output = await this.#client
      .send(
        new GetItemCommand({
          TableName: this.#table,
          Key: key(id),
          ConsistentRead: true,
          ProjectionExpression:
            '#status, chunksTotal, chunksDone, rowsProcessed, rowsRejected, #shards.#shard',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#shards': 'chunkShards',
            '#shard': String(shard),
          },
        }),
      )
      .catch(rethrowAs(`DynamoDB get of job ${id} failed`));
    if (output.Item === undefined) return undefined;
    const { chunkShards, ...job } = unmarshall(output.Item) as JobProgress & {
      chunkShards?: Record<string, TallyEntry>;
    };
    const entry = chunkShards?.[String(shard)];
    return {
      job,
      tally:
        entry === undefined
          ? undefined
          : {
              shard,
              chunks: entry.c,
              rows: entry.r,
              rejected: entry.j,
              provider: {
                requests: entry.q ?? 0,
                recordsSent: entry.s ?? 0,
                matchesBilled: entry.b ?? 0,
                cacheHits: entry.h ?? 0,
              },
              source: {
                writtenBack: entry.w ?? 0,
                writeBackErrors: entry.e ?? 0,
                shifts: entry.x ?? 0,
              },
            },
    };
  }

  /**
   * Replaces the job's entry for the shard with `tally` if it still is `previous`, adding the
   * difference to the totals; undefined when the entry or the status changed meanwhile.
   */
  async #writeTally(
    id: string,
    tally: ShardTally,
    previous: ShardTally | undefined,
  ): Promise<Pick<JobProgress, 'chunksDone' | 'rowsProcessed' | 'rowsRejected'> | undefined> {
    const usage = tally.provider;
    const before = previous?.provider;
    const source = tally.source;
    const sourceBefore = previous?.source;
    const entry: TallyEntry = {
      c: tally.chunks,
      r: tally.rows,
      j: tally.rejected,
      // Provider usage only for shards that have some: most jobs ask no provider.
      ...(usage.requests + usage.recordsSent + usage.matchesBilled + usage.cacheHits === 0
        ? {}
        : { q: usage.requests, s: usage.recordsSent, b: usage.matchesBilled, h: usage.cacheHits }),
      // Likewise only for remote-audience jobs.
      ...(source.writtenBack + source.writeBackErrors + source.shifts === 0
        ? {}
        : { w: source.writtenBack, e: source.writeBackErrors, x: source.shifts }),
    };
    const send = (form: { set: string; condition: string; values: Record<string, unknown> }) =>
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key(id),
          UpdateExpression:
            `SET ${form.set}, updatedAt = :now ` +
            'ADD chunksDone :chunks, rowsProcessed :rows, rowsRejected :rejected, ' +
            'providerRequests :pq, providerRecordsSent :ps, providerMatchesBilled :pb, ' +
            'providerCacheHits :ph, writtenBack :sw, writeBackErrors :se, sourceShifts :sx',
          ConditionExpression: `#status IN (:splitting, :processing) AND ${form.condition}`,
          ExpressionAttributeNames: {
            '#status': 'status',
            '#shards': 'chunkShards',
            // DynamoDB refuses names the expressions do not use.
            ...(form.set.includes('#shard ') ? { '#shard': String(tally.shard) } : {}),
          },
          ExpressionAttributeValues: marshall({
            ...form.values,
            ':chunks': tally.chunks - (previous?.chunks ?? 0),
            ':rows': tally.rows - (previous?.rows ?? 0),
            ':rejected': tally.rejected - (previous?.rejected ?? 0),
            ':pq': usage.requests - (before?.requests ?? 0),
            ':ps': usage.recordsSent - (before?.recordsSent ?? 0),
            ':pb': usage.matchesBilled - (before?.matchesBilled ?? 0),
            ':ph': usage.cacheHits - (before?.cacheHits ?? 0),
            ':sw': source.writtenBack - (sourceBefore?.writtenBack ?? 0),
            ':se': source.writeBackErrors - (sourceBefore?.writeBackErrors ?? 0),
            ':sx': source.shifts - (sourceBefore?.shifts ?? 0),
            ':now': new Date(this.#now()).toISOString(),
            ':splitting': 'splitting',
            ':processing': 'processing',
          }),
          ReturnValues: 'UPDATED_NEW',
        }),
      );
    try {
      const output =
        previous === undefined
          ? await send({
              set: '#shards.#shard = :entry',
              condition: 'attribute_not_exists(#shards.#shard)',
              values: { ':entry': entry },
            }).catch((error: unknown) => {
              // A job created before chunkShards existed has no map to set an entry in.
              if (awsErrorName(error) !== 'ValidationException') throw error;
              return send({
                set: '#shards = :shards',
                condition: 'attribute_not_exists(#shards)',
                values: { ':shards': { [String(tally.shard)]: entry } },
              });
            })
          : await send({
              set: '#shards.#shard = :entry',
              condition: '#shards.#shard.c = :previous',
              values: { ':entry': entry, ':previous': previous.chunks },
            });
      const totals = unmarshall(output.Attributes ?? {});
      return {
        chunksDone: Number(totals.chunksDone),
        rowsProcessed: Number(totals.rowsProcessed),
        rowsRejected: Number(totals.rowsRejected),
      };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw new DependencyError(`DynamoDB update of job ${id} failed`, { cause: error });
    }
  }

  /**
   * Counts a fetched page of a Mailchimp job exactly once. Its marker goes into a `fetches`
   * shard item (as a chunk's does), then the job's `fetchShards` entry of that shard is raised
   * to the shard's tally, never lowered: one write, no read and no compare-and-set round, since
   * fetches only need a count and they all finish together. The pages fetched are the sum of the
   * entries (the write returns them; `Job.pagesFetched` is that sum too). A redelivery after a crash between the writes raises the entry then. Undefined job: gone.
   */
  async recordPageFetched(
    id: string,
    page: number,
  ): Promise<{ readonly applied: boolean; readonly job: FetchProgress | undefined }> {
    const marked = await this.#fetchShards.mark(
      id,
      { index: page, rows: 0, rejected: 0 },
      this.#expiresAt(),
    );
    const tally = marked ?? (await this.#fetchShards.read(id, shardOf(page)));
    if (tally === undefined)
      throw new DependencyError(
        `page ${page} of job ${id}: its fetch shard was refused but is gone`,
      );
    // Refused when the job stopped counting, or a later fetch of the shard raised it further.
    const item = (await this.#raiseFetchEntry(id, tally)) ?? (await this.#readFetchProgress(id));
    if (item === undefined) return { applied: false, job: undefined };
    const { fetchShards, ...progress } = item;
    const fetched = sumOf(fetchShards);
    return {
      applied: marked !== undefined && COUNTING.includes(progress.status),
      job: { ...progress, pagesFetched: fetched },
    };
  }

  /** Raises the job's entry of the tally's shard to it; the job's fetch progress, or undefined. */
  async #raiseFetchEntry(id: string, tally: ShardTally): Promise<FetchItem | undefined> {
    const send = (form: { set: string; condition: string; values: Record<string, unknown> }) =>
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key(id),
          UpdateExpression: `SET ${form.set}, updatedAt = :now`,
          ConditionExpression: `#status IN (:splitting, :processing) AND ${form.condition}`,
          ExpressionAttributeNames: {
            '#status': 'status',
            '#shards': 'fetchShards',
            ...(form.set.includes('#shard ') ? { '#shard': String(tally.shard) } : {}),
          },
          ExpressionAttributeValues: marshall({
            ...form.values,
            ':now': new Date(this.#now()).toISOString(),
            ':splitting': 'splitting',
            ':processing': 'processing',
          }),
          ReturnValues: 'ALL_NEW',
        }),
      );
    try {
      const output = await send({
        set: '#shards.#shard = :entry',
        condition: '(attribute_not_exists(#shards.#shard) OR #shards.#shard < :entry)',
        values: { ':entry': tally.chunks },
      }).catch((error: unknown) => {
        // The job was created without the map (before fetch counts existed): create it.
        if (awsErrorName(error) !== 'ValidationException') throw error;
        return send({
          set: '#shards = :shards',
          condition: 'attribute_not_exists(#shards)',
          values: { ':shards': { [String(tally.shard)]: tally.chunks } },
        });
      });
      return fetchItemOf(output.Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw new DependencyError(`DynamoDB update of job ${id} failed`, { cause: error });
    }
  }

  async #readFetchProgress(id: string): Promise<FetchItem | undefined> {
    const output = await this.#client
      .send(
        new GetItemCommand({
          TableName: this.#table,
          Key: key(id),
          ConsistentRead: true,
          ProjectionExpression: '#status, outputChunks, pagesDispatchedAt, fetchShards',
          ExpressionAttributeNames: { '#status': 'status' },
        }),
      )
      .catch(rethrowAs(`DynamoDB get of job ${id} failed`));
    return output.Item === undefined ? undefined : fetchItemOf(output.Item);
  }

  /**
   * Claims the sending of a Mailchimp job's page enrichment (a lease, like a stage's, but kept
   * apart from the stage lease: the job is splitting or processing meanwhile).
   */
  async claimPageDispatch(id: string, holder: string, leaseMs: number): Promise<DispatchClaim> {
    const now = this.#now();
    const update = new UpdateBuilder(now)
      .set('dispatchHolder', holder)
      .set('dispatchUntil', now + leaseMs);
    const condition =
      `${update.statusIn(COUNTING)} AND attribute_not_exists(pagesDispatchedAt) AND ` +
      `(attribute_not_exists(dispatchUntil) OR dispatchUntil < ${update.value(now)})`;
    if (await this.#conditionalUpdate(id, update, condition, 'NONE')) return { state: 'claimed' };
    const job = await this.get(id);
    if (job?.pagesDispatchedAt !== undefined) return { state: 'done' };
    if (job === undefined || !COUNTING.includes(job.status)) return { state: 'inactive' };
    return { state: 'held', leaseUntil: job.dispatchUntil ?? now };
  }

  /** Extends our dispatch claim; false when it is no longer ours. */
  async renewPageDispatch(id: string, holder: string, leaseMs: number): Promise<boolean> {
    const update = new UpdateBuilder(this.#now()).set('dispatchUntil', this.#now() + leaseMs);
    const condition = `dispatchHolder = ${update.value(holder)} AND attribute_not_exists(pagesDispatchedAt)`;
    return this.#conditionalUpdate(id, update, condition, 'NONE');
  }

  /** Marks every page's enrichment sent; false when our claim was taken over meanwhile. */
  async completePageDispatch(id: string, holder: string): Promise<boolean> {
    const update = new UpdateBuilder(this.#now())
      .set('pagesDispatchedAt', new Date(this.#now()).toISOString())
      .remove('dispatchHolder')
      .remove('dispatchUntil');
    const condition = `dispatchHolder = ${update.value(holder)} AND attribute_not_exists(pagesDispatchedAt)`;
    return this.#conditionalUpdate(id, update, condition, 'NONE');
  }

  /** Ends a job as failed unless it already reached a final state; returns whether it did. */
  async fail(id: string, error: JobError): Promise<boolean> {
    const { update, condition } = this.#finishing('failed', { error });
    return this.#conditionalUpdate(id, update, condition, 'NONE');
  }

  /**
   * Fails a job only if nothing changed it since `updatedAt` was read (the watchdog's verdict
   * must not land on a job that just moved); returns whether it did.
   */
  async failIfUnchanged(id: string, updatedAt: string, error: JobError): Promise<boolean> {
    const { update, condition } = this.#finishing('failed', { error }, { updatedAt });
    return this.#conditionalUpdate(id, update, condition, 'NONE');
  }

  /**
   * Running jobs (queued to merging) whose last change is older than `before` (ISO 8601),
   * longest unchanged first, from the sparse active-jobs index: finished jobs are not in it.
   */
  async listUnchangedSince(before: string, limit: number): Promise<ActiveJobRef[]> {
    const refs: ActiveJobRef[] = [];
    let startKey: Values | undefined;
    do {
      const output = await this.#client
        .send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: ACTIVE_JOBS_INDEX.name,
            KeyConditionExpression: '#active = :active AND #progress < :before',
            ExpressionAttributeNames: {
              '#active': ACTIVE_JOBS_INDEX.partitionKey,
              '#progress': ACTIVE_JOBS_INDEX.sortKey,
            },
            ExpressionAttributeValues: {
              ':active': { S: ACTIVE_JOB_MARK },
              ':before': { S: before },
            },
            Limit: limit - refs.length,
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
        )
        .catch(rethrowAs(`DynamoDB query of index ${ACTIVE_JOBS_INDEX.name} failed`));
      for (const item of output.Items ?? []) {
        const { id, updatedAt } = unmarshall(item) as { id?: unknown; updatedAt?: unknown };
        if (typeof id === 'string' && typeof updatedAt === 'string') refs.push({ id, updatedAt });
      }
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined && refs.length < limit);
    return refs;
  }

  /**
   * Claims the repair of a stall: counts it on the job, only if the job is still `status`,
   * unchanged since `updatedAt` and under `maxRepairs`. Of several watchdogs that saw the same
   * stall exactly one wins; the write moves `updatedAt`, so the repair gets a full stall period
   * to show progress. Undefined when the claim was refused.
   */
  async claimRepair(
    id: string,
    seen: { status: JobStatus; updatedAt: string; maxRepairs: number },
  ): Promise<Job | undefined> {
    const update = new UpdateBuilder(this.#now())
      .set('repairedAt', new Date(this.#now()).toISOString())
      .add('repairs', { N: '1' });
    const condition =
      `#status = ${update.value(seen.status)} AND updatedAt = ${update.value(seen.updatedAt)} ` +
      `AND (attribute_not_exists(repairs) OR repairs < ${update.value(seen.maxRepairs)})`;
    return this.#conditionalUpdate(id, update, condition);
  }

  /**
   * Cancels a job unless it already reached a final state (then: undefined). Workers notice
   * through the status: queued chunks skip, counts and stage leases are refused.
   */
  async cancel(id: string): Promise<Job | undefined> {
    const { update, condition } = this.#finishing('cancelled', {});
    return this.#conditionalUpdate(id, update, condition);
  }

  /** The write that ends a job, unless it already reached a final state. */
  #finishing(
    status: 'failed' | 'cancelled',
    set: Record<string, unknown>,
    unchanged?: { updatedAt: string },
  ): { update: UpdateBuilder; condition: string } {
    const update = new UpdateBuilder(this.#now()).set('status', status);
    for (const [name, value] of Object.entries(set)) update.set(name, value);
    update.remove('leaseHolder').remove('leaseUntil').remove(ACTIVE_JOB_ATTRIBUTE);
    let condition = `attribute_exists(id) AND NOT (${update.statusIn(FINAL_STATUSES)})`;
    if (unchanged !== undefined)
      condition += ` AND updatedAt = ${update.value(unchanged.updatedAt)}`;
    return { update, condition };
  }

  #expiresAt(): number {
    return Math.floor(this.#now() / 1000) + FINISHED_JOB_RETENTION_SECONDS;
  }

  /**
   * One conditional write; undefined when refused. Stage changes return the whole new job (a
   * few times per job, and their callers need all of it; the item stays small); renewals and
   * failures only whether they held.
   */
  async #conditionalUpdate(
    id: string,
    update: UpdateBuilder,
    condition: string,
  ): Promise<Job | undefined>;
  async #conditionalUpdate(
    id: string,
    update: UpdateBuilder,
    condition: string,
    returnValues: 'NONE',
  ): Promise<boolean>;
  async #conditionalUpdate(
    id: string,
    update: UpdateBuilder,
    condition: string,
    returnValues: 'ALL_NEW' | 'NONE' = 'ALL_NEW',
  ): Promise<Job | boolean | undefined> {
    try {
      const output = await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key(id),
          ...update.build(condition),
          ReturnValues: returnValues,
        }),
      );
      if (returnValues === 'NONE') return true;
      return output.Attributes === undefined ? undefined : toJob(output.Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        return returnValues === 'NONE' ? false : undefined;
      throw new DependencyError(`DynamoDB update of job ${id} failed`, { cause: error });
    }
  }

  async #conflict(id: string, what: string): Promise<Error> {
    const current = await this.get(id);
    if (current === undefined) return new JobNotFoundError(id);
    return new JobStateConflictError(`job ${id} is ${current.status}: ${what}`, {
      status: current.status,
    });
  }
}

/** The fetch progress of a job item, with its per-shard fetch counts. */
type FetchItem = FetchProgress & { readonly fetchShards?: Record<string, number> };

function fetchItemOf(item: Values): FetchItem {
  const { status, outputChunks, pagesDispatchedAt, fetchShards } = unmarshall(item) as FetchItem;
  return {
    status,
    ...(outputChunks === undefined ? {} : { outputChunks }),
    ...(pagesDispatchedAt === undefined ? {} : { pagesDispatchedAt }),
    ...(fetchShards === undefined ? {} : { fetchShards }),
  };
}

function rethrowAs(message: string): (error: unknown) => never {
  return (error: unknown) => {
    throw new DependencyError(message, { cause: error });
  };
}

function key(id: string): Values {
  return { id: { S: id } };
}

export function toJob(item: Values): Job {
  const {
    doneChunks: _doneChunks,
    chunkShards: _chunkShards,
    fetchShards,
    expiresAt: _expiresAt,
    [ACTIVE_JOB_ATTRIBUTE]: _active,
    ...job
  } = unmarshall(item);
  // A Mailchimp job's pages fetched: the sum of its per-shard fetch counts.
  const fetched = fetchShards as Record<string, number> | undefined;
  return (fetched === undefined ? job : { ...job, pagesFetched: sumOf(fetched) }) as Job;
}

function sumOf(counts: Record<string, number> | undefined): number {
  return Object.values(counts ?? {}).reduce((sum, n) => sum + n, 0);
}

/** A ProjectionExpression naming every attribute through a placeholder (many are reserved words). */
function projectionOf(names: readonly string[]): {
  ProjectionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
} {
  const placeholders = names.map((_, i) => `#p${i}`);
  return {
    ProjectionExpression: placeholders.join(', '),
    ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#p${i}`, name])),
  };
}

/** Builds an UpdateExpression with generated placeholders, so callers never hand-number them. */
class UpdateBuilder {
  readonly #sets: string[] = [];
  readonly #adds: string[] = [];
  readonly #removes: string[] = [];
  readonly #names: Record<string, string> = {};
  readonly #values: Values = {};
  #counter = 0;

  constructor(now: number) {
    this.set('updatedAt', new Date(now).toISOString());
  }

  value(value: unknown): string {
    const placeholder = `:v${this.#counter++}`;
    this.#values[placeholder] = marshall({ v: value }, { removeUndefinedValues: true }).v!;
    return placeholder;
  }

  set(name: string, value: unknown): this {
    this.#sets.push(`${this.#name(name)} = ${this.value(value)}`);
    return this;
  }

  add(name: string, value: AttributeValue): this {
    const placeholder = `:v${this.#counter++}`;
    this.#values[placeholder] = value;
    this.#adds.push(`${this.#name(name)} ${placeholder}`);
    return this;
  }

  remove(name: string): this {
    this.#removes.push(this.#name(name));
    return this;
  }

  statusIn(statuses: readonly JobStatus[]): string {
    return `#status IN (${statuses.map((s) => this.value(s)).join(', ')})`;
  }

  /** DynamoDB rejects unused placeholders, so only names the expressions mention are sent. */
  build(condition: string): {
    UpdateExpression: string;
    ConditionExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues: Values;
  } {
    const clauses = [
      this.#sets.length > 0 ? `SET ${this.#sets.join(', ')}` : '',
      this.#adds.length > 0 ? `ADD ${this.#adds.join(', ')}` : '',
      this.#removes.length > 0 ? `REMOVE ${this.#removes.join(', ')}` : '',
    ];
    const expression = clauses.filter(Boolean).join(' ');
    const names: Record<string, string> = {};
    if (condition.includes('#status') || expression.includes('#status'))
      names['#status'] = 'status';
    Object.assign(names, this.#names);
    return {
      UpdateExpression: expression,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: this.#values,
    };
  }

  #name(name: string): string {
    const placeholder = `#${name}`;
    this.#names[placeholder] = name;
    return placeholder;
  }
}
