import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { EnrichmentOptionsError } from '../errors.ts';
import { createPdlProvider, type PdlProviderOptions } from './pdl-provider.ts';
import { ProviderUnauthorizedError, ProviderUnavailableError } from './provider-errors.ts';
import type { ProviderQuery } from './provider.ts';
import {
  countingLimiter,
  memoryLogger,
  startTestServer,
  type RecordedRequest,
  type Reply,
  type TestServer,
} from './test-http-server.ts';

const API_KEY = 'pdl-test-key-5f1c0c8e9b7a4d3e';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function query(key: string, overrides: Partial<ProviderQuery['fields']> = {}): ProviderQuery {
  return {
    key,
    fields: {
      name: { first: 'Sean', last: 'Thorne' },
      emails: ['sean@example.com'],
      phones: ['+14155550123', '+14155550199'],
      company: 'People Data Labs',
      locality: 'San Francisco',
      region: 'California',
      country: 'US',
      postalCode: '94105',
      ...overrides,
    },
  };
}

function person(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    full_name: 'Sean Thorne',
    first_name: 'Sean',
    last_name: 'Thorne',
    work_email: 'sean@peopledatalabs.com',
    emails: [
      { address: 'sean@peopledatalabs.com', type: 'current_professional' },
      { address: 'sthorne@gmail.com', type: 'personal' },
    ],
    phone_numbers: ['+14155688415'],
    job_company_name: 'People Data Labs',
    job_title: 'Co-Founder And Chief Executive Officer',
    location_locality: 'San Francisco',
    job_last_verified: '2025-04-01',
    job_last_changed: '2024-05-01',
    ...overrides,
  };
}

/** Answers each lookup of a bulk request with `item(params, index)`, echoing metadata. */
function bulk(
  item: (params: Record<string, unknown>, index: number) => Record<string, unknown>,
): (request: RecordedRequest) => Reply {
  return (request) => {
    const requests = (
      request.body as { requests: { params: Record<string, unknown>; metadata: unknown }[] }
    ).requests;
    return {
      status: 200,
      headers: { 'x-ratelimit-remaining': "{'minute': 99, 'day': None, 'month': None}" },
      body: requests.map((entry, index) => ({
        ...item(entry.params, index),
        metadata: entry.metadata,
      })),
    };
  };
}

const matchAll = bulk((_params, index) => ({
  status: 200,
  likelihood: 9,
  data: person(`p${index}`),
}));

function provider(overrides: Partial<PdlProviderOptions> = {}): PdlProviderOptions {
  if (server === undefined) throw new Error('start the server first');
  return {
    apiUrl: server.url,
    apiKey: API_KEY,
    batchSize: 100,
    minLikelihood: 6,
    limiter: countingLimiter(),
    timeoutMs: 2_000,
    retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
    circuit: { consecutiveFailures: 50, halfOpenAfterMs: 1_000 },
    ...overrides,
  };
}

const job = { jobId: 'job-1' };

function leaks(value: unknown): boolean {
  const seen = new Set<unknown>();
  const texts: string[] = [];
  for (
    let current = value;
    current instanceof Error && !seen.has(current);
    current = current.cause
  ) {
    seen.add(current);
    texts.push(current.message, current.stack ?? '', inspect(current, { depth: 5 }));
  }
  texts.push(JSON.stringify(value), inspect(value, { depth: 8 }));
  return texts.some((text) => text.includes(API_KEY));
}

describe('PDL bulk person enrichment', () => {
  it('sends every identifier, the key and min_likelihood, in requests of at most batchSize', async () => {
    server = await startTestServer(matchAll);
    const limiter = countingLimiter();
    const pdl = createPdlProvider(provider({ batchSize: 2, limiter, concurrency: 1 }));

    const answers = await pdl.lookup(
      [
        query('r1'),
        query('r2', { emails: [], phones: ['+442071838750'], name: { full: 'Ana María López' } }),
        query('r3'),
      ],
      job,
    );

    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests;
    expect(first?.method).toBe('POST');
    expect(first?.path).toBe('/v5/person/bulk');
    expect(first?.headers['x-api-key']).toBe(API_KEY);
    expect(first?.headers['content-type']).toBe('application/json');
    const firstBody = first?.body as {
      requests: { params: Record<string, unknown>; metadata: unknown }[];
    };
    expect(firstBody.requests).toHaveLength(2);
    expect(firstBody.requests[0]).toEqual({
      params: expect.objectContaining({
        first_name: 'Sean',
        last_name: 'Thorne',
        email: 'sean@example.com',
        phone: ['+14155550123', '+14155550199'],
        company: 'People Data Labs',
        locality: 'San Francisco',
        region: 'California',
        country: 'US',
        postal_code: '94105',
        min_likelihood: 6,
      }) as unknown,
      metadata: { key: 'r1' },
    });
    // A name that could not be split goes as `name`; absent identifiers are not sent at all.
    expect(firstBody.requests[1]?.params).toMatchObject({
      name: 'Ana María López',
      phone: '+442071838750',
    });
    expect(firstBody.requests[1]?.params).not.toHaveProperty('email');
    expect(firstBody.requests[1]?.params).not.toHaveProperty('first_name');
    expect((second?.body as { requests: unknown[] }).requests).toEqual([
      expect.objectContaining({ metadata: { key: 'r3' } }),
    ]);
    expect(answers.map((a) => [a.key, a.outcome])).toEqual([
      ['r1', 'match'],
      ['r2', 'match'],
      ['r3', 'match'],
    ]);
    expect(limiter).toMatchObject({ acquired: 2, released: 2 });
    expect(limiter.jobIds).toEqual(['job-1', 'job-1']);
  });

  it('maps 200 to a billed match, 404 to a free no-match and 400 to an error with PDL’s message', async () => {
    server = await startTestServer(
      bulk(
        (_params, index) =>
          [
            {
              status: 200,
              likelihood: 8,
              data: person('qEnOZ5Oh0poWnQ1luFBfVw_0000', {
                mobile_phone: true,
                personal_emails: true,
              }),
            },
            {
              status: 404,
              error: { type: 'not_found', message: 'No records were found matching your request' },
            },
            {
              status: 400,
              error: {
                type: 'invalid_request_error',
                message: 'Request object must contain at least one of the required parameters',
              },
            },
            { status: 500, error: { type: 'api_error', message: 'internal' } },
          ][index] ?? {},
      ),
    );
    const pdl = createPdlProvider(provider());

    const answers = await pdl.lookup([query('a'), query('b'), query('c'), query('d')], job);

    expect(answers).toEqual([
      {
        key: 'a',
        outcome: 'match',
        billed: true,
        candidate: {
          providerId: 'qEnOZ5Oh0poWnQ1luFBfVw_0000',
          likelihood: 8,
          record: {
            name: { full: undefined, first: 'Sean', middle: undefined, last: 'Thorne' },
            // Plans without contact data answer `true` for a field: it is not a value.
            emails: ['sean@peopledatalabs.com', 'sthorne@gmail.com'],
            phones: ['+14155688415'],
            company: 'People Data Labs',
            title: 'Co-Founder And Chief Executive Officer',
            city: 'San Francisco',
            updatedAt: '2025-04-01',
          },
        },
      },
      { key: 'b', outcome: 'no_match', billed: false },
      {
        key: 'c',
        outcome: 'error',
        billed: false,
        reason:
          'pdl HTTP 400 invalid_request_error: Request object must contain at least one of the required parameters',
      },
      { key: 'd', outcome: 'error', billed: false, reason: 'pdl HTTP 500 api_error: internal' },
    ]);
    expect(server.requests).toHaveLength(1);
  });

  it('pairs answers with rows by the echoed metadata when they come back reordered', async () => {
    server = await startTestServer((request) => {
      const requests = (request.body as { requests: { metadata: { key: string } }[] }).requests;
      return {
        status: 200,
        body: requests
          .map((entry) => ({
            status: 200,
            likelihood: 7,
            data: person(`id-${entry.metadata.key}`),
            metadata: entry.metadata,
          }))
          .reverse(),
      };
    });
    const pdl = createPdlProvider(provider());

    const answers = await pdl.lookup([query('x'), query('y'), query('z')], job);

    expect(
      answers.map((a) => (a.outcome === 'match' ? [a.key, a.candidate.providerId] : [a.key])),
    ).toEqual([
      ['x', 'id-x'],
      ['y', 'id-y'],
      ['z', 'id-z'],
    ]);
  });

  it('fails at once on 401 as provider_unauthorized: one request, no retry, key not echoed', async () => {
    server = await startTestServer(() => ({
      status: 401,
      body: {
        status: 401,
        error: { type: 'authentication_error', message: `Invalid API key ${API_KEY}` },
      },
    }));
    const limiter = countingLimiter();
    const logger = memoryLogger();
    const pdl = createPdlProvider(provider({ limiter, logger }));

    const error = await pdl.lookup([query('a'), query('b')], job).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ProviderUnauthorizedError);
    expect(error).toMatchObject({ code: 'provider_unauthorized', status: 401, provider: 'pdl' });
    expect((error as Error).message).toContain('authentication_error');
    expect(leaks(error)).toBe(false);
    expect(JSON.stringify(logger.lines)).not.toContain(API_KEY);
    expect(server.requests).toHaveLength(1);
    expect(limiter).toMatchObject({ acquired: 1, released: 1 });
  });

  it('waits out Retry-After on 429, then retries', async () => {
    server = await startTestServer((request, index) =>
      index === 0
        ? {
            status: 429,
            headers: { 'retry-after': '1' },
            body: {
              status: 429,
              error: {
                type: 'rate_limit_error',
                message: 'An error occurred due to requests hitting the API too quick',
              },
            },
          }
        : matchAll(request),
    );
    const limiter = countingLimiter();
    const pdl = createPdlProvider(provider({ limiter }));

    const answers = await pdl.lookup([query('a')], job);

    expect(answers[0]?.outcome).toBe('match');
    expect(server.requests).toHaveLength(2);
    const waited = (server.requests[1]?.at ?? 0) - (server.requests[0]?.at ?? 0);
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(limiter).toMatchObject({ acquired: 2, released: 2 });
  });

  it('does not sit on a rate-limit window longer than allowed: fails fast with retryAfterMs', async () => {
    server = await startTestServer(() => ({
      status: 429,
      headers: { 'retry-after': '120' },
      body: { status: 429, error: { type: 'rate_limit_error', message: 'too quick' } },
    }));
    const limiter = countingLimiter();
    const pdl = createPdlProvider(
      provider({ limiter, retry: { attempts: 3, maxRateLimitWaitMs: 1_000 } }),
    );

    const started = Date.now();
    const first = await pdl.lookup([query('a')], job).catch((e: unknown) => e);
    const second = await pdl.lookup([query('b')], job).catch((e: unknown) => e);

    expect(Date.now() - started).toBeLessThan(500);
    for (const error of [first, second]) {
      expect(error).toBeInstanceOf(ProviderUnavailableError);
      expect((error as ProviderUnavailableError).retryAfterMs).toBeGreaterThan(110_000);
    }
    // The second lookup waits for the window the first one learned of, without a request.
    expect(server.requests).toHaveLength(1);
    expect(limiter).toMatchObject({ acquired: 1, released: 1 });
  });

  it('holds the next request until x-ratelimit-reset when the window is spent', async () => {
    const reset = () => new Date(Date.now() + 800).toISOString();
    server = await startTestServer((request, index) => {
      const answer = matchAll(request);
      if (index > 0 || answer === 'drop' || answer === 'hang') return answer;
      return {
        ...answer,
        headers: {
          'x-ratelimit-remaining': '{"minute": 0, "day": null}',
          'x-ratelimit-reset': reset(),
        },
      };
    });
    const pdl = createPdlProvider(provider());

    await pdl.lookup([query('a')], job);
    await pdl.lookup([query('b')], job);

    const waited = (server.requests[1]?.at ?? 0) - (server.requests[0]?.at ?? 0);
    expect(waited).toBeGreaterThanOrEqual(700);
  });

  it('retries a 5xx and succeeds', async () => {
    server = await startTestServer((request, index) =>
      index === 0
        ? {
            status: 502,
            body: { status: 502, error: { type: 'api_error', message: 'bad gateway' } },
          }
        : matchAll(request),
    );
    const limiter = countingLimiter();
    const logger = memoryLogger();
    const pdl = createPdlProvider(provider({ limiter, logger }));

    const answers = await pdl.lookup([query('a')], job);

    expect(answers[0]?.outcome).toBe('match');
    expect(server.requests).toHaveLength(2);
    expect(limiter).toMatchObject({ acquired: 2, released: 2 });
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'pdl request failed; retrying' }),
    );
  });

  it('retries a dropped connection and a timeout, then succeeds', async () => {
    server = await startTestServer((request, index) =>
      index === 0 ? 'drop' : index === 1 ? 'hang' : matchAll(request),
    );
    const limiter = countingLimiter();
    const pdl = createPdlProvider(provider({ limiter, timeoutMs: 300 }));

    const answers = await pdl.lookup([query('a')], job);

    expect(answers[0]?.outcome).toBe('match');
    expect(server.requests).toHaveLength(3);
    expect(limiter).toMatchObject({ acquired: 3, released: 3 });
  });

  it('gives up after the configured tries with provider_unavailable, releasing every permit', async () => {
    server = await startTestServer(() => ({
      status: 503,
      body: { status: 503, error: { type: 'api_error', message: `down for ${API_KEY}` } },
    }));
    const limiter = countingLimiter();
    const logger = memoryLogger();
    const pdl = createPdlProvider(
      provider({ limiter, logger, retry: { attempts: 3, initialDelayMs: 5, maxDelayMs: 20 } }),
    );

    const error = await pdl.lookup([query('a')], job).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error).toMatchObject({ code: 'provider_unavailable', answered: [] });
    expect(server.requests).toHaveLength(3);
    expect(limiter).toMatchObject({ acquired: 3, released: 3 });
    expect(leaks(error)).toBe(false);
    expect(JSON.stringify(logger.lines)).not.toContain(API_KEY);
    // One `providerCall` line per try: what the stack's error-rate alarm counts.
    const calls = logger.lines.flatMap((line) =>
      'providerCall' in line.details ? [line.details.providerCall as object] : [],
    );
    const failed: unknown = expect.objectContaining({
      provider: 'pdl',
      outcome: 'error',
      status: 503,
    });
    expect(calls).toEqual([failed, failed, failed]);
  });

  it('opens the circuit after sustained failure, then fails fast until it half-opens', async () => {
    let healthy = false;
    server = await startTestServer((request) =>
      healthy ? matchAll(request) : { status: 500, body: {} },
    );
    const limiter = countingLimiter();
    const logger = memoryLogger();
    const pdl = createPdlProvider(
      provider({
        limiter,
        logger,
        retry: { attempts: 1 },
        circuit: { consecutiveFailures: 2, halfOpenAfterMs: 400 },
      }),
    );

    for (const key of ['a', 'b'])
      await expect(pdl.lookup([query(key)], job)).rejects.toBeInstanceOf(ProviderUnavailableError);
    const started = Date.now();
    const fast = await pdl.lookup([query('c')], job).catch((e: unknown) => e);

    expect(Date.now() - started).toBeLessThan(100);
    expect(fast).toBeInstanceOf(ProviderUnavailableError);
    const retryAfterMs = (fast as ProviderUnavailableError).retryAfterMs ?? 0;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(400);
    expect(server.requests).toHaveLength(2);
    expect(limiter).toMatchObject({ acquired: 2, released: 2 });
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'pdl keeps failing; circuit open' }),
    );

    // A caller that waits as told (heartbeating its message) gets through once it half-opens.
    healthy = true;
    await new Promise((resolve) => setTimeout(resolve, retryAfterMs + 20));
    const answers = await pdl.lookup([query('d')], job);
    expect(answers[0]?.outcome).toBe('match');
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'info', message: 'pdl answers again; circuit closed' }),
    );
  });

  it('turns a refused whole request (400, 402) into an error per row', async () => {
    server = await startTestServer(() => ({
      status: 402,
      body: {
        status: 402,
        error: {
          type: 'payment_required',
          message: 'You have hit your account maximum (all matches used)',
        },
      },
    }));
    const pdl = createPdlProvider(provider());

    const answers = await pdl.lookup([query('a'), query('b')], job);

    expect(answers).toEqual([
      {
        key: 'a',
        outcome: 'error',
        billed: false,
        reason:
          'pdl HTTP 402 payment_required: You have hit your account maximum (all matches used)',
      },
      {
        key: 'b',
        outcome: 'error',
        billed: false,
        reason:
          'pdl HTTP 402 payment_required: You have hit your account maximum (all matches used)',
      },
    ]);
    expect(server.requests).toHaveLength(1);
  });

  it('hands back the answers already paid for when a later request cannot be made', async () => {
    server = await startTestServer((request, index) =>
      index === 0 ? matchAll(request) : { status: 500, body: {} },
    );
    const pdl = createPdlProvider(
      provider({ batchSize: 1, concurrency: 1, retry: { attempts: 2, initialDelayMs: 5 } }),
    );

    const error = await pdl.lookup([query('a'), query('b')], job).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as ProviderUnavailableError).answered).toEqual([
      expect.objectContaining({ key: 'a', outcome: 'match', billed: true }),
    ]);
  });

  it('stops when the caller aborts, with the caller’s reason', async () => {
    server = await startTestServer(() => 'hang');
    const controller = new AbortController();
    const pdl = createPdlProvider(provider({ timeoutMs: 10_000 }));

    const pending = pdl.lookup([query('a')], { jobId: 'job-1', signal: controller.signal });
    setTimeout(() => {
      controller.abort(new Error('shutting down'));
    }, 50);

    await expect(pending).rejects.toThrow('shutting down');
    expect(server.requests).toHaveLength(1);
  });

  it('makes no request for no queries', async () => {
    server = await startTestServer(matchAll);
    const pdl = createPdlProvider(provider());

    expect(await pdl.lookup([], job)).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it('validates its options without revealing the key', () => {
    const options = {
      apiUrl: 'https://api.peopledatalabs.com',
      apiKey: API_KEY,
      minLikelihood: 6,
      limiter: countingLimiter(),
    };
    expect(() => createPdlProvider({ ...options, batchSize: 101 })).toThrow(EnrichmentOptionsError);
    expect(() => createPdlProvider({ ...options, batchSize: 50, minLikelihood: 11 })).toThrow(
      /minLikelihood/,
    );
    expect(() =>
      createPdlProvider({ ...options, batchSize: 50, apiUrl: 'api.peopledatalabs.com' }),
    ).toThrow(/apiUrl/);
    expect(() => createPdlProvider({ ...options, batchSize: 50, apiKey: ' ' })).toThrow(/apiKey/);
    const provider = createPdlProvider({ ...options, batchSize: 50 });
    expect(provider).toMatchObject({ name: 'pdl', maxBatchSize: 50 });
    expect(leaks(provider)).toBe(false);
  });
});
