import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@contacts/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TaskProtection } from './task-protection.ts';

interface AgentCall {
  readonly at: number;
  readonly body: { ProtectionEnabled: boolean; ExpiresInMinutes?: number };
}

/**
 * A fake ECS agent on 127.0.0.1: records every PUT and, like the real one, keeps a task
 * protected until ExpiresInMinutes after the last PUT that enabled it.
 */
async function startAgent(options: { status?: () => number } = {}) {
  const calls: AgentCall[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.method !== 'PUT' || req.url !== '/task-protection/v1/state') {
        res.writeHead(404).end('{}');
        return;
      }
      const status = options.status?.() ?? 200;
      if (status === 200)
        calls.push({ at: Date.now(), body: JSON.parse(body) as AgentCall['body'] });
      res.writeHead(status, { 'Content-Type': 'application/json' }).end('{"protection":{}}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    uri: `http://127.0.0.1:${port}`,
    calls,
    /** Whether the agent holds protection at `now`, from what it was told. */
    protectedAt(now: number): boolean {
      const last = calls.at(-1);
      if (last?.body.ProtectionEnabled !== true) return false;
      return now < last.at + (last.body.ExpiresInMinutes ?? 120) * 60_000;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

const silent = () => createLogger({ level: 'silent', name: 'task-protection-test' });

afterEach(() => {
  vi.useRealTimers();
});

describe('TaskProtection', () => {
  it('asks the ECS agent for protection when busy and drops it when idle, once per change', async () => {
    const agent = await startAgent();
    const protection = new TaskProtection({ agentUri: agent.uri, logger: silent() });
    protection.update(true);
    protection.update(true);
    protection.update(false);
    await protection.settled();
    await agent.close();
    expect(agent.calls.map((call) => call.body)).toEqual([
      { ProtectionEnabled: true, ExpiresInMinutes: 15 },
      { ProtectionEnabled: false },
    ]);
  });

  it('renews protection before it expires for as long as work lasts, then releases it', async () => {
    // A fake clock: ten minutes of a long handler pass in milliseconds; requests are real.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const agent = await startAgent();
    const protection = new TaskProtection({
      agentUri: agent.uri,
      logger: silent(),
      expiresInMinutes: 1,
    });
    protection.update(true);
    await protection.settled();
    for (let second = 0; second < 600; second++) {
      expect(agent.protectedAt(Date.now())).toBe(true);
      vi.advanceTimersByTime(1000);
      await protection.settled();
    }
    const renewals = agent.calls.filter((call) => call.body.ProtectionEnabled).length;
    // Once at the start, then every 20 s (a third of the minute).
    expect(renewals).toBe(1 + 600 / 20);

    protection.update(false);
    await protection.settled();
    expect(agent.protectedAt(Date.now())).toBe(false);
    const callsWhenIdle = agent.calls.length;
    vi.advanceTimersByTime(10 * 60_000);
    await protection.settled();
    expect(agent.calls).toHaveLength(callsWhenIdle);
    await agent.close();
  });

  it('logs a failing agent once, not on every renewal, and says when it answers again', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let status = 503;
    const agent = await startAgent({ status: () => status });
    const logger = silent();
    const errors = vi.spyOn(logger, 'error');
    const infos = vi.spyOn(logger, 'info');
    const protection = new TaskProtection({
      agentUri: agent.uri,
      logger,
      expiresInMinutes: 1,
      renewEveryMs: 1000,
    });
    protection.update(true);
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(1000);
      await protection.settled();
    }
    expect(agent.calls).toHaveLength(0);
    expect(errors).toHaveBeenCalledTimes(1);

    status = 200;
    vi.advanceTimersByTime(1000);
    await protection.settled();
    expect(agent.calls.map((call) => call.body.ProtectionEnabled)).toEqual([true]);
    expect(infos).toHaveBeenCalledTimes(1);
    expect(infos.mock.calls[0]?.[1]).toMatch(/reachable again/);
    protection.update(false);
    await protection.settled();
    await agent.close();
  });

  it('refuses an expiry ECS does not accept and renewals that come too late', () => {
    const options = { agentUri: 'http://127.0.0.1:1', logger: silent() };
    expect(() => new TaskProtection({ ...options, expiresInMinutes: 0 })).toThrow(RangeError);
    expect(() => new TaskProtection({ ...options, expiresInMinutes: 2881 })).toThrow(RangeError);
    expect(
      () => new TaskProtection({ ...options, expiresInMinutes: 1, renewEveryMs: 60_000 }),
    ).toThrow(/shorter than/);
  });
});
