import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { createPassthroughEnricher } from '@contacts/enrichment';
import { taskRolePolicies, type TaskRolePolicies } from '@contacts/infra';
import {
  startMailchimpSimulator,
  startPdlSimulator,
  type MailchimpSimulator,
  type PdlSimulator,
} from '@contacts/local';
import {
  allChunksDone,
  createAwsClients,
  createLogger,
  DirectoryIndexLeases,
  JobStore,
  keyAreaOf,
  MessagePublisher,
  NicknameStore,
  objectKeys,
  ObjectStore,
  recordAwsCalls,
  resolveQueueUrls,
  resourceDefinitions,
  TASK_ROLES,
  type AwsCall,
  type AwsClients,
  type ChunkMessage,
  type Job,
  type TaskRole,
} from '@contacts/shared';
import {
  DeadLetterQueues,
  deadLetterRoutes,
  directoryEnricherProvider,
  StallWatchdog,
  type EnricherProvider,
} from '@contacts/worker';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkCalls,
  describeDenials,
  grantsOf,
  readCallLog,
  unusedGrants,
} from '../src/iam/simulate-calls.ts';
import {
  contactFile,
  queueDepth,
  startHarness,
  TENANT_A,
  waitFor,
  waitForJob,
  type Harness,
} from '../src/index.ts';

/**
 * Drives each user journey with the api's and the worker's AWS calls recorded, then evaluates
 * every call against the synthesized task-role policies with an IAM policy simulator.
 */

const auth = { Authorization: `Bearer ${TENANT_A.key}` };
const DIRECTORY = [
  'id,first_name,last_name,email,phone,company,title,city,updated_at',
  'p-100,Robert,Smith,robert.smith@example.com,+14155550132,Globex,CTO,San Francisco,2026-06-01',
  'p-200,Margaret,Okafor,maggie.okafor@example.org,+442079460958,Initech,Analyst,London,2026-05-01',
].join('\n');
const CRM = [
  'first_name,last_name,email',
  'Bob,Smith,robert.smith@example.com',
  'Maggie,Okafor,maggie.okafor@example.org',
  'Nobody,Known,nobody@example.net',
].join('\n');

/** A gate a test opens when it has done what it needed while a job was held. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

const callDir = mkdtempSync(join(tmpdir(), 'iam-test-calls-'));
let harness: Harness;
let pdl: PdlSimulator;
let mailchimp: MailchimpSimulator;
let policies: TaskRolePolicies;
let operatorClients: AwsClients;
const operatorCalls: AwsCall[] = [];
/** "hold-chunks" jobs wait here from their second chunk on; "hold-merge" jobs before merging. */
const holdChunks = gate();
const holdMerge = gate();

beforeAll(async () => {
  pdl = await startPdlSimulator({ apiKeys: ['iam-pdl-key'], seed: 3, worldSize: 200 });
  mailchimp = await startMailchimpSimulator({ latencyMs: 0, sampleSize: 10 });
  harness = await startHarness({
    prefix: 'e2e-iam',
    env: {
      AWS_CALL_LOG_DIR: callDir,
      PDL_API_URL: pdl.url,
      PDL_API_KEY: 'iam-pdl-key',
      WEBHOOK_SECRET_KEY: 'iam-test-webhook-secret-key-0123456789',
      MAILCHIMP_API_URL: mailchimp.url,
      CONNECTIONS_KEY_FILE: join(callDir, 'keys', 'connections.key'),
    },
  });
  const { config } = harness;
  const directories = directoryEnricherProvider({
    objects: new ObjectStore({ s3: harness.workerClients.s3, bucket: config.resources.bucket }),
    nicknames: new NicknameStore({
      client: harness.workerClients.dynamodb,
      table: config.resources.nicknamesTable,
    }),
    leases: new DirectoryIndexLeases({
      client: harness.workerClients.dynamodb,
      table: config.resources.jobsTable,
    }),
    logger: createLogger({ level: 'silent', name: 'iam' }),
  });
  let heldChunks = 0;
  const enrichers: EnricherProvider = async (job: Job) => {
    if (job.fileName.startsWith('hold-chunks') && heldChunks++ > 0) await holdChunks.wait;
    if (job.fileName.startsWith('hold-merge') && allChunksDone(job)) await holdMerge.wait;
    if (job.fileName.startsWith('hold-')) return createPassthroughEnricher(job.columns ?? []);
    return directories(job);
  };
  harness.startWorker({ enrichers });
  // The DLQ tool runs with operator credentials: recorded, but as no task role.
  operatorClients = createAwsClients(config.aws);
  recordAwsCalls(operatorClients, {
    role: 'operator',
    names: config.resources,
    sink: (call) => operatorCalls.push(call),
  });
  policies = taskRolePolicies();
});

afterAll(async () => {
  holdChunks.open();
  holdMerge.open();
  operatorClients.destroy();
  await harness.close();
  await Promise.all([pdl.close(), mailchimp.close()]);
  rmSync(callDir, { recursive: true, force: true });
});

const recorded = (): AwsCall[] => readCallLog(callDir);

/** Whether `role` has made `action` on `area` (a key area, or a queue or table target). */
const made = (role: string, action: string, area: string): boolean =>
  recorded().some(
    (c) =>
      c.role === role &&
      c.action === action &&
      (c.key === undefined ? c.target === area : keyAreaOf(c.key) === area),
  );

function waitUntilMade(role: string, action: string, area: string): Promise<true> {
  return waitFor(() => Promise.resolve(made(role, action, area) ? true : undefined), {
    what: `${role} to make ${action} on ${area}`,
  });
}

async function finished(id: string): Promise<Record<string, any>> {
  return waitFor(
    async () => {
      const res = await request(harness.app).get(`/v1/jobs/${id}`).set(auth);
      return ['completed', 'failed', 'cancelled'].includes(res.body.status as string)
        ? (res.body as Record<string, any>)
        : undefined;
    },
    { timeoutMs: 45_000, what: `job ${id} to finish` },
  );
}

async function drained(queueUrl: string): Promise<void> {
  await waitFor(
    async () => ((await queueDepth(harness.clients.sqs, queueUrl)) === 0 ? true : undefined),
    { timeoutMs: 30_000, what: `${queueUrl} to drain` },
  );
}

async function statusOf(id: string): Promise<string> {
  return (await request(harness.app).get(`/v1/jobs/${id}`).set(auth)).body.status as string;
}

async function submit(fileName: string, body: string, query: Record<string, string> = {}) {
  const res = await request(harness.app)
    .post('/v1/jobs')
    .query({ fileName, ...query })
    .set(auth)
    .set('Content-Type', 'text/csv')
    .send(body);
  expect(res.status).toBe(202);
  return res.body.id as string;
}

const STALLED_CSV = 'first_name,last_name,email\nAnn,Lee,ann.lee@example.com\n';

/**
 * A job whose messages were lost, left `queued` or `processing` (one chunk, not done), built
 * with the test's own unrecorded clients: only the watchdog's calls count.
 */
async function stalledJob(
  status: 'queued' | 'processing',
): Promise<{ id: string; chunk: ChunkMessage }> {
  const created = await request(harness.app)
    .post('/v1/jobs')
    .set(auth)
    .send({ fileName: 'stalled.csv' });
  const id = created.body.id as string;
  const ref = { id, tenantId: TENANT_A.tenantId };
  await harness.objects.put(objectKeys.upload(ref), STALLED_CSV);
  await harness.jobs.transition(id, { from: ['awaiting_upload'], to: 'queued' });
  const header = Buffer.byteLength(STALLED_CSV.split('\n')[0]! + '\n');
  const chunk: ChunkMessage = {
    type: 'chunk.process',
    v: 1,
    jobId: id,
    tenantId: TENANT_A.tenantId,
    index: 0,
    byteStart: header,
    byteEnd: Buffer.byteLength(STALLED_CSV),
    rowStart: 1,
    rowCount: 1,
  };
  if (status === 'queued') return { id, chunk };
  const holder = `test-split-${randomUUID()}`;
  await harness.jobs.claimStage(id, { from: 'queued', to: 'splitting', holder, leaseMs: 1 });
  await harness.jobs.updateUnderLease(
    id,
    { status: 'splitting', holder },
    { columns: ['first_name', 'last_name', 'email'], chunksTotal: 1, rowsTotal: 1 },
    { to: 'processing', releaseLease: true },
  );
  return { id, chunk };
}

describe('every AWS call of the journeys is allowed to the task role that makes it', () => {
  it('start-up lookups and readiness', async () => {
    const definitions = resourceDefinitions(harness.config.resources, harness.config.queues);
    await resolveQueueUrls(harness.apiClients.sqs, definitions);
    await resolveQueueUrls(harness.workerClients.sqs, definitions);
    expect((await request(harness.app).get('/readyz')).status).toBe(200);
  });

  it('a presigned POST upload, started, completed, with its result link', async () => {
    const created = await request(harness.app)
      .post('/v1/jobs')
      .set(auth)
      .send({ fileName: 'post.csv' });
    expect(created.status).toBe(201);
    const form = new FormData();
    for (const [name, value] of Object.entries(created.body.upload.fields as object))
      form.append(name, value as string);
    form.append('file', new Blob([contactFile(20, { seed: 1 })], { type: 'text/csv' }));
    expect((await fetch(created.body.upload.url, { method: 'POST', body: form })).ok).toBe(true);
    await request(harness.app).post(`/v1/jobs/${created.body.id}/start`).set(auth).expect(202);
    const job = await finished(created.body.id as string);
    expect(job.status).toBe('completed');
    expect((await fetch(job.result.url as string)).status).toBe(200);
  });

  it('a presigned PUT upload', async () => {
    const input = contactFile(20, { seed: 2 });
    const created = await request(harness.app)
      .post('/v1/jobs')
      .set(auth)
      .send({ fileName: 'put.csv', uploadMethod: 'PUT', fileSize: Buffer.byteLength(input) });
    const put = await fetch(created.body.upload.url as string, {
      method: 'PUT',
      headers: created.body.upload.headers as Record<string, string>,
      body: input,
    });
    expect(put.status).toBe(200);
    await request(harness.app).post(`/v1/jobs/${created.body.id}/start`).set(auth).expect(202);
    expect((await finished(created.body.id as string)).status).toBe('completed');
  });

  it('directories, signed and streamed, and a job that matches against one', async () => {
    const signed = await request(harness.app)
      .post('/v1/directories')
      .set(auth)
      .send({ fileName: 'directory.csv' });
    expect(signed.status).toBe(201);
    const form = new FormData();
    for (const [name, value] of Object.entries(signed.body.upload.fields as object))
      form.append(name, value as string);
    form.append('file', new Blob([DIRECTORY], { type: 'text/csv' }));
    expect((await fetch(signed.body.upload.url, { method: 'POST', body: form })).ok).toBe(true);
    const signedPut = await request(harness.app)
      .post('/v1/directories')
      .set(auth)
      .send({ fileName: 'directory.csv', uploadMethod: 'PUT' });
    expect(signedPut.status).toBe(201);

    const streamed = await request(harness.app)
      .post('/v1/directories')
      .set(auth)
      .set('Content-Type', 'text/csv')
      .send(DIRECTORY);
    expect(streamed.status).toBe(201);
    const directoryId = streamed.body.id as string;
    await request(harness.app).get(`/v1/directories/${directoryId}`).set(auth).expect(200);

    const job = await finished(await submit('crm.csv', CRM, { directoryId }));
    expect(job.status).toBe('completed');
    expect(job.progress.rowsProcessed).toBe(3);
  });

  it('the job and directory lists, filtered and paged', async () => {
    const all = await request(harness.app).get('/v1/jobs').query({ limit: '1' }).set(auth);
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(1);
    const next = await request(harness.app)
      .get('/v1/jobs')
      .query({ limit: '1', cursor: all.body.nextCursor as string })
      .set(auth);
    expect(next.status).toBe(200);
    const completed = await request(harness.app)
      .get('/v1/jobs')
      .query({ status: 'completed' })
      .set(auth);
    expect(completed.body.items.length).toBeGreaterThan(0);
    const directories = await request(harness.app).get('/v1/directories').set(auth);
    expect(directories.body.items.length).toBeGreaterThan(0);
    await waitUntilMade('api', 'dynamodb:Query', 'jobs');
    await waitUntilMade('api', 'dynamodb:BatchGetItem', 'jobs');
    await waitUntilMade('api', 's3:ListBucket', 'bucket');
  });

  it('a cancel through the api, which deletes the job’s chunk parts', async () => {
    const id = await submit('hold-chunks.csv', contactFile(200, { seed: 3 }), {
      chunkRows: '20',
    });
    await waitFor(
      async () => {
        const res = await request(harness.app).get(`/v1/jobs/${id}`).set(auth);
        return res.body.progress.chunksDone >= 1 ? true : undefined;
      },
      { what: 'a chunk part to exist' },
    );
    const res = await request(harness.app).post(`/v1/jobs/${id}/cancel`).set(auth);
    expect(res.body.status).toBe('cancelled');
    holdChunks.open();
    expect(made('api', 's3:DeleteObject', 'work')).toBe(true);
  });

  it('a webhook created, listed and deleted through the api; a job end fanned out and its delivery recorded', async () => {
    // A private address: the delivery is refused (no network needed) and recorded.
    const created = await request(harness.app)
      .post('/v1/webhooks')
      .set(auth)
      .send({ url: 'http://10.0.0.1/hook' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const job = await request(harness.app)
      .post('/v1/jobs')
      .set(auth)
      .send({ fileName: 'webhook-cancel.csv' });
    await request(harness.app)
      .post(`/v1/jobs/${job.body.id as string}/cancel`)
      .set(auth)
      .expect(200);
    await waitFor(
      async () => {
        const list = await request(harness.app).get('/v1/webhooks').set(auth);
        const hook = (list.body.items as Record<string, any>[]).find((h) => h.id === id);
        return hook?.lastDelivery?.outcome === 'refused' ? true : undefined;
      },
      { what: 'the refused delivery to be recorded' },
    );
    await request(harness.app).delete(`/v1/webhooks/${id}`).set(auth).expect(204);
    expect(made('worker', 'dynamodb:UpdateItem', 'webhooks')).toBe(true);
    expect(made('api', 'dynamodb:UpdateItem', 'webhooks')).toBe(true);
  });

  it('a merge that finds its job cancelled removes the result it wrote', async () => {
    const id = await submit('hold-merge.csv', contactFile(30, { seed: 4 }), { chunkRows: '10' });
    await waitFor(async () => ((await statusOf(id)) === 'merging' ? true : undefined), {
      what: 'the merge to start',
    });
    expect((await harness.jobs.cancel(id))?.status).toBe('cancelled');
    holdMerge.open();
    await waitUntilMade('worker', 's3:DeleteObject', 'results');
  });

  it('a message the worker cannot read goes to the dead-letter queue', async () => {
    for (const queue of [harness.queueUrls.control, harness.queueUrls.chunk]) {
      await harness.clients.sqs.send(
        new SendMessageCommand({ QueueUrl: queue, MessageBody: 'not json' }),
      );
    }
    await waitUntilMade('worker', 'sqs:SendMessage', 'controlDlq');
    await waitUntilMade('worker', 'sqs:SendMessage', 'chunkDlq');
  });

  it('the DLQ tool lists and redrives with operator credentials', async () => {
    const queues = new DeadLetterQueues({
      sqs: operatorClients.sqs,
      routes: deadLetterRoutes(harness.queueUrls),
      jobStatus: async (jobId) => (await harness.jobs.get(jobId))?.status,
    });
    const listed = await queues.list({ queue: 'control', max: 10 });
    expect(listed.length).toBeGreaterThanOrEqual(1);
    await queues.redrive({ queue: 'control', max: 10 });
    // The unreadable message has no job: the redrive leaves it where it is.
    expect(new Set(operatorCalls.map((c) => `${c.role} ${c.action} ${c.target}`))).toEqual(
      new Set([
        'operator sqs:ReceiveMessage controlDlq',
        'operator sqs:ChangeMessageVisibility controlDlq',
      ]),
    );
  });

  it('a job enriched by a provider, paced by the fleet limiter, its answers cached', async () => {
    const rows = [
      'First Name,Last Name,Email',
      'Robert,Smith,bob.smith@example.com',
      'Maggie,Okafor,maggie.okafor@example.org',
    ].join('\n');
    for (const fileName of ['pdl.csv', 'pdl-again.csv']) {
      const job = await finished(await submit(fileName, rows, { provider: 'pdl' }));
      expect(job.status).toBe('completed');
    }
    for (const action of [
      'dynamodb:PutItem',
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
    ])
      await waitUntilMade('worker', action, 'providers');
  });

  it('a Mailchimp connection, created, listed and deleted', async () => {
    const created = await request(harness.app)
      .post('/v1/connections')
      .set(auth)
      .send({ type: 'mailchimp', apiKey: mailchimp.apiKey });
    expect(created.status).toBe(201);
    const listed = await request(harness.app).get('/v1/connections').set(auth);
    expect(listed.status).toBe(200);
    const { id } = created.body as { id: string };
    const deleted = await request(harness.app).delete(`/v1/connections/${id}`).set(auth);
    expect(deleted.status).toBe(204);
    for (const action of ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem'])
      await waitUntilMade('api', action, 'connections');
    await waitUntilMade('api', 'dynamodb:Query', 'connections');
    // The key check's ping held a slot of the account's limiter: the first use of this account
    // creates its item (PutItem), writes its waiting entry (whose answer it decides on), takes
    // a slot and gives it back (UpdateItem). It reads the item only when it has to wait.
    for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem'])
      await waitUntilMade('api', action, 'providers');
  });

  it('a Mailchimp import with write-back, through a stored connection', async () => {
    const created = await request(harness.app)
      .post('/v1/connections')
      .set(auth)
      .send({ type: 'mailchimp', apiKey: mailchimp.apiKey });
    expect(created.status).toBe(201);
    const { id: connectionId } = created.body as { id: string };
    const res = await request(harness.app)
      .post('/v1/jobs')
      .set(auth)
      .send({
        source: { type: 'mailchimp', connectionId, listId: mailchimp.sampleListId },
        writeBack: true,
      });
    expect(res.status).toBe(202);

    const view = await waitForJob(harness.app, (res.body as { id: string }).id);

    expect(view.status).toBe('completed');
    await waitUntilMade('worker', 'dynamodb:GetItem', 'connections');
  });

  it('the watchdog fails stalled jobs and repairs one from the chunk DLQ', async () => {
    const stallAfterSeconds = 10;
    // A stall period on: stalled, yet well within the patience a busy queue gets.
    const watchdog = (maxRepairs: number): StallWatchdog =>
      new StallWatchdog({
        jobs: new JobStore({
          client: harness.workerClients.dynamodb,
          table: harness.config.resources.jobsTable,
        }),
        publisher: new MessagePublisher({
          sqs: harness.workerClients.sqs,
          controlQueueUrl: harness.queueUrls.control,
          chunkQueueUrl: harness.queueUrls.chunk,
        }),
        sqs: harness.workerClients.sqs,
        queueUrls: harness.queueUrls,
        config: { intervalSeconds: 0, stallAfterSeconds, maxRepairs },
        logger: createLogger({ level: 'silent', name: 'iam-watchdog' }),
        now: () => Date.now() + (stallAfterSeconds + 1) * 1000,
      });

    // Earlier journeys' messages (an extra merge, say) must not pass for the stalled job's work.
    await drained(harness.queueUrls.control);
    await drained(harness.queueUrls.chunk);
    const lost = await stalledJob('queued');
    const failed = await watchdog(0).runPass();
    expect(failed.find((o) => o.jobId === lost.id)?.action).toBe('failed');

    const waiting = await stalledJob('processing');
    await harness.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: harness.queueUrls.chunkDlq,
        MessageBody: JSON.stringify(waiting.chunk),
      }),
    );
    const repaired = await watchdog(3).runPass();
    expect(repaired.find((o) => o.jobId === waiting.id)?.action).toBe('redriven');
    expect((await finished(waiting.id)).status).toBe('completed');
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage'])
      await waitUntilMade('worker', action, 'chunkDlq');
    await waitUntilMade('worker', 'dynamodb:Query', 'jobs');
    await waitUntilMade('worker', 'sqs:GetQueueAttributes', 'control');

    // Its chunk is nowhere: after looking in the DLQ and at the chunk queue, it fails the job.
    const gone = await stalledJob('processing');
    const verdict = await watchdog(3).runPass();
    expect(verdict.find((o) => o.jobId === gone.id)?.action).toBe('failed');
    await waitUntilMade('worker', 'sqs:GetQueueAttributes', 'chunk');
    await waitUntilMade('worker', 'sqs:GetQueueAttributes', 'chunkDlq');
  });

  it('is all allowed; the DLQ tool is no task role’s', async () => {
    const check = await checkCalls([...recorded(), ...operatorCalls], policies);
    expect(describeDenials(check.denied)).toBe('');
    expect(check.evaluated).toBeGreaterThan(20);
    expect(new Set(check.notTaskRole.map((c) => c.role))).toEqual(new Set(['operator']));
    // The journeys reached the calls the grants were fixed for.
    for (const [role, action, area] of [
      ['api', 's3:PutObject', 'directories'],
      ['api', 's3:GetObject', 'directories'],
      ['api', 's3:GetObject', 'results'],
      ['api', 's3:DeleteObject', 'work'],
      ['api', 'sqs:GetQueueAttributes', 'control'],
      ['worker', 's3:GetObject', 'directories'],
      // The directory's index: built and stored once (under a lease in the jobs table), loaded.
      ['worker', 's3:PutObject', 'directoryIndexes'],
      ['worker', 's3:GetObject', 'directoryIndexes'],
      ['worker', 'dynamodb:UpdateItem', 'jobs'],
      ['worker', 's3:DeleteObject', 'results'],
      ['worker', 'dynamodb:Scan', 'nicknames'],
      ['worker', 'sqs:SendMessage', 'controlDlq'],
    ] as const) {
      expect(made(role, action, area), `${role} ${action} ${area}`).toBe(true);
    }
    const presigned = recorded().filter((c) => c.presigned === true);
    expect(new Set(presigned.map((c) => `${c.action} ${keyAreaOf(c.key ?? '') ?? ''}`))).toEqual(
      new Set(['s3:PutObject uploads', 's3:PutObject directories', 's3:GetObject results']),
    );
  });
});

describe('the task roles are granted nothing the journeys do not use', () => {
  it('uses every grant but those of failure paths and of calls outside the SDK', () => {
    const { control, chunk } = policies.queues;
    const why: [RegExp, string][] = [
      [/^(api|worker) s3:AbortMultipartUpload /, 'a multipart upload that fails is aborted'],
      [
        new RegExp(`^worker sqs:ChangeMessageVisibility (${control.arn}|${chunk.arn})$`),
        'a message is held longer (heartbeat) or retried later (backoff)',
      ],
      [/^worker ecs:(Update|Get)TaskProtection /, 'scale-in protection, through the ECS agent'],
      [
        new RegExp(`^api dynamodb:GetItem ${policies.tables.providers.arn}$`),
        'the key check reads its limiter item only when its slot is not free at once',
      ],
      [
        /^(api kms:GenerateDataKey|worker kms:Decrypt) /,
        'connection secrets use KMS on AWS only (a key file here); infra/test/stack.test.ts proves the grants',
      ],
    ];
    const grants = TASK_ROLES.flatMap((role) => grantsOf(role, policies));
    const unexplained = unusedGrants(recorded(), policies).filter(
      (grant) => !why.some(([pattern]) => pattern.test(grant)),
    );
    expect(unexplained).toEqual([]);
    // Each exception still names a grant, so none outlives the grant it excuses.
    for (const [pattern, reason] of why) {
      expect(
        grants.some((grant) => pattern.test(grant)),
        reason,
      ).toBe(true);
    }
  });
});

describe('the check fails a call its role may not make', () => {
  /** The policies with `role`'s statements replaced. */
  const withStatements = (
    role: TaskRole,
    statements: readonly Record<string, unknown>[],
  ): TaskRolePolicies => ({
    ...policies,
    roles: {
      ...policies.roles,
      [role]: { ...policies.roles[role], policy: { Version: '2012-10-17', Statement: statements } },
    },
  });

  /** The policies less one grant: `action` for `role` on the objects of `area`. */
  const without = (role: TaskRole, action: string, area: string): TaskRolePolicies => {
    const pattern = `${policies.bucket.arn}/${area}/*`;
    const statements = policies.roles[role].policy.Statement.flatMap((s) => {
      const actions = [s.Action].flat() as string[];
      const resources = [s.Resource].flat() as string[];
      if (!actions.includes(action) || !resources.includes(pattern)) return [s];
      // This action on the statement's other resources; its other actions on all of them.
      return [
        { ...s, Action: [action], Resource: resources.filter((r) => r !== pattern) },
        { ...s, Action: actions.filter((a) => a !== action), Resource: resources },
      ].filter((part) => part.Action.length > 0 && part.Resource.length > 0);
    });
    return withStatements(role, statements);
  };

  it('names the role, the action and the resource of a call whose grant is missing', async () => {
    const check = await checkCalls(recorded(), without('api', 's3:DeleteObject', 'work'));
    const message = describeDenials(check.denied);
    expect(check.denied.length).toBeGreaterThan(0);
    for (const denial of check.denied) {
      expect(denial.call).toMatchObject({ role: 'api', action: 's3:DeleteObject' });
      expect(denial.outcome).toBe('ImplicitlyDenied');
    }
    expect(message).toMatch(
      new RegExp(`^api may not s3:DeleteObject on ${policies.bucket.arn}/work/tenant-a/`),
    );
  });

  it('fails a presigned action the signer may not make', async () => {
    const check = await checkCalls(recorded(), without('api', 's3:PutObject', 'directories'));
    expect(check.denied.length).toBeGreaterThan(0);
    expect(describeDenials(check.denied)).toContain('a presigned PutObject');
  });

  it('fails an explicit deny', async () => {
    const denyAll = withStatements('worker', [
      ...policies.roles.worker.policy.Statement,
      { Effect: 'Deny', Action: 'dynamodb:Scan', Resource: policies.tables.nicknames.arn },
    ]);
    const check = await checkCalls(recorded(), denyAll);
    expect(check.denied.map((d) => `${d.call.role} ${d.call.action} ${d.outcome}`)).toEqual([
      'worker dynamodb:Scan ExplicitlyDenied',
    ]);
  });

  it('fails a call to a resource the stack does not define', async () => {
    const stray: AwsCall = {
      role: 'worker',
      command: 'GetItem',
      action: 'dynamodb:GetItem',
      target: 'unknown',
      name: 'some-other-table',
    };
    const check = await checkCalls([stray], policies);
    expect(describeDenials(check.denied)).toContain('some-other-table is no resource of the stack');
  });
});
