import { describe, expect, it } from 'vitest';
import {
  PdlSimulatorOptionsError,
  pdlSimulatorOptionsFrom,
  startPdlSimulator,
  type PdlSimulator,
  type PdlSimulatorOptions,
} from '../src/index.ts';
import { postBulk } from './pdl-simulator-helpers.ts';

const ONE = { requests: [{ params: { email: 'liz@example.com' } }] };
const SMALL_WORLD = { worldSize: 50 };

async function withSimulator(
  options: PdlSimulatorOptions,
  run: (simulator: PdlSimulator) => Promise<void>,
  now?: () => number,
): Promise<void> {
  const simulator = await startPdlSimulator({ ...SMALL_WORLD, ...options }, now ? { now } : {});
  try {
    await run(simulator);
  } finally {
    await simulator.close();
  }
}

/** A bulk call that may be cut off: 'dropped' when the connection broke. */
async function attempt(simulator: PdlSimulator): Promise<number | 'dropped'> {
  try {
    return (await postBulk(simulator, ONE)).status;
  } catch {
    return 'dropped';
  }
}

describe('PDL simulator limits', () => {
  it('answers requests over the rate with 429 and Retry-After, counting each as a violation', async () => {
    // 10 s into a minute window: the window resets in 50 s.
    let clock = Date.UTC(2026, 10, 25, 12, 0, 10);
    await withSimulator(
      { rateLimit: { requests: 3 }, apiKeys: ['key-a', 'key-b'] },
      async (simulator) => {
        const allowed = [];
        for (let i = 0; i < 3; i++) allowed.push(await postBulk(simulator, ONE, 'key-a'));
        const over = await postBulk(simulator, ONE, 'key-a');
        const otherKey = await postBulk(simulator, ONE, 'key-b');

        expect(allowed.map((c) => c.status)).toEqual([200, 200, 200]);
        expect(allowed.map((c) => c.headers.get('x-ratelimit-remaining'))).toEqual([
          '{"minute":2}',
          '{"minute":1}',
          '{"minute":0}',
        ]);
        expect(over.status).toBe(429);
        expect(over.headers.get('retry-after')).toBe('50');
        expect(over.headers.get('x-ratelimit-reset')).toBe('2026-11-25T12:01:00Z');
        expect(over.body).toMatchObject({ status: 429, error: { type: 'rate_limit_error' } });
        expect(otherKey.status).toBe(200);
        expect(simulator.stats()).toMatchObject({ rateLimitViolations: 1, matches: 4 });

        clock += 50_000;
        expect((await postBulk(simulator, ONE, 'key-a')).status).toBe(200);
        expect(simulator.stats().rateLimitViolations).toBe(1);
      },
      () => clock,
    );
  });

  it('counts requests over the concurrency cap as violations and refuses them', async () => {
    await withSimulator({ concurrency: 2, latencyMs: 400 }, async (simulator) => {
      const statuses = await Promise.all(
        Array.from({ length: 5 }, async () => (await postBulk(simulator, ONE)).status),
      );

      expect(statuses.filter((s) => s === 200)).toHaveLength(2);
      expect(statuses.filter((s) => s === 429)).toHaveLength(3);
      expect(simulator.stats()).toMatchObject({
        concurrencyViolations: 3,
        maxInFlight: 2,
        rateLimitViolations: 0,
      });
      // Once the slow ones are done, there is room again.
      expect((await postBulk(simulator, ONE)).status).toBe(200);
    });
  });

  it('injects 503s and 429s at the configured rates, the same ones for the same seed', async () => {
    const options = {
      seed: 42,
      rateLimit: { requests: 1_000 },
      faults: { serviceUnavailable: 0.3, rateLimited: 0.2, retryAfterSeconds: 7 },
    };
    const runs: (number | 'dropped')[][] = [];
    for (let run = 0; run < 2; run++) {
      await withSimulator(options, async (simulator) => {
        const statuses: (number | 'dropped')[] = [];
        for (let i = 0; i < 60; i++) statuses.push(await attempt(simulator));
        runs.push(statuses);
        const stats = simulator.stats();
        const count = (status: number): number => statuses.filter((s) => s === status).length;
        expect(stats.faults.serviceUnavailable).toBe(count(503));
        expect(stats.faults.rateLimited).toBe(count(429));
        expect(count(503)).toBeGreaterThanOrEqual(8);
        expect(count(503)).toBeLessThanOrEqual(28);
        expect(count(429)).toBeGreaterThanOrEqual(4);
        expect(count(429)).toBeLessThanOrEqual(22);
        // Injected faults are the service's doing, not the client's: no violations, no bills.
        expect(stats.rateLimitViolations).toBe(0);
        expect(stats.matches).toBe(count(200));
      });
    }
    expect(runs[1]).toEqual(runs[0]);

    await withSimulator(
      { ...options, faults: { rateLimited: 1, retryAfterSeconds: 7 } },
      async (s) => {
        const call = await postBulk(s, ONE);
        expect(call.status).toBe(429);
        expect(call.headers.get('retry-after')).toBe('7');
      },
    );
  });

  it('drops connections mid-response at the configured rate, billing what it answered', async () => {
    await withSimulator(
      { seed: 3, rateLimit: { requests: 1_000 }, faults: { dropConnection: 0.5 } },
      async (simulator) => {
        const outcomes: (number | 'dropped')[] = [];
        for (let i = 0; i < 30; i++) outcomes.push(await attempt(simulator));

        const dropped = outcomes.filter((o) => o === 'dropped').length;
        expect(dropped).toBeGreaterThanOrEqual(7);
        expect(dropped).toBeLessThanOrEqual(23);
        expect(outcomes.filter((o) => o === 200)).toHaveLength(30 - dropped);
        const stats = simulator.stats();
        expect(stats.faults.dropped).toBe(dropped);
        expect(stats.droppedMatches).toBe(dropped);
        expect(stats.matches).toBe(30);
      },
    );
  });

  it('reports stats over HTTP, counts repeated (key, person) bills, and resets', async () => {
    await withSimulator(
      { rateLimit: { requests: 2 }, apiKeys: ['key-a', 'key-b'] },
      async (simulator) => {
        await postBulk(simulator, ONE, 'key-a');
        await postBulk(simulator, ONE, 'key-a');
        await postBulk(simulator, ONE, 'key-b');
        expect((await postBulk(simulator, ONE, 'key-a')).status).toBe(429);

        const overHttp: unknown = await (await fetch(`${simulator.url}/_sim/stats`)).json();
        expect(overHttp).toEqual(simulator.stats());
        expect(simulator.stats()).toMatchObject({
          requests: 4,
          billedByKey: { 'key-a': 2, 'key-b': 1 },
          repeatedMatches: [{ key: 'key-a', personId: 'sample-elizabeth-taylor_0001', times: 2 }],
          rateLimitViolations: 1,
          responses: { '200': 3, '429': 1 },
        });

        const reset = await fetch(`${simulator.url}/_sim/reset`, { method: 'POST' });
        expect(reset.status).toBe(200);
        expect(simulator.stats()).toMatchObject({
          requests: 0,
          matches: 0,
          rateLimitViolations: 0,
          billedByKey: {},
          repeatedMatches: [],
        });
        // The rate windows start over too.
        expect((await postBulk(simulator, ONE, 'key-a')).status).toBe(200);
      },
    );
  });
});

describe('PDL simulator options', () => {
  it('reads flags over environment variables and names the culprit when invalid', () => {
    const options = pdlSimulatorOptionsFrom(['--rate-limit', '30', '--fail-503', '0.1'], {
      PDL_SIM_RATE_LIMIT: '999',
      PDL_SIM_CONCURRENCY: '4',
      PDL_SIM_KEYS: 'one, two',
    });

    expect(options).toMatchObject({
      port: 4570,
      host: '127.0.0.1',
      apiKeys: ['one', 'two'],
      concurrency: 4,
      rateLimit: { requests: 30, windowMs: 60_000 },
      faults: { serviceUnavailable: 0.1, rateLimited: 0, dropConnection: 0 },
    });
    expect(() => pdlSimulatorOptionsFrom([], { PDL_SIM_CONCURRENCY: 'lots' })).toThrow(
      /PDL_SIM_CONCURRENCY must be an integer/,
    );
    expect(() => pdlSimulatorOptionsFrom(['--fail-503', '0.7', '--fail-drop', '0.6'], {})).toThrow(
      PdlSimulatorOptionsError,
    );
  });
});
