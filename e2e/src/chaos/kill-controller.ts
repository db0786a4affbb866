import { stageOf, type AwsCall, type CallPhase, type KillStage } from './aws-calls.ts';
import type { KillQuotas } from './kill-plan.ts';
import type { CallVerdict } from './observing-proxy.ts';

/** One SIGKILL: when, aimed at what, and what state the job was in at that moment. */
export interface KillRecord {
  readonly atMs: number;
  readonly stage: KillStage;
  readonly slot: number;
  readonly pid: number;
  readonly jobStatus: string;
  /** The call the worker was making (empty for kills at a random moment). */
  readonly call: string;
}

export interface KillControllerOptions {
  readonly quotas: KillQuotas;
  readonly random: () => number;
  readonly slots: number;
  /** SIGKILLs the worker in a slot (and replaces it); returns its pid. */
  readonly kill: (slot: number) => Promise<number>;
  /** The current job's status, read at the moment of a kill. */
  readonly jobStatus: () => Promise<string>;
  /** The current job's count of chunks done. */
  readonly chunksDone: () => Promise<number>;
  /** The job kills are aimed at; calls on other jobs' objects never trigger one. */
  readonly jobId: () => string | undefined;
  readonly clock: () => number;
  readonly log: (line: string) => void;
}

/**
 * Chance that a call marking a stage triggers the kill, so kills land at varied points of a
 * stage (the 3rd chunk batch of a split, the 7th part of a merge) rather than always its first.
 */
const TRIGGER_CHANCE: Record<KillStage, number> = {
  split: 0.5,
  'mid-chunk': 0.3,
  'part-written': 0.3,
  merge: 0.35,
  // One chance per job (split moves a job to processing once).
  'processing-merge': 1,
  random: 0,
};
/**
 * The job statuses a stage's kills wait for. Chunks also run while a split is still sending
 * (status splitting); kills aimed at chunks wait for processing, so the report shows kills in
 * every status. A batch of chunk messages once the job is past splitting is another job's.
 * (`queued` too: the status is polled, and a small split can be over between two polls.)
 */
const STAGE_STATUSES: Partial<Record<KillStage, readonly string[]>> = {
  split: ['queued', 'splitting'],
  'mid-chunk': ['processing'],
  'part-written': ['processing'],
};
/** How often the job's status is read for that. */
const STATUS_POLL_MS = 100;
/** A chunk is killed this long (at most) after its range arrived: while it enriches rows. */
const MID_CHUNK_DELAY_MS = 250;
/** Pause after each kill, so kills spread over the job and replacements get to work. */
const COOLDOWN_MS = { min: 300, max: 1500 };
/** Gap between chances of a kill at a random moment. */
const RANDOM_GAP_MS = { min: 500, max: 3000 };
/**
 * Longest hold of split's last write while the chunks finish. Below the SDK's 30 s socket
 * timeout, so the worker does not give up on the write and retry it.
 */
const HOLD_FOR_CHUNKS_MS = 20_000;
/** A held write whose answer never came (the emulators went away) stops blocking kills. */
const HOLD_RELEASE_MS = 45_000;
/** How long the one chance of a job waits for another kill to finish. */
const IDLE_WAIT_MS = 5000;

/**
 * Decides when to SIGKILL which worker. Calls seen by the workers' proxies trigger kills aimed
 * at a stage while that stage's quota lasts; a timer adds kills at random moments. One kill
 * at a time, with a random cooldown after each.
 */
export class KillController {
  readonly #options: KillControllerOptions;
  readonly #left: KillQuotas;
  readonly #kills: KillRecord[] = [];
  #armed = false;
  #busy = false;
  #cooldownUntil = 0;
  #stopped = false;
  #randomLoop: Promise<void> | undefined;
  #statusLoop: Promise<void> | undefined;
  #status = 'none';
  /** The slot whose processing write is held, then killed once its answer arrives. */
  #held: { slot: number; since: number } | undefined;

  constructor(options: KillControllerOptions) {
    this.#options = options;
    this.#left = { ...options.quotas };
  }

  get kills(): readonly KillRecord[] {
    return this.#kills;
  }

  /** Kills still to do. */
  get remaining(): number {
    return Object.values(this.#left).reduce((sum, n) => sum + n, 0);
  }

  /** Kills only happen while armed: while a job runs and the emulators are up. */
  arm(armed: boolean): void {
    this.#armed = armed;
    if (armed) {
      this.#randomLoop ??= this.#killAtRandomMoments();
      this.#statusLoop ??= this.#watchStatus();
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#armed = false;
    await Promise.all([this.#randomLoop, this.#statusLoop]);
  }

  /** Sees a worker's call; may kill that worker and tell its proxy to drop the call. */
  observe = async (slot: number, call: AwsCall, phase: CallPhase): Promise<CallVerdict> => {
    const stage = stageOf(call, phase);
    if (stage === 'processing-merge') return this.#betweenProcessingAndMerge(slot, call, phase);
    if (stage === undefined || !this.#mayKill(stage)) return 'forward';
    const jobId = this.#options.jobId();
    if (call.key !== undefined && (jobId === undefined || !call.key.includes(jobId)))
      return 'forward';
    if (this.#options.random() >= TRIGGER_CHANCE[stage]) return 'forward';
    const what = `${call.operation} ${call.key ?? ''}`.trim();
    if (stage === 'mid-chunk') {
      // Let the range through: the worker dies while it enriches the rows.
      this.#busy = true;
      const delay = this.#options.random() * MID_CHUNK_DELAY_MS;
      setTimeout(() => void this.#killNow(slot, stage, what), delay);
      return 'forward';
    }
    this.#busy = true;
    await this.#killNow(slot, stage, what);
    return 'drop';
  };

  /**
   * Split's last write moves the job to processing; if every chunk is counted by then, split
   * owes the merge send (the chunks saw the job still splitting). The write is held until the
   * chunks split sent are all counted, so it is that case, and the worker dies as soon as the
   * write's answer arrives, before it can send the merge. The redelivered split finds the job
   * processing and does nothing: only the watchdog can get the job merged.
   */
  async #betweenProcessingAndMerge(
    slot: number,
    call: AwsCall,
    phase: CallPhase,
  ): Promise<CallVerdict> {
    const jobId = this.#options.jobId();
    if (jobId === undefined || call.key !== jobId) return 'forward';
    if (phase === 'response') {
      if (this.#held?.slot !== slot) return 'forward';
      this.#held = undefined;
      if (call.responseStatus !== 200) {
        // Refused (the split lease was taken over): no transition happened.
        this.#busy = false;
        return 'forward';
      }
      await this.#killNow(slot, 'processing-merge', 'after UpdateItem status=processing');
      return 'drop';
    }
    if (!this.#armed || this.#left['processing-merge'] <= 0 || this.#held !== undefined)
      return 'forward';
    // The job's only chance: wait out another kill in progress; ignore the cooldown.
    const idleBy = this.#options.clock() + IDLE_WAIT_MS;
    while (this.#busy && this.#options.clock() < idleBy)
      await new Promise((resolve) => setTimeout(resolve, 50));
    if (this.#busy) return 'forward';
    this.#busy = true;
    const held = { slot, since: this.#options.clock() };
    this.#held = held;
    setTimeout(() => {
      if (this.#held !== held) return;
      this.#held = undefined;
      this.#busy = false;
    }, HOLD_RELEASE_MS).unref();
    const total = Number(call.sets?.chunksTotal ?? 0);
    const done = await this.#chunksCounted(total);
    this.#options.log(
      `processing-merge: split's last write held ${((this.#options.clock() - held.since) / 1000).toFixed(1)} s, ` +
        `until ${done} of ${total} chunks were counted`,
    );
    return 'forward';
  }

  /** Waits (a bounded time) until `total` chunks are counted; returns the count reached. */
  async #chunksCounted(total: number): Promise<number> {
    const until = this.#options.clock() + HOLD_FOR_CHUNKS_MS;
    let done = 0;
    for (;;) {
      done = await this.#options.chunksDone().catch(() => done);
      if (done >= total || this.#options.clock() >= until) return done;
      await new Promise((resolve) => setTimeout(resolve, STATUS_POLL_MS));
    }
  }

  #mayKill(stage: KillStage): boolean {
    return (
      this.#armed &&
      !this.#busy &&
      this.#left[stage] > 0 &&
      (STAGE_STATUSES[stage] ?? [this.#status]).includes(this.#status) &&
      this.#options.clock() >= this.#cooldownUntil
    );
  }

  async #killNow(slot: number, stage: KillStage, call: string): Promise<void> {
    try {
      this.#left[stage]--;
      const jobStatus = await this.#options.jobStatus().catch(() => 'unknown');
      const atMs = this.#options.clock();
      const pid = await this.#options.kill(slot);
      const record = { atMs, stage, slot, pid, jobStatus, call };
      this.#kills.push(record);
      this.#options.log(
        `kill ${this.#kills.length}: ${(atMs / 1000).toFixed(2)} s, pid ${pid} (slot ${slot}), ` +
          `aimed at ${stage}, job ${jobStatus}${call === '' ? '' : `, during ${call}`}`,
      );
    } catch (error) {
      this.#options.log(`kill aimed at ${stage} failed: ${String(error)}`);
    } finally {
      const { min, max } = COOLDOWN_MS;
      this.#cooldownUntil = this.#options.clock() + min + this.#options.random() * (max - min);
      this.#busy = false;
    }
  }

  /** A method, not a field read, so flow analysis does not assume it is unchanged after await. */
  #isStopped(): boolean {
    return this.#stopped;
  }

  async #watchStatus(): Promise<void> {
    while (!this.#stopped) {
      if (this.#armed) this.#status = await this.#options.jobStatus().catch(() => this.#status);
      await new Promise((resolve) => setTimeout(resolve, STATUS_POLL_MS));
    }
  }

  async #killAtRandomMoments(): Promise<void> {
    while (!this.#stopped) {
      const { min, max } = RANDOM_GAP_MS;
      await new Promise((resolve) =>
        setTimeout(resolve, min + this.#options.random() * (max - min)),
      );
      if (this.#isStopped() || !this.#mayKill('random')) continue;
      this.#busy = true;
      const slot = Math.floor(this.#options.random() * this.#options.slots);
      await this.#killNow(slot, 'random', '');
    }
  }
}
