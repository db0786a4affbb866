import type autocannon from 'autocannon';
import type { JobPool } from './job-pool.ts';
import type { Tenant } from './system.ts';

/** One kind of traffic: autocannon options plus what the report says it aimed for. */
export interface Scenario {
  readonly name: string;
  readonly target: string;
  readonly options: autocannon.Options;
}

export interface ScenarioResult {
  readonly name: string;
  readonly target: string;
  readonly requests: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Milliseconds, over every response (2xx or not). */
  readonly latency: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
  };
  /** Responses by status code. */
  readonly statuses: Readonly<Record<string, number>>;
  /** 429: allowed, the API is protecting itself. */
  readonly rateLimited: number;
  /** Non-2xx other than 429: failures. */
  readonly failedResponses: number;
  /** Connection errors, including timeouts. */
  readonly errors: number;
  readonly timeouts: number;
}

interface Common {
  readonly apiUrl: string;
  readonly seconds: number;
}

/** Round-robin over the tenants, remembering per connection which key a request used. */
function rotatingTenant(tenants: readonly Tenant[]): autocannon.SetupRequest {
  let next = 0;
  return (request, context) => {
    const tenant = tenants[next++ % tenants.length]!;
    context.key = tenant.key;
    return { ...request, headers: { ...request.headers, authorization: `Bearer ${tenant.key}` } };
  };
}

/** Adds the created job (with its owner's key) to the pool, so polls can find it. */
function collectCreated(pool: JobPool, status: number): autocannon.OnResponse {
  return (code, body, context) => {
    if (code !== status || typeof context.key !== 'string') return;
    const { id } = JSON.parse(body) as { id: string };
    pool.add({ id, key: context.key });
  };
}

/** `POST /v1/jobs` with JSON (presigned-upload flow) from many connections, unthrottled. */
export function createJobs(
  common: Common & { connections: number; tenants: readonly Tenant[]; created: JobPool },
): Scenario {
  return {
    name: 'create (POST /v1/jobs, JSON)',
    target: `${common.connections} connections, as fast as answered`,
    options: {
      url: common.apiUrl,
      duration: common.seconds,
      connections: common.connections,
      requests: [
        {
          method: 'POST',
          path: '/v1/jobs',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ fileName: 'load.csv' }),
          setupRequest: rotatingTenant(common.tenants),
          onResponse: collectCreated(common.created, 201),
        },
      ],
    },
  };
}

/** `GET /v1/jobs/{id}` of existing jobs at a fixed overall rate. */
export function pollJobs(
  common: Common & { rate: number; connections: number; jobs: JobPool },
): Scenario {
  return {
    name: 'poll (GET /v1/jobs/{id})',
    target: `${common.rate} req/s over ${common.connections} connections`,
    options: {
      url: common.apiUrl,
      duration: common.seconds,
      connections: common.connections,
      overallRate: common.rate,
      // Raw response times; the achieved rate next to the target shows any shortfall.
      ignoreCoordinatedOmission: true,
      requests: [
        {
          method: 'GET',
          setupRequest: (request) => {
            const job = common.jobs.pick();
            return {
              ...request,
              path: `/v1/jobs/${job.id}`,
              headers: { ...request.headers, authorization: `Bearer ${job.key}` },
            };
          },
        },
      ],
    },
  };
}

/** `POST /v1/jobs` with a small CSV body: the API stores it and starts the job at once. */
export function uploadFiles(
  common: Common & {
    rate: number;
    csv: string;
    tenants: readonly Tenant[];
    uploaded: JobPool;
  },
): Scenario {
  return {
    name: 'upload (POST /v1/jobs, CSV body)',
    target: `${common.rate} req/s`,
    options: {
      url: common.apiUrl,
      duration: common.seconds,
      connections: Math.max(1, Math.min(common.rate, 4)),
      overallRate: common.rate,
      ignoreCoordinatedOmission: true,
      requests: [
        {
          method: 'POST',
          path: '/v1/jobs?fileName=small.csv',
          headers: { 'content-type': 'text/csv' },
          body: common.csv,
          setupRequest: rotatingTenant(common.tenants),
          onResponse: collectCreated(common.uploaded, 202),
        },
      ],
    },
  };
}

/** The figures of one autocannon run, with responses sorted into allowed and failed. */
export function summarize(scenario: Scenario, result: autocannon.Result): ScenarioResult {
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
  );
  const count = (predicate: (code: number) => boolean): number =>
    Object.entries(statuses)
      .filter(([code]) => predicate(Number(code)))
      .reduce((sum, [, n]) => sum + n, 0);
  const requests = count(() => true);
  return {
    name: scenario.name,
    target: scenario.target,
    requests,
    seconds: result.duration,
    perSecond: result.duration > 0 ? requests / result.duration : 0,
    latency: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    statuses,
    rateLimited: count((code) => code === 429),
    failedResponses: count((code) => (code < 200 || code > 299) && code !== 429),
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** True when a run saw anything but 2xx and 429. */
export function hasFailures(result: ScenarioResult): boolean {
  return result.failedResponses > 0 || result.errors > 0;
}
