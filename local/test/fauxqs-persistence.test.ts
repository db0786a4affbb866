import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFauxqsServer, type FauxqsServer } from '../src/fauxqs-server.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'fauxqs-persistence-'));
let server: FauxqsServer;
let sqs: SQSClient;

beforeAll(async () => {
  server = await startFauxqsServer({ host: '127.0.0.1', port: 0, dataDir });
  sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  sqs.destroy();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('persisted fauxqs', () => {
  it('keeps a message released with visibility 0 (workers do that on shutdown)', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'release-test' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'keep me' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    const [message] = first.Messages ?? [];
    expect(message?.Body).toBe('keep me');

    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl,
        ReceiptHandle: message?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );

    const again = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect(again.Messages?.map((m) => m.Body)).toEqual(['keep me']);
    expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(attributes.Attributes?.ApproximateNumberOfMessages).toBe('0');
  });
});
