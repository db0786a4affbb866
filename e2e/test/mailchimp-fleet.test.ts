import { startMailchimpSimulator, type MailchimpSimulator } from '@contacts/local';
import { parseCsvText } from '@contacts/worker';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  download,
  startHarness,
  TENANT_A,
  TENANT_B,
  waitForJob,
  WorkerPool,
  type Harness,
  type JobBody,
  type Tenant,
} from '../src/index.ts';

/*
 * Mailchimp's 10 connections per account held by a fleet of worker processes: three workers,
 * each able to open 15 calls at once, run two imports on one account (two tenants, each with its
 * own connection holding the same key) and a third import on another account. The simulator
 * answers every call over 10 per account 429 and counts it; the only thing keeping the three
 * processes under the limit is the fleet-wide limiter in DynamoDB. Its turns are fair: the two
 * imports on the shared account are served page for page, not one after the other.
 */

const PREFIX = 'e2e-mailchimp-fleet';
const WORKERS = 3;
/** Pages one worker works on at once: 3 × 5 = 15 would overrun 10 connections without the limiter. */
const PAGES_PER_WORKER = 5;
const SHARED = { id: 'fleetshared01', key: 'f1ee7f1ee7f1ee7f1ee7f1ee7f1ee7f1-us1' };
const OTHER = { id: 'fleetother002', key: '0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e-us1' };
const PAGE_ROWS = 50;
const MAX_CONNECTIONS = 10;

let sim: MailchimpSimulator;
let harness: Harness;
let pool: WorkerPool | undefined;
/** Members pages served, in the order the simulator served them (the split's sample excluded). */
const served: { listId: string; offset: number }[] = [];

beforeAll(async () => {
  sim = await startMailchimpSimulator(
    {
      latencyMs: 400,
      sampleSize: 0,
      seed: 9,
      accounts: [
        { id: SHARED.id, apiKeys: [SHARED.key] },
        { id: OTHER.id, apiKeys: [OTHER.key] },
      ],
    },
    {
      onMembersPage: ({ listId, offset, count }) => {
        // Split samples 10 members to learn the merge fields; pages ask for PAGE_ROWS.
        if (count > 10) served.push({ listId, offset });
      },
    },
  );
  harness = await startHarness({ prefix: PREFIX, env: { MAILCHIMP_API_URL: sim.url } });
  const started = performance.now();
  pool = await WorkerPool.start({
    size: WORKERS,
    emulators: harness.emulators,
    env: {
      RESOURCE_PREFIX: PREFIX,
      POLL_WAIT_SECONDS: '1',
      VISIBILITY_TIMEOUT_SECONDS: '10',
      LOG_LEVEL: 'warn',
      CHUNK_CONCURRENCY: String(PAGES_PER_WORKER),
      MAILCHIMP_API_URL: sim.url,
      // The api sealed the connections' keys with this file: the workers open them with it.
      CONNECTIONS_KEY_FILE: harness.config.secrets.keyFile,
    },
    observe: () => 'forward',
    clock: () => performance.now() - started,
    log: (line) => {
      console.log(line);
    },
  });
});

afterAll(async () => {
  await pool?.stop();
  await harness.close();
  await sim.close();
});

async function connect(tenant: Tenant, apiKey: string): Promise<string> {
  const res = await request(harness.app)
    .post('/v1/connections')
    .set({ Authorization: `Bearer ${tenant.key}` })
    .send({ type: 'mailchimp', apiKey });
  expect(res.status).toBe(201);
  return (res.body as { id: string }).id;
}

async function importList(tenant: Tenant, connectionId: string, listId: string): Promise<string> {
  const res = await request(harness.app)
    .post('/v1/jobs')
    .set({ Authorization: `Bearer ${tenant.key}` })
    .send({ source: { type: 'mailchimp', connectionId, listId }, chunkRows: PAGE_ROWS });
  expect(res.status).toBe(202);
  return (res.body as { id: string }).id;
}

async function resultEmails(view: JobBody): Promise<string[]> {
  const rows = await parseCsvText(await download((view.result as { url: string }).url), {
    delimiter: ',',
  });
  const [header = [], ...data] = rows;
  const at = header.indexOf('Email Address');
  return data.map((row) => row[at] ?? '');
}

/**
 * Each list's share of the pages served while every one of them still had pages to come
 * (from the last list's first page to the first list's last page).
 */
function sharesWhileAllRan(lists: readonly string[]): Record<string, number> {
  const first = lists.map((id) => served.findIndex((p) => p.listId === id));
  const last = lists.map((id) => served.findLastIndex((p) => p.listId === id));
  const window = served.slice(Math.max(...first), Math.min(...last) + 1);
  return Object.fromEntries(
    lists.map((id) => [id, window.filter((p) => p.listId === id).length / window.length]),
  );
}

describe('Mailchimp connection limit shared by a fleet of worker processes', () => {
  it(
    'keeps 3 workers within 10 connections per account for 2 tenants on one account and a third job on another, serving the shared account’s jobs in turns',
    { timeout: 120_000 },
    async () => {
      const listA = sim.createAudience({ size: 1500, seed: 1, accountId: SHARED.id });
      const listB = sim.createAudience({ size: 1000, seed: 2, accountId: SHARED.id });
      const listC = sim.createAudience({ size: 750, seed: 3, accountId: OTHER.id });
      const connectionA = await connect(TENANT_A, SHARED.key);
      const connectionB = await connect(TENANT_B, SHARED.key);
      const connectionC = await connect(TENANT_A, OTHER.key);
      sim.reset();

      const jobs = [
        { tenant: TENANT_A, listId: listA, id: await importList(TENANT_A, connectionA, listA) },
        { tenant: TENANT_B, listId: listB, id: await importList(TENANT_B, connectionB, listB) },
        { tenant: TENANT_A, listId: listC, id: await importList(TENANT_A, connectionC, listC) },
      ];
      const views = await Promise.all(
        jobs.map((job) =>
          waitForJob(harness.app, job.id, { tenant: job.tenant, timeoutMs: 100_000 }),
        ),
      );

      const stats = sim.stats();
      const shares = sharesWhileAllRan([listA, listB]);
      const explain = JSON.stringify({
        stats: { ...stats, membersRead: undefined },
        shares,
        workerLog: pool?.logEvents.slice(0, 20),
      });
      console.log(
        `mailchimp fleet: most connections per account ${JSON.stringify(stats.maxConnectionsByAccount)}, ` +
          `${stats.pagesServed} pages, shares of the shared account while both ran ${JSON.stringify(shares)}`,
      );
      expect(stats.connectionViolations, explain).toBe(0);
      expect(stats.responses['429'], explain).toBeUndefined();
      expect(stats.maxConnectionsByAccount[SHARED.id], explain).toBeLessThanOrEqual(
        MAX_CONNECTIONS,
      );
      expect(stats.maxConnectionsByAccount[OTHER.id], explain).toBeLessThanOrEqual(MAX_CONNECTIONS);
      // The fleet did press on the limit: well past what one worker's pages alone would open.
      expect(stats.maxConnectionsByAccount[SHARED.id], explain).toBeGreaterThan(PAGES_PER_WORKER);
      expect(pool?.crashes).toBe(0);

      for (const [index, job] of jobs.entries()) {
        const view = views[index]!;
        expect(view.status, explain).toBe('completed');
        // Every member exactly once, in the audience's order.
        expect(await resultEmails(view)).toEqual(sim.members(job.listId).map((m) => m.email));
      }

      // Fair turns: the second job got pages while the first still had pages to come, and
      // while both ran neither took most of the account.
      const lastOfA = served.findLastIndex((p) => p.listId === listA);
      const firstOfB = served.findIndex((p) => p.listId === listB);
      expect(firstOfB, explain).toBeGreaterThanOrEqual(0);
      expect(firstOfB, explain).toBeLessThan(lastOfA);
      expect(shares[listA], explain).toBeGreaterThan(0.25);
      expect(shares[listB], explain).toBeGreaterThan(0.25);
    },
  );
});
