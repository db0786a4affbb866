import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createAwsClients,
  createLogger,
  loadConfig,
  OutageLog,
  type AwsClients,
} from '@contacts/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { QueueMessages } from './queue-messages.ts';

/** A fake SQS endpoint that answers every request with a 500, counting them. */
let server: Server;
let requests: string[] = [];
let clients: AwsClients;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(String(req.headers['x-amz-target']));
    req.resume();
    req.on('end', () => {
      res
        .writeHead(500, { 'Content-Type': 'application/x-amz-json-1.0' })
        .end(JSON.stringify({ __type: 'InternalError', message: 'down for the test' }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  clients = createAwsClients(
    loadConfig({
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    }).aws,
  );
});

afterAll(() => {
  clients.destroy();
  server.close();
});

describe('QueueMessages', () => {
  it('tries a delete only as often as the SDK does, then leaves the message to reappear', async () => {
    const logger = createLogger({ level: 'silent', name: 'queue-messages-test' });
    const errors = vi.spyOn(logger, 'error');
    const messages = new QueueMessages({
      sqs: clients.sqs,
      queueUrl: 'http://queue/chunks',
      outage: new OutageLog(logger, 'chunks queue'),
      logger,
    });
    requests = [];
    const message = { MessageId: 'm-1', ReceiptHandle: 'r-1', Body: '{}' };
    await expect(messages.delete(message)).resolves.toBeUndefined();
    await expect(messages.setVisibility(message, 0)).resolves.toBeUndefined();
    // maxAttempts (4) each: the consumer used to add three tries of its own per delete (12).
    expect(requests).toEqual([
      ...Array<string>(4).fill('AmazonSQS.DeleteMessage'),
      ...Array<string>(4).fill('AmazonSQS.ChangeMessageVisibility'),
    ]);
    // One outage, logged once.
    expect(errors).toHaveBeenCalledTimes(1);
  });
});
