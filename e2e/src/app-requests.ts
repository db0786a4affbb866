import { FINAL_STATUSES } from '@contacts/shared';
import type { Express } from 'express';
import request from 'supertest';
import { TENANT_A, waitFor } from './harness.ts';

// The calls integration tests make again and again, against the app in-process (supertest, no
// socket). They throw with the API's answer instead of asserting, so a test that expects
// another status makes the request itself.

/**
 * A job as the API answers it. Tests read and assert any field of it, so it stays untyped.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JobBody = Record<string, any>;

/** An API key of a tenant. */
export interface Tenant {
  readonly key: string;
}

/** The `Authorization` header of a tenant's requests. */
export function authHeader(tenant: Tenant = TENANT_A): { Authorization: string } {
  return { Authorization: `Bearer ${tenant.key}` };
}

/** Sends a CSV as the body of `POST /v1/jobs` (the job starts at once); returns the job id. */
export async function submitCsv(
  app: Express,
  body: string | Buffer,
  query: { fileName?: string } & Record<string, string> = {},
  tenant: Tenant = TENANT_A,
): Promise<string> {
  const res = await request(app)
    .post('/v1/jobs')
    .query(query)
    .set(authHeader(tenant))
    .set('Content-Type', 'text/csv')
    .send(body);
  if (res.status !== 202) throw new Error(`POST /v1/jobs answered ${res.status}: ${res.text}`);
  return (res.body as JobBody).id as string;
}

/** Creates a job waiting for its presigned upload (`POST /v1/jobs` with JSON); returns its id. */
export async function createJob(
  app: Express,
  body: { fileName: string } & Record<string, unknown>,
  tenant: Tenant = TENANT_A,
): Promise<string> {
  const res = await request(app).post('/v1/jobs').set(authHeader(tenant)).send(body);
  if (res.status !== 201) throw new Error(`POST /v1/jobs answered ${res.status}: ${res.text}`);
  return (res.body as JobBody).id as string;
}

/** `GET /v1/jobs/{id}`: the job view, or an error when the API does not answer 200. */
export async function getJob(
  app: Express,
  id: string,
  tenant: Tenant = TENANT_A,
): Promise<JobBody> {
  const res = await request(app).get(`/v1/jobs/${id}`).set(authHeader(tenant));
  if (res.status !== 200) throw new Error(`GET /v1/jobs/${id} answered ${res.status}: ${res.text}`);
  return res.body as JobBody;
}

/**
 * Polls the job until its status is one of `statuses` (by default any final one) and returns
 * it. A job that reaches another final state fails at once: it will never change again.
 */
export async function waitForJob(
  app: Express,
  id: string,
  options: {
    statuses?: readonly string[];
    tenant?: Tenant;
    timeoutMs?: number;
    intervalMs?: number;
  } = {},
): Promise<JobBody> {
  const statuses: readonly string[] = options.statuses ?? FINAL_STATUSES;
  return waitFor(
    async () => {
      const job = await getJob(app, id, options.tenant);
      const status = job.status as string;
      if (statuses.includes(status)) return job;
      if ((FINAL_STATUSES as readonly string[]).includes(status))
        throw new Error(`job ${id} ended ${status}: ${JSON.stringify(job.error)}`);
      return undefined;
    },
    {
      timeoutMs: options.timeoutMs ?? 45_000,
      intervalMs: options.intervalMs ?? 100,
      what: `job ${id} to be ${statuses.join(' or ')}`,
    },
  );
}

/** Downloads a presigned result or rejects URL as text. */
export async function download(url: string): Promise<string> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`download answered ${res.status}: ${await res.text()}`);
  return res.text();
}
