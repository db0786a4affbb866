import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startEmulators, type Emulators } from '@contacts/local';
import {
  connectToAws,
  createAwsClients,
  createLogger,
  DynamoRequestLimiter,
  loadConfig,
  type AppConfig,
  type AwsClients,
  type LimitPermit,
} from '@contacts/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/*
 * Each DynamoRequestLimiter here stands for one worker process: its own DynamoDB client and its
 * own waiting entry. Rates are high (600 per minute: one request per 100 ms) so the timing is
 * measurable in a few seconds.
 */

let emulators: Emulators;
let config: AppConfig;
const clients: AwsClients[] = [];
let account = 0;

beforeAll(async () => {
  emulators = await startEmulators();
  config = loadConfig({ ...emulators.env, RESOURCE_PREFIX: 'limiter-test' });
  const logger = createLogger({ level: 'silent', name: 't' });
  const connection = await connectToAws(config, logger, { provision: true });
  clients.push(connection.clients);
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await emulators.close();
});

/** `count` limiters of one fresh account, each on a client of its own ("processes"). */
function processes(
  count: number,
  limits: { requestsPerMinute?: number; maxConcurrency?: number; slotLeaseMs?: number },
): DynamoRequestLimiter[] {
  const name = `account-${++account}-${Date.now()}`;
  return Array.from({ length: count }, () => {
    const aws = createAwsClients(config.aws);
    clients.push(aws);
    return new DynamoRequestLimiter({
      client: aws.dynamodb,
      table: config.resources.providersTable,
      account: name,
      ...limits,
    });
  });
}

interface Grant {
  readonly jobId: string;
  readonly at: number;
}

/** Acquires and releases in a loop until `stop()` says so; records every grant. */
async function requestLoop(
  limiter: DynamoRequestLimiter,
  jobId: string,
  grants: Grant[],
  stop: () => boolean,
  hold: (permit: LimitPermit) => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  while (!stop()) {
    const permit = await limiter.acquire({ jobId });
    grants.push({ jobId, at: Date.now() });
    await hold(permit);
    await permit.release();
  }
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('DynamoRequestLimiter', () => {
  it('holds the rate across processes and concurrent waiters (600/min, one burst token)', async () => {
    const limiters = processes(3, { requestsPerMinute: 600 });
    const grants: Grant[] = [];
    const started = Date.now();
    const stop = (): boolean => Date.now() - started > 3_000;
    await Promise.all(
      limiters.flatMap((limiter, p) =>
        [0, 1, 2, 3].map((w) => requestLoop(limiter, `job-${p}-${w % 2}`, grants, stop)),
      ),
    );
    const first = grants[0]?.at ?? started;
    const last = grants.at(-1)?.at ?? started;
    const allowed = 1 + (last - first) / 100;
    // Never above the rate plus the one token a fresh bucket starts with (and one for the
    // latency between taking a token and the test seeing the grant).
    expect(grants.length).toBeLessThanOrEqual(allowed + 1);
    // …and not far below it: the processes pace themselves from the configuration.
    expect(grants.length).toBeGreaterThanOrEqual(allowed * 0.7);
  });

  it('never lets more requests run than the cap, across processes', async () => {
    const limiters = processes(3, { maxConcurrency: 3 });
    const grants: Grant[] = [];
    let running = 0;
    let most = 0;
    const hold = async (): Promise<void> => {
      running++;
      most = Math.max(most, running);
      await delay(20);
      // Counted out before the release, so the count is never below the truth.
      running--;
    };
    await Promise.all(
      limiters.flatMap((limiter, p) =>
        [0, 1, 2, 3].map((w) =>
          requestLoop(limiter, `job-${p}-${w}`, grants, () => grants.length >= 60, hold),
        ),
      ),
    );
    expect(most).toBe(3);
    expect(grants.length).toBeGreaterThanOrEqual(60);
  });

  it('keeps the cap when released slots go straight to waiters of the same job', async () => {
    // One job everywhere: each process hands its released slots on to its own waiters.
    const limiters = processes(3, { maxConcurrency: 3 });
    const grants: Grant[] = [];
    let running = 0;
    let most = 0;
    const hold = async (): Promise<void> => {
      running++;
      most = Math.max(most, running);
      await delay(20);
      running--;
    };
    await Promise.all(
      limiters.flatMap((limiter) =>
        [0, 1, 2, 3].map(() =>
          requestLoop(limiter, 'one-job', grants, () => grants.length >= 90, hold),
        ),
      ),
    );
    expect(most).toBeLessThanOrEqual(3);
    expect(grants.length).toBeGreaterThanOrEqual(90);
  });

  it('takes a burst of requests for one job with one write, not a write per slot', async () => {
    const aws = createAwsClients(config.aws);
    clients.push(aws);
    let writes = 0;
    let reads = 0;
    aws.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateItemCommand') writes++;
        if (context.commandName === 'GetItemCommand') reads++;
        return next(args);
      },
      { step: 'initialize', name: 'countWrites' },
    );
    const limiter = new DynamoRequestLimiter({
      client: aws.dynamodb,
      table: config.resources.providersTable,
      account: `burst-${Date.now()}`,
      maxConcurrency: 10,
    });

    const permits = await Promise.all(
      Array.from({ length: 8 }, () => limiter.acquire({ jobId: 'burst-job' })),
    );

    expect(permits).toHaveLength(8);
    // A new account: the waiting entry (tried, then written once the item is made), a first
    // take of half the cap (room for a worker not seen yet), one take for the rest.
    expect(writes).toBeLessThanOrEqual(4);
    // Each write answers with the item as it left it: the decisions after it read nothing.
    expect(reads).toBe(0);
    await Promise.all(permits.map((permit) => permit.release()));
  });

  it('shares one job’s slots evenly between the processes working on it', async () => {
    const [first, ...later] = processes(3, { maxConcurrency: 9 });
    if (first === undefined) throw new Error('no limiter');
    const grants = new Map<DynamoRequestLimiter, number[]>();
    let running = 0;
    let most = 0;
    let stopAt = Infinity;
    const loops = (limiter: DynamoRequestLimiter): Promise<void>[] => {
      const times: number[] = [];
      grants.set(limiter, times);
      return Array.from({ length: 9 }, async () => {
        while (Date.now() < stopAt) {
          const permit = await limiter.acquire({ jobId: 'shared-job' });
          times.push(Date.now());
          running++;
          most = Math.max(most, running);
          await delay(100);
          running--;
          await permit.release();
        }
      });
    };
    // The first process takes every slot while it is alone, then two more join with as much work.
    const alone = loops(first);
    await delay(600);
    const joinedAt = Date.now();
    const joined = later.flatMap(loops);
    stopAt = joinedAt + 2_500;
    await Promise.all([...alone, ...joined]);

    const settled = joinedAt + 700;
    const counts = [...grants.values()].map((times) => times.filter((t) => t >= settled).length);
    const total = counts.reduce((a, b) => a + b, 0);
    expect(most).toBeLessThanOrEqual(9);
    // Even would be a third each; without the share the first kept all nine slots to itself.
    for (const count of counts) expect(count / total).toBeGreaterThan(0.2);
  });

  it('leaves part of a job’s first slots to a worker that starts on it a moment later', async () => {
    const [first, second] = processes(2, { maxConcurrency: 10 });
    if (first === undefined || second === undefined) throw new Error('no limiter');
    const held: { from: string; permit: LimitPermit }[] = [];
    const ask = (limiter: DynamoRequestLimiter, from: string): Promise<void>[] =>
      Array.from({ length: 10 }, async () => {
        const permit = await limiter.acquire({ jobId: 'first-wave' });
        held.push({ from, permit });
      });
    // Both received ten pages; the first asks 5 ms sooner. Nothing is released: these ten
    // grants are the job's whole first wave.
    const asked = [...ask(first, 'first'), ...(await delay(5).then(() => ask(second, 'second')))];
    await vi.waitFor(() => {
      expect(held).toHaveLength(10);
    });

    const second10 = held.filter((grant) => grant.from === 'second').length;
    // Without room for a worker not seen yet, the first took all ten in its first write and the
    // second waited for their release (a Mailchimp page later).
    expect(second10).toBeGreaterThanOrEqual(3);
    expect(second10).toBeLessThanOrEqual(7);
    for (const grant of held.splice(0)) await grant.permit.release();
    await vi.waitFor(() => {
      expect(held).toHaveLength(10);
    });
    for (const grant of held.splice(0)) await grant.permit.release();
    await Promise.all(asked);
  });

  it('frees the slot of a killed worker once its lease ends', async () => {
    const [limiter] = processes(1, { maxConcurrency: 1, slotLeaseMs: 1_000 });
    if (limiter === undefined) throw new Error('no limiter');
    const name = `killed-${Date.now()}`;
    const holder = spawnHolder(name, 1_000);
    try {
      const [line] = (await once(holder.stdout!, 'data')) as [Buffer];
      expect(line.toString()).toContain('held');
      const mine = new DynamoRequestLimiter({
        client: clients[0]!.dynamodb,
        table: config.resources.providersTable,
        account: name,
        maxConcurrency: 1,
        slotLeaseMs: 1_000,
      });
      // While the holder lives (and renews its lease), the one slot stays taken.
      await expect(
        mine.acquire({ jobId: 'waiting-job', signal: AbortSignal.timeout(1_500) }),
      ).rejects.toMatchObject({ name: 'TimeoutError' });
      holder.kill('SIGKILL');
      await once(holder, 'exit');
      const killedAt = Date.now();
      const permit = await mine.acquire({ jobId: 'waiting-job' });
      expect(Date.now() - killedAt).toBeLessThan(1_000 + 500);
      await permit.release();
      await permit.release();
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('frees a killed worker’s slot within the default lease (6 s), not 30 s', async () => {
    const name = `killed-default-${Date.now()}`;
    const holder = spawnHolder(name, 'default');
    try {
      const [line] = (await once(holder.stdout!, 'data')) as [Buffer];
      expect(line.toString()).toContain('held');
      const mine = new DynamoRequestLimiter({
        client: clients[0]!.dynamodb,
        table: config.resources.providersTable,
        account: name,
        maxConcurrency: 1,
      });
      holder.kill('SIGKILL');
      await once(holder, 'exit');
      const killedAt = Date.now();
      const permit = await mine.acquire({ jobId: 'waiting-job' });
      const waitedMs = Date.now() - killedAt;
      expect(waitedMs).toBeLessThan(6_000 + 1_500);
      await permit.release();
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('rejects with the signal’s reason when aborted, before or while waiting', async () => {
    const [limiter] = processes(1, { requestsPerMinute: 6 });
    if (limiter === undefined) throw new Error('no limiter');
    const first = await limiter.acquire({ jobId: 'a' });
    await first.release();
    // The next token is 10 s away.
    const controller = new AbortController();
    const waiting = limiter.acquire({ jobId: 'a', signal: controller.signal });
    setTimeout(() => {
      controller.abort(new Error('job cancelled'));
    }, 100);
    await expect(waiting).rejects.toThrow('job cancelled');
    const reason = new Error('already cancelled');
    await expect(limiter.acquire({ jobId: 'b', signal: AbortSignal.abort(reason) })).rejects.toBe(
      reason,
    );
  });

  it('gives a small job arriving late its share while a big job saturates the rate', async () => {
    const result = await smallJobShare(processes(3, { requestsPerMinute: 600 }), () =>
      Promise.resolve(),
    );
    expect(result.smallGrants).toBe(12);
    // Two jobs: about half each, though the big job has 12 waiters to the small job's 2.
    expect(result.share).toBeGreaterThanOrEqual(0.4);
    // 12 requests at half of 10 per second.
    expect(result.tookMs).toBeLessThan(4_000);
  });

  it('gives a small job arriving late its share of the slots (concurrency only)', async () => {
    const result = await smallJobShare(processes(3, { maxConcurrency: 2 }), () => delay(50));
    expect(result.smallGrants).toBe(12);
    expect(result.share).toBeGreaterThanOrEqual(0.35);
  });
});

async function smallJobShare(
  limiters: readonly DynamoRequestLimiter[],
  hold: () => Promise<void>,
): Promise<{ share: number; smallGrants: number; tookMs: number }> {
  const [a, b, c] = limiters;
  if (a === undefined || b === undefined || c === undefined) throw new Error('three limiters');
  const grants: Grant[] = [];
  let smallDone = false;
  const stop = (): boolean => smallDone;
  // The big job: many waiters in two processes.
  const big = [a, b].flatMap((limiter) =>
    [0, 1, 2, 3, 4, 5].map(() => requestLoop(limiter, 'big-job', grants, stop, hold)),
  );
  await delay(800);
  const arrived = Date.now();
  // The small job: 12 requests, one waiter in a process shared with the big job, one alone.
  let smallLeft = 12;
  const small = [b, c].map(async (limiter) => {
    while (smallLeft > 0) {
      smallLeft--;
      const permit = await limiter.acquire({ jobId: 'small-job' });
      grants.push({ jobId: 'small-job', at: Date.now() });
      await hold();
      await permit.release();
    }
  });
  await Promise.all(small);
  const finished = Date.now();
  smallDone = true;
  await Promise.all(big);
  expect(grants.filter((g) => g.jobId === 'big-job' && g.at < arrived).length).toBeGreaterThan(4);
  const during = grants.filter((g) => g.at >= arrived && g.at <= finished);
  const smallGrants = during.filter((g) => g.jobId === 'small-job').length;
  return { share: smallGrants / during.length, smallGrants, tookMs: finished - arrived };
}

function spawnHolder(name: string, leaseMs: number | 'default'): ChildProcess {
  const script = fileURLToPath(new URL('./support/hold-slot.ts', import.meta.url));
  return spawn(process.execPath, ['--conditions=source', script, name, String(leaseMs)], {
    env: { ...process.env, ...emulators.env, RESOURCE_PREFIX: 'limiter-test' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}
