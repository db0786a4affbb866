import { parseArgs } from 'node:util';

/** `npm run bench:provider` settings; flags are their kebab-case names. */
export interface ProviderBenchOptions {
  readonly workers: number;
  /** Rows of the big job. */
  readonly rows: number;
  /** Rows of the small job of another tenant (timed alone, then during the big job). */
  readonly smallRows: number;
  /** R: the simulator's limit, requests per minute per key (a fixed 60-second window). */
  readonly rate: number;
  /**
   * The fleet's PDL_REQUESTS_PER_MINUTE. Default R less 2 % (at least 2): the simulator counts
   * arrivals in clock-aligned windows; the limiter's schedule may put one more request than its
   * pace in such a window, and timing jitter on a loaded machine another.
   */
  readonly pace: number;
  /** C: the simulator's concurrency cap per key, also the fleet's PDL_MAX_CONCURRENCY. */
  readonly concurrency: number;
  /** PDL_BATCH_SIZE. */
  readonly batch: number;
  readonly latencyMs: number;
  readonly jitterMs: number;
  /** Injected faults, as shares of requests. */
  readonly fail503: number;
  readonly fail429: number;
  readonly failDrop: number;
  /** Workers SIGKILLed (and replaced) during the big job. */
  readonly kills: number;
  readonly chunkRows: number;
  readonly chunkConcurrency: number;
  readonly visibilityTimeout: number;
  readonly seed: number;
}

const DEFAULTS: Omit<ProviderBenchOptions, 'pace'> & { pace: number | undefined } = {
  workers: 3,
  rows: 20_000,
  smallRows: 200,
  // 120 requests a minute of 50 lookups: about 3 minutes for 20,000 rows.
  rate: 120,
  pace: undefined,
  concurrency: 3,
  batch: 50,
  latencyMs: 500,
  jitterMs: 500,
  fail503: 0.03,
  fail429: 0.01,
  failDrop: 0.01,
  kills: 2,
  // The service's default chunk size.
  chunkRows: 5000,
  chunkConcurrency: 2,
  visibilityTimeout: 15,
  seed: 1,
};

const SHARES = new Set(['fail503', 'fail429', 'failDrop']);

export const PROVIDER_BENCH_USAGE =
  'usage: npm run bench:provider -- [--workers 3] [--rows 20000] [--small-rows 200] [--rate 120] ' +
  '[--pace <rate less 2 %>] [--concurrency 3] [--batch 50] [--latency-ms 500] [--jitter-ms 500] ' +
  '[--fail-503 0.03] [--fail-429 0.01] [--fail-drop 0.01] [--kills 2] [--chunk-rows 5000] ' +
  '[--chunk-concurrency 2] [--visibility-timeout 15] [--seed 1]';

const flag = (name: string): string => name.replace(/[A-Z0-9]+/g, (c) => `-${c.toLowerCase()}`);

/** Parses the command line; throws with the flag's name on a bad value. */
export function parseProviderBenchOptions(argv: readonly string[]): ProviderBenchOptions {
  const names = Object.keys(DEFAULTS) as (keyof ProviderBenchOptions)[];
  const { values } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(names.map((name) => [flag(name), { type: 'string' as const }])),
    strict: true,
  });
  const read = (name: keyof ProviderBenchOptions): number | undefined => {
    const text = values[flag(name)];
    if (typeof text !== 'string') return DEFAULTS[name];
    const value = Number(text);
    const ok = SHARES.has(name)
      ? value >= 0 && value <= 1
      : Number.isInteger(value) && value >= (name === 'kills' ? 0 : 1);
    if (!ok)
      throw new Error(
        `--${flag(name)} must be ${SHARES.has(name) ? 'a share from 0 to 1' : 'a positive whole number'}, got ${text}`,
      );
    return value;
  };
  const parsed = Object.fromEntries(names.map((name) => [name, read(name)])) as Record<
    keyof ProviderBenchOptions,
    number | undefined
  >;
  const rate = parsed.rate ?? DEFAULTS.rate;
  const options = {
    ...(parsed as Record<keyof ProviderBenchOptions, number>),
    pace: parsed.pace ?? Math.max(1, rate - Math.max(2, Math.ceil(rate * 0.02))),
  };
  if (options.batch > 100)
    throw new Error('--batch must be at most 100 (PDL takes 100 per request)');
  if (options.fail503 + options.fail429 + options.failDrop > 1)
    throw new Error('the fault shares must add up to at most 1');
  return options;
}
