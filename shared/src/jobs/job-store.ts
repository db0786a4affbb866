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
import { DependencyError, JobNotFoundError, JobStateConflictError } from '../errors.ts';
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

export interface ChunkDoneResult {
  /** False when this chunk had been counted before (a duplicate delivery). */
  readonly applied: boolean;
  readonly job: Job | undefined;
}

/**
 * Job state in DynamoDB. Every change is a single conditional write, so transitions only move
 * forward, counters never double-count and concurrent workers cannot overwrite each other.
 */
export class JobStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #now: () => number;

  constructor(options: { client: DynamoDBClient; table: string; now?: () => number }) {
    this.#client = options.client;
    this.#table = options.table;
    this.#now = options.now ?? Date.now;
  }

  async create(job: Job): Promise<void> {
    const item = marshall(
      { ...job, expiresAt: Math.floor(this.#now() / 1000) + FINISHED_JOB_RETENTION_SECONDS },
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
    const command = new GetItemCommand({
      TableName: this.#table,
      Key: key(id),
      ConsistentRead: true,
    });
    const output = await this.#client
      .send(command)
      .catch(rethrowAs(`DynamoDB get of job ${id} failed`));
    return output.Item === undefined ? undefined : toJob(output.Item);
  }

  /** A job of another tenant does not exist, as far as the caller can tell. */
  async getForTenant(tenantId: string, id: string): Promise<Job> {
    const job = await this.get(id);
    if (job?.tenantId !== tenantId) throw new JobNotFoundError(id);
    return job;
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
   * Takes the lease of a stage: moves `from` → `to`, or takes over `to` when its lease expired or
   * is already ours (a redelivery of the message that holds it). `requireAllChunks` guards merge.
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
    const holder = update.value(claim.holder);
    const nowValue = update.value(now);
    let condition =
      `(#status = ${from} OR (#status = ${to} AND (attribute_not_exists(leaseUntil) ` +
      `OR leaseUntil < ${nowValue} OR leaseHolder = ${holder})))`;
    if (claim.requireAllChunks === true) condition += ' AND chunksDone >= chunksTotal';
    const job = await this.#conditionalUpdate(id, update, condition);
    return job === undefined ? { claimed: false, job: await this.get(id) } : { claimed: true, job };
  }

  /** Extends a lease we hold; false when it was taken over (we must stop). */
  async renewLease(id: string, holder: string, leaseMs: number): Promise<boolean> {
    const update = new UpdateBuilder(this.#now()).set('leaseUntil', this.#now() + leaseMs);
    const condition = `leaseHolder = ${update.value(holder)}`;
    return (await this.#conditionalUpdate(id, update, condition)) !== undefined;
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
   * Counts a finished chunk exactly once: the chunk index goes into a set and the counters move
   * in the same conditional write, which fails if the index is already in the set.
   */
  async recordChunkDone(
    id: string,
    chunk: { index: number; rows: number; rejected: number },
  ): Promise<ChunkDoneResult> {
    const update = new UpdateBuilder(this.#now());
    const index = update.value(chunk.index);
    update
      .add('doneChunks', { NS: [String(chunk.index)] })
      .add('chunksDone', { N: '1' })
      .add('rowsProcessed', { N: String(chunk.rows) })
      .add('rowsRejected', { N: String(chunk.rejected) });
    const condition = `${update.statusIn(['splitting', 'processing'])} AND NOT contains(doneChunks, ${index})`;
    const job = await this.#conditionalUpdate(id, update, condition);
    return job === undefined ? { applied: false, job: await this.get(id) } : { applied: true, job };
  }

  /** Ends a job as failed unless it already reached a final state; returns whether it did. */
  async fail(id: string, error: JobError): Promise<boolean> {
    return (await this.#finish(id, 'failed', { error })) !== undefined;
  }

  /**
   * Fails a job only if nothing changed it since `updatedAt` was read (the watchdog's verdict
   * must not land on a job that just moved); returns whether it did.
   */
  async failIfUnchanged(id: string, updatedAt: string, error: JobError): Promise<boolean> {
    return (await this.#finish(id, 'failed', { error }, { updatedAt })) !== undefined;
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
    return this.#finish(id, 'cancelled', {});
  }

  async #finish(
    id: string,
    status: 'failed' | 'cancelled',
    set: Record<string, unknown>,
    unchanged?: { updatedAt: string },
  ): Promise<Job | undefined> {
    const update = new UpdateBuilder(this.#now()).set('status', status);
    for (const [name, value] of Object.entries(set)) update.set(name, value);
    update.remove('leaseHolder').remove('leaseUntil').remove(ACTIVE_JOB_ATTRIBUTE);
    let condition = `attribute_exists(id) AND NOT (${update.statusIn(FINAL_STATUSES)})`;
    if (unchanged !== undefined)
      condition += ` AND updatedAt = ${update.value(unchanged.updatedAt)}`;
    return this.#conditionalUpdate(id, update, condition);
  }

  async #conditionalUpdate(
    id: string,
    update: UpdateBuilder,
    condition: string,
  ): Promise<Job | undefined> {
    try {
      const output = await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key(id),
          ...update.build(condition),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return output.Attributes === undefined ? undefined : toJob(output.Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
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

function rethrowAs(message: string): (error: unknown) => never {
  return (error: unknown) => {
    throw new DependencyError(message, { cause: error });
  };
}

function key(id: string): Values {
  return { id: { S: id } };
}

function toJob(item: Values): Job {
  const {
    doneChunks: _doneChunks,
    expiresAt: _expiresAt,
    [ACTIVE_JOB_ATTRIBUTE]: _active,
    ...job
  } = unmarshall(item);
  return job as Job;
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
