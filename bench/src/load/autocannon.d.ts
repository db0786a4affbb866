/** The part of autocannon 9's API the load bench uses (the package ships no types). */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    type Context = Record<string, unknown>;

    /** Returns the request to send (mutated or new); runs before every request. */
    type SetupRequest = (request: RequestSpec, context: Context) => RequestSpec;
    type OnResponse = (
      status: number,
      body: string,
      context: Context,
      headers: Record<string, string | string[]>,
    ) => void;

    interface RequestSpec {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      setupRequest?: SetupRequest;
      onResponse?: OnResponse;
    }

    interface Options {
      url: string;
      title?: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      /** Seconds before a request counts as a timeout (and an error). */
      timeout?: number;
      /** Requests per second over all connections. */
      overallRate?: number;
      ignoreCoordinatedOmission?: boolean;
      /** Count non-2xx responses in latency figures too. */
      excludeErrorStats?: boolean;
      method?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      requests?: RequestSpec[];
    }

    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total: number;
      p50: number;
      p90: number;
      p99: number;
      p99_9: number;
    }

    interface Result {
      title?: string;
      /** Seconds. */
      duration: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      statusCodeStats: Record<string, { count: number }>;
      /** Per-second samples; `total` is the number of completed requests. */
      requests: Histogram & { sent: number };
      /** Milliseconds. */
      latency: Histogram;
    }

    interface Instance extends EventEmitter, PromiseLike<Result> {
      stop(): void;
    }
  }

  function autocannon(options: autocannon.Options): autocannon.Instance;
  export = autocannon;
}
