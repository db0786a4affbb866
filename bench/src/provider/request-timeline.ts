/** The simulator's request count at a moment (epoch ms, the clock its windows follow). */
export interface RequestSample {
  readonly at: number;
  readonly requests: number;
}

export interface AchievedRate {
  /** Requests between the first and the last one of the busy interval, both included. */
  readonly requests: number;
  /** From the first request to the last. */
  readonly seconds: number;
  /** (requests − 1) intervals over that time: a provider paced at exactly R gives R. */
  readonly perMinute: number;
  /** Requests per clock-aligned window wholly inside the busy interval (the simulator's windows). */
  readonly fullWindows: readonly number[];
}

/** Samples `count()` every `everyMs` until stopped. */
export class RequestTimeline {
  readonly #samples: RequestSample[] = [];
  readonly #timer: NodeJS.Timeout;
  readonly #count: () => number;

  constructor(count: () => number, everyMs: number) {
    this.#count = count;
    this.#sample();
    this.#timer = setInterval(() => {
      this.#sample();
    }, everyMs);
  }

  get samples(): readonly RequestSample[] {
    return this.#samples;
  }

  stop(): readonly RequestSample[] {
    clearInterval(this.#timer);
    this.#sample();
    return this.#samples;
  }

  #sample(): void {
    this.#samples.push({ at: Date.now(), requests: this.#count() });
  }
}

/**
 * The request rate over the interval the provider was busy: from the sample where the count
 * first rose above the first sample's to the sample where it reached its final value. Each
 * end is known to within one sampling period.
 */
export function achievedRate(samples: readonly RequestSample[], windowMs: number): AchievedRate {
  const first = samples[0];
  const last = samples.at(-1);
  if (first === undefined || last === undefined || last.requests === first.requests)
    return { requests: 0, seconds: 0, perMinute: 0, fullWindows: [] };
  const start = samples.find((s) => s.requests > first.requests) ?? last;
  const end = samples.find((s) => s.requests === last.requests) ?? last;
  // The sample that saw the first request was taken just after it; the requests it counts
  // beyond one arrived since the previous sample at the earliest.
  const requests = last.requests - first.requests;
  const ms = Math.max(1, end.at - start.at);
  const fullWindows: number[] = [];
  for (let w = Math.ceil(start.at / windowMs) * windowMs; w + windowMs <= end.at; w += windowMs)
    fullWindows.push(countAt(samples, w + windowMs) - countAt(samples, w));
  return {
    requests,
    seconds: ms / 1000,
    perMinute: ((requests - 1) / ms) * 60_000,
    fullWindows,
  };
}

/** The count at `at`, by the last sample taken no later. */
function countAt(samples: readonly RequestSample[], at: number): number {
  let count = samples[0]?.requests ?? 0;
  for (const sample of samples) {
    if (sample.at > at) break;
    count = sample.requests;
  }
  return count;
}
