import { parseArgs } from 'node:util';

export interface LoadOptions {
  /** Length of the load window. */
  readonly seconds: number;
  /** Connections creating jobs (`POST /v1/jobs`, JSON) as fast as the API answers. */
  readonly createConnections: number;
  /** Status polls per second (`GET /v1/jobs/{id}`), spread over `pollConnections`. */
  readonly pollRate: number;
  readonly pollConnections: number;
  /** Small files uploaded per second (`POST /v1/jobs` with a CSV body); 0 for none. */
  readonly uploadRate: number;
  readonly uploadRows: number;
  /**
   * Large files submitted before the load so the workers are busy throughout: one worker on a
   * shared 2-core machine gets through about 30,000 rows/s of them while the API is loaded.
   */
  readonly backgroundJobs: number;
  readonly backgroundRows: number;
  readonly workers: number;
  readonly chunkConcurrency: number;
  /** API keys, one tenant each; requests rotate over them. */
  readonly tenants: number;
  /** RATE_LIMIT_PER_SECOND (and burst) per key in the API under test. */
  readonly rateLimit: number;
  /** How long to wait after the load for the background jobs to finish. */
  readonly drainSeconds: number;
  /**
   * Event streams (`GET /v1/jobs/{id}/events`) to hold open on the background jobs instead of
   * the HTTP load: reports the API's CPU per open stream and its DynamoDB reads per second.
   * 0: the HTTP load as usual.
   */
  readonly sse: number;
  /** Runs the API with --cpu-prof (a .cpuprofile in bench/out/ when it stops). */
  readonly profileApi: boolean;
}

export const LOAD_USAGE =
  'usage: npm run bench:load -- [--seconds 60] [--create-connections 200] [--poll-rate 1000] ' +
  '[--poll-connections 100] [--upload-rate 2] [--upload-rows 200] [--background-jobs 8] ' +
  '[--background-rows 200000] [--workers 1] [--chunk-concurrency 4] [--tenants 4] ' +
  '[--rate-limit 1000000] [--drain-seconds 300] [--sse 0] [--profile-api]';

type NumericOptions = Omit<LoadOptions, 'profileApi'>;

const DEFAULTS: NumericOptions = {
  seconds: 60,
  createConnections: 200,
  pollRate: 1000,
  pollConnections: 100,
  uploadRate: 2,
  uploadRows: 200,
  backgroundJobs: 8,
  backgroundRows: 200_000,
  workers: 1,
  chunkConcurrency: 4,
  tenants: 4,
  // High enough never to answer 429: the bench measures the service, not the limiter.
  rateLimit: 1_000_000,
  drainSeconds: 300,
  sse: 0,
};

/** Flags are the kebab-case names of LoadOptions; every value but --profile-api is a whole number. */
export function parseLoadOptions(argv: readonly string[]): LoadOptions {
  const names = Object.keys(DEFAULTS) as (keyof NumericOptions)[];
  const flag = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const numeric: Record<string, { type: 'string' }> = Object.fromEntries(
    names.map((name) => [flag(name), { type: 'string' as const }]),
  );
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: { ...numeric, 'profile-api': { type: 'boolean', default: false } },
  });
  const raws: Record<string, unknown> = values;
  const options: Record<string, number> = { ...DEFAULTS };
  for (const name of names) {
    const raw = raws[flag(name)];
    if (typeof raw !== 'string') continue;
    const value = Number(raw);
    // Zero turns a scenario off; the rest must be at least 1.
    const min = name === 'uploadRate' || name === 'backgroundJobs' || name === 'sse' ? 0 : 1;
    if (!Number.isInteger(value) || value < min)
      throw new RangeError(`--${flag(name)} must be a whole number of at least ${min}, got ${raw}`);
    options[name] = value;
  }
  return { ...(options as unknown as NumericOptions), profileApi: raws['profile-api'] === true };
}
