import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authHeader,
  createJob,
  getJob,
  startHarness,
  TENANT_A,
  TENANT_B,
  type Harness,
  type JobBody,
  type Tenant,
} from '../src/index.ts';

let harness: Harness;
const jobsOfA: string[] = [];
const jobsOfB: string[] = [];
const DIRECTORY = 'id,first_name,last_name,email\np-1,Ann,Lee,ann@example.com\n';

beforeAll(async () => {
  harness = await startHarness({ prefix: 'e2e-lists' });
  for (let i = 0; i < 5; i++)
    jobsOfA.push(await createJob(harness.app, { fileName: `a-${i}.csv` }));
  for (let i = 0; i < 2; i++)
    jobsOfB.push(await createJob(harness.app, { fileName: `b-${i}.csv` }, TENANT_B));
  // Two of A's jobs end cancelled, so a status filter has something to tell apart.
  for (const id of jobsOfA.slice(1, 3))
    await request(harness.app).post(`/v1/jobs/${id}/cancel`).set(authHeader()).expect(200);
});

afterAll(async () => {
  await harness.close();
});

function list(path: string, query: Record<string, string>, tenant: Tenant = TENANT_A) {
  return request(harness.app).get(path).query(query).set(authHeader(tenant));
}

/** Follows `nextCursor` to the end; returns every page's items. */
async function allPages(
  path: string,
  query: Record<string, string>,
  tenant: Tenant = TENANT_A,
): Promise<JobBody[][]> {
  const pages: JobBody[][] = [];
  let cursor: string | null = null;
  do {
    const res = await list(path, { ...query, ...(cursor === null ? {} : { cursor }) }, tenant);
    expect(res.status).toBe(200);
    pages.push(res.body.items as JobBody[]);
    cursor = res.body.nextCursor as string | null;
    expect(pages.length).toBeLessThan(20);
  } while (cursor !== null);
  return pages;
}

function expectProblem(res: request.Response, status: number, type: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, type: `/problems/${type}` });
}

describe('GET /v1/jobs', () => {
  it('pages through the tenant’s jobs, newest first, without overlap', async () => {
    const pages = await allPages('/v1/jobs', { limit: '2' });
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    const items = pages.flat();
    expect(new Set(items.map((job) => job.id as string))).toEqual(new Set(jobsOfA));
    const created = items.map((job) => job.createdAt as string);
    expect(created).toEqual(created.toSorted().toReversed());
  });

  it('answers 20 by default, and each item is the job’s own view', async () => {
    const res = await list('/v1/jobs', {});
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.nextCursor).toBeNull();
    const items = res.body.items as JobBody[];
    expect(items).toHaveLength(5);
    for (const item of items) expect(item).toEqual(await getJob(harness.app, item.id as string));
  });

  it('is scoped to the tenant', async () => {
    const items = (await allPages('/v1/jobs', {}, TENANT_B)).flat();
    expect(items.map((job) => job.id as string).toSorted()).toEqual(jobsOfB.toSorted());
  });

  it('filters by status, paging within the filter', async () => {
    const cancelled = (await allPages('/v1/jobs', { status: 'cancelled', limit: '1' })).flat();
    expect(cancelled.map((job) => job.id as string).toSorted()).toEqual(
      jobsOfA.slice(1, 3).toSorted(),
    );
    expect(cancelled.every((job) => job.status === 'cancelled')).toBe(true);
    const waiting = (await allPages('/v1/jobs', { status: 'awaiting_upload' })).flat();
    expect(waiting).toHaveLength(3);
    expect((await list('/v1/jobs', { status: 'completed' })).body).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('refuses bad limits, statuses and unknown parameters', async () => {
    for (const limit of ['0', '101', 'ten', '2.5'])
      expectProblem(await list('/v1/jobs', { limit }), 400, 'validation_failed');
    expectProblem(await list('/v1/jobs', { status: 'done' }), 400, 'validation_failed');
    expectProblem(await list('/v1/jobs', { sort: 'asc' }), 400, 'validation_failed');
  });

  it('refuses a tampered cursor, another tenant’s and another filter’s', async () => {
    const first = await list('/v1/jobs', { limit: '1' });
    const cursor = first.body.nextCursor as string;
    expect(typeof cursor).toBe('string');
    expectProblem(await list('/v1/jobs', { cursor }, TENANT_B), 400, 'cursor_invalid');
    expectProblem(await list('/v1/jobs', { cursor, status: 'failed' }), 400, 'cursor_invalid');
    const document = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as {
      p: { id: string };
    };
    const forged = Buffer.from(
      JSON.stringify({ ...document, p: { ...document.p, id: 'not-a-uuid' } }),
    ).toString('base64url');
    for (const bad of [forged, 'garbage!', cursor.slice(0, -6), 'e30'])
      expectProblem(await list('/v1/jobs', { cursor: bad }), 400, 'cursor_invalid');
    expect((await list('/v1/jobs', { cursor })).status).toBe(200);
  });
});

describe('GET /v1/directories', () => {
  it('pages through the tenant’s directories, newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await request(harness.app)
        .post('/v1/directories')
        .set(authHeader())
        .set('Content-Type', 'text/csv')
        .send(DIRECTORY);
      expect(res.status).toBe(201);
      ids.push(res.body.id as string);
    }
    const pages = await allPages('/v1/directories', { limit: '2' });
    expect(pages.map((page) => page.length)).toEqual([2, 1]);
    const items = pages.flat();
    expect(items.map((d) => d.id as string).toSorted()).toEqual(ids.toSorted());
    const updated = items.map((d) => d.updatedAt as string);
    expect(updated).toEqual(updated.toSorted().toReversed());
    for (const item of items) {
      const single = await request(harness.app).get(`/v1/directories/${item.id}`).set(authHeader());
      expect(item).toEqual(single.body);
    }
    expect((await list('/v1/directories', {}, TENANT_B)).body).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('refuses bad limits and cursors', async () => {
    expectProblem(await list('/v1/directories', { limit: '500' }), 400, 'validation_failed');
    expectProblem(await list('/v1/directories', { cursor: 'nope' }), 400, 'cursor_invalid');
  });
});
