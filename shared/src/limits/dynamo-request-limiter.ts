import { randomUUID } from 'node:crypto';
import {
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { awsErrorName, ConfigError, DependencyError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import {
  activeJobs,
  decide,
  prunable,
  type LimiterSettings,
  type LimiterState,
  type SlotEntry,
  type WaitingEntry,
} from './limiter-state.ts';
import type { LimitPermit, RequestLimiter } from './request-limiter.ts';

export interface DynamoRequestLimiterOptions {
  readonly client: DynamoDBClient;
  readonly table: string;
  /** The provider account the limits belong to, e.g. `pdl#<key id>`. */
  readonly account: string;
  /** Requests per minute across the fleet; absent: no rate limit. */
  readonly requestsPerMinute?: number;
  /** Requests that may start ahead of the even pace after a pause (default 1: none). */
  readonly burst?: number;
  /** Requests in flight at once across the fleet; absent: no concurrency limit. */
  readonly maxConcurrency?: number;
  /**
   * A held slot's lease (default 6 s), renewed every third of it while the permit is held; a
   * killed worker's slot is free again at most this long after it died.
   */
  readonly slotLeaseMs?: number;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly logger?: Logger;
}

/** Short: a SIGKILLed worker's slots are lost to the fleet until their leases end. */
const DEFAULT_SLOT_LEASE_MS = 6_000;
/** A process renews its waiting entry every second; after 3 s without, it counts as gone. */
const STALE_MS = 3_000;
const REFRESH_EVERY_MS = 1_000;
const SLOT_POLL_MS = 100;
/**
 * How recent this process's look at the item must be for a released slot to go straight to a
 * local waiter of the same job (see #handoffWaiter): other jobs that started waiting since are
 * noticed at most this late.
 */
const HANDOFF_FRESH_MS = 500;
/** The account item outlives its last use by a day (DynamoDB TTL), then starts afresh. */
const ITEM_TTL_SECONDS = 24 * 3600;

interface Waiter {
  readonly jobId: string;
  readonly resolve: (permit: LimitPermit) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  settled: boolean;
  readonly onAbort: () => void;
}

/**
 * The fleet-wide limiter of one provider account: a GCRA token bucket (lazy refill) and leased
 * concurrency slots, both in one DynamoDB item `limiter#<account>` changed only by conditional
 * writes, with round-robin turns between the jobs that wait (see limiter-state.ts).
 *
 * One instance per account per process: its waiters queue locally and one loop speaks to
 * DynamoDB for all of them, so a worker with many chunks waiting costs what one waiter does.
 */
export class DynamoRequestLimiter implements RequestLimiter {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #key: Record<string, AttributeValue>;
  readonly #account: string;
  readonly #settings: LimiterSettings;
  readonly #slotLeaseMs: number;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #logger: Logger | undefined;
  /** Identifies this process's waiting entry in the item. */
  readonly #processId = randomUUID();
  readonly #waiters: Waiter[] = [];
  #pumping = false;
  #wake: (() => void) | undefined;
  /** The item as this process last wrote it; used once, then read afresh. */
  #known: LimiterState | undefined;
  /** The item as this process last read or wrote it, and when. */
  #seen: { readonly state: LimiterState; readonly at: number } | undefined;

  constructor(options: DynamoRequestLimiterOptions) {
    const { requestsPerMinute, maxConcurrency, burst = 1 } = options;
    const positive = (value: number | undefined): boolean =>
      value === undefined || (Number.isFinite(value) && value > 0);
    if (requestsPerMinute === undefined && maxConcurrency === undefined)
      throw new ConfigError('a request limiter needs requestsPerMinute, maxConcurrency or both');
    if (!positive(requestsPerMinute))
      throw new ConfigError('requestsPerMinute must be a positive number');
    if (maxConcurrency !== undefined && !(Number.isInteger(maxConcurrency) && maxConcurrency > 0))
      throw new ConfigError('maxConcurrency must be a positive integer');
    if (!(Number.isInteger(burst) && burst >= 1))
      throw new ConfigError('burst must be an integer of at least 1');
    const slotLeaseMs = options.slotLeaseMs ?? DEFAULT_SLOT_LEASE_MS;
    if (!(slotLeaseMs >= 100)) throw new ConfigError('slotLeaseMs must be at least 100');
    this.#client = options.client;
    this.#table = options.table;
    this.#account = options.account;
    this.#key = { pk: { S: `limiter#${options.account}` } };
    const intervalMs = requestsPerMinute === undefined ? undefined : 60_000 / requestsPerMinute;
    this.#settings = {
      ...(intervalMs === undefined ? {} : { intervalMs }),
      toleranceMs: (burst - 1) * (intervalMs ?? 0),
      catchUpMs: intervalMs ?? 0,
      ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
      staleMs: STALE_MS,
      refreshEveryMs: REFRESH_EVERY_MS,
      // Long enough for the job whose turn it is to wake (a due token) or poll (a slot freed in
      // another process), read and write; short enough that a turn nobody takes costs little.
      graceMs: Math.min(
        2_000,
        Math.max(20, (intervalMs ?? 0) / 2, maxConcurrency === undefined ? 0 : SLOT_POLL_MS * 1.5),
      ),
      slotPollMs: SLOT_POLL_MS,
    };
    this.#slotLeaseMs = slotLeaseMs;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger;
  }

  acquire(options: { jobId: string; signal?: AbortSignal }): Promise<LimitPermit> {
    const { jobId, signal } = options;
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    return new Promise<LimitPermit>((resolve, reject) => {
      const waiter: Waiter = {
        jobId,
        resolve,
        reject,
        signal,
        settled: false,
        onAbort: () => {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) this.#waiters.splice(index, 1);
          // The caller's own reason (an AbortError DOMException unless it gave another).
          this.#settle(waiter, () => {
            reject(signal?.reason as Error);
          });
          this.#wake?.();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#pump();
    });
  }

  #settle(waiter: Waiter, settle: () => void): void {
    if (waiter.settled) return;
    waiter.settled = true;
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
    settle();
  }

  #pump(): void {
    if (this.#pumping) {
      // A new waiter may change the decision (a new job's first turn): look again now.
      this.#wake?.();
      return;
    }
    this.#pumping = true;
    void this.#run().finally(() => {
      this.#pumping = false;
      if (this.#waiters.length > 0) this.#pump();
    });
  }

  async #run(): Promise<void> {
    while (this.#waiters.length > 0) {
      try {
        await this.#step();
      } catch (error) {
        // DynamoDB failed after the SDK's own retries: every waiter learns it, none waits on.
        const failure = new DependencyError(`request limiter of ${this.#account} failed`, {
          cause: error,
        });
        this.#logger?.error({ err: error, account: this.#account }, 'request limiter failed');
        for (const waiter of this.#waiters.splice(0))
          this.#settle(waiter, () => {
            waiter.reject(failure);
          });
        this.#known = undefined;
      }
    }
  }

  /** One decision: take a request for a local job, or wait (and say so in the item). */
  async #step(): Promise<void> {
    const state = this.#known ?? (await this.#read());
    this.#known = undefined;
    const now = this.#now();
    this.#seen = { state, at: now };
    // Every waiter was served while the item was read (handed a released slot, or aborted).
    if (this.#waiters.length === 0) return;
    const decision = decide(
      state,
      now,
      this.#processId,
      this.#localJobs(),
      this.#settings,
      this.#random,
    );
    if (decision.kind === 'wait') {
      if (decision.refresh) await this.#refresh(now);
      await this.#sleep(decision.until - now + this.#wakeJitter());
      return;
    }
    const index = this.#waiters.findIndex((w) => w.jobId === decision.jobId);
    // Served meanwhile (aborted, or handed a released slot): decide again.
    if (index < 0) return;
    const [waiter] = this.#waiters.splice(index, 1);
    if (waiter === undefined) return;
    const holder = randomUUID();
    try {
      this.#known = await this.#take(state, now, decision, holder);
      this.#seen = { state: this.#known, at: this.#now() };
    } catch (error) {
      if (!waiter.settled) this.#waiters.unshift(waiter);
      if (awsErrorName(error) !== 'ConditionalCheckFailedException') throw error;
      // Another process changed the item since it was read: read it again, a moment apart from
      // the others that lost the same race.
      await this.#sleep(this.#random() * 5);
      return;
    }
    const permit =
      decision.slot === undefined
        ? RELEASED
        : this.#slotPermit({ slot: decision.slot, holder, jobId: decision.jobId });
    if (waiter.settled) {
      // Aborted while its request was being taken: the slot goes back at once.
      void permit.release();
      return;
    }
    this.#settle(waiter, () => {
      waiter.resolve(permit);
    });
  }

  /** Distinct jobs of the local waiters, oldest waiter first. */
  #localJobs(): string[] {
    return [...new Set(this.#waiters.map((w) => w.jobId))];
  }

  async #read(): Promise<LimiterState> {
    const output = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: this.#key, ConsistentRead: true }),
    );
    if (output.Item !== undefined) return stateOf(output.Item);
    await this.#create();
    return { served: new Map(), waiting: new Map(), slots: new Map() };
  }

  async #create(): Promise<void> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            ...this.#key,
            served: { M: {} },
            waiting: { M: {} },
            slots: { M: {} },
            expiresAt: { N: String(this.#expiresAt()) },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (awsErrorName(error) !== 'ConditionalCheckFailedException') throw error;
    }
  }

  /** Takes one request for `decision.jobId`: only if the item is still as it was read. */
  async #take(
    state: LimiterState,
    now: number,
    decision: Extract<ReturnType<typeof decide>, { kind: 'take' }>,
    holder: string,
  ): Promise<LimiterState> {
    const expression = new Expression();
    const set = [
      `served.${expression.name(decision.jobId)} = ${expression.value({ N: String(now) })}`,
      `expiresAt = ${expression.value({ N: String(this.#expiresAt()) })}`,
    ];
    const remove: string[] = [];
    const conditions = ['attribute_exists(pk)'];
    if (decision.newTat !== undefined) {
      set.push(`tat = ${expression.value({ N: String(decision.newTat) })}`);
      // Optimistic concurrency: the bucket is exactly as read, or nobody else took its token.
      conditions.push(
        state.tat === undefined
          ? 'attribute_not_exists(tat)'
          : `tat = ${expression.value({ N: String(state.tat) })}`,
      );
    }
    if (decision.slot !== undefined) {
      const slot = `slots.${expression.name(String(decision.slot))}`;
      set.push(
        `${slot} = ${expression.value({
          M: {
            h: { S: holder },
            u: { N: String(now + this.#slotLeaseMs) },
            j: { S: decision.jobId },
          },
        })}`,
      );
      conditions.push(
        `(attribute_not_exists(${slot}.h) OR ${slot}.u < ${expression.value({ N: String(now) })})`,
      );
    }
    // This process's entry lists the jobs still waiting here after this one, or goes.
    const stillWaiting = this.#localJobs();
    const own = (): string => `waiting.${expression.name(this.#processId)}`;
    if (stillWaiting.length > 0)
      set.push(`${own()} = ${expression.value(waitingValue(now, stillWaiting))}`);
    else if (state.waiting.has(this.#processId)) remove.push(own());
    const prune = prunable(state, now, this.#processId, new Set([decision.jobId]), this.#settings);
    for (const process of prune.waiting) remove.push(`waiting.${expression.name(process)}`);
    for (const job of prune.served) remove.push(`served.${expression.name(job)}`);
    for (const n of prune.slots) remove.push(`slots.${expression.name(String(n))}`);
    const output = await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#table,
        Key: this.#key,
        UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: conditions.join(' AND '),
        ...expression.attributes(),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return stateOf(output.Attributes ?? {});
  }

  /** Tells the other processes which jobs wait here (the fair-share turn needs it). */
  async #refresh(now: number): Promise<void> {
    const jobs = this.#localJobs();
    if (jobs.length === 0) return;
    const expression = new Expression();
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: this.#key,
          UpdateExpression: `SET waiting.${expression.name(this.#processId)} = ${expression.value(
            waitingValue(now, jobs),
          )}, expiresAt = ${expression.value({ N: String(this.#expiresAt()) })}`,
          ConditionExpression: 'attribute_exists(pk)',
          ...expression.attributes(),
        }),
      );
    } catch (error) {
      // The item vanished (expired by TTL): the next read creates it again.
      if (awsErrorName(error) !== 'ConditionalCheckFailedException') throw error;
    }
  }

  /** A slot just taken: its lease is renewed until the last permit holding it gives it back. */
  #slotPermit(taken: { slot: number; holder: string; jobId: string }): LimitPermit {
    const lease: SlotLease = { ...taken, until: this.#now() + this.#slotLeaseMs, lost: false };
    let ended = false;
    const renewal = setInterval(() => {
      const until = this.#now() + this.#slotLeaseMs;
      void this.#renew(lease.slot, lease.holder, () => ended).then((held) => {
        if (held) lease.until = until;
        else {
          lease.lost = true;
          clearInterval(renewal);
        }
      });
    }, this.#slotLeaseMs / 3);
    renewal.unref();
    return this.#leasePermit(lease, () => {
      ended = true;
      clearInterval(renewal);
      return this.#releaseSlot(lease.slot, lease.holder);
    });
  }

  /** One request's hold on a slot lease: its release hands the slot on, or gives it back. */
  #leasePermit(lease: SlotLease, giveBack: () => Promise<void>): LimitPermit {
    let released: Promise<void> | undefined;
    return {
      release: () => {
        if (released !== undefined) return released;
        const next = this.#handoffWaiter(lease);
        if (next === undefined) {
          released = giveBack();
          return released;
        }
        released = Promise.resolve();
        this.#settle(next, () => {
          next.resolve(this.#leasePermit(lease, giveBack));
        });
        return released;
      },
    };
  }

  /**
   * The local waiter a released slot goes to straight away, without giving it back and taking it
   * again (two conditional writes and a read: on a loaded table, longer than a Mailchimp page):
   * only for a concurrency-only limiter (a rate needs its token per request), only to a waiter of
   * the same job, and only while no other job waits, here or (as this process last saw the item,
   * recently) in another process, so the turns between jobs are kept. Never a lease that was
   * lost or is near its end.
   */
  #handoffWaiter(lease: SlotLease): Waiter | undefined {
    const now = this.#now();
    const seen = this.#seen;
    if (this.#settings.intervalMs !== undefined || seen === undefined) return undefined;
    if (lease.lost || lease.until - now < this.#slotLeaseMs / 2) return undefined;
    if (now - seen.at > HANDOFF_FRESH_MS) return undefined;
    if (this.#waiters.some((waiter) => waiter.jobId !== lease.jobId)) return undefined;
    for (const job of activeJobs(seen.state, now, this.#processId, STALE_MS))
      if (job !== lease.jobId) return undefined;
    const index = this.#waiters.findIndex((waiter) => !waiter.settled);
    if (index < 0) return undefined;
    return this.#waiters.splice(index, 1)[0];
  }

  /** Extends a held slot's lease; false when it is no longer this holder's. */
  async #renew(slot: number, holder: string, released: () => boolean): Promise<boolean> {
    const until = this.#now() + this.#slotLeaseMs;
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: this.#key,
          UpdateExpression: 'SET slots.#n.u = :until',
          ConditionExpression: 'slots.#n.h = :holder',
          ExpressionAttributeNames: { '#n': String(slot) },
          ExpressionAttributeValues: { ':until': { N: String(until) }, ':holder': { S: holder } },
        }),
      );
      return true;
    } catch (error) {
      const lost = awsErrorName(error) === 'ConditionalCheckFailedException';
      // A renewal that crossed the release finds the slot gone: nothing was lost.
      if (released()) return false;
      this.#logger?.warn(
        { err: error, account: this.#account, slot },
        lost ? 'slot lease lost: the request ran past its lease' : 'slot lease not renewed',
      );
      return !lost;
    }
  }

  async #releaseSlot(slot: number, holder: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: this.#key,
          // Free again, and since when: a job whose turn it is not may take it after the grace.
          UpdateExpression: 'SET slots.#n = :freed',
          ConditionExpression: 'slots.#n.h = :holder',
          ExpressionAttributeNames: { '#n': String(slot) },
          ExpressionAttributeValues: {
            ':holder': { S: holder },
            ':freed': { M: { u: { N: String(this.#now()) } } },
          },
        }),
      );
    } catch (error) {
      // Lost already (lease expired and taken), or not removed: either way the lease ends it.
      if (awsErrorName(error) !== 'ConditionalCheckFailedException')
        this.#logger?.warn({ err: error, account: this.#account, slot }, 'slot not released');
    }
    // A local waiter may be waiting for exactly this slot.
    this.#wake?.();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }

  /** Processes waiting for the same moment wake a little apart (up to 10 % of a turn, 20 ms). */
  #wakeJitter(): number {
    return this.#random() * Math.min(20, (this.#settings.intervalMs ?? SLOT_POLL_MS) / 10);
  }

  #expiresAt(): number {
    return Math.floor(this.#now() / 1000) + ITEM_TTL_SECONDS;
  }
}

/** A slot this process holds: renewed while held, by one request after another. */
interface SlotLease {
  readonly slot: number;
  readonly holder: string;
  readonly jobId: string;
  /** Epoch ms the lease lasts until, as last renewed. */
  until: number;
  /** A renewal found it taken over: it is no longer ours to hand on. */
  lost: boolean;
}

/** What `release()` of a permit without a slot (rate only) does: nothing. */
const RELEASED: LimitPermit = { release: () => Promise.resolve() };

function waitingValue(now: number, jobs: readonly string[]): AttributeValue {
  return { M: { t: { N: String(now) }, j: { L: jobs.map((job) => ({ S: job })) } } };
}

/** Placeholders for names and values, so job ids and process ids are never parsed as paths. */
class Expression {
  readonly #names: Record<string, string> = {};
  readonly #values: Record<string, AttributeValue> = {};

  name(name: string): string {
    const placeholder = `#k${Object.keys(this.#names).length}`;
    this.#names[placeholder] = name;
    return placeholder;
  }

  value(value: AttributeValue): string {
    const placeholder = `:v${Object.keys(this.#values).length}`;
    this.#values[placeholder] = value;
    return placeholder;
  }

  attributes(): {
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, AttributeValue>;
  } {
    return {
      ...(Object.keys(this.#names).length > 0 ? { ExpressionAttributeNames: this.#names } : {}),
      ...(Object.keys(this.#values).length > 0 ? { ExpressionAttributeValues: this.#values } : {}),
    };
  }
}

/** The account item as limiter state; unknown shapes count as empty. */
export function stateOf(item: Record<string, AttributeValue>): LimiterState {
  const raw = unmarshall(item) as {
    tat?: unknown;
    served?: Record<string, unknown>;
    waiting?: Record<string, { t?: unknown; j?: unknown }>;
    slots?: Record<string, { h?: unknown; u?: unknown; j?: unknown }>;
  };
  const served = new Map<string, number>();
  for (const [job, at] of Object.entries(raw.served ?? {}))
    if (typeof at === 'number') served.set(job, at);
  const waiting = new Map<string, WaitingEntry>();
  for (const [process, entry] of Object.entries(raw.waiting ?? {})) {
    if (typeof entry.t !== 'number' || !Array.isArray(entry.j)) continue;
    waiting.set(process, {
      seenAt: entry.t,
      jobs: entry.j.filter((job): job is string => typeof job === 'string'),
    });
  }
  const slots = new Map<number, SlotEntry>();
  for (const [n, slot] of Object.entries(raw.slots ?? {})) {
    if (typeof slot.u !== 'number') continue;
    slots.set(Number(n), {
      ...(typeof slot.h === 'string' ? { holder: slot.h } : {}),
      leaseUntil: slot.u,
      ...(typeof slot.j === 'string' ? { jobId: slot.j } : {}),
    });
  }
  return { ...(typeof raw.tat === 'number' ? { tat: raw.tat } : {}), served, waiting, slots };
}
