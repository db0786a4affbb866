import { Readable } from 'node:stream';
import { createApp, createAppDeps } from '@contacts/api';
import { createLogger, textKeyOf, type Job } from '@contacts/shared';
import { parseCsvText } from '@contacts/worker';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hostileCases,
  HOSTILE_LIMITS,
  type ExpectedCells,
  type HostileBody,
  type HostileCase,
} from '../src/hostile-files.ts';
import { contactFile, startHarness, TENANT_A, waitFor, type Harness } from '../src/index.ts';

const auth = { Authorization: `Bearer ${TENANT_A.key}` };
/** The test process holds the emulators, the API and two workers; this bounds them together. */
const RSS_BUDGET_BYTES = 1024 ** 3;

interface JobView {
  id: string;
  status: string;
  progress: { rowsTotal: number | null; rowsProcessed: number; rowsRejected: number };
  result?: { url: string; rejectsUrl?: string };
  error?: { code: string; message: string };
}

type Outcome =
  | { kind: 'refused'; httpStatus: number; problem: { type: string; detail: string } }
  | { kind: 'job'; view: JobView; record: Job; output?: string[][]; rejects?: string };

let harness: Harness;
let apiUrl: string;
let smallLimitApp: ReturnType<typeof createApp>;
const cases = hostileCases();
const outcomes = new Map<string, Promise<Outcome>>();
let normalJob: Promise<Outcome>;
let peakRss = 0;
const rssSampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 100);

beforeAll(async () => {
  harness = await startHarness({
    prefix: 'e2e-hostile',
    env: { MAX_ROW_BYTES: String(HOSTILE_LIMITS.maxRowBytes) },
  });
  harness.startWorker();
  harness.startWorker();
  apiUrl = await harness.listen();
  // The same resources behind an API with a small upload limit, for the "too large" case.
  smallLimitApp = createApp(
    createAppDeps({
      config: {
        ...harness.config,
        api: { ...harness.config.api, maxUploadBytes: HOSTILE_LIMITS.smallUploadBytes },
      },
      clients: harness.apiClients,
      queueUrls: harness.queueUrls,
      logger: createLogger({ level: 'silent', name: 'small-limit-api' }),
    }),
  );
  // Every case at once, next to a normal job: the workers must keep all of them flowing.
  normalJob = submit('normal.csv', Buffer.from(contactFile(3000, { seed: 5 })), 500);
  for (const hostile of cases) outcomes.set(hostile.name, run(hostile));
  // Awaited one by one below; a failure before then must not count as unhandled.
  for (const outcome of [normalJob, ...outcomes.values()]) outcome.catch(() => undefined);
});

afterAll(async () => {
  clearInterval(rssSampler);
  await harness.close();
});

function run(hostile: HostileCase): Promise<Outcome> {
  if (hostile.expect.status === 'refused') return refusedBySmallLimit(hostile);
  return submit(`${hostile.name}.csv`, hostile.body(), hostile.chunkRows);
}

async function refusedBySmallLimit(hostile: HostileCase): Promise<Outcome> {
  const res = await request(smallLimitApp)
    .post(`/v1/jobs?fileName=${hostile.name}.csv`)
    .set(auth)
    .set('Content-Type', 'text/csv')
    .send(Buffer.from(hostile.body() as Uint8Array));
  return {
    kind: 'refused',
    httpStatus: res.status,
    problem: res.body as { type: string; detail: string },
  };
}

async function submit(fileName: string, body: HostileBody, chunkRows?: number): Promise<Outcome> {
  const query = `fileName=${fileName}${chunkRows === undefined ? '' : `&chunkRows=${chunkRows}`}`;
  const res = await fetch(`${apiUrl}/v1/jobs?${query}`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'text/csv' },
    body:
      body instanceof Uint8Array ? body : (Readable.toWeb(Readable.from(body)) as ReadableStream),
    duplex: 'half',
  });
  const created = (await res.json()) as JobView;
  if (res.status !== 202) throw new Error(`${fileName}: upload answered ${res.status}`);
  const view = await waitFor(
    async () => {
      const job = (await (
        await fetch(`${apiUrl}/v1/jobs/${created.id}`, { headers: auth })
      ).json()) as JobView;
      return ['completed', 'failed', 'cancelled'].includes(job.status) ? job : undefined;
    },
    { timeoutMs: 50_000, intervalMs: 200, what: `${fileName} to finish` },
  );
  const record = (await harness.jobs.get(view.id))!;
  if (view.result === undefined) return { kind: 'job', view, record };
  const output = await parseCsvText(await (await fetch(view.result.url)).text());
  const rejects =
    view.result.rejectsUrl === undefined
      ? undefined
      : await (await fetch(view.result.rejectsUrl)).text();
  return { kind: 'job', view, record, output, ...(rejects === undefined ? {} : { rejects }) };
}

function expectCells(output: string[][], cells: ExpectedCells): void {
  const [header = []] = output;
  for (const [row, expected] of Object.entries(cells)) {
    const values = output[Number(row)] ?? [];
    const actual = Object.fromEntries(
      Object.keys(expected).map((column) => [column, values[header.indexOf(column)]]),
    );
    expect(actual, `row ${row}`).toEqual(expected);
  }
}

describe('hostile input files end in a clear job error or per-row rejects', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, hostile) => {
    const outcome = await outcomes.get(hostile.name)!;
    const expected = hostile.expect;
    if (expected.status === 'refused') {
      expect(outcome).toMatchObject({
        kind: 'refused',
        httpStatus: expected.httpStatus,
        problem: { type: `/problems/${expected.type}` },
      });
      if (outcome.kind === 'refused') expect(outcome.problem.detail).toMatch(expected.message);
      return;
    }
    if (outcome.kind !== 'job') throw new Error('expected a job');
    const { view, record } = outcome;
    if (expected.status === 'failed') {
      expect({ status: view.status, code: view.error?.code }).toEqual({
        status: 'failed',
        code: expected.code,
      });
      expect(view.error?.message).toMatch(expected.message);
      return;
    }
    expect(view.error).toBeUndefined();
    expect(view.status).toBe('completed');
    expect(view.progress).toMatchObject({
      rowsTotal: expected.rows,
      rowsProcessed: expected.rows,
      rowsRejected: expected.rejected,
    });
    const output = outcome.output ?? [];
    expect(output).toHaveLength(expected.rows + 1);
    if (expected.columns)
      expect(output[0]?.slice(0, expected.columns.length)).toEqual(expected.columns);
    if (expected.cells) expectCells(output, expected.cells);
    for (const [row, leading] of Object.entries(expected.leadingCells ?? {}))
      expect(output[Number(row)]?.slice(0, leading.length)).toEqual(leading);
    if (expected.rejects !== undefined) expect(outcome.rejects).toBe(expected.rejects);
    if (expected.rejected === 0) expect(outcome.rejects).toBeUndefined();
    const { transcoded, ...recorded } = expected.job ?? {};
    expect(record).toMatchObject(recorded);
    if (transcoded !== undefined) expect(textKeyOf(record) !== record.sourceKey).toBe(transcoded);
  });

  it('kept a normal job flowing alongside, complete and correct', async () => {
    const outcome = await normalJob;
    if (outcome.kind !== 'job') throw new Error('expected a job');
    expect(outcome.view.status).toBe('completed');
    expect(outcome.view.progress).toMatchObject({
      rowsTotal: 3000,
      rowsProcessed: 3000,
      rowsRejected: 0,
    });
    expect(outcome.output).toHaveLength(3001);
    // Each row carries its number in Notes: every row present, once, in order.
    const notes = outcome.output!.slice(1).map((row) => row[5]?.split('\n')[0]);
    expect(notes).toEqual(Array.from({ length: 3000 }, (_, i) => `row ${i + 1}`));
    expect(outcome.record).toMatchObject({ encoding: 'utf-8', delimiter: ',', lineEnding: 'lf' });
  });

  it('stayed within its memory budget', () => {
    expect(peakRss).toBeLessThan(RSS_BUDGET_BYTES);
  });
});
