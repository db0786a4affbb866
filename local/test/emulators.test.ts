import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import {
  createAwsClients,
  createLogger,
  loadConfig,
  provisionResources,
  resourceDefinitions,
} from '@contacts/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulators } from '../src/index.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'emulators-test-'));
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function clientsFor(env: Record<string, string>) {
  const config = loadConfig({ ...env, RESOURCE_PREFIX: 'emu-test' });
  return { config, clients: createAwsClients(config.aws) };
}

describe('embedded emulators', () => {
  it('listen on loopback only', async () => {
    const emulators = await startEmulators();
    try {
      expect(new URL(emulators.s3SqsEndpoint).hostname).toBe('127.0.0.1');
      expect(new URL(emulators.dynamodbEndpoint).hostname).toBe('127.0.0.1');
    } finally {
      await emulators.close();
    }
  });

  it('provision idempotently and keep objects and messages across a restart', async () => {
    const logger = createLogger({ level: 'silent', name: 'test' });
    const first = await startEmulators({ dataDir });
    const { config, clients } = clientsFor(first.env);
    const definitions = resourceDefinitions(config.resources, config.queues);
    const urls = await provisionResources({ ...clients, logger }, definitions);
    await provisionResources({ ...clients, logger }, definitions);
    await clients.s3.send(
      new PutObjectCommand({ Bucket: config.resources.bucket, Key: 'k.txt', Body: 'hello' }),
    );
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: urls.chunk, MessageBody: 'm1' }));
    clients.destroy();
    await first.close();

    const second = await startEmulators({ dataDir });
    const again = clientsFor(second.env);
    try {
      const urlsAfter = await provisionResources({ ...again.clients, logger }, definitions);
      const object = await again.clients.s3.send(
        new GetObjectCommand({ Bucket: config.resources.bucket, Key: 'k.txt' }),
      );
      expect(await object.Body?.transformToString()).toBe('hello');
      const received = await again.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: urlsAfter.chunk, WaitTimeSeconds: 1 }),
      );
      expect(received.Messages?.map((m) => m.Body)).toEqual(['m1']);
    } finally {
      again.clients.destroy();
      await second.close();
    }
  });

  it('stop and restart on the same ports with the same data, for outage drills', async () => {
    const logger = createLogger({ level: 'silent', name: 'test' });
    const emulators = await startEmulators({ dataDir: join(dataDir, 'drill') });
    const { config, clients } = clientsFor(emulators.env);
    const put = (key: string) =>
      clients.s3.send(
        new PutObjectCommand({ Bucket: config.resources.bucket, Key: key, Body: key }),
      );
    try {
      await provisionResources(
        { ...clients, logger },
        resourceDefinitions(config.resources, config.queues),
      );
      await put('before.txt');
      await emulators.stop();
      await expect(put('during.txt')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await emulators.restart();
      // The same clients, the same endpoints: nothing to reconfigure.
      await put('after.txt');
      const before = await clients.s3.send(
        new GetObjectCommand({ Bucket: config.resources.bucket, Key: 'before.txt' }),
      );
      expect(await before.Body?.transformToString()).toBe('before.txt');
    } finally {
      clients.destroy();
      await emulators.close();
    }
  });

  it('refuse to restart without a data directory', async () => {
    const emulators = await startEmulators();
    try {
      await expect(emulators.restart()).rejects.toThrow(/dataDir/);
    } finally {
      await emulators.close();
    }
  });
});
