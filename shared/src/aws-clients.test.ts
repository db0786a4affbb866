import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from './aws-clients.ts';
import { loadConfig } from './config.ts';

/** Accepts connections and never answers: the worst kind of outage. */
let hung: Server;
const sockets = new Set<Socket>();
let endpoint: string;

beforeAll(async () => {
  hung = createServer((socket) => {
    sockets.add(socket);
  });
  hung.listen(0, '127.0.0.1');
  await once(hung, 'listening');
  const address = hung.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  endpoint = `http://127.0.0.1:${address.port}`;
});

afterAll(() => {
  for (const socket of sockets) socket.destroy();
  hung.close();
});

describe('AWS clients', () => {
  it('give up on a dependency that never answers instead of hanging', async () => {
    const config = loadConfig({
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    const clients = createAwsClients(config.aws, { connectMs: 500, idleMs: 200, requestMs: 400 });
    const started = performance.now();
    try {
      await expect(
        clients.dynamodb.send(new DescribeTableCommand({ TableName: 't' })),
      ).rejects.toMatchObject({ name: 'TimeoutError' });
    } finally {
      clients.destroy();
    }
    // Four attempts of at most 400 ms plus the SDK's backoff between them.
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
