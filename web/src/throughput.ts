/** Rows per second over a recent window, and the time left at that pace. */
export class Throughput {
  readonly #windowMs: number;
  #samples: { at: number; rows: number }[] = [];

  constructor(windowMs = 10_000) {
    this.#windowMs = windowMs;
  }

  /** Records the rows processed at time `at` (ms). */
  add(at: number, rows: number): void {
    this.#samples.push({ at, rows });
    // Keep one sample older than the window, so the rate spans the whole window.
    while (this.#samples.length > 2 && this.#samples[1]!.at <= at - this.#windowMs)
      this.#samples.shift();
  }

  /** Undefined until two samples a moment apart exist. */
  rowsPerSecond(): number | undefined {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (first === undefined || last === undefined || last.at - first.at < 250) return undefined;
    return ((last.rows - first.rows) * 1000) / (last.at - first.at);
  }

  /** Seconds left for `rowsTotal`, undefined while the pace is unknown or zero. */
  secondsLeft(rowsTotal: number | null): number | undefined {
    const rate = this.rowsPerSecond();
    const last = this.#samples.at(-1);
    if (rate === undefined || rate <= 0 || rowsTotal === null || last === undefined)
      return undefined;
    return Math.max(0, (rowsTotal - last.rows) / rate);
  }
}

/** `75` → `1 min 15 s`. */
export function formatDuration(seconds: number): string {
  const whole = Math.ceil(seconds);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${whole % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
