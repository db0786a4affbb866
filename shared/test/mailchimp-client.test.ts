import {
  startEmulators,
  startMailchimpSimulator,
  type Emulators,
  type MailchimpSimulator,
} from '@contacts/local';
import {
  connectToAws,
  createAwsClients,
  createLogger,
  createMailchimpClient,
  loadConfig,
  mailchimpAccountKey,
  MailchimpAuthError,
  MailchimpConnectionPools,
  MailchimpKeyFormatError,
  MailchimpLimiters,
  MailchimpNotFoundError,
  MailchimpRateLimitedError,
  MailchimpRequestError,
  MailchimpResponseError,
  parseMembersPage,
  type AppConfig,
  type MailchimpClientOptions,
  type AwsClients,
  type RequestLimiter,
} from '@contacts/shared';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let emulators: Emulators;
let config: AppConfig;
let sim: MailchimpSimulator;
const clients: AwsClients[] = [];

/** No limit at all: for the tests about what the client does when Mailchimp refuses. */
const unlimited: RequestLimiter = {
  acquire: () => Promise.resolve({ release: () => Promise.resolve() }),
};

/** A client of the simulator's sample account, without a limiter. */
function simClient(): ReturnType<typeof createMailchimpClient> {
  return createMailchimpClient({
    apiKey: sim.apiKey,
    apiUrl: sim.url,
    limiter: unlimited,
    jobId: 'job-1',
  });
}

/** A client of a stand-in server (see withServer), without a limiter, retrying quickly. */
function serverClient(
  apiUrl: string,
  options: Partial<MailchimpClientOptions> = {},
): ReturnType<typeof createMailchimpClient> {
  return createMailchimpClient({
    apiKey: sim.apiKey,
    apiUrl,
    limiter: unlimited,
    jobId: 'job-1',
    attempts: 2,
    backoffMs: 5,
    maxBackoffMs: 10,
    ...options,
  });
}

/** A plain HTTP server standing in for Mailchimp (or a proxy before it) while `use` runs. */
async function withServer(
  handler: RequestListener,
  use: (url: string, server: Server) => Promise<void>,
) {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    await use(`http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, server);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

beforeAll(async () => {
  emulators = await startEmulators();
  config = loadConfig({ ...emulators.env, RESOURCE_PREFIX: 'mailchimp-client-test' });
  const connection = await connectToAws(config, createLogger({ level: 'silent', name: 't' }), {
    provision: true,
  });
  clients.push(connection.clients);
  sim = await startMailchimpSimulator({ latencyMs: 20 });
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await Promise.all([emulators.close(), sim.close()]);
});

describe('Mailchimp client against the simulator', () => {
  it('pings, names the account, reads a list and a page of the fields asked for', async () => {
    const client = simClient();
    await client.ping();
    expect(await client.accountId()).toBe('sim0account0001');
    const listId = sim.sampleListId ?? '';
    const list = await client.getList(listId);
    const all = sim.members(listId);
    expect(list.memberCount).toBe(all.filter((m) => m.status === 'subscribed').length);
    const page = await client.listMembers(listId, {
      offset: 10,
      count: 5,
      fields: ['email_address', 'merge_fields'],
    });
    expect(page.totalItems).toBe(all.length);
    expect(page.members.map((m) => m.email_address)).toEqual(all.slice(10, 15).map((m) => m.email));
    expect(Object.keys(page.members[0] ?? {}).sort()).toEqual(['email_address', 'merge_fields']);
  });

  it('hands a page over as Mailchimp sent it, and reads it later into the same members', async () => {
    const client = simClient();
    const listId = sim.sampleListId ?? '';
    const request = { offset: 3, count: 4, fields: ['email_address', 'merge_fields'] };
    const text = await client.listMembersText(listId, request);

    expect(parseMembersPage(text)).toEqual(await client.listMembers(listId, request));
    expect(() => parseMembersPage('{"total_items":3}')).toThrow(MailchimpResponseError);
  });

  it('retries a 200 that is not JSON (a proxy’s page), then fails as unavailable', async () => {
    let calls = 0;
    const maintenance: RequestListener = (_req, res) => {
      calls++;
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
    };
    await withServer(maintenance, async (apiUrl) => {
      const client = serverClient(apiUrl);
      await expect(client.listMembersText('any', { offset: 0, count: 1 })).rejects.toMatchObject({
        code: 'mailchimp_unavailable',
        status: 200,
      });
      expect(calls).toBe(2);
    });
  });

  it('asks for gzip and reads a compressed page, as Mailchimp sends it', async () => {
    const page = { members: [{ email_address: 'ada@example.com' }], total_items: 1 };
    const asked: (string | undefined)[] = [];
    const compressing: RequestListener = (req, res) => {
      asked.push(req.headers['accept-encoding']);
      res
        .writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
        .end(gzipSync(JSON.stringify(page)));
    };
    await withServer(compressing, async (apiUrl) => {
      const client = serverClient(apiUrl);
      await expect(client.listMembers('any', { offset: 0, count: 1 })).resolves.toEqual({
        members: page.members,
        totalItems: 1,
      });
      expect(asked).toEqual(['gzip']);
    });
  });

  it('hands slots on over a bounded pool: never more than twice the account’s 10 connections', async () => {
    // The next waiting call starts as soon as a call gives its slot back, as the fleet
    // limiter's handoff does: before the connection is back in its pool, so it takes an idle
    // one. The pool stops at 20 connections (10 in use at most, by the limiter).
    const { pages, opened } = await throughPool({
      calls: 60,
      answerMs: 5,
      limiter: handoffLimiter(10),
    });
    expect(pages).toBe(60);
    expect(opened).toBeLessThanOrEqual(20);
  });

  it('opens at most twice the account’s connections, however many calls come at once', async () => {
    // No limiter: 40 calls at once reach the pool (an unbounded one opens 40 connections).
    const { pages, opened } = await throughPool({
      calls: 40,
      answerMs: 50,
      limiter: { acquire: () => Promise.resolve({ release: () => Promise.resolve() }) },
    });
    expect(pages).toBe(40);
    expect(opened).toBe(20);
  });

  it('gives up on a call that gets no answer within its timeout, and says so', async () => {
    let calls = 0;
    const silent: RequestListener = () => {
      calls++; // never answers
    };
    await withServer(silent, async (apiUrl) => {
      const client = serverClient(apiUrl, { timeoutMs: 200 });
      await expect(client.ping()).rejects.toMatchObject({
        code: 'mailchimp_unavailable',
        message: expect.stringContaining('no answer within 0.2 s') as unknown,
      });
      expect(calls).toBe(2);
    });
  });

  it('upserts a batch and returns the per-member errors', async () => {
    const client = simClient();
    const listId = sim.sampleListId ?? '';
    const member = sim.members(listId)[3];
    const result = await client.batchUpsert(
      listId,
      [
        { email_address: member?.email ?? '', merge_fields: { COMPANY: 'Upserted Inc' } },
        { email_address: 'broken', status_if_new: 'subscribed' },
      ],
      { updateExisting: true },
    );
    expect(result).toMatchObject({ totalUpdated: 1, errorCount: 1 });
    expect(result.errors[0]?.email_address).toBe('broken');
    expect(sim.members(listId)[3]?.mergeFields.COMPANY).toBe('Upserted Inc');
    await expect(
      client.batchUpsert(
        listId,
        Array.from({ length: 501 }, (_, i) => ({ email_address: `x${String(i)}@example.com` })),
        { updateExisting: true },
      ),
    ).rejects.toThrow(RangeError);
  });

  it('turns Mailchimp errors into typed errors with its detail', async () => {
    const bad = createMailchimpClient({
      apiKey: '0123456789abcdef-us1',
      apiUrl: sim.url,
      limiter: unlimited,
      jobId: 'job-1',
    });
    const error = await bad.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailchimpAuthError);
    expect(error).toMatchObject({ status: 401, code: 'mailchimp_key_invalid' });
    expect((error as MailchimpAuthError).detail).toMatch(/API key may be invalid/);

    const good = simClient();
    await expect(good.getList('0000000000')).rejects.toBeInstanceOf(MailchimpNotFoundError);
    expect(() =>
      createMailchimpClient({ apiKey: 'abcdef0123456789', limiter: unlimited, jobId: 'j' }),
    ).toThrow(MailchimpKeyFormatError);
    await expect(
      good.listMembers(sim.sampleListId ?? '', { offset: 0, count: 1001 }),
    ).rejects.toThrow(RangeError);
    expect(MailchimpRequestError.name).toBe('MailchimpRequestError');
  });

  it('backs off on 429 and gives up after its tries with a typed error', async () => {
    let gate: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      gate = resolve;
    });
    const busy = await startMailchimpSimulator(
      { latencyMs: 0, maxConnections: 1 },
      { onMembersPage: () => held },
    );
    try {
      const client = createMailchimpClient({
        apiKey: busy.apiKey,
        apiUrl: busy.url,
        limiter: unlimited,
        jobId: 'job-1',
        attempts: 3,
        backoffMs: 10,
        maxBackoffMs: 20,
      });
      const hog = client.listMembers(busy.sampleListId ?? '', { offset: 0, count: 1 });
      await waitFor(() => busy.stats().requestsByRoute.members === 1);
      const refused = await client.ping().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(MailchimpRateLimitedError);
      expect(busy.stats().responses['429']).toBe(3);
      gate();
      await hog;
      await client.ping();
    } finally {
      gate();
      await busy.close();
    }
  });

  it('keeps three processes and two jobs on one account within 10 connections', async () => {
    sim.reset();
    const accountKey = mailchimpAccountKey('us1', `client-test-${String(Date.now())}`);
    const processes = Array.from({ length: 3 }, () => {
      const aws = createAwsClients(config.aws);
      clients.push(aws);
      return new MailchimpLimiters({
        client: aws.dynamodb,
        table: config.resources.providersTable,
      }).forAccount(accountKey);
    });
    const listId = sim.sampleListId ?? '';
    const calls = processes.flatMap((limiter, p) =>
      ['job-a', 'job-b'].flatMap((jobId) => {
        const client = createMailchimpClient({
          apiKey: sim.apiKey,
          apiUrl: sim.url,
          limiter,
          jobId,
        });
        return Array.from({ length: 6 }, (_, i) =>
          client.listMembers(listId, { offset: (p * 12 + i) * 10, count: 10 }),
        );
      }),
    );
    const pages = await Promise.all(calls);
    expect(pages).toHaveLength(36);
    const stats = sim.stats();
    expect(stats.connectionViolations).toBe(0);
    expect(stats.maxConnections).toBeLessThanOrEqual(10);
    expect(stats.requestsByRoute.members).toBe(36);
  });
});

describe('fair share between jobs on one account (concurrency-only limiter)', () => {
  it('serves a job that arrives later in turn with the one already waiting', async () => {
    const aws = createAwsClients(config.aws);
    clients.push(aws);
    const limiter = new MailchimpLimiters({
      client: aws.dynamodb,
      table: config.resources.providersTable,
      maxConnections: 1,
    }).forAccount(mailchimpAccountKey('us1', `fair-${String(Date.now())}`));
    const grants: string[] = [];
    const recording: RequestLimiter = {
      acquire: async (options) => {
        const permit = await limiter.acquire(options);
        grants.push(options.jobId);
        return permit;
      },
    };
    const clientOf = (jobId: string) =>
      createMailchimpClient({ apiKey: sim.apiKey, apiUrl: sim.url, limiter: recording, jobId });
    const listId = sim.sampleListId ?? '';
    const page = (jobId: string, i: number) =>
      clientOf(jobId).listMembers(listId, { offset: i, count: 1 });
    const big = Array.from({ length: 12 }, (_, i) => page('job-big', i));
    await waitFor(() => grants.length >= 1);
    const small = Array.from({ length: 4 }, (_, i) => page('job-small', i));
    await Promise.all([...big, ...small]);
    // Round robin: once the small job waits, the two alternate, so it is done long before the
    // big one, instead of after all 12 of the big job's requests.
    const lastSmall = grants.lastIndexOf('job-small');
    const bigAfterSmall = grants.slice(lastSmall + 1).filter((j) => j === 'job-big').length;
    expect(grants.filter((j) => j === 'job-small')).toHaveLength(4);
    expect(bigAfterSmall).toBeGreaterThanOrEqual(4);
  });
});

/** At most `slots` permits in this process; a permit given back goes to the next waiter at once. */
/**
 * `calls` members calls at once through one account's pool (a limit of 10) to a server that
 * answers each after `answerMs`: the pages answered and the connections the server saw opened.
 */
async function throughPool(options: {
  calls: number;
  answerMs: number;
  limiter: RequestLimiter;
}): Promise<{ pages: number; opened: number }> {
  const page = JSON.stringify({ members: [], total_items: 0 });
  const answer: RequestListener = (_req, res) => {
    setTimeout(
      () => res.writeHead(200, { 'content-type': 'application/json' }).end(page),
      options.answerMs,
    );
  };
  const pools = new MailchimpConnectionPools(10);
  let result = { pages: 0, opened: 0 };
  try {
    await withServer(answer, async (apiUrl, server) => {
      let opened = 0;
      server.on('connection', () => opened++);
      const client = serverClient(apiUrl, {
        limiter: options.limiter,
        dispatcher: pools.forAccount('mailchimp#us1#acct'),
      });
      const pages = await Promise.all(
        Array.from({ length: options.calls }, (_, i) =>
          client.listMembersText('l', { offset: i, count: 1 }),
        ),
      );
      result = { pages: pages.length, opened };
    });
  } finally {
    await pools.close();
  }
  return result;
}

function handoffLimiter(slots: number): RequestLimiter {
  let free = slots;
  const waiting: (() => void)[] = [];
  const release = (): Promise<void> => {
    const next = waiting.shift();
    if (next === undefined) free++;
    else next();
    return Promise.resolve();
  };
  return {
    acquire: () =>
      new Promise((resolve) => {
        const grant = () => {
          resolve({ release });
        };
        if (free > 0) {
          free--;
          grant();
        } else waiting.push(grant);
      }),
  };
}

async function waitFor(condition: () => boolean, deadlineMs = 10_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
