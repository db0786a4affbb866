import { readFile } from 'node:fs/promises';
import { createPdlProvider, fieldColumnName, type PdlProviderOptions } from '@contacts/enrichment';
import { startPdlSimulator, type PdlSimulator } from '@contacts/local';
import { parseCsvText, type Worker } from '@contacts/worker';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  download,
  startHarness,
  TENANT_A,
  waitFor,
  waitForJob,
  type Harness,
  type WorkerOverrides,
} from '../src/index.ts';

/*
 * Provider enrichment end to end: the real api and worker against the emulators, the worker's
 * PDL client speaking real HTTP to the PDL simulator (port 0). The simulator's own counters are
 * the evidence of what was sent and billed.
 */

const auth = { Authorization: `Bearer ${TENANT_A.key}` };
const SAMPLES = new URL('../../samples/', import.meta.url);
const SIM_KEY = 'provider-test-key';

let sim: PdlSimulator;
let harness: Harness;
let worker: Worker | undefined;

beforeAll(async () => {
  sim = await startPdlSimulator({ apiKeys: [SIM_KEY], seed: 7, worldSize: 500 });
  harness = await startHarness({
    prefix: 'e2e-provider',
    env: { PDL_API_URL: sim.url, PDL_API_KEY: SIM_KEY },
  });
});

afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});

afterAll(async () => {
  await harness.close();
  await sim.close();
});

function startWorker(overrides: WorkerOverrides = {}): void {
  worker = harness.startWorker(overrides);
}

/** A PDL client of the test's choosing (another key, quick retries) for one worker. */
function pdl(options: Partial<PdlProviderOptions> & { apiUrl: string }): WorkerOverrides {
  return {
    providers: new Map([
      [
        'pdl',
        createPdlProvider({
          apiKey: SIM_KEY,
          batchSize: 20,
          minLikelihood: 2,
          limiter: { acquire: () => Promise.resolve({ release: () => Promise.resolve() }) },
          retry: { attempts: 4, initialDelayMs: 20, maxDelayMs: 100 },
          circuit: { consecutiveFailures: 50, halfOpenAfterMs: 1_000 },
          ...options,
        }),
      ],
    ]),
  };
}

async function submit(csv: string, query: string): Promise<string> {
  const res = await request(harness.app)
    .post(`/v1/jobs?${query}`)
    .set(auth)
    .set('Content-Type', 'text/csv')
    .send(csv);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.id as string;
}

type Row = Record<string, string>;

async function resultRows(job: Record<string, any>): Promise<Row[]> {
  const [header, ...rows] = await parseCsvText(await download(job.result.url as string));
  return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i] ?? ''])));
}

const samples = (): Promise<string> => readFile(new URL('contacts.csv', SAMPLES), 'utf8');

describe('provider enrichment (pdl)', () => {
  it('refuses a job asking for an unknown provider, on both create paths', async () => {
    const json = await request(harness.app)
      .post('/v1/jobs')
      .set(auth)
      .send({ fileName: 'a.csv', provider: 'apollo' });
    expect(json.status).toBe(400);
    const query = await request(harness.app)
      .post('/v1/jobs?provider=apollo')
      .set(auth)
      .set('Content-Type', 'text/csv')
      .send('Name\nAnn');
    expect(query.status).toBe(400);
    expect(query.headers['content-type']).toContain('application/problem+json');
  });

  it('matches sample rows at pdl alone, verified and labelled, then answers them again from the cache', async () => {
    startWorker();
    sim.reset();
    const id = await submit(await samples(), 'fileName=contacts.csv&provider=pdl');
    const job = await waitForJob(harness.app, id);
    expect(job.status).toBe('completed');
    const rows = await resultRows(job);
    const byFirst = (first: string): Row => rows.find((row) => row['First Name'] === first)!;

    const robert = byFirst('Robert');
    expect(robert).toMatchObject({
      match_source: 'pdl',
      match_id: 'sample-robert-smith_0001',
      [fieldColumnName('email', 'status')]: 'confirmed',
      [fieldColumnName('company')]: 'Globex',
      [fieldColumnName('company', 'status')]: 'updated',
      [fieldColumnName('company', 'previous')]: 'Acme Corp',
      [fieldColumnName('city')]: 'Oakland',
      [fieldColumnName('city', 'status')]: 'updated',
    });
    expect(['exact', 'fuzzy', 'nickname']).toContain(robert.match_status);
    expect(byFirst('Bill')).toMatchObject({
      match_status: 'nickname',
      match_source: 'pdl',
      match_id: 'sample-william-obrien_0001',
    });
    // Tom Hanks is not in the provider's world: asked, not found, not billed.
    expect(byFirst('Tom')).toMatchObject({ match_status: 'none', match_source: '', match_id: '' });
    expect(byFirst('Tom').match_reason).toContain('pdl found no one');
    // The row without usable data was never sent.
    expect(rows.find((row) => row.Notes === 'row without any usable data')).toMatchObject({
      match_status: 'rejected',
      match_source: '',
    });

    const pdlMatches = rows.filter((row) => row.match_source === 'pdl').length;
    const stats = sim.stats();
    expect(stats.lookups).toBe(9);
    expect(stats.matches).toBe(pdlMatches);
    expect(stats.repeatedMatches).toEqual([]);
    expect(job.provider).toEqual({
      name: 'pdl',
      requests: stats.requests,
      recordsSent: 9,
      matchesBilled: stats.matches,
      cacheHits: 0,
    });

    // The same people again, plus a duplicate row: nothing more is sent or billed.
    const lines = (await samples()).trimEnd().split('\n');
    const again = await submit([...lines, lines[1]].join('\n'), 'fileName=again.csv&provider=pdl');
    const second = await waitForJob(harness.app, again);
    expect(second.status).toBe('completed');
    expect(sim.stats()).toMatchObject({ lookups: 9, matches: stats.matches });
    expect(second.provider).toMatchObject({
      requests: 0,
      recordsSent: 0,
      matchesBilled: 0,
      cacheHits: 10,
    });
    const secondRows = await resultRows(second);
    expect(secondRows.at(-1)).toMatchObject({
      match_id: 'sample-robert-smith_0001',
      match_source: 'pdl',
    });
  });

  it('runs a waterfall: the directory first, pdl only for the rows it did not match', async () => {
    // A new worker: its response cache starts empty, so every unmatched row is asked.
    startWorker();
    const directory = await request(harness.app)
      .post('/v1/directories')
      .set(auth)
      .set('Content-Type', 'text/csv')
      .send(await readFile(new URL('directory.csv', SAMPLES), 'utf8'));
    expect(directory.status).toBe(201);
    sim.reset();

    const created = await request(harness.app)
      .post('/v1/jobs')
      .set(auth)
      .send({ fileName: 'waterfall.csv', directoryId: directory.body.id, provider: 'pdl' });
    expect(created.status).toBe(201);
    expect(created.body.options).toMatchObject({ provider: 'pdl' });
    const upload = created.body.upload as { url: string; fields: Record<string, string> };
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append('file', new Blob([await samples()], { type: 'text/csv' }), 'contacts.csv');
    expect((await fetch(upload.url, { method: 'POST', body: form })).status).toBeLessThan(300);
    const started = await request(harness.app).post(`/v1/jobs/${created.body.id}/start`).set(auth);
    expect(started.status).toBe(202);

    const job = await waitForJob(harness.app, created.body.id as string);
    expect(job.status).toBe('completed');
    const rows = await resultRows(job);
    const fromDirectory = rows.filter((row) => row.match_source === 'directory');
    const fromPdl = rows.filter((row) => row.match_source === 'pdl');
    expect(fromDirectory.length).toBeGreaterThan(0);
    expect(fromPdl.length).toBeGreaterThan(0);
    for (const row of fromDirectory) expect(row.match_id).toMatch(/^crm-/);
    for (const row of fromPdl) expect(row.match_id).toMatch(/^sample-/);
    // Only the rows the directory left unmatched (and usable) went to the provider.
    const unmatched = rows.filter(
      (row) => row.match_source !== 'directory' && row.match_status !== 'rejected',
    ).length;
    // The cache is the fleet's (DynamoDB): rows an earlier test asked about are answered from it.
    expect(sim.stats().lookups + (job.provider.cacheHits as number)).toBe(unmatched);
    expect(job.provider.recordsSent).toBe(sim.stats().lookups);
  });

  it('fails the job at once as provider_unauthorized when the key is refused: one request, no retry', async () => {
    startWorker(pdl({ apiUrl: sim.url, apiKey: 'not-a-valid-key' }));
    sim.reset();
    const id = await submit(await samples(), 'fileName=unauthorized.csv&provider=pdl');
    const job = await waitForJob(harness.app, id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'provider_unauthorized' });
    expect(job.error.message).not.toContain('not-a-valid-key');
    expect(sim.stats().responses).toEqual({ '401': 1 });
    expect(sim.stats().requests).toBe(1);
  });

  it('survives injected 503s and dropped connections: every row answered, none billed twice', async () => {
    const faulty = await startPdlSimulator({
      apiKeys: [SIM_KEY],
      seed: 11,
      worldSize: 500,
      faults: { serviceUnavailable: 0.3, dropConnection: 0.15 },
    });
    try {
      startWorker(pdl({ apiUrl: faulty.url, batchSize: 3 }));
      // The sample people, and strangers the provider does not know (free 404s).
      const strangers = Array.from(
        { length: 30 },
        (_, i) => `Zyx${i},Qorvath${i},zq${i}@nowhere.test,,,,,stranger`,
      );
      const csv = [...(await samples()).trimEnd().split('\n'), ...strangers].join('\n');
      const id = await submit(csv, 'fileName=faults.csv&provider=pdl&chunkRows=5');
      const job = await waitForJob(harness.app, id);
      expect(job.status).toBe('completed');
      const rows = await resultRows(job);
      expect(rows.filter((row) => row.match_status === 'error')).toEqual([]);
      expect(rows.filter((row) => row.match_source === 'pdl').length).toBe(8);
      expect(rows.filter((row) => row.Notes === 'stranger').map((row) => row.match_status)).toEqual(
        strangers.map(() => 'none'),
      );
      const stats = faulty.stats();
      expect(stats.faults.serviceUnavailable + stats.faults.dropped).toBeGreaterThan(0);
      // A dropped answer was billed but never seen; it is asked (and billed) again. Nothing else.
      expect(stats.repeatedMatches.reduce((sum, r) => sum + r.times - 1, 0)).toBe(
        stats.droppedMatches,
      );
    } finally {
      await faulty.close();
    }
  });

  it('defers a chunk while the provider is down, then completes it when it is back', async () => {
    // An account of its own: nothing it asks for is in the cache yet.
    const outageKey = 'outage-pdl-key';
    const down = await startPdlSimulator({
      apiKeys: [outageKey],
      faults: { serviceUnavailable: 1 },
    });
    const port = Number(new URL(down.url).port);
    let back: PdlSimulator | undefined;
    try {
      // No waiting in process: the message is deferred at once (by default a chunk first waits
      // up to a minute for the provider, its message kept by the visibility heartbeat).
      startWorker({
        ...pdl({ apiUrl: down.url, apiKey: outageKey, retry: { attempts: 2, initialDelayMs: 10 } }),
        providerOutageWaitMs: 0,
      });
      const id = await submit(await samples(), 'fileName=down.csv&provider=pdl');
      // Every try failed: the chunk is deferred, not failed and not turned into error rows.
      await waitFor(() => Promise.resolve(down.stats().requests >= 2 ? true : undefined), {
        timeoutMs: 20_000,
      });
      const waiting = await request(harness.app).get(`/v1/jobs/${id}`).set(auth);
      expect(waiting.body.status).toBe('processing');
      await down.close();
      back = await startPdlSimulator({ apiKeys: [outageKey], port });
      const job = await waitForJob(harness.app, id, { timeoutMs: 45_000 });
      expect(job.status).toBe('completed');
      const rows = await resultRows(job);
      expect(rows.filter((row) => row.match_status === 'error')).toEqual([]);
      expect(rows.filter((row) => row.match_source === 'pdl').length).toBe(8);
    } finally {
      await down.close();
      await back?.close();
    }
  });
});
