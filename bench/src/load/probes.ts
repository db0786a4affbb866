import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Milliseconds at a few percentiles. */
export interface LatencySummary {
  readonly samples: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export function summarizeLatencies(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { samples: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

/**
 * Times one call at a time, every `intervalMs`, until stopped: a light probe that separates the
 * API's own responsiveness from its dependencies' (each probe is one round trip to one of them).
 */
export class LatencyProbe {
  readonly #call: () => Promise<unknown>;
  readonly #intervalMs: number;
  readonly #samples: number[] = [];
  #failures = 0;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(call: () => Promise<unknown>, intervalMs: number) {
    this.#call = call;
    this.#intervalMs = intervalMs;
  }

  /** Takes `count` samples back to back (the idle baseline). */
  async sample(count: number): Promise<LatencySummary> {
    const samples: number[] = [];
    for (let i = 0; i < count; i++) samples.push(await this.#timeOnce());
    return summarizeLatencies(samples);
  }

  start(): void {
    this.#running ??= (async () => {
      while (!this.#stopped) {
        this.#samples.push(await this.#timeOnce());
        await new Promise((resolve) => setTimeout(resolve, this.#intervalMs));
      }
    })();
  }

  async stop(): Promise<LatencySummary & { failures: number }> {
    this.#stopped = true;
    await this.#running;
    return { ...summarizeLatencies(this.#samples), failures: this.#failures };
  }

  async #timeOnce(): Promise<number> {
    const started = performance.now();
    try {
      await this.#call();
    } catch {
      // Counted: a probe that fails is a finding, not a reason to stop the bench.
      this.#failures++;
    }
    return performance.now() - started;
  }
}

/** CPU time of processes (Linux /proc), to see which one saturates during the load. */
export class CpuMeter {
  readonly #pids: ReadonlyMap<string, number>;
  #start = new Map<string, number>();
  #machineStart: number | undefined;
  #startedAt = 0;

  constructor(pids: ReadonlyMap<string, number>) {
    this.#pids = pids;
  }

  start(): void {
    this.#start = this.#read();
    this.#machineStart = machineBusySeconds();
    this.#startedAt = performance.now();
  }

  /**
   * Percent of one core each process used since `start` (a 2-core machine has 200 %), and
   * `other processes`: what the rest of the machine took meanwhile (noise on a shared machine).
   */
  stop(): Record<string, number> {
    const seconds = (performance.now() - this.#startedAt) / 1000;
    if (seconds <= 0) return {};
    const percent = (before: number, after: number): number => ((after - before) / seconds) * 100;
    const result: Record<string, number> = {};
    for (const [name, cpu] of this.#read()) {
      const before = this.#start.get(name);
      if (before !== undefined) result[name] = percent(before, cpu);
    }
    const machineEnd = machineBusySeconds();
    if (this.#machineStart !== undefined && machineEnd !== undefined) {
      const ours = Object.values(result).reduce((sum, value) => sum + value, 0);
      result['other processes'] = Math.max(0, percent(this.#machineStart, machineEnd) - ours);
    }
    return result;
  }

  #read(): Map<string, number> {
    const result = new Map<string, number>();
    for (const [name, pid] of this.#pids) {
      const seconds = cpuSecondsOf(pid);
      if (seconds !== undefined) result.set(name, seconds);
    }
    return result;
  }
}

/** CPU seconds all cores spent busy since boot (the first line of /proc/stat). */
function machineBusySeconds(): number | undefined {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] =
      fields.map(Number);
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds of a process; undefined where /proc is missing. */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    // USER_HZ is 100 on every Linux this runs on.
    return ticks / 100;
  } catch {
    return undefined;
  }
}

/** This process's event-loop delay: how late the load generator itself was. */
export function startEventLoopMonitor(): () => LatencySummary {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  return () => {
    histogram.disable();
    const ms = (ns: number): number => ns / 1e6;
    return {
      samples: histogram.count,
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
    };
  };
}
