import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../aws-clients.ts';
import { loadConfig } from '../config.ts';
import { DependencyError } from '../errors.ts';
import type { ChunkMessage } from '../messages.ts';
import { MessagePublisher } from './message-publisher.ts';

/**
 * A fake SQS endpoint (AWS JSON protocol) whose answers each test chooses, counting requests:
 * the SDK's own retries (maxAttempts) and ours (unprocessed entries only) must not multiply.
 */
interface BatchEntry {
  Id: string;
  MessageBody: string;
}
let server: Server;
let requests: BatchEntry[][] = [];
let answer: (entries: BatchEntry[], res: ServerResponse) => void;
let clients: AwsClients;
let publisher: MessagePublisher;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));
}

function accepted(entry: BatchEntry) {
  const md5 = createHash('md5').update(entry.MessageBody).digest('hex');
  return { Id: entry.Id, MessageId: `m-${entry.Id}`, MD5OfMessageBody: md5 };
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const entries = (JSON.parse(body) as { Entries: BatchEntry[] }).Entries;
      requests.push(entries);
      answer(entries, res);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const config = loadConfig({
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  clients = createAwsClients(config.aws);
  publisher = new MessagePublisher({
    sqs: clients.sqs,
    controlQueueUrl: 'http://queue/control',
    chunkQueueUrl: 'http://queue/chunks',
  });
});

beforeEach(() => {
  requests = [];
});

afterAll(() => {
  clients.destroy();
  server.close();
});

function chunks(count: number): ChunkMessage[] {
  return Array.from({ length: count }, (_, index) => ({
    type: 'chunk.process' as const,
    v: 1 as const,
    jobId: '00000000-0000-4000-8000-000000000001',
    tenantId: 'tenant',
    index,
    byteStart: index * 10,
    byteEnd: index * 10 + 10,
    rowStart: index + 1,
    rowCount: 1,
  }));
}

describe('retry layering (MessagePublisher against a fake SQS endpoint)', () => {
  it('a failing SendMessageBatch is tried maxAttempts times in all, not once more per retry', async () => {
    answer = (_entries, res) => {
      json(res, 500, { __type: 'InternalError', message: 'down for the test' });
    };
    await expect(publisher.sendChunks(chunks(1))).rejects.toBeInstanceOf(DependencyError);
    // maxAttempts in aws-clients.ts; the publisher adds no tries of its own to an SDK error.
    expect(requests).toHaveLength(4);
  });

  it('sends again only the entries SQS failed on its side, until all are accepted', async () => {
    // Each answer fails the last entry it was sent (a server-side fault).
    answer = (entries, res) => {
      const last = entries.at(-1);
      json(res, 200, {
        Successful: entries.slice(0, -1).map(accepted),
        Failed: [{ Id: last?.Id, SenderFault: false, Code: 'InternalError', Message: 'try again' }],
      });
    };
    await expect(publisher.sendChunks(chunks(3))).rejects.toThrow(
      '1 chunk messages were not processed',
    );
    expect(requests.map((entries) => entries.map((entry) => entry.Id))).toEqual([
      ['0', '1', '2'],
      ['2'],
      ['2'],
      ['2'],
      ['2'],
    ]);

    let first = true;
    answer = (entries, res) => {
      const failed = first ? entries.slice(1) : [];
      first = false;
      json(res, 200, {
        Successful: entries.filter((entry) => !failed.includes(entry)).map(accepted),
        Failed: failed.map((entry) => ({
          Id: entry.Id,
          SenderFault: false,
          Code: 'InternalError',
        })),
      });
    };
    requests = [];
    await publisher.sendChunks(chunks(3));
    expect(requests.map((entries) => entries.map((entry) => entry.Id))).toEqual([
      ['0', '1', '2'],
      ['1', '2'],
    ]);
  });

  it('does not retry an entry SQS refused as the sender fault', async () => {
    answer = (entries, res) => {
      json(res, 200, {
        Successful: entries.slice(1).map(accepted),
        Failed: [{ Id: entries[0]?.Id, SenderFault: true, Code: 'InvalidMessageContents' }],
      });
    };
    await expect(publisher.sendChunks(chunks(2))).rejects.toThrow(/InvalidMessageContents/);
    expect(requests).toHaveLength(1);
  });
});
