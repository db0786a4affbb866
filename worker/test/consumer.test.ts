import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { startEmulators, type Emulators } from '@contacts/local';
import {
  createAwsClients,
  createLogger,
  loadConfig,
  provisionResources,
  resourceDefinitions,
  type AwsClients,
  type QueueUrls,
} from '@contacts/shared';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeferDeliveryError, QueueConsumer, type MessageHandler } from '../src/index.ts';
import { TaskProtection } from '../src/queue/task-protection.ts';

let emulators: Emulators;
let clients: AwsClients;
let urls: QueueUrls;
const logger = createLogger({ level: 'silent', name: 'consumer-test' });

beforeAll(async () => {
  emulators = await startEmulators();
  const config = loadConfig({
    ...emulators.env,
    RESOURCE_PREFIX: 'consumer-test',
    VISIBILITY_TIMEOUT_SECONDS: '3',
  });
  clients = createAwsClients(config.aws);
  urls = await provisionResources(
    { ...clients, logger },
    resourceDefinitions(config.resources, config.queues),
  );
});

afterAll(async () => {
  clients.destroy();
  await emulators.close();
});

function consumer(queueUrl: string, handler: MessageHandler): QueueConsumer {
  return new QueueConsumer({
    name: 'test',
    sqs: clients.sqs,
    queueUrl,
    handler,
    concurrency: 2,
    waitTimeSeconds: 1,
    visibilityTimeoutSeconds: 3,
    maxReceiveCount: 5,
    logger,
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function depth(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const output = await clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(output.Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(output.Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

describe('QueueConsumer', () => {
  it('keeps a slow message invisible past the visibility timeout, so no second consumer runs it', async () => {
    const runs: string[] = [];
    const slow: MessageHandler = {
      async handle(body) {
        runs.push(body);
        await sleep(7_000);
      },
    };
    const first = consumer(urls.chunk, slow);
    const second = consumer(urls.chunk, slow);
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: urls.chunk, MessageBody: 'slow' }));
    first.start();
    second.start();
    await sleep(8_500);
    await Promise.all([first.stop(1000), second.stop(1000)]);
    expect(runs).toEqual(['slow']);
    expect(await depth(urls.chunk)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('on stop, releases messages that do not finish within the deadline so others get them at once', async () => {
    const started: string[] = [];
    const stuck: MessageHandler = {
      async handle(body, context) {
        started.push(body);
        await new Promise<void>((resolve) => {
          context.signal.addEventListener('abort', () => {
            resolve();
          });
        });
      },
    };
    const worker = consumer(urls.control, stuck);
    await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: urls.control, MessageBody: 'stuck' }),
    );
    worker.start();
    const deadline = Date.now() + 10_000;
    while (started.length === 0 && Date.now() < deadline) await sleep(50);
    expect(started).toEqual(['stuck']);
    const stopStarted = Date.now();
    await worker.stop(1_500);
    expect(Date.now() - stopStarted).toBeLessThan(3_000);
    const again = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: urls.control, WaitTimeSeconds: 1 }),
    );
    expect(again.Messages?.map((m) => m.Body)).toEqual(['stuck']);
  });

  it('deletes a message classified "discard" without the retries-exhausted cleanup', async () => {
    const cleanups: string[] = [];
    let runs = 0;
    const moot: MessageHandler = {
      handle() {
        runs++;
        return Promise.reject(new Error('job was cancelled'));
      },
      onRetriesExhausted(body) {
        cleanups.push(body);
        return Promise.resolve();
      },
    };
    // A queue of its own: the test before leaves its released message on the control queue.
    const { QueueUrl: queueUrl } = await clients.sqs.send(
      new CreateQueueCommand({ QueueName: 'consumer-test-discard' }),
    );
    const worker = new QueueConsumer({
      name: 'discard',
      sqs: clients.sqs,
      queueUrl: queueUrl!,
      handler: moot,
      concurrency: 1,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 3,
      maxReceiveCount: 5,
      logger,
      classify: () => 'discard',
    });
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'moot' }));
    worker.start();
    const deadline = Date.now() + 10_000;
    while (runs === 0 && Date.now() < deadline) await sleep(50);
    await sleep(500);
    await worker.stop(1000);
    expect(runs).toBe(1);
    expect(cleanups).toEqual([]);
    expect(await depth(queueUrl!)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('runs light deliveries besides its concurrency, and finishing ones besides both', async () => {
    const gate = (): { wait: Promise<void>; open: () => void } => {
      let open = (): void => undefined;
      const wait = new Promise<void>((resolve) => {
        open = resolve;
      });
      return { wait, open };
    };
    const fetched = gate();
    const stored = gate();
    const done: string[] = [];
    const light: MessageHandler = {
      async handle(body, context) {
        context.markLight(); // waits on a remote service, as a page fetch does
        await fetched.wait;
        context.markFinishing(); // only its writes left
        await stored.wait;
        done.push(body);
      },
    };
    const { QueueUrl: queueUrl } = await clients.sqs.send(
      new CreateQueueCommand({ QueueName: 'consumer-test-light' }),
    );
    const worker = new QueueConsumer({
      name: 'light',
      sqs: clients.sqs,
      queueUrl: queueUrl!,
      handler: light,
      concurrency: 1,
      lightConcurrency: 3,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 3,
      maxReceiveCount: 5,
      logger,
    });
    for (let i = 0; i < 8; i++)
      await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `m${i}` }));
    const inFlightSettles = async (count: number): Promise<void> => {
      const deadline = Date.now() + 10_000;
      while (worker.inFlightCount < count && Date.now() < deadline) await sleep(50);
      await sleep(1_500); // long enough for a consumer that overshoots to show it
    };
    worker.start();

    // Three light, and one that waits for the light room while counting against concurrency:
    // it takes no more, so the other messages stay in the queue for other workers.
    await inFlightSettles(4);
    expect(worker.inFlightCount).toBe(4);
    expect((await depth(queueUrl!)).visible).toBe(4);

    // Finishing deliveries count against nothing: the rest are received meanwhile.
    fetched.open();
    await inFlightSettles(8);
    expect(worker.inFlightCount).toBe(8);
    expect(done).toEqual([]);

    stored.open();
    const deadline = Date.now() + 10_000;
    while (done.length < 8 && Date.now() < deadline) await sleep(50);
    await worker.stop(1000);
    expect(done.toSorted()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    expect(await depth(queueUrl!)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('brings a deferred message back after the time it asked for, as no failure', async () => {
    const cleanups: string[] = [];
    const receivedAt: number[] = [];
    const busy: MessageHandler = {
      handle() {
        receivedAt.push(Date.now());
        if (receivedAt.length === 1)
          return Promise.reject(new DeferDeliveryError('held elsewhere', { retryAfterSeconds: 2 }));
        return Promise.resolve();
      },
      onRetriesExhausted(body) {
        cleanups.push(body);
        return Promise.resolve();
      },
    };
    const { QueueUrl: queueUrl } = await clients.sqs.send(
      new CreateQueueCommand({ QueueName: 'consumer-test-defer' }),
    );
    const worker = new QueueConsumer({
      name: 'defer',
      sqs: clients.sqs,
      queueUrl: queueUrl!,
      handler: busy,
      concurrency: 1,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 30,
      // One delivery allowed: a deferral that counted as a failure would clean up and give up.
      maxReceiveCount: 1,
      logger,
      classify: () => 'settle',
    });
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'later' }));
    worker.start();
    const deadline = Date.now() + 15_000;
    while (receivedAt.length < 2 && Date.now() < deadline) await sleep(50);
    await worker.stop(1000);
    expect(receivedAt).toHaveLength(2);
    // Back after the 2 s it asked for (not the 30 s visibility timeout, nor at once).
    expect(receivedAt[1]! - receivedAt[0]!).toBeGreaterThanOrEqual(1900);
    expect(receivedAt[1]! - receivedAt[0]!).toBeLessThan(10_000);
    expect(cleanups).toEqual([]);
    expect(await depth(queueUrl!)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('keeps the task protected while a long handler runs, renewing it, and releases it when idle', async () => {
    // A fake ECS agent on 127.0.0.1 that records each PUT with the time it arrived.
    const puts: { at: number; enabled: boolean }[] = [];
    const agent = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (req.method === 'PUT' && req.url === '/task-protection/v1/state') {
          const { ProtectionEnabled } = JSON.parse(body) as { ProtectionEnabled: boolean };
          puts.push({ at: Date.now(), enabled: ProtectionEnabled });
        }
        res.setHeader('Content-Type', 'application/json').end('{"protection":{}}');
      });
    });
    agent.listen(0, '127.0.0.1');
    await once(agent, 'listening');
    const { port } = agent.address() as AddressInfo;
    const renewEveryMs = 200;
    const protection = new TaskProtection({
      agentUri: `http://127.0.0.1:${port}`,
      logger,
      expiresInMinutes: 1,
      renewEveryMs,
    });
    let handled: { from: number; to: number } | undefined;
    const long: MessageHandler = {
      async handle() {
        const from = Date.now();
        await sleep(1_500);
        handled = { from, to: Date.now() };
      },
    };
    const { QueueUrl: queueUrl } = await clients.sqs.send(
      new CreateQueueCommand({ QueueName: 'consumer-test-protection' }),
    );
    const worker = new QueueConsumer({
      name: 'protection',
      sqs: clients.sqs,
      queueUrl: queueUrl!,
      handler: long,
      concurrency: 1,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 3,
      maxReceiveCount: 5,
      logger,
      onBusyChange: (busy) => {
        protection.update(busy);
      },
    });
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'long' }));
    worker.start();
    const deadline = Date.now() + 10_000;
    while (puts.at(-1)?.enabled !== false && Date.now() < deadline) await sleep(50);
    await worker.stop(1000);
    await protection.settled();
    agent.close();

    expect(handled).toBeDefined();
    const enabled = puts.filter((put) => put.enabled);
    const released = puts.filter((put) => !put.enabled);
    // Set as the handler starts, renewed throughout it, released once, after it ended.
    expect(enabled[0]!.at).toBeLessThanOrEqual(handled!.from + renewEveryMs);
    // Slack for a busy machine; what matters is that renewals keep coming well before expiry.
    expect(enabled.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < enabled.length; i++)
      expect(enabled[i]!.at - enabled[i - 1]!.at).toBeLessThan(renewEveryMs * 5);
    expect(released).toHaveLength(1);
    expect(puts.at(-1)).toEqual(released[0]);
    expect(released[0]!.at).toBeGreaterThanOrEqual(handled!.to);
  });

  it('refuses settings that cannot work', () => {
    expect(() => {
      consumer(urls.chunk, { handle: () => Promise.resolve() }).start();
    }).not.toThrow();
    expect(
      () =>
        new QueueConsumer({
          name: 'bad',
          sqs: clients.sqs,
          queueUrl: urls.chunk,
          handler: { handle: () => Promise.resolve() },
          concurrency: 0,
          waitTimeSeconds: 1,
          visibilityTimeoutSeconds: 3,
          maxReceiveCount: 5,
          logger,
        }),
    ).toThrow(/concurrency/);
  });
});
