import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { listenSimulator } from '../listen-simulator.ts';
import { FixedWindowLimiter, type WindowState } from './fixed-window.ts';
import { createPersonMatcher, type MatchOutcome } from './match-person.ts';
import { createSeededRandom } from './seeded-random.ts';
import {
  resolvePdlSimulatorOptions,
  type PdlSimulatorOptions,
  type ResolvedPdlSimulatorOptions,
} from './simulator-options.ts';
import { StatsRecorder, type PdlSimulatorStats } from './simulator-stats.ts';
import { buildSyntheticWorld } from './synthetic-world.ts';
import {
  matchBody,
  NOT_FOUND_MESSAGE,
  parseBulkBody,
  parseEnrichParams,
  pdlError,
  type MatchBody,
  type PdlError,
  type WireParams,
} from './wire-format.ts';

/** A running PDL-compatible simulator. */
export interface PdlSimulator {
  /** Base URL, e.g. http://127.0.0.1:4570 (what PDL_API_URL points at). */
  readonly url: string;
  readonly apiKeys: readonly string[];
  readonly options: ResolvedPdlSimulatorOptions;
  stats(): PdlSimulatorStats;
  /** Forgets the counters and the rate windows (not the requests in flight). */
  reset(): void;
  /** Stops listening and cuts open connections. Safe to call twice. */
  close(): Promise<void>;
}

export interface PdlSimulatorDependencies {
  /** The clock the rate windows follow (tests move it instead of waiting a minute). */
  readonly now?: () => number;
}

type Route = 'bulk' | 'enrich';

const MAX_BODY_BYTES = 1024 * 1024;

/** Starts the simulator: POST /v5/person/bulk, GET|POST /v5/person/enrich, GET /_sim/stats. */
export async function startPdlSimulator(
  input: PdlSimulatorOptions = {},
  dependencies: PdlSimulatorDependencies = {},
): Promise<PdlSimulator> {
  const options = resolvePdlSimulatorOptions(input);
  const now = dependencies.now ?? Date.now;
  const keys = new Set(options.apiKeys);
  let stats = new StatsRecorder();
  const limiter = new FixedWindowLimiter(options.rateLimit.requests, options.rateLimit.windowMs);
  const inFlight = new Map<string, number>();
  // Separate streams, so turning faults on does not change the latencies, and vice versa.
  const faultRandom = createSeededRandom(options.seed ^ 0x5eed_fa17);
  const latencyRandom = createSeededRandom(options.seed ^ 0x1a7e_0c00);
  // Built on the first lookup, so `npm start` does not wait for a world nobody asked about.
  let match: ((params: WireParams) => MatchOutcome) | undefined;
  const matcher = (): ((params: WireParams) => MatchOutcome) =>
    (match ??= createPersonMatcher(
      buildSyntheticWorld({ seed: options.seed, size: options.worldSize }),
    ));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<Reply | undefined> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (url.pathname === '/_sim/stats' && req.method === 'GET') return reply(200, stats.snapshot());
    if (url.pathname === '/_sim/reset' && req.method === 'POST') {
      reset();
      return reply(200, { reset: true });
    }
    const route = routeOf(url.pathname);
    if (!route) return reply(404, pdlError(404, 'not_found', `No route ${url.pathname}`));
    const allowedMethods = route === 'bulk' ? ['POST'] : ['GET', 'POST'];
    if (!allowedMethods.includes(req.method ?? '')) {
      return reply(
        405,
        pdlError(
          405,
          'invalid_request_error',
          'Request method is not allowed on the requested resource',
        ),
      );
    }
    stats.requests++;
    const key = headerKey(req) ?? url.searchParams.get('api_key') ?? undefined;
    if (key === undefined || !keys.has(key)) {
      stats.response(401);
      const message = key === undefined ? 'No API key was provided' : 'Invalid API key';
      return reply(401, pdlError(401, 'authentication_error', message));
    }

    const running = inFlight.get(key) ?? 0;
    if (running >= options.concurrency) {
      stats.concurrencyViolations++;
      stats.response(429);
      return reply(
        429,
        pdlError(
          429,
          'rate_limit_error',
          `More than ${options.concurrency} concurrent requests for this API key`,
        ),
        { 'retry-after': '1' },
      );
    }
    const window = limiter.take(`${key} ${route}`, now());
    const headers = rateHeaders(window, options.rateLimit.windowMs);
    if (!window.allowed) {
      stats.rateLimitViolations++;
      stats.response(429);
      const retryAfter = Math.max(1, Math.ceil((window.resetAt - now()) / 1000));
      return reply(
        429,
        pdlError(
          429,
          'rate_limit_error',
          'An error occurred due to requests hitting the API too quick',
        ),
        { ...headers, 'retry-after': String(retryAfter) },
      );
    }

    inFlight.set(key, running + 1);
    stats.maxInFlight = Math.max(stats.maxInFlight, running + 1);
    // An object, so the check after the awaits below is not narrowed to its initial value.
    const caller = { hungUp: false };
    res.once('close', () => {
      inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
      caller.hungUp = !res.writableFinished;
    });
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    const latency = options.latencyMs + Math.floor(latencyRandom.next() * options.jitterMs);
    if (latency > 0) await sleep(latency);

    const fault = drawFault();
    if (fault === 'serviceUnavailable') {
      stats.serviceUnavailable++;
      stats.response(503);
      return reply(
        503,
        pdlError(503, 'api_error', 'The server is temporarily unable to handle the request'),
        headers,
      );
    }
    if (fault === 'rateLimited') {
      stats.injectedRateLimited++;
      stats.response(429);
      return reply(
        429,
        pdlError(
          429,
          'rate_limit_error',
          'An error occurred due to requests hitting the API too quick',
        ),
        { ...headers, 'retry-after': String(options.faults.retryAfterSeconds) },
      );
    }
    if (body?.ok === false) {
      stats.response(400);
      return reply(400, pdlError(400, 'invalid_request_error', body.message), headers);
    }

    const answer =
      route === 'bulk'
        ? answerBulk(key, body?.value)
        : answerEnrich(key, body ? body.value : queryObject(url.searchParams));
    if (caller.hungUp) stats.abandonedMatches += answer.credits;
    if (fault === 'dropConnection') {
      stats.dropped++;
      stats.droppedMatches += answer.credits;
      // Headers and half the body go out, then the connection is cut: the caller was billed
      // (the work was done) but never learns the answer, as when a real connection drops.
      const text = JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        ...headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(text)),
      });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      req.socket.destroy();
      return undefined;
    }
    stats.response(answer.status);
    return reply(answer.status, answer.body, {
      ...headers,
      'x-call-credits-spent': String(answer.credits),
      'x-call-credits-type': 'enrich',
    });
  }

  interface Answer {
    readonly status: number;
    readonly body: unknown;
    readonly credits: number;
  }

  function invalidRequest(message: string): Answer {
    return { status: 400, body: pdlError(400, 'invalid_request_error', message), credits: 0 };
  }

  function answerBulk(key: string, body: unknown): Answer {
    const parsed = parseBulkBody(body);
    if (!parsed.ok) return invalidRequest(parsed.message);
    let credits = 0;
    const items = parsed.value.map(({ params, metadata }) => {
      const item = lookup(key, params);
      if (item.status === 200) credits++;
      return metadata === undefined ? item : { ...item, metadata };
    });
    return { status: 200, body: items, credits };
  }

  function answerEnrich(key: string, input: unknown): Answer {
    const parsed = parseEnrichParams(input);
    if (!parsed.ok) return invalidRequest(parsed.message);
    const item = lookup(key, parsed.value);
    return { status: item.status, body: item, credits: item.status === 200 ? 1 : 0 };
  }

  /** One lookup, billed to the key when it matches (PDL charges per match, never per miss). */
  function lookup(key: string, params: WireParams): PdlError | MatchBody {
    stats.lookups++;
    const outcome = matcher()(params);
    if (outcome.kind === 'invalid') return pdlError(400, 'invalid_request_error', outcome.message);
    if (outcome.kind === 'none') {
      stats.notFound++;
      return pdlError(404, 'not_found', NOT_FOUND_MESSAGE);
    }
    stats.bill(key, outcome.person.id);
    return matchBody(outcome.person, outcome.likelihood, params);
  }

  function drawFault(): 'serviceUnavailable' | 'rateLimited' | 'dropConnection' | undefined {
    const { serviceUnavailable, rateLimited, dropConnection } = options.faults;
    if (serviceUnavailable + rateLimited + dropConnection === 0) return undefined;
    const draw = faultRandom.next();
    if (draw < serviceUnavailable) return 'serviceUnavailable';
    if (draw < serviceUnavailable + rateLimited) return 'rateLimited';
    if (draw < serviceUnavailable + rateLimited + dropConnection) return 'dropConnection';
    return undefined;
  }

  function reset(): void {
    stats = new StatsRecorder();
    limiter.reset();
  }

  const server = createServer((req, res) => {
    handle(req, res).then(
      (answer) => {
        if (answer) send(res, answer.status, answer.body, answer.headers);
      },
      (error: unknown) => {
        // A bug in the simulator must show, not hang the caller: answer 500 and say why.
        console.error('pdl simulator: request failed', error);
        if (!res.headersSent) send(res, 500, pdlError(500, 'api_error', String(error)));
        else res.destroy();
      },
    );
  });
  await listenSimulator(server, {
    what: 'The PDL simulator',
    host: options.host,
    port: options.port,
    variable: 'PDL_SIM_PORT',
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${options.host}:${port}`,
    apiKeys: options.apiKeys,
    options,
    stats: () => stats.snapshot(),
    reset,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function routeOf(pathname: string): Route | undefined {
  const path = pathname.replace(/\/+$/, '');
  if (path === '/v5/person/bulk') return 'bulk';
  if (path === '/v5/person/enrich') return 'enrich';
  return undefined;
}

function headerKey(req: IncomingMessage): string | undefined {
  const value = req.headers['x-api-key'];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * PDL's rate headers: limit and remaining are JSON objects per window ({"minute": 100}), reset
 * is the UTC time the window ends.
 */
function rateHeaders(window: WindowState, windowMs: number): Record<string, string> {
  const name = WINDOW_NAMES[windowMs] ?? `${windowMs}ms`;
  return {
    'x-ratelimit-limit': JSON.stringify({ [name]: window.limit }),
    'x-ratelimit-remaining': JSON.stringify({ [name]: window.remaining }),
    'x-ratelimit-reset': new Date(window.resetAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

const WINDOW_NAMES: Readonly<Record<number, string>> = {
  1_000: 'second',
  60_000: 'minute',
  3_600_000: 'hour',
  86_400_000: 'day',
};

/** Query parameters as PDL reads them: a repeated key (email=a&email=b) is a list. */
function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    if (key === 'api_key') continue;
    const values = params.getAll(key);
    out[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return out;
}

type JsonBody = { ok: true; value: unknown } | { ok: false; message: string };

async function readJson(req: IncomingMessage): Promise<JsonBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { ok: false, message: 'Request body is larger than 1 MiB' };
    chunks.push(chunk);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return { ok: false, message: 'Request body is not valid JSON' };
  }
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
}

function reply(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, body, headers };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}
