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
  freeSlots,
  slotShare,
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
/** How often to look while another process holds slots of a waiting job it no longer waits for. */
const SLOT_SOON_POLL_MS = 25;
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
  /** The slot leases this process holds. */
  readonly #held = new Set<SlotLease>();
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
      this.#pumpSoon();
    });
  }

  /**
   * Starts deciding, after writing this process's waiting entry when it holds no slot and nobody
   * waits here yet (a job's first pages, arriving together in one receive): the requests that
   * follow meanwhile are then taken with one write (see #moreSlots), not one write each.
   */
  #pumpSoon(): void {
    const cold =
      this.#settings.maxConcurrency !== undefined &&
      this.#settings.intervalMs === undefined &&
      !this.#pumping &&
      this.#held.size === 0 &&
      this.#waiters.length === 1;
    if (!cold) {
      this.#pump();
      return;
    }
    this.#pumping = true;
    void this.#announce().finally(() => {
      this.#pumping = false;
      this.#pump();
    });
  }

  /**
   * Writes this process's waiting entry before its first decision: the other processes starting
   * on the same job then count it in the share of the job's slots (a take that loses a race
   * writes nothing), and the write's round trip gathers the requests that arrive meanwhile.
   * The write answers with the item as it stands after it, which the first decision uses: at a
   * job's start every process does this at once, and an extra read by each of them spread their
   * first takes further apart.
   */
  async #announce(): Promise<void> {
    // Never the item as this process last wrote it, before it went idle: the next decision
    // must see the entry, to take it out with its take.
    this.#known = undefined;
    try {
      let written = await this.#refresh(this.#now());
      if (written === 'gone') {
        // A new account (or one unused for a day) has no item yet.
        await this.#create();
        written = await this.#refresh(this.#now());
      }
      if (typeof written === 'object') this.#known = written;
    } catch (error) {
      // The decision loop reads the item next, and reports a failing table to every waiter.
      this.#logger?.warn({ err: error, account: this.#account }, 'waiting entry not written');
    }
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
      const until = this.#slotsComingBack(state, now)
        ? Math.min(decision.until, now + SLOT_SOON_POLL_MS)
        : decision.until;
      await this.#sleep(until - now + this.#wakeJitter());
      return;
    }
    if (decision.slot !== undefined && this.#room(state, now, decision.jobId) <= 0) {
      // This process has its share of the job's slots: a free one is for the others.
      await this.#sleep(SLOT_POLL_MS + this.#wakeJitter());
      return;
    }
    const index = this.#waiters.findIndex((w) => w.jobId === decision.jobId);
    // Served meanwhile (aborted, or handed a released slot): decide again.
    if (index < 0) return;
    const [waiter] = this.#waiters.splice(index, 1);
    if (waiter === undefined) return;
    const holder = randomUUID();
    const more = this.#moreSlots(state, now, decision).map((slot) => ({
      slot,
      holder: randomUUID(),
    }));
    try {
      this.#known = await this.#take(state, now, decision, holder, more);
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
    this.#grant(waiter, permit);
    for (const taken of more)
      this.#grant(
        this.#nextWaiter(decision.jobId),
        this.#slotPermit({ ...taken, jobId: decision.jobId }),
      );
  }

  /** Hands a permit to its waiter; one aborted meanwhile (or none) gives it back at once. */
  #grant(waiter: Waiter | undefined, permit: LimitPermit): void {
    if (waiter === undefined || waiter.settled) {
      void permit.release();
      return;
    }
    this.#settle(waiter, () => {
      waiter.resolve(permit);
    });
  }

  /** The oldest local waiter of `jobId` still waiting, taken off the queue. */
  #nextWaiter(jobId: string): Waiter | undefined {
    const index = this.#waiters.findIndex((w) => w.jobId === jobId && !w.settled);
    return index < 0 ? undefined : this.#waiters.splice(index, 1)[0];
  }

  /**
   * Free slots besides the decided one that the same write takes for more local waiters of the
   * job: otherwise a burst of requests takes the account's slots one conditional write (a round
   * trip, more on a busy table) at a time. Only for a concurrency-only limiter, only while no
   * other job waits, here or elsewhere (as with handoffs, the turns between jobs are kept).
   * Other processes waiting for the same job may race for the same slots: the write of one of
   * them fails, and it reads again.
   */
  #moreSlots(
    state: LimiterState,
    now: number,
    decision: Extract<ReturnType<typeof decide>, { kind: 'take' }>,
  ): number[] {
    const max = this.#settings.maxConcurrency;
    if (this.#settings.intervalMs !== undefined || max === undefined) return [];
    if (decision.slot === undefined) return [];
    if (!this.#aloneWaiting(state, now, decision.jobId)) return [];
    const waiting = this.#waiters.filter((w) => !w.settled).length;
    if (waiting === 0) return [];
    const free = freeSlots(state, now, max).filter((n) => n !== decision.slot);
    const room = this.#room(state, now, decision.jobId) - 1;
    return shuffled(free, this.#random).slice(0, Math.max(0, Math.min(waiting, room)));
  }

  /**
   * Slots this process may still take for `jobId` within its share (see slotShare): up to the
   * even part rounded up, or rounded down while another waiting process has less. A limiter
   * with a rate has no share (its turns between jobs are the rate's).
   *
   * While it holds none of the job's slots (its first take), at most the share with room for one
   * process more than the item shows: the workers that received a job's first pages ask within a
   * few tens of milliseconds of each other, each first writing its waiting entry; slots the first
   * one took for all its requests would move to the others only after those requests, each a
   * give-back, a poll and a take. Once it holds some, it takes the rest at its next look.
   */
  #room(state: LimiterState, now: number, jobId: string): number {
    const max = this.#settings.maxConcurrency;
    if (this.#settings.intervalMs !== undefined || max === undefined) return Infinity;
    const share = slotShare(state, now, this.#processId, jobId, max, STALE_MS);
    const held = this.#heldFor(jobId);
    const room = (share.othersShort ? share.floor : share.ceil) - held;
    return held === 0 ? Math.min(room, Math.ceil(max / (share.processes + 1))) : room;
  }

  /** No other job waits for the account, here or (as `state` says) in another process. */
  #aloneWaiting(state: LimiterState, now: number, jobId: string): boolean {
    if (this.#waiters.some((waiter) => waiter.jobId !== jobId)) return false;
    for (const job of activeJobs(state, now, this.#processId, STALE_MS))
      if (job !== jobId) return false;
    return true;
  }

  /** Slots this process holds for `jobId`. */
  #heldFor(jobId: string): number {
    let held = 0;
    for (const lease of this.#held) if (lease.jobId === jobId) held++;
    return held;
  }

  /**
   * Whether a slot of a job waiting here is about to come back, given back as its request ends:
   * another process holds it but no longer waits for that job (it has no request left to hand
   * it to), or holds more than its share while this one has less (see slotShare). Then a poll
   * apart is what the slot stays unused: look more often.
   */
  #slotsComingBack(state: LimiterState, now: number): boolean {
    const max = this.#settings.maxConcurrency;
    if (max === undefined || this.#settings.intervalMs !== undefined) return false;
    for (const jobId of this.#localJobs()) {
      const share = slotShare(state, now, this.#processId, jobId, max, STALE_MS);
      if (share.othersIdle) return true;
      if (this.#heldFor(jobId) < share.floor && share.othersOver) return true;
    }
    return false;
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
    more: readonly { readonly slot: number; readonly holder: string }[],
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
    const taken = decision.slot === undefined ? [] : [{ slot: decision.slot, holder }, ...more];
    for (const { slot: n, holder: h } of taken) {
      const slot = `slots.${expression.name(String(n))}`;
      set.push(
        `${slot} = ${expression.value({
          M: {
            h: { S: h },
            u: { N: String(now + this.#slotLeaseMs) },
            j: { S: decision.jobId },
            p: { S: this.#processId },
          },
        })}`,
      );
      conditions.push(
        `(attribute_not_exists(${slot}.h) OR ${slot}.u < ${expression.value({ N: String(now) })})`,
      );
    }
    // This process's entry lists the jobs still waiting here after these, or goes.
    const stillWaiting =
      this.#waiters.filter((w) => !w.settled).length > more.length ? this.#localJobs() : [];
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

  /**
   * Tells the other processes which jobs wait here (the fair-share turn needs it). Answers the
   * item as the write left it; `idle` when no local request waits (nothing written); `gone` when
   * the item does not exist (never made yet, or expired by TTL: the next read creates it).
   */
  async #refresh(now: number): Promise<LimiterState | 'idle' | 'gone'> {
    const jobs = this.#localJobs();
    if (jobs.length === 0) return 'idle';
    const expression = new Expression();
    try {
      const output = await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: this.#key,
          UpdateExpression: `SET waiting.${expression.name(this.#processId)} = ${expression.value(
            waitingValue(now, jobs),
          )}, expiresAt = ${expression.value({ N: String(this.#expiresAt()) })}`,
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_NEW',
          ...expression.attributes(),
        }),
      );
      return output.Attributes === undefined ? 'gone' : stateOf(output.Attributes);
    } catch (error) {
      if (awsErrorName(error) !== 'ConditionalCheckFailedException') throw error;
      return 'gone';
    }
  }

  /** A slot just taken: its lease is renewed until the last permit holding it gives it back. */
  #slotPermit(taken: { slot: number; holder: string; jobId: string }): LimitPermit {
    const lease: SlotLease = { ...taken, until: this.#now() + this.#slotLeaseMs, lost: false };
    this.#held.add(lease);
    let ended = false;
    const renewal = setInterval(() => {
      const until = this.#now() + this.#slotLeaseMs;
      void this.#renew(lease.slot, lease.holder, () => ended).then((held) => {
        if (held) lease.until = until;
        else {
          lease.lost = true;
          this.#held.delete(lease);
          clearInterval(renewal);
        }
      });
    }, this.#slotLeaseMs / 3);
    renewal.unref();
    return this.#leasePermit(lease, () => {
      ended = true;
      this.#held.delete(lease);
      clearInterval(renewal);
      return this.#releaseSlot(lease.slot, lease.holder);
    });
  }

  /** One request's hold on a slot lease: its release hands the slot on, or gives it back. */
  #leasePermit(lease: SlotLease, giveBack: () => Promise<void>): LimitPermit {
    let released: Promise<void> | undefined;
    return {
      release: () => {
        // A process whose waiters are all served by handoffs runs no loop that reads the item:
        // it looks once before handing on, or it would give every slot back for want of a look.
        released ??= this.#needsLook(lease)
          ? this.#look().then(() => this.#handOn(lease, giveBack))
          : this.#handOn(lease, giveBack);
        return released;
      },
    };
  }

  /** Hands the slot to a local waiter (see #handoffWaiter), or gives it back. */
  #handOn(lease: SlotLease, giveBack: () => Promise<void>): Promise<void> {
    const next = this.#handoffWaiter(lease);
    if (next === undefined) return giveBack();
    this.#settle(next, () => {
      next.resolve(this.#leasePermit(lease, giveBack));
    });
    return Promise.resolve();
  }

  /** A waiter here could take the slot, but this process's look at the item is too old. */
  #needsLook(lease: SlotLease): boolean {
    if (this.#settings.intervalMs !== undefined) return false;
    if (!this.#waiters.some((waiter) => waiter.jobId === lease.jobId && !waiter.settled))
      return false;
    return this.#seen === undefined || this.#now() - this.#seen.at > HANDOFF_FRESH_MS;
  }

  /** Reads the item for #seen; a failed read leaves it old (the slot is then given back). */
  async #look(): Promise<void> {
    try {
      const state = await this.#read();
      this.#seen = { state, at: this.#now() };
    } catch (error) {
      this.#logger?.warn({ err: error, account: this.#account }, 'limiter item not read');
    }
  }

  /**
   * The local waiter a released slot goes to straight away, without giving it back and taking it
   * again (two conditional writes and a read: on a loaded table, longer than a Mailchimp page):
   * only for a concurrency-only limiter (a rate needs its token per request), only to a waiter of
   * the same job, and only while no other job waits, here or (as this process last saw the item,
   * recently) in another process, so the turns between jobs are kept; and only while this
   * process holds no more than its share of the job's slots (see slotShare). Never a lease that was
   * lost or is near its end.
   */
  #handoffWaiter(lease: SlotLease): Waiter | undefined {
    if (!this.#mayHandOff(lease)) return undefined;
    const index = this.#waiters.findIndex((waiter) => !waiter.settled);
    if (index < 0) return undefined;
    const next = this.#waiters.splice(index, 1)[0];
    if (this.#waiters.length === 0) void this.#leaveWaiting();
    return next;
  }

  /**
   * Takes this process's waiting entry out of the item once its last waiter was handed a slot:
   * otherwise, until the entry goes stale, the others would count this process in the share of
   * the job's slots (and turn) while it waits for nothing.
   */
  async #leaveWaiting(): Promise<void> {
    if (this.#seen?.state.waiting.has(this.#processId) !== true) return;
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: this.#key,
          UpdateExpression: 'REMOVE waiting.#p',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#p': this.#processId },
        }),
      );
    } catch (error) {
      // Gone with the item, or not removed: it goes stale (STALE_MS) either way.
      if (awsErrorName(error) !== 'ConditionalCheckFailedException')
        this.#logger?.warn({ err: error, account: this.#account }, 'waiting entry not removed');
    }
  }

  /** The conditions of #handoffWaiter, but for a waiter. */
  #mayHandOff(lease: SlotLease): boolean {
    const now = this.#now();
    const seen = this.#seen;
    if (this.#settings.intervalMs !== undefined || seen === undefined) return false;
    if (lease.lost || lease.until - now < this.#slotLeaseMs / 2) return false;
    if (now - seen.at > HANDOFF_FRESH_MS) return false;
    if (!this.#aloneWaiting(seen.state, now, lease.jobId)) return false;
    // The released slot still counts as held: within the share, it may stay.
    return this.#room(seen.state, now, lease.jobId) >= 0;
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

/** A copy of `items` in random order (Fisher–Yates). */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

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
    slots?: Record<string, { h?: unknown; u?: unknown; j?: unknown; p?: unknown }>;
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
      ...(typeof slot.p === 'string' ? { process: slot.p } : {}),
    });
  }
  return { ...(typeof raw.tat === 'number' ? { tat: raw.tat } : {}), served, waiting, slots };
}
