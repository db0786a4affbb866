import type { ChildProcess } from 'node:child_process';
import { emulatorEnv } from '@contacts/local';
import { exitOf, spawnWorkerProcess } from '../worker-process.ts';
import type { AwsCall, CallPhase } from './aws-calls.ts';
import { startObservingProxy, type CallVerdict, type ObservingProxy } from './observing-proxy.ts';

/** A worker log line worth keeping: warnings and errors, and outage notices. */
export interface WorkerLogEvent {
  readonly atMs: number;
  readonly slot: number;
  readonly level: number;
  readonly msg: string;
}

export interface WorkerPoolOptions {
  readonly size: number;
  readonly emulators: { readonly s3SqsEndpoint: string; readonly dynamodbEndpoint: string };
  /** Worker configuration apart from the AWS endpoints (resource prefix, queue settings, …). */
  readonly env: Record<string, string>;
  /** Sees every AWS call of the worker in `slot`; may kill it and drop the call. */
  readonly observe: (
    slot: number,
    call: AwsCall,
    phase: CallPhase,
  ) => CallVerdict | Promise<CallVerdict>;
  /** Milliseconds since the run started, to time log events. */
  readonly clock: () => number;
  readonly log: (line: string) => void;
}

interface Slot {
  readonly index: number;
  readonly generation: number;
  readonly child: ChildProcess;
  readonly proxy: ObservingProxy;
  /** Set when we end it on purpose; any other exit is a crash. */
  ending: boolean;
}

const KEPT_LOG_EVENTS = 50_000;
const WARN = 40;
const ERROR = 50;
const ERRORS_SHOWN = 5;
/** A worker that cannot start (its dependencies are down) is restarted ever more slowly. */
const RESPAWN_DELAY_MS = { first: 1000, max: 10_000 };

/**
 * Worker processes, each behind its own observing proxy, kept at `size` like a container
 * orchestrator would: a killed worker is replaced at once, a crashed one after a growing delay.
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #slots: (Slot | undefined)[];
  readonly #events: WorkerLogEvent[] = [];
  #generation = 0;
  #crashes = 0;
  /** Crashes in a row per slot since its worker last started polling. */
  readonly #crashStreak: number[];
  #errorsShown = 0;
  #stopping = false;

  private constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#slots = Array.from({ length: options.size }, () => undefined);
    this.#crashStreak = Array.from({ length: options.size }, () => 0);
  }

  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    process.once('exit', pool.#killAllNow);
    await Promise.all(pool.#slots.map((_, index) => pool.#spawn(index)));
    return pool;
  }

  get size(): number {
    return this.#slots.length;
  }

  /** Warnings, errors and outage notices the workers logged, in arrival order. */
  get logEvents(): readonly WorkerLogEvent[] {
    return this.#events;
  }

  /** Workers that exited without being told to. */
  get crashes(): number {
    return this.#crashes;
  }

  /** SIGKILLs the worker in `slot` and starts its replacement; returns the killed pid. */
  async kill(slot: number): Promise<number> {
    const current = this.#slots[slot];
    if (current === undefined) throw new Error(`slot ${slot} has no worker`);
    current.ending = true;
    current.child.kill('SIGKILL');
    await exitOf(current.child);
    await current.proxy.close();
    if (!this.#stopping) await this.#spawn(slot);
    return current.child.pid ?? -1;
  }

  /** Asks every worker to stop (SIGTERM) and waits for them. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const slots = this.#slots.filter((slot) => slot !== undefined);
    for (const slot of slots) {
      slot.ending = true;
      slot.child.kill('SIGTERM');
    }
    await Promise.all(slots.map((slot) => exitOf(slot.child)));
    await Promise.all(slots.map((slot) => slot.proxy.close()));
    process.off('exit', this.#killAllNow);
  }

  /** If this process dies first, its workers must not poll on as orphans. */
  readonly #killAllNow = (): void => {
    for (const slot of this.#slots) slot?.child.kill('SIGKILL');
  };

  async #spawn(index: number): Promise<void> {
    const generation = ++this.#generation;
    const proxy = await startObservingProxy({
      ...this.#options.emulators,
      // Calls still arriving from a worker that was replaced are nobody's business.
      observe: (call, phase) =>
        this.#slots[index]?.generation === generation
          ? this.#options.observe(index, call, phase)
          : 'forward',
    });
    const child = spawnWorkerProcess({
      env: { ...this.#options.env, ...emulatorEnv(proxy.endpoint, proxy.endpoint) },
      onLogLine: (line) => {
        this.#keep(index, line);
      },
    });
    const slot: Slot = { index, generation, child, proxy, ending: false };
    this.#slots[index] = slot;
    child.once('exit', (code, signal) => {
      if (slot.ending) return;
      this.#crashes++;
      this.#options.log(
        `worker ${child.pid ?? '?'} (slot ${index}) exited by itself: ${signal ?? code}`,
      );
      void this.#respawnAfterCrash(slot);
    });
  }

  async #respawnAfterCrash(slot: Slot): Promise<void> {
    await slot.proxy.close();
    const streak = ++this.#crashStreak[slot.index]!;
    const delay = Math.min(RESPAWN_DELAY_MS.max, RESPAWN_DELAY_MS.first * 2 ** (streak - 1));
    await new Promise((resolve) => setTimeout(resolve, delay));
    if (!this.#stopping && this.#slots[slot.index] === slot) await this.#spawn(slot.index);
  }

  #keep(slot: number, line: string): void {
    let entry: { level?: unknown; msg?: unknown };
    try {
      entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
    } catch {
      this.#options.log(`worker (slot ${slot}): ${line}`);
      return;
    }
    const level = typeof entry.level === 'number' ? entry.level : 0;
    const msg = typeof entry.msg === 'string' ? entry.msg : '';
    if (msg === 'worker polling') this.#crashStreak[slot] = 0;
    if (level < WARN && !msg.includes('reachable')) return;
    // The first few errors in full (outage notices aside): enough to diagnose, not to drown in.
    if (level >= ERROR && !msg.includes('unreachable;') && this.#errorsShown < ERRORS_SHOWN) {
      this.#errorsShown++;
      this.#options.log(`worker error (slot ${slot}): ${line.slice(0, 1500)}`);
    }
    if (this.#events.length < KEPT_LOG_EVENTS)
      this.#events.push({ atMs: this.#options.clock(), slot, level, msg });
  }
}
