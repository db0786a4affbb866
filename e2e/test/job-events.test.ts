import { createPassthroughEnricher } from '@contacts/enrichment';
import type { Job } from '@contacts/shared';
import type { EnricherProvider } from '@contacts/worker';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authHeader,
  contactFile,
  createJob,
  openEventStream,
  startHarness,
  submitCsv,
  TENANT_A,
  TENANT_B,
  waitFor,
  type Harness,
  type JobBody,
  type SseEvent,
  type SseStream,
} from '../src/index.ts';

let harness: Harness;
let baseUrl: string;

/** Jobs named "slow…" take 100 ms per chunk, so a test can watch them run and cancel them. */
const slowEnrichers: EnricherProvider = async (job: Job) => {
  if (job.fileName.startsWith('slow')) await new Promise((resolve) => setTimeout(resolve, 100));
  return createPassthroughEnricher(job.columns ?? []);
};

beforeAll(async () => {
  harness = await startHarness({
    prefix: 'e2e-events',
    env: { SSE_POLL_INTERVAL_MS: '50', SSE_HEARTBEAT_MS: '100' },
  });
  harness.startWorker({ enrichers: slowEnrichers });
  baseUrl = await harness.listen();
});

afterAll(async () => {
  await harness.close();
});

function stream(id: string, headers: Record<string, string> = authHeader()): Promise<SseStream> {
  return openEventStream(`${baseUrl}/v1/jobs/${id}/events`, headers);
}

/** Each event id is a later state than the one before. */
function expectIncreasingIds(events: readonly SseEvent[]): void {
  const ids = events.map((event) => event.id!.split('.').map(Number));
  for (let i = 1; i < ids.length; i++) {
    const [a, b] = [ids[i - 1]!, ids[i]!];
    const diff = a.findIndex((part, k) => part !== b[k]);
    expect(diff, `ids ${events[i - 1]!.id} then ${events[i]!.id}`).toBeGreaterThanOrEqual(0);
    expect(b[diff]!).toBeGreaterThan(a[diff]!);
  }
}

/** Waits until `check` (synchronous) returns a value. */
function until<T>(check: () => T | undefined, what: string): Promise<T> {
  return waitFor(() => Promise.resolve(check()), { what, intervalMs: 20 });
}

function finalEvents(events: readonly SseEvent[]): SseEvent[] {
  return events.filter((event) => event.event !== 'progress');
}

describe('job events (server-sent events)', () => {
  it('streams progress, then exactly one completed event with the final view, and ends', async () => {
    const id = await submitCsv(harness.app, contactFile(400, { seed: 5 }), {
      fileName: 'slow-complete.csv',
      chunkRows: '50',
    });
    const events = await stream(id);
    expect(events.status).toBe(200);
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await events.ended;

    const progress = events.events.filter((event) => event.event === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(finalEvents(events.events).map((event) => event.event)).toEqual(['completed']);
    expect(events.events.at(-1)!.event).toBe('completed');
    expectIncreasingIds(events.events);
    const views = progress.map((event) => JSON.parse(event.data) as JobBody);
    expect(views[0]).toMatchObject({ id, progress: { rowsProcessed: expect.any(Number) } });
    // Rows only ever go up, and at least one event showed a running count.
    const rows = views.map((view) => view.progress.rowsProcessed as number);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    const done = JSON.parse(events.events.at(-1)!.data);
    expect(done).toMatchObject({
      id,
      status: 'completed',
      progress: { rowsTotal: 400, rowsProcessed: 400, chunksDone: 8 },
    });
    expect(done.result.url).toEqual(expect.any(String));
  });

  it('ends a failed job with one failed event carrying its error', async () => {
    const id = await submitCsv(harness.app, 'a,b\n1,"open\n2,3\n', { fileName: 'quote.csv' });
    const events = await stream(id);
    await events.ended;
    expect(finalEvents(events.events).map((event) => event.event)).toEqual(['failed']);
    expect(JSON.parse(events.events.at(-1)!.data)).toMatchObject({
      status: 'failed',
      error: { code: 'unbalanced_quote' },
    });
  });

  it('ends a cancelled job with one cancelled event', async () => {
    const id = await submitCsv(harness.app, contactFile(2000, { seed: 6 }), {
      fileName: 'slow-cancel.csv',
      chunkRows: '50',
    });
    const events = await stream(id);
    await until(
      () => events.events.find((e) => (JSON.parse(e.data) as JobBody).progress.chunksDone > 0),
      'a progress event with a chunk done',
    );
    const cancelled = await request(harness.app).post(`/v1/jobs/${id}/cancel`).set(authHeader());
    expect(cancelled.status).toBe(200);
    await events.ended;
    expect(finalEvents(events.events).map((event) => event.event)).toEqual(['cancelled']);
    expect(JSON.parse(events.events.at(-1)!.data).status).toBe('cancelled');
    expectIncreasingIds(events.events);
  });

  it('resumes after Last-Event-ID without repeating seen states, and sends heartbeats', async () => {
    // A job waiting for its upload does not change until it is cancelled.
    const id = await createJob(harness.app, { fileName: 'waiting.csv' });
    const first = await stream(id);
    await until(() => first.events[0], 'the first event');
    first.close();
    const seenId = first.events[0]!.id!;
    expect(first.events[0]!.event).toBe('progress');

    const resumed = await stream(id, { ...authHeader(), 'Last-Event-ID': seenId });
    // Two heartbeats and still no event: the state it already saw is not sent again.
    await until(
      () => (resumed.comments.filter((c) => c === 'ping').length >= 2 ? true : undefined),
      'two heartbeats',
    );
    expect(resumed.events).toEqual([]);
    await request(harness.app).post(`/v1/jobs/${id}/cancel`).set(authHeader()).expect(200);
    await resumed.ended;
    expect(resumed.events.map((event) => event.event)).toEqual(['cancelled']);

    // After the end, a reconnect hears the final event again, and the stream ends.
    const again = await stream(id, { ...authHeader(), 'Last-Event-ID': resumed.events[0]!.id! });
    await again.ended;
    expect(again.events.map((event) => event.event)).toEqual(['cancelled']);
    expect(again.events[0]!.id).toBe(resumed.events[0]!.id);
  });

  it('shares one poller between the streams of a job and stops it when they close', async () => {
    const id = await createJob(harness.app, { fileName: 'shared.csv' });
    const hub = harness.appDeps.events.hub;
    const before = hub.stats();
    const streams = await Promise.all([stream(id), stream(id)]);
    await until(
      () => (streams.every((s) => s.events.length > 0) ? true : undefined),
      'both streams heard the job',
    );
    expect(hub.stats()).toMatchObject({
      watchedJobs: before.watchedJobs + 1,
      subscribers: before.subscribers + 2,
    });
    // Both streams see the same state under the same id.
    expect(streams[0].events[0]).toEqual(streams[1].events[0]);
    for (const s of streams) s.close();
    await until(
      () => (hub.stats().watchedJobs === before.watchedJobs ? true : undefined),
      'the poller to stop',
    );
    expect(hub.stats().subscribers).toBe(before.subscribers);
  });

  it('answers 404 for another tenant’s job and 401 without credentials', async () => {
    const id = await createJob(harness.app, { fileName: 'private.csv' });
    const other = await stream(id, authHeader(TENANT_B));
    expect(other.status).toBe(404);
    expect(JSON.parse(other.text)).toMatchObject({ status: 404 });
    const anonymous = await stream(id, {});
    expect(anonymous.status).toBe(401);
    await request(harness.app)
      .post(`/v1/jobs/${id}/events-token`)
      .set(authHeader(TENANT_B))
      .expect(404);
  });

  it('lets a browser stream with a short-lived token bound to one job', async () => {
    const id = await createJob(harness.app, { fileName: 'browser.csv' });
    const minted = await request(harness.app).post(`/v1/jobs/${id}/events-token`).set(authHeader());
    const token = (minted.body as JobBody).token as string;
    expect(minted.status).toBe(201);
    expect(token).not.toContain(TENANT_A.key);
    expect(Date.parse(minted.body.expiresAt)).toBeGreaterThan(Date.now());
    const viaToken = await openEventStream(`${baseUrl}${minted.body.url}`);
    expect(viaToken.status).toBe(200);
    await until(() => viaToken.events[0], 'an event over the token');
    viaToken.close();

    const otherJob = await createJob(harness.app, { fileName: 'other.csv' });
    const wrongJob = await openEventStream(
      `${baseUrl}/v1/jobs/${otherJob}/events?token=${encodeURIComponent(token)}`,
    );
    expect(wrongJob.status).toBe(401);
    const forged = await openEventStream(
      `${baseUrl}/v1/jobs/${id}/events?token=${encodeURIComponent(token.slice(0, -2) + 'xx')}`,
    );
    expect(forged.status).toBe(401);
  });
});
