/*
 * The state of one provider account's limiter, kept in a single DynamoDB item, and the pure
 * decision "may this process start a request now, for which of its jobs, or how long to wait".
 *
 * - Rate: GCRA (the generic cell rate algorithm, a token bucket expressed as one number). `tat`
 *   is the theoretical arrival time of the next request; a request at `now` conforms when
 *   `tat - tolerance <= now`, and then `tat = max(tat, now) + interval`. The refill is lazy:
 *   nothing runs between requests, and an idle bucket is simply a `tat` in the past.
 * - Concurrency: `slots[n]` (n < maxConcurrency) holds the permit holder and a lease end; a slot
 *   whose lease has passed is free, so a killed worker's slot frees itself. A released slot keeps
 *   only the time it was released, so the others can tell how long it has been lying free.
 * - Fair share: `waiting[process]` lists the jobs a process has requests waiting for (with a
 *   heartbeat); `served[job]` is when a job last got a request. The job that was served least
 *   recently among the waiting ones goes next (round robin), so a 200-row job arriving while a
 *   1,000,000-row job saturates the account gets every other request.
 */

/** A process's waiting jobs, as it last wrote them. */
export interface WaitingEntry {
  readonly seenAt: number;
  readonly jobs: readonly string[];
}

export interface SlotEntry {
  /** Absent once released. */
  readonly holder?: string;
  /** The lease end while held; the release time once released. */
  readonly leaseUntil: number;
  readonly jobId?: string;
  /** The process holding it (its limiter's id). */
  readonly process?: string;
}

export interface LimiterState {
  /** Theoretical arrival time (epoch ms); absent before the first request. */
  readonly tat?: number;
  readonly served: ReadonlyMap<string, number>;
  readonly waiting: ReadonlyMap<string, WaitingEntry>;
  readonly slots: ReadonlyMap<number, SlotEntry>;
}

export interface LimiterSettings {
  /** Milliseconds between requests (60,000 / requests per minute); absent: no rate limit. */
  readonly intervalMs?: number;
  /** How far ahead of its schedule a request may run: (burst − 1) × interval. */
  readonly toleranceMs: number;
  /**
   * A request taken at most this late keeps the schedule: the next is due one interval after
   * the one it took, not after the moment it was taken. Waking, reading and deciding take a
   * few milliseconds each time; without this every request would push the schedule back by
   * them, and the fleet would fall short of its rate by that much (a third at 2 requests a
   * second on a heavily loaded machine). At most one interval: a window of any length then
   * holds at most one request more than the pace allows, and a request taken later (an idle
   * account) starts a new schedule, so no burst is saved up.
   */
  readonly catchUpMs: number;
  readonly maxConcurrency?: number;
  /** A waiting entry older than this is a dead process's and counts no more. */
  readonly staleMs: number;
  /** How often a waiting process renews its entry (well under staleMs). */
  readonly refreshEveryMs: number;
  /** A due request nobody whose turn it is has taken for this long may go to any job. */
  readonly graceMs: number;
  /** How often to look again when every slot is held. */
  readonly slotPollMs: number;
}

export type Decision =
  | {
      readonly kind: 'take';
      readonly jobId: string;
      readonly slot?: number;
      readonly newTat?: number;
    }
  | {
      readonly kind: 'wait';
      /** Epoch ms to look again at. */
      readonly until: number;
      /** This process's waiting entry is missing, stale or lists other jobs: write it first. */
      readonly refresh: boolean;
    };

/**
 * Decides for one process with requests waiting for `localJobs` (distinct, oldest first).
 * `random` picks among free slots so processes do not all race for the same one.
 */
export function decide(
  state: LimiterState,
  now: number,
  processId: string,
  localJobs: readonly string[],
  settings: LimiterSettings,
  random: () => number,
): Decision {
  const servedAt = (job: string): number => state.served.get(job) ?? 0;
  let pick = localJobs[0];
  for (const job of localJobs) if (pick === undefined || servedAt(job) < servedAt(pick)) pick = job;
  if (pick === undefined) throw new RangeError('decide needs at least one waiting job');
  const others = activeJobs(state, now, processId, settings.staleMs);
  const myTurn = [...others].every((job) => servedAt(pick) <= servedAt(job));
  const refresh = needsRefresh(state.waiting.get(processId), now, localJobs, settings);
  const wait = (until: number): Decision => ({
    kind: 'wait',
    until: Math.min(until, now + settings.refreshEveryMs),
    refresh,
  });

  // Since when what this request needs (a due token, a free slot) has been there.
  let availableSince = -Infinity;
  let slot: number | undefined;
  if (settings.maxConcurrency !== undefined) {
    const free = freeSlots(state, now, settings.maxConcurrency);
    if (free.length === 0) {
      const leaseEnds = [...state.slots.values()].map((s) => s.leaseUntil);
      return wait(Math.min(now + settings.slotPollMs, ...leaseEnds.filter((t) => t >= now)));
    }
    slot = free[Math.floor(random() * free.length)] ?? free[0];
    availableSince = Math.min(...free.map((n) => state.slots.get(n)?.leaseUntil ?? -Infinity));
  }

  let newTat: number | undefined;
  if (settings.intervalMs !== undefined) {
    const tat = state.tat ?? -Infinity;
    const dueAt = tat - settings.toleranceMs;
    if (now < dueAt) return wait(dueAt);
    availableSince = Math.max(availableSince, dueAt);
    newTat = (now - tat <= settings.catchUpMs ? tat : now) + settings.intervalMs;
  }
  // Not this process's turn: leave the request to the job whose turn it is, unless that job
  // lets it lie (its process died or is slow) for longer than the grace.
  if (!myTurn && now < availableSince + settings.graceMs)
    return wait(availableSince + settings.graceMs);
  return {
    kind: 'take',
    jobId: pick,
    ...(slot === undefined ? {} : { slot }),
    ...(newTat === undefined ? {} : { newTat }),
  };
}

/** Jobs other processes are waiting for, by their fresh entries. */
export function activeJobs(
  state: LimiterState,
  now: number,
  processId: string,
  staleMs: number,
): Set<string> {
  const jobs = new Set<string>();
  for (const [process, entry] of state.waiting) {
    if (process === processId || entry.seenAt < now - staleMs) continue;
    for (const job of entry.jobs) jobs.add(job);
  }
  return jobs;
}

/** How many of one job's slots a process may keep while other processes wait for it too. */
export interface SlotShare {
  /** The processes holding or waiting for the job, this one included. */
  readonly processes: number;
  /**
   * The slots the processes still waiting for the job (this one included) split evenly, rounded
   * down (≥ 1): the cap less what the processes that no longer wait hold (they need no more).
   */
  readonly floor: number;
  /** The same, rounded up: kept only while no other process waiting for the job has less than floor. */
  readonly ceil: number;
  /** Another process waits for the job holding fewer than `floor` of its slots. */
  readonly othersShort: boolean;
  /** Another process holds more than `floor` of the job's slots. */
  readonly othersOver: boolean;
  /** Another process holds slots of the job but no longer waits for it (a fresh entry). */
  readonly othersIdle: boolean;
}

/**
 * The even share of a job's slots between the processes working on it (holding its slots, or
 * waiting for one): so the pages each worker has received are fetched alike, instead of one
 * worker keeping every slot while the others' messages wait, then finishing alone.
 *
 * A process that holds slots but waits for no more keeps what it holds, and the others split
 * the rest (max-min fair): at a job's end the workers that still have pages waiting take the
 * slots the others give back, instead of waiting, at a share of a third, for their own requests
 * to end one by one while the account's other slots lie free.
 */
export function slotShare(
  state: LimiterState,
  now: number,
  processId: string,
  jobId: string,
  maxConcurrency: number,
  staleMs: number,
): SlotShare {
  const holdings = new Map<string, number>();
  for (const slot of state.slots.values())
    if (slot.holder !== undefined && slot.leaseUntil >= now && slot.jobId === jobId)
      if (slot.process !== undefined)
        holdings.set(slot.process, (holdings.get(slot.process) ?? 0) + 1);
  const waiting = new Set<string>();
  for (const [process, entry] of state.waiting)
    if (process !== processId && entry.seenAt >= now - staleMs && entry.jobs.includes(jobId))
      waiting.add(process);
  holdings.delete(processId);
  const processes = new Set([processId, ...holdings.keys(), ...waiting]).size;
  let keptByIdle = 0;
  for (const [process, held] of holdings) if (!waiting.has(process)) keptByIdle += held;
  const shared = maxConcurrency - keptByIdle;
  const sharing = 1 + waiting.size;
  const floor = Math.max(1, Math.floor(shared / sharing));
  return {
    processes,
    floor,
    ceil: Math.max(floor, Math.ceil(shared / sharing)),
    othersShort: [...waiting].some((process) => (holdings.get(process) ?? 0) < floor),
    othersOver: [...holdings.values()].some((held) => held > floor),
    othersIdle: [...holdings.keys()].some((process) => !waiting.has(process)),
  };
}

/** Slots below the cap that nobody holds or whose lease has passed. */
export function freeSlots(state: LimiterState, now: number, maxConcurrency: number): number[] {
  const free: number[] = [];
  for (let n = 0; n < maxConcurrency; n++) {
    const slot = state.slots.get(n);
    if (slot?.holder === undefined || slot.leaseUntil < now) free.push(n);
  }
  return free;
}

function needsRefresh(
  own: WaitingEntry | undefined,
  now: number,
  localJobs: readonly string[],
  settings: LimiterSettings,
): boolean {
  if (own === undefined || own.seenAt < now - settings.refreshEveryMs) return true;
  return own.jobs.length !== localJobs.length || localJobs.some((job) => !own.jobs.includes(job));
}

/** Most entries one write prunes, so an update expression stays small. */
const PRUNE_LIMIT = 10;

/**
 * Entries a write may remove: dead processes' waiting entries, `served` marks of jobs nobody
 * waits for any more (a job that comes back later simply starts with the next turn), and expired
 * slots above the cap (left by a larger earlier configuration).
 */
export function prunable(
  state: LimiterState,
  now: number,
  processId: string,
  keep: ReadonlySet<string>,
  settings: LimiterSettings,
): { waiting: string[]; served: string[]; slots: number[] } {
  const waiting = [...state.waiting]
    .filter(([process, entry]) => process !== processId && entry.seenAt < now - settings.staleMs)
    .map(([process]) => process)
    .slice(0, PRUNE_LIMIT);
  const active = activeJobs(state, now, processId, settings.staleMs);
  const served = [...state.served]
    .filter(([job, at]) => !keep.has(job) && !active.has(job) && at < now - settings.staleMs)
    .map(([job]) => job)
    .slice(0, PRUNE_LIMIT);
  const cap = settings.maxConcurrency ?? 0;
  const slots = [...state.slots]
    .filter(([n, slot]) => n >= cap && slot.leaseUntil < now)
    .map(([n]) => n)
    .slice(0, PRUNE_LIMIT);
  return { waiting, served, slots };
}
