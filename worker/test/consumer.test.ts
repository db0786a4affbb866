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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueConsumer, type MessageHandler } from '../src/index.ts';

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
