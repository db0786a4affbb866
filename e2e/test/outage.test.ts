import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  checkOutput,
  runOutage,
  startHarness,
  TENANT_A,
  waitFor,
  WorkerPool,
  writeRowFile,
  type Harness,
  type OutageReport,
  type WorkerLogEvent,
} from '../src/index.ts';

const ROWS = 20_000;
const OUTAGE_SECONDS = 4;
const workDir = mkdtempSync(join(tmpdir(), 'outage-test-'));
const started = performance.now();
const clock = (): number => performance.now() - started;
const log: string[] = [];
const queueEnv = {
  VISIBILITY_TIMEOUT_SECONDS: '5',
  MAX_RECEIVE_COUNT: '10',
  POLL_WAIT_SECONDS: '1',
};
let harness: Harness;
let workers: WorkerPool;
let api: ApiClient;
let baseUrl: string;

beforeAll(async () => {
  harness = await startHarness({
    prefix: 'e2e-outage',
    dataDir: join(workDir, 'emulators'),
    env: queueEnv,
  });
  baseUrl = await harness.listen();
  api = new ApiClient({ baseUrl, apiKey: TENANT_A.key });
  workers = await WorkerPool.start({
    size: 2,
    emulators: harness.emulators,
    env: { ...queueEnv, RESOURCE_PREFIX: 'e2e-outage', LOG_LEVEL: 'info' },
    observe: () => 'forward',
    clock,
    log: (line) => log.push(line),
  });
});

afterAll(async () => {
  await workers.stop();
  await harness.close();
  rmSync(workDir, { recursive: true, force: true });
});

/** Warnings, errors and outage notices a worker logged, by message. */
function messagesBySlot(events: readonly WorkerLogEvent[]): Map<number, Map<string, number>> {
  const bySlot = new Map<number, Map<string, number>>();
  for (const event of events) {
    const counts = bySlot.get(event.slot) ?? new Map<string, number>();
    counts.set(event.msg, (counts.get(event.msg) ?? 0) + 1);
    bySlot.set(event.slot, counts);
  }
  return bySlot;
}

describe('an outage of S3, SQS and DynamoDB in the middle of a job', () => {
  let outage: OutageReport;
  let jobId: string;

  it('makes the API answer 503 with Retry-After, never 500, and recover by itself', async () => {
    const file = join(workDir, 'contacts.csv');
    await writeRowFile(file, ROWS, 3);
    jobId = await api.submitFile(file, { fileName: 'outage.csv', chunkRows: '200' });
    await waitFor(
      async () => {
        const job = await harness.jobs.get(jobId);
        return job?.status === 'processing' && job.chunksDone > 0 ? true : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 20, what: 'the job to be processing' },
    );

    outage = await runOutage({
      dependencies: harness.emulators,
      seconds: OUTAGE_SECONDS,
      baseUrl,
      apiKey: TENANT_A.key,
      clock,
      log: (line) => log.push(line),
      probeEveryMs: 500,
    });

    const probed = new Set(outage.duringOutage.map((p) => p.probe));
    expect(probed).toEqual(
      new Set([
        'GET /readyz',
        'POST /v1/jobs (JSON)',
        'POST /v1/jobs (text/csv)',
        'POST /v1/jobs/{id}/start',
      ]),
    );
    for (const probe of outage.duringOutage) {
      expect(probe, probe.probe).toMatchObject({ status: 503, retryAfter: '5' });
    }
    expect(Object.fromEntries(outage.afterRecovery.map((p) => [p.probe, p.status]))).toEqual({
      'GET /readyz': 200,
      'POST /v1/jobs (JSON)': 201,
      'POST /v1/jobs (text/csv)': 202,
      // The probe's job never got a file: a conflict, not an outage.
      'POST /v1/jobs/{id}/start': 409,
    });
  });

  it('lets the job complete after recovery with every row once, in order', async () => {
    const job = await api.waitForFinalState(jobId, { timeoutMs: 45_000 });
    expect(job.status, log.join('\n')).toBe('completed');
    const output = (await fetch(job.result?.url ?? '')).body?.pipeThrough(new TextDecoderStream());
    const rejects = (await fetch(job.result?.rejectsUrl ?? '')).body?.pipeThrough(
      new TextDecoderStream(),
    );
    if (output === undefined || rejects === undefined) throw new Error('no result files');
    expect(await checkOutput(ROWS, output, rejects)).toEqual({
      outputRows: ROWS,
      lost: 0,
      duplicated: 0,
      outOfOrder: 0,
      unknown: 0,
      misjudged: 0,
      rejectsMismatch: 0,
    });
  });

  it('has each worker log the outage once when it starts and once when it ends', async () => {
    const START = ' unreachable; retrying with backoff';
    const END = ' reachable again';
    const countsBySlot = (): Map<number, Map<string, number>> =>
      messagesBySlot(workers.logEvents.filter((e) => e.atMs >= outage.stoppedAtMs));
    // A consumer notices the recovery on its next poll, once its backoff has run out.
    await waitFor(
      () => {
        const recovered = [...countsBySlot().values()].every((counts) =>
          [...counts.keys()]
            .filter((msg) => msg.endsWith(START))
            .every((msg) => counts.has(msg.replace(START, END))),
        );
        return Promise.resolve(recovered ? true : undefined);
      },
      { timeoutMs: 40_000, intervalMs: 200, what: 'every worker to log its recovery' },
    );
    const bySlot = countsBySlot();
    expect(bySlot.size).toBeGreaterThan(0);
    for (const [slot, counts] of bySlot) {
      const described = `slot ${slot}: ${JSON.stringify([...counts])}`;
      for (const [msg, n] of counts) {
        // Nothing per attempt: only the outage notices, each once.
        expect(msg, described).toMatch(/unreachable; retrying with backoff|reachable again/);
        expect(n, described).toBe(1);
      }
    }
  });
});
