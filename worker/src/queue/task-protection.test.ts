import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@contacts/shared';
import { describe, expect, it } from 'vitest';
import { TaskProtection } from './task-protection.ts';

describe('TaskProtection', () => {
  it('asks the ECS agent for protection when busy and drops it when idle, once per change', async () => {
    const calls: unknown[] = [];
    const agent = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        calls.push({ method: req.method, url: req.url, body: JSON.parse(body) as unknown });
        res.end('{}');
      });
    });
    agent.listen(0, '127.0.0.1');
    await once(agent, 'listening');
    const { port } = agent.address() as AddressInfo;
    const protection = new TaskProtection({
      agentUri: `http://127.0.0.1:${port}`,
      logger: createLogger({ level: 'silent', name: 't' }),
    });
    protection.update(true);
    protection.update(true);
    protection.update(false);
    const deadline = Date.now() + 5000;
    while (calls.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    agent.close();
    expect(calls).toEqual([
      {
        method: 'PUT',
        url: '/task-protection/v1/state',
        body: { ProtectionEnabled: true, ExpiresInMinutes: 60 },
      },
      { method: 'PUT', url: '/task-protection/v1/state', body: { ProtectionEnabled: false } },
    ]);
  });
});
