import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authHeader,
  contactFile,
  createJob,
  startHarness,
  submitCsv,
  TENANT_B,
  waitFor,
  waitForJob,
  WebhookReceiver,
  type Harness,
  type JobBody,
} from '../src/index.ts';

let harness: Harness;
const receiver = new WebhookReceiver();
let base: string;

beforeAll(async () => {
  const port = await receiver.start();
  base = `http://127.0.0.1:${port}`;
  harness = await startHarness({
    prefix: 'e2e-webhooks',
    env: {
      WEBHOOK_SECRET_KEY: 'test-only-webhook-secret-key-0123456789',
      // The receiver listens on loopback: allowed by name; `localhost` stays refused.
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_RETRY_SCHEDULE_SECONDS: '1,1',
      WEBHOOK_TIMEOUT_MS: '3000',
    },
  });
  harness.startWorker();
  receiver.on('/flaky', (_request, seen) => ({ status: seen < 2 ? 500 : 204 }));
  receiver.on('/broken', () => ({ status: 503 }));
  receiver.on('/gone', () => ({ status: 410 }));
  receiver.on('/moved', () => ({ status: 302, headers: { Location: `${base}/ok` } }));
});

afterAll(async () => {
  await harness.close();
  await receiver.close();
});

async function createWebhook(
  body: Record<string, unknown>,
  tenant = undefined as { key: string } | undefined,
): Promise<JobBody> {
  const res = await request(harness.app).post('/v1/webhooks').set(authHeader(tenant)).send(body);
  expect(res.status, res.text).toBe(201);
  return res.body as JobBody;
}

async function listWebhooks(tenant?: { key: string }): Promise<JobBody[]> {
  const res = await request(harness.app).get('/v1/webhooks').set(authHeader(tenant));
  expect(res.status).toBe(200);
  return (res.body as { items: JobBody[] }).items;
}

/** Waits until the endpoint's last delivery is about `jobId` and has one of `outcomes`. */
async function lastDelivery(id: string, jobId: string, outcomes: string[]): Promise<JobBody> {
  return waitFor(
    async () => {
      const hook = (await listWebhooks()).find((h) => h.id === id);
      const last = hook?.lastDelivery as JobBody | undefined;
      return last?.jobId === jobId && outcomes.includes(last.outcome as string) ? last : undefined;
    },
    { what: `webhook ${id} to record ${outcomes.join('/')} for job ${jobId}`, timeoutMs: 30_000 },
  );
}

const hooks: Record<string, JobBody> = {};

describe('webhooks', () => {
  it('creates endpoints with a whsec_ secret shown once, lists them without it, per tenant', async () => {
    for (const [name, path] of [
      ['ok', '/ok'],
      ['flaky', '/flaky'],
      ['broken', '/broken'],
      ['moved', '/moved'],
    ] as const) {
      hooks[name] = await createWebhook({ url: `${base}${path}` });
    }
    hooks.failedOnly = await createWebhook({ url: `${base}/failed-only`, events: ['job.failed'] });
    hooks.localhost = await createWebhook({ url: base.replace('127.0.0.1', 'localhost') + '/x' });
    hooks.private = await createWebhook({ url: 'http://10.0.0.1/hook' });

    const ok = hooks.ok!;
    expect(ok.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from((ok.secret as string).slice(6), 'base64').length).toBe(32);
    expect(ok.events).toEqual(['job.completed', 'job.failed', 'job.cancelled']);

    const listed = await listWebhooks();
    expect(listed.map((h) => h.id as string)).toEqual(
      Object.values(hooks).map((h) => h.id as string),
    );
    const listText = JSON.stringify(listed);
    for (const hook of Object.values(hooks)) expect(listText).not.toContain(hook.secret as string);
    expect(listText).not.toMatch(/secret/i);

    // Stored sealed: the table holds no secret in plain text.
    const table = await harness.clients.dynamodb.send(
      new ScanCommand({ TableName: harness.config.resources.webhooksTable }),
    );
    const stored = JSON.stringify(table.Items);
    for (const hook of Object.values(hooks)) {
      expect(stored).not.toContain(hook.secret as string);
      expect(stored).not.toContain((hook.secret as string).slice(6));
    }

    // Another tenant sees none of them and cannot delete them.
    expect(await listWebhooks(TENANT_B)).toEqual([]);
    await request(harness.app)
      .delete(`/v1/webhooks/${ok.id as string}`)
      .set(authHeader(TENANT_B))
      .expect(404);
  });

  it('refuses bad endpoints', async () => {
    for (const body of [
      { url: 'ftp://example.com/x' },
      { url: 'https://user:pw@example.com/x' },
      { url: 'https://example.com/x', events: ['job.started'] },
      { url: 'https://example.com/x', extra: true },
    ]) {
      const res = await request(harness.app).post('/v1/webhooks').set(authHeader()).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('delivers job.completed once, signed per Standard Webhooks (checked by the standardwebhooks package)', async () => {
    const jobId = await submitCsv(harness.app, contactFile(20, { seed: 2 }), { fileName: 'a.csv' });
    const job = await waitForJob(harness.app, jobId);
    expect(job.status).toBe('completed');
    await lastDelivery(hooks.ok!.id as string, jobId, ['delivered']);

    const deliveries = receiver.requestsFor('/ok', jobId);
    expect(deliveries).toHaveLength(1);
    const [delivery] = deliveries;
    const verified = new Webhook(hooks.ok!.secret as string).verify(
      delivery!.body,
      delivery!.headers as Record<string, string>,
    ) as JobBody;
    expect(verified).toMatchObject({
      type: 'job.completed',
      data: { id: jobId, status: 'completed', progress: { rowsProcessed: 20 } },
    });
    expect(Date.parse(verified.timestamp as string)).not.toBeNaN();
    expect(delivery!.headers['webhook-id']).toMatch(/^msg_/);
    // Another endpoint's secret does not verify it.
    expect(() =>
      new Webhook(hooks.flaky!.secret as string).verify(
        delivery!.body,
        delivery!.headers as Record<string, string>,
      ),
    ).toThrow();
    // Not subscribed to job.completed.
    expect(receiver.received.filter((r) => r.path === '/failed-only')).toEqual([]);
  });

  it('retries failures with delays, with the same id, until they succeed or the schedule ends', async () => {
    const jobId = await submitCsv(harness.app, contactFile(5, { seed: 3 }), { fileName: 'b.csv' });
    const flaky = await lastDelivery(hooks.flaky!.id as string, jobId, ['delivered']);
    expect(flaky).toMatchObject({ attempt: 3, status: 204 });
    const attempts = receiver.requestsFor('/flaky', jobId);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.headers['webhook-id'])).size).toBe(1);
    // Each retry waited its delay (1 s) through SQS.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(900);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(900);
    for (const attempt of attempts) {
      new Webhook(hooks.flaky!.secret as string).verify(
        attempt.body,
        attempt.headers as Record<string, string>,
      );
    }

    const broken = await lastDelivery(hooks.broken!.id as string, jobId, ['gave_up']);
    expect(broken).toMatchObject({ attempt: 3, status: 503, reason: 'HTTP 503' });
    expect(receiver.requestsFor('/broken', jobId)).toHaveLength(3);
  });

  it('does not follow redirects: a 3xx is a failure', async () => {
    const jobId = await submitCsv(harness.app, contactFile(5, { seed: 4 }), { fileName: 'c.csv' });
    const moved = await lastDelivery(hooks.moved!.id as string, jobId, ['gave_up']);
    expect(moved).toMatchObject({ status: 302 });
    expect(moved.reason).toMatch(/redirects are not followed/);
    expect(receiver.requestsFor('/moved', jobId)).toHaveLength(3);
    // /ok got this job's event once, from its own endpoint, never through the redirect.
    expect(receiver.requestsFor('/ok', jobId)).toHaveLength(1);
  });

  it('disables an endpoint that answers 410', async () => {
    hooks.gone = await createWebhook({ url: `${base}/gone` });
    const jobId = await submitCsv(harness.app, contactFile(5, { seed: 5 }), { fileName: 'd.csv' });
    await lastDelivery(hooks.gone.id as string, jobId, ['disabled']);
    const gone = (await listWebhooks()).find((h) => h.id === hooks.gone!.id)!;
    expect(gone.disabled).toMatchObject({ reason: expect.stringMatching(/410/) });

    const next = await submitCsv(harness.app, contactFile(5, { seed: 6 }), { fileName: 'e.csv' });
    await lastDelivery(hooks.ok!.id as string, next, ['delivered']);
    await lastDelivery(hooks.broken!.id as string, next, ['gave_up']);
    expect(receiver.requestsFor('/gone', next)).toEqual([]);
  });

  it('refuses loopback and private targets not in WEBHOOK_ALLOWED_HOSTS, and records why', async () => {
    const jobId = await submitCsv(harness.app, contactFile(5, { seed: 7 }), { fileName: 'f.csv' });
    const local = await lastDelivery(hooks.localhost!.id as string, jobId, ['refused']);
    expect(local.reason).toMatch(/host localhost resolves to .* loopback/);
    expect(local.reason).toMatch(/WEBHOOK_ALLOWED_HOSTS/);
    const privateHost = await lastDelivery(hooks.private!.id as string, jobId, ['refused']);
    expect(privateHost.reason).toMatch(/10\.0\.0\.1 is private/);
    expect(receiver.received.filter((r) => r.path === '/x')).toEqual([]);
  });

  it('sends job.failed and job.cancelled, each once', async () => {
    const failed = await submitCsv(harness.app, 'a,b\n1,"open\n', { fileName: 'bad.csv' });
    await lastDelivery(hooks.failedOnly!.id as string, failed, ['delivered']);
    const [failure] = receiver.requestsFor('/failed-only', failed);
    expect(JSON.parse(failure!.body)).toMatchObject({
      type: 'job.failed',
      data: { id: failed, status: 'failed', error: { code: 'unbalanced_quote' } },
    });

    const waiting = await createJob(harness.app, { fileName: 'never-uploaded.csv' });
    await request(harness.app).post(`/v1/jobs/${waiting}/cancel`).set(authHeader()).expect(200);
    await lastDelivery(hooks.ok!.id as string, waiting, ['delivered']);
    const cancelled = receiver.requestsFor('/ok', waiting);
    expect(cancelled).toHaveLength(1);
    expect(JSON.parse(cancelled[0]!.body)).toMatchObject({
      type: 'job.cancelled',
      data: { id: waiting, status: 'cancelled' },
    });
    // Cancelling again ends nothing new: no second event.
    await request(harness.app).post(`/v1/jobs/${waiting}/cancel`).set(authHeader()).expect(200);
    expect(receiver.requestsFor('/failed-only', waiting)).toEqual([]);
  });

  it('deletes an endpoint', async () => {
    await request(harness.app)
      .delete(`/v1/webhooks/${hooks.private!.id as string}`)
      .set(authHeader())
      .expect(204);
    expect((await listWebhooks()).map((h) => h.id as string)).not.toContain(
      hooks.private!.id as string,
    );
    await request(harness.app)
      .delete(`/v1/webhooks/${hooks.private!.id as string}`)
      .set(authHeader())
      .expect(404);
  });
});
