import { randomUUID } from 'node:crypto';
import {
  DEFAULT_MAILCHIMP_SIM_KEY,
  SAMPLE_LIST_ID,
  startMailchimpSimulator,
  type MailchimpSimulator,
} from '@contacts/local';
import {
  createMailchimpClient,
  createLogger,
  DirectoryIndexLeases,
  MailchimpLimiters,
  mailchimpAccountKey,
  MessagePublisher,
  NicknameStore,
  objectKeys,
  WriteBackRecords,
  type ChunkQueueMessage,
  type ControlMessage,
  type MergeMessage,
} from '@contacts/shared';
import {
  audienceOpener,
  directoryEnricherProvider,
  handleMerge,
  handlePage,
  handlePageFetch,
  handleSplit,
  handleWriteBack,
  parseCsvText,
  type AudienceOpener,
  type DeliveryContext,
  type PipelineDeps,
} from '@contacts/worker';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  audienceDirectoryCsv,
  download,
  startHarness,
  TENANT_A,
  waitForJob,
  type Harness,
  type JobBody,
} from '../src/index.ts';

/**
 * Mailchimp jobs end to end: the real API and workers against the emulators, the Mailchimp
 * simulator behind the real client and its fleet-wide limiter (DynamoDB).
 */
const auth = { Authorization: `Bearer ${TENANT_A.key}` };
const logger = createLogger({ level: 'silent', name: 'e2e-mailchimp' });
const BAD_KEY = '0123456789abcdef0123456789abcdef-us1';
/**
 * Connection id → key and simulator: the tests' stand-in for the connection store (the store
 * itself is tested with the connections API). Each simulator is its own account.
 */
const connections = new Map<string, { apiKey: string; account: string }>();
const simulatorUrls = new Map<string, string>();
let harness: Harness;
let simulator: MailchimpSimulator;

function connect(id: string, sim: MailchimpSimulator, apiKey = DEFAULT_MAILCHIMP_SIM_KEY): void {
  const account = mailchimpAccountKey('us1', `sim-${sim.url}`);
  simulatorUrls.set(account, sim.url);
  connections.set(id, { apiKey, account });
}

function opener(): AudienceOpener {
  const limiters = new MailchimpLimiters({
    client: harness.workerClients.dynamodb,
    table: harness.config.resources.providersTable,
  });
  return audienceOpener({
    openConnection: (_tenantId, connectionId) => {
      const connection = connections.get(connectionId);
      return Promise.resolve(
        connection === undefined
          ? undefined
          : { apiKey: connection.apiKey, accountKey: connection.account },
      );
    },
    client: ({ apiKey, accountKey, jobId }) =>
      createMailchimpClient({
        apiKey,
        apiUrl: simulatorUrls.get(accountKey) ?? '',
        limiter: limiters.forAccount(accountKey),
        jobId,
        attempts: 2,
        backoffMs: 50,
        logger,
      }),
  });
}

beforeAll(async () => {
  simulator = await startMailchimpSimulator({ latencyMs: 20, sampleSize: 300 });
  connect('conn-sample', simulator);
  connect('conn-revoked', simulator, BAD_KEY);
  harness = await startHarness({
    prefix: 'e2e-mailchimp',
    connections: {
      exists: (_tenantId, connectionId) => Promise.resolve(connections.has(connectionId)),
    },
  });
  // Three workers, each with its own limiters, as three processes would have: the limit they
  // share is the one in DynamoDB.
  for (let i = 0; i < 3; i++) harness.startWorker({ audiences: opener() });
});

afterAll(async () => {
  await harness.close();
  await simulator.close();
});

async function submit(body: Record<string, unknown>): Promise<string> {
  const res = await request(harness.app).post('/v1/jobs').set(auth).send(body);
  expect(res.status).toBe(202);
  expect(res.body.status).toBe('queued');
  return res.body.id as string;
}

function source(listId: string, connectionId = 'conn-sample'): Record<string, unknown> {
  return { type: 'mailchimp', connectionId, listId };
}

async function resultEmails(view: JobBody): Promise<{ header: string[]; emails: string[] }> {
  const url = (view.result as { url: string }).url;
  const rows = await parseCsvText(await download(url), { delimiter: ',' });
  const [header = [], ...data] = rows;
  const at = header.indexOf('Email Address');
  return { header, emails: data.map((row) => row[at] ?? '') };
}

describe('Mailchimp jobs', () => {
  it('creates the job queued, with its source and no upload; refuses unknown connections', async () => {
    const unknown = await request(harness.app)
      .post('/v1/jobs')
      .set(auth)
      .send({ source: source('anything', 'conn-nobody') });
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/problem\+json/);
    const invalid = await request(harness.app)
      .post('/v1/jobs')
      .set(auth)
      .send({ source: { type: 'mailchimp', listId: 'x' } });
    expect(invalid.status).toBe(400);
  });

  it('imports every member exactly once, with the enrichment columns of a CSV job', async () => {
    const listId = simulator.createAudience({ size: 2500, seed: 7 });
    const id = await submit({ source: source(listId), chunkRows: 1000 });

    const view = await waitForJob(harness.app, id, { timeoutMs: 60_000 });

    expect(view.error).toBeUndefined();
    expect(view.status).toBe('completed');
    expect(view.source).toMatchObject({ type: 'mailchimp', listId, members: 2500 });
    expect(view.progress).toMatchObject({ rowsTotal: 2500, rowsProcessed: 2500 });
    const { header, emails } = await resultEmails(view);
    expect(header).toEqual(
      expect.arrayContaining(['FNAME', 'LNAME', 'PHONE', 'COMPANY', 'match_status']),
    );
    const expected = simulator.members(listId).map((m) => m.email);
    expect(emails).toEqual(expected);
    // Only the fields the rows use were asked for.
    expect(simulator.stats().connectionViolations).toBe(0);
  });
});

/** A directory that knows the first `changed` members with another, newer company. */
async function directoryChanging(listId: string, changed: number): Promise<string> {
  const res = await request(harness.app)
    .post('/v1/directories')
    .set(auth)
    .set('Content-Type', 'text/csv')
    .send(
      audienceDirectoryCsv(simulator.members(listId), (i) =>
        i < changed ? `Newco ${i}` : undefined,
      ),
    );
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('Mailchimp write-back', () => {
  it('sends only the members and fields that changed, once each', async () => {
    const listId = simulator.createAudience({ size: 60, seed: 21 });
    const before = simulator.members(listId);
    const directoryId = await directoryChanging(listId, 12);
    simulator.reset();

    const id = await submit({
      source: source(listId),
      writeBack: true,
      directoryId,
      chunkRows: 25,
    });
    const view = await waitForJob(harness.app, id, { timeoutMs: 60_000 });

    expect(view.error).toBeUndefined();
    expect(view.status).toBe('completed');
    expect(view.writeBack).toEqual({ membersWritten: 12, errors: 0 });
    const upserted = simulator.upsertsOf(listId);
    expect([...upserted.keys()].sort()).toEqual(
      before
        .slice(0, 12)
        .map((m) => m.email.toLowerCase())
        .sort(),
    );
    expect([...upserted.values()].every((times) => times === 1)).toBe(true);
    const after = simulator.members(listId);
    after.forEach((member, i) => {
      const old = before[i]!;
      const expected = i < 12 ? { ...old.mergeFields, COMPANY: `Newco ${i}` } : old.mergeFields;
      expect(member.mergeFields).toEqual(expected);
    });
    expect(simulator.stats().upserts).toMatchObject({ updated: 12, unchanged: 0, errors: 0 });
  });
});

describe('Mailchimp failures', () => {
  it('fails a job whose key Mailchimp refuses with mailchimp_unauthorized', async () => {
    const id = await submit({ source: source(SAMPLE_LIST_ID, 'conn-revoked') });

    const view = await waitForJob(harness.app, id, { timeoutMs: 30_000 });

    expect(view.status).toBe('failed');
    expect(view.error.code).toBe('mailchimp_unauthorized');
  });

  it('fails a job naming an unknown list with mailchimp_list_not_found', async () => {
    const id = await submit({ source: source('0000000000') });

    const view = await waitForJob(harness.app, id, { timeoutMs: 30_000 });

    expect(view.status).toBe('failed');
    expect(view.error.code).toBe('mailchimp_list_not_found');
  });
});

describe('two jobs on one account, three workers', () => {
  it('never has more than 10 connections open on the account', async () => {
    const busy = await startMailchimpSimulator({ latencyMs: 40, sampleSize: 0, seed: 5 });
    const lists = [
      busy.createAudience({ size: 6000, seed: 1 }),
      busy.createAudience({ size: 6000, seed: 2 }),
    ];
    connect('conn-busy', busy);
    try {
      const ids = await Promise.all(
        lists.map((listId) => submit({ source: source(listId, 'conn-busy'), chunkRows: 200 })),
      );
      const views = await Promise.all(
        ids.map((id) => waitForJob(harness.app, id, { timeoutMs: 120_000 })),
      );

      expect(views.map((v) => String(v.status))).toEqual(['completed', 'completed']);
      const stats = busy.stats();
      expect(stats.connectionViolations).toBe(0);
      expect(stats.maxConnections).toBeLessThanOrEqual(10);
      for (const [i, listId] of lists.entries()) {
        const { emails } = await resultEmails(views[i] ?? {});
        expect(emails).toEqual(busy.members(listId).map((m) => m.email));
      }
    } finally {
      await busy.close();
    }
  });
});

/**
 * Every page fetch, page and write-back message delivered twice, driven by hand: the
 * chunk-queue messages run as they are sent (each twice in a row), merges after split returns.
 */
class TwiceDeliveringPublisher extends MessagePublisher {
  readonly #deps: () => PipelineDeps;
  readonly merges: MergeMessage[] = [];
  readonly delivered = new Map<string, number>();

  constructor(deps: () => PipelineDeps) {
    super({
      sqs: harness.clients.sqs,
      controlQueueUrl: harness.queueUrls.control,
      chunkQueueUrl: harness.queueUrls.chunk,
    });
    this.#deps = deps;
  }

  override async sendChunks(messages: readonly ChunkQueueMessage[]): Promise<void> {
    for (const message of messages) {
      for (const attempt of [1, 2]) {
        const context = delivery(`${message.type}-${message.index}-${attempt}`);
        this.delivered.set(message.type, (this.delivered.get(message.type) ?? 0) + 1);
        if (message.type === 'page.fetch') await handlePageFetch(this.#deps(), message, context);
        else if (message.type === 'page.process') await handlePage(this.#deps(), message, context);
        else if (message.type === 'writeback.batch')
          await handleWriteBack(this.#deps(), message, context);
      }
    }
  }

  override sendControl(message: ControlMessage): Promise<void> {
    if (message.type === 'job.merge') this.merges.push(message);
    return Promise.resolve();
  }
}

function delivery(messageId: string): DeliveryContext {
  return {
    messageId,
    receiveCount: 1,
    isLastAttempt: false,
    signal: new AbortController().signal,
    onHeartbeat: () => undefined,
    markLight: () => undefined,
    markFinishing: () => undefined,
    logger,
  };
}

describe('Mailchimp redelivery', () => {
  it('imports no member twice and writes nothing back twice when every message comes twice', async () => {
    const listId = simulator.createAudience({ size: 90, seed: 33 });
    const directoryId = await directoryChanging(listId, 20);
    simulator.reset();
    // Created queued without a split message, so the running workers leave it to this test.
    const id = randomUUID();
    const now = new Date().toISOString();
    await harness.jobs.create({
      id,
      tenantId: TENANT_A.tenantId,
      status: 'queued',
      createdAt: now,
      updatedAt: now,
      fileName: `mailchimp-${listId}.csv`,
      sourceKey: objectKeys.upload({ tenantId: TENANT_A.tenantId, id }),
      source: { type: 'mailchimp', connectionId: 'conn-sample', listId, writeBack: true },
      options: { chunkRows: 30, directoryId },
      rowsProcessed: 0,
      rowsRejected: 0,
      chunksDone: 0,
    });
    const publisher: { current?: TwiceDeliveringPublisher } = {};
    const deps: PipelineDeps = {
      jobs: harness.jobs,
      objects: harness.objects,
      publisher: (publisher.current = new TwiceDeliveringPublisher(() => deps)),
      enrichers: directoryEnricherProvider({
        objects: harness.objects,
        nicknames: new NicknameStore({
          client: harness.clients.dynamodb,
          table: harness.config.resources.nicknamesTable,
        }),
        leases: new DirectoryIndexLeases({
          client: harness.clients.dynamodb,
          table: harness.config.resources.jobsTable,
        }),
        logger,
      }),
      audiences: opener(),
      writeBacks: new WriteBackRecords({
        client: harness.clients.dynamodb,
        table: harness.config.resources.jobsTable,
      }),
      logger,
      leaseMs: 60_000,
      maxRowBytes: harness.config.worker.maxRowBytes,
    };

    await handleSplit(
      deps,
      { type: 'job.split', v: 1, jobId: id, tenantId: TENANT_A.tenantId },
      delivery('split'),
    );
    for (const merge of publisher.current.merges) await handleMerge(deps, merge, delivery('merge'));
    const view = await waitForJob(harness.app, id, { timeoutMs: 30_000 });

    expect(view.error).toBeUndefined();
    expect(view.progress).toMatchObject({ rowsTotal: 90, rowsProcessed: 90, chunksDone: 6 });
    expect(view.writeBack).toEqual({ membersWritten: 20, errors: 0 });
    const { emails } = await resultEmails(view);
    expect(emails).toEqual(simulator.members(listId).map((m) => m.email));
    const upserted = simulator.upsertsOf(listId);
    expect(upserted.size).toBe(20);
    expect([...upserted.values()].every((times) => times === 1)).toBe(true);
    expect(simulator.stats().upserts.requests).toBe(1);
    // Three pages: each fetch sent once by split and run twice; the enrichment of each page sent
    // once, by the fetch that completed the count (its duplicate sends nothing).
    expect(publisher.current.delivered.get('page.fetch')).toBe(6);
    expect(publisher.current.delivered.get('page.process')).toBe(6);
    // Only split's sample (10) and the fetches read the audience, the enrichment reads the
    // fetched copies: pages 0 and 1 were fetched twice (30 each), page 2 once, as its duplicate
    // came after every page's enrichment was sent.
    expect(simulator.stats().membersRead[listId]).toMatchObject({ reads: 10 + 4 * 30 + 30 });
  });
});
