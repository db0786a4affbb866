import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { createApp, createAppDeps } from '@contacts/api';
import { startMailchimpSimulator, type MailchimpSimulator } from '@contacts/local';
import {
  ConnectionStore,
  LocalKeySealer,
  MailchimpLimiters,
  openConnection,
  SecretUnsealError,
} from '@contacts/shared';
import type { Express } from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TENANT_A, TENANT_B, waitFor, type Harness } from '../src/index.ts';

/*
 * Connections end to end: the real api against the emulators, checking keys with the Mailchimp
 * simulator over real HTTP, sealing them with a key file in a temporary directory. The api's
 * logs are captured at trace level to prove the key never appears in them.
 */

const authA = { Authorization: `Bearer ${TENANT_A.key}` };
const authB = { Authorization: `Bearer ${TENANT_B.key}` };

let sim: MailchimpSimulator;
let harness: Harness;
let app: Express;
let keyDir: string;
let keyFile: string;
const logLines: string[] = [];

beforeAll(async () => {
  sim = await startMailchimpSimulator({ latencyMs: 0, sampleSize: 20 });
  keyDir = mkdtempSync(join(tmpdir(), 'connections-'));
  keyFile = join(keyDir, 'sub', 'connections.key');
  harness = await startHarness({
    prefix: 'e2e-connections',
    env: { MAILCHIMP_API_URL: sim.url, CONNECTIONS_KEY_FILE: keyFile },
  });
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ level: 'trace' }, capture);
  app = createApp(
    createAppDeps({
      config: harness.config,
      clients: harness.apiClients,
      queueUrls: harness.queueUrls,
      logger,
    }),
  );
});

afterAll(async () => {
  await harness.close();
  await sim.close();
  rmSync(keyDir, { recursive: true, force: true });
});

async function createConnection(apiKey: string, auth = authA): Promise<request.Response> {
  return request(app).post('/v1/connections').set(auth).send({ type: 'mailchimp', apiKey });
}

describe('POST /v1/connections', () => {
  it('checks the key with Mailchimp and answers 201 without the key', async () => {
    const res = await createConnection(sim.apiKey);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body as object).sort()).toEqual([
      'createdAt',
      'dataCenter',
      'id',
      'type',
    ]);
    expect(res.body).toMatchObject({ type: 'mailchimp', dataCenter: 'us1' });
    expect(res.headers.location).toBe(`/v1/connections/${(res.body as { id: string }).id}`);
    expect(res.text).not.toContain(sim.apiKey);
    expect(sim.stats().requestsByRoute).toMatchObject({ ping: 1, root: 1 });
  });

  it('seals the key at rest, and only the owner tenant’s context opens it', async () => {
    const res = await createConnection(sim.apiKey);
    const { id } = res.body as { id: string };
    const item = await harness.clients.dynamodb.send(
      new GetItemCommand({
        TableName: harness.config.resources.connectionsTable,
        Key: { pk: { S: `${TENANT_A.tenantId}#${id}` } },
      }),
    );
    const stored = JSON.stringify(unmarshall(item.Item ?? {}));
    expect(stored).not.toContain(sim.apiKey);
    expect(stored).not.toContain(sim.apiKey.split('-')[0]);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    const store = new ConnectionStore({
      client: harness.clients.dynamodb,
      table: harness.config.resources.connectionsTable,
    });
    const sealer = new LocalKeySealer(keyFile);
    const opened = await openConnection({ store, sealer }, TENANT_A.tenantId, id);
    expect(opened).toEqual({
      id,
      type: 'mailchimp',
      apiKey: sim.apiKey,
      dataCenter: 'us1',
      accountKey: 'mailchimp#us1#sim0account0001',
    });
    // The sealed key moved onto another tenant's item would not open.
    const record = await store.get(TENANT_A.tenantId, id);
    await store.put({ ...record, tenantId: TENANT_B.tenantId });
    await expect(openConnection({ store, sealer }, TENANT_B.tenantId, id)).rejects.toBeInstanceOf(
      SecretUnsealError,
    );
  });

  it('answers 400 with Mailchimp’s own detail for a bad key', async () => {
    const res = await createConnection('0123456789abcdef0123456789abcdef-us1');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ type: '/problems/mailchimp_key_invalid', status: 400 });
    expect((res.body as { detail: string }).detail).toMatch(
      /Your API key may be invalid, or you've attempted to access the wrong datacenter/,
    );
  });

  it('answers 400 saying the data center suffix is missing', async () => {
    const res = await createConnection('0123456789abcdef0123456789abcdef');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: '/problems/mailchimp_key_format' });
    expect((res.body as { detail: string }).detail).toMatch(/no data center suffix/);
  });

  it('validates the body', async () => {
    const wrongType = await request(app)
      .post('/v1/connections')
      .set(authA)
      .send({ type: 'hubspot', apiKey: sim.apiKey });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toMatchObject({ type: '/problems/validation_failed' });
    const extra = await request(app)
      .post('/v1/connections')
      .set(authA)
      .send({ type: 'mailchimp', apiKey: sim.apiKey, more: 1 });
    expect(extra.status).toBe(400);
    expect(JSON.stringify(extra.body)).not.toContain(sim.apiKey);
  });
});

describe('the key check and the fleet’s connection limit', () => {
  it('pings holding a slot of the account’s fleet-wide limiter: it waits while imports hold all 10', async () => {
    const accountKey = 'mailchimp#us1#sim0account0001';
    // Ten calls of an import in flight somewhere in the fleet: every slot of the account held.
    const limiter = new MailchimpLimiters({
      client: harness.clients.dynamodb,
      table: harness.config.resources.providersTable,
    }).forAccount(accountKey);
    const permits = await Promise.all(
      Array.from({ length: 10 }, () => limiter.acquire({ jobId: 'busy-import' })),
    );
    sim.reset();

    const answer = createConnection(sim.apiKey);
    // The api named the account (GET /3.0/), then queued for a slot as one more job.
    await waitFor(
      async () => {
        const item = await harness.clients.dynamodb.send(
          new GetItemCommand({
            TableName: harness.config.resources.providersTable,
            Key: { pk: { S: `limiter#${accountKey}` } },
            ConsistentRead: true,
          }),
        );
        const waiting = JSON.stringify(unmarshall(item.Item ?? {}).waiting ?? {});
        return waiting.includes('connection-check') ? true : undefined;
      },
      { what: 'the key check to wait for a slot' },
    );
    expect(sim.stats().requestsByRoute).toMatchObject({ root: 1, ping: 0 });

    await permits[0]?.release();
    const res = await answer;

    expect(res.status).toBe(201);
    expect(sim.stats().requestsByRoute).toMatchObject({ root: 1, ping: 1 });
    expect(sim.stats().connectionViolations).toBe(0);
    await Promise.all(permits.slice(1).map((permit) => permit.release()));
  });
});

describe('GET and DELETE /v1/connections', () => {
  it('lists a tenant’s own connections and deletes them; another tenant sees nothing', async () => {
    const created = await createConnection(sim.apiKey, authB);
    const { id } = created.body as { id: string };
    const listB = await request(app).get('/v1/connections').set(authB);
    expect(listB.status).toBe(200);
    const itemsB = (listB.body as { items: { id: string }[] }).items;
    expect(itemsB.map((c) => c.id)).toContain(id);
    expect(listB.text).not.toContain(sim.apiKey);

    const listA = await request(app).get('/v1/connections').set(authA);
    expect((listA.body as { items: { id: string }[] }).items.map((c) => c.id)).not.toContain(id);
    const foreignDelete = await request(app).delete(`/v1/connections/${id}`).set(authA);
    expect(foreignDelete.status).toBe(404);

    const deleted = await request(app).delete(`/v1/connections/${id}`).set(authB);
    expect(deleted.status).toBe(204);
    const again = await request(app).delete(`/v1/connections/${id}`).set(authB);
    expect(again.status).toBe(404);
    const after = await request(app).get('/v1/connections').set(authB);
    expect((after.body as { items: { id: string }[] }).items.map((c) => c.id)).not.toContain(id);
  });

  it('never wrote the key to the logs', () => {
    expect(logLines.length).toBeGreaterThan(0);
    const logs = logLines.join('');
    expect(logs).not.toContain(sim.apiKey);
    expect(logs).not.toContain(sim.apiKey.split('-')[0]);
  });
});
