import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { API_VERSION, apiDocument } from '@contacts/api';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ContractChecker,
  describeViolations,
  readRecordedResponses,
} from '../src/contract/check-responses.ts';
import {
  authHeader,
  contactFile,
  startHarness,
  TENANT_B,
  waitForJob,
  type Harness,
} from '../src/index.ts';

const contractDir = mkdtempSync(join(tmpdir(), 'openapi-test-'));
const document = apiDocument(API_VERSION);
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ prefix: 'e2e-openapi', contractLogDir: contractDir });
  harness.startWorker();
});

afterAll(async () => {
  await harness.close();
  rmSync(contractDir, { recursive: true, force: true });
});

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(
      JSON.parse(JSON.stringify(document)) as Record<string, unknown>,
    );
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('is served without a key, and is the document built from the routes', async () => {
    const res = await request(harness.app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('describes every route the issue names, and the API key as a bearer token', () => {
    for (const [path, methods] of Object.entries({
      '/v1/jobs': ['get', 'post'],
      '/v1/jobs/{id}': ['get'],
      '/v1/jobs/{id}/start': ['post'],
      '/v1/jobs/{id}/cancel': ['post'],
      '/v1/jobs/{id}/events': ['get'],
      '/v1/jobs/{id}/events-token': ['post'],
      '/v1/directories': ['get', 'post'],
      '/v1/directories/{id}': ['get'],
      '/v1/webhooks': ['get', 'post'],
      '/v1/webhooks/{id}': ['delete'],
      '/v1/connections': ['get', 'post'],
      '/v1/connections/{id}': ['delete'],
      '/healthz': ['get'],
      '/readyz': ['get'],
    }))
      expect(Object.keys(document.paths[path] ?? {}).toSorted(), path).toEqual(methods);
    expect(document.components.securitySchemes).toEqual({
      apiKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    const createJob = document.paths['/v1/jobs']!.post as Record<string, any>;
    expect(Object.keys(createJob.requestBody.content as object)).toEqual([
      'application/json',
      'text/csv',
      'multipart/form-data',
    ]);
    expect(createJob.responses['400'].content).toHaveProperty(['application/problem+json']);
  });
});

describe('GET /docs', () => {
  it('is a self-contained page naming every operation', async () => {
    const res = await request(harness.app).get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const html = res.text;
    for (const path of Object.keys(document.paths)) expect(html).toContain(path);
    // Nothing fetched from anywhere: no scripts, no stylesheets or images by URL.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
  });
});

describe('the answers of a journey match the document', () => {
  it('creates, uploads, follows, lists and cancels, with its problems', async () => {
    const auth = authHeader();
    const app = harness.app;
    await request(app).get('/healthz').expect(200);
    await request(app).get('/readyz').expect(200);
    const created = await request(app).post('/v1/jobs').set(auth).send({ fileName: 'a.csv' });
    expect(created.status).toBe(201);
    const put = await request(app)
      .post('/v1/jobs')
      .set(auth)
      .send({ fileName: 'b.csv', uploadMethod: 'PUT', fileSize: 10 });
    expect(put.status).toBe(201);
    await request(app).post(`/v1/jobs/${created.body.id}/start`).set(auth).expect(409);
    const uploaded = await request(app)
      .post('/v1/jobs')
      .query({ fileName: 'c.csv', chunkRows: '5' })
      .set(auth)
      .set('Content-Type', 'text/csv')
      .send(contactFile(12, { seed: 4 }));
    expect(uploaded.status).toBe(202);
    const done = await waitForJob(app, uploaded.body.id as string);
    expect(done.status).toBe('completed');
    await request(app).post(`/v1/jobs/${created.body.id}/cancel`).set(auth).expect(200);
    await request(app).post(`/v1/jobs/${uploaded.body.id}/cancel`).set(auth).expect(409);
    await request(app).get(`/v1/jobs/${created.body.id}`).set(authHeader(TENANT_B)).expect(404);
    await request(app).get('/v1/jobs/not-a-uuid').set(auth).expect(400);
    await request(app).get('/v1/jobs').expect(401);
    const page = await request(app).get('/v1/jobs').query({ limit: '1' }).set(auth).expect(200);
    await request(app)
      .get('/v1/jobs')
      .query({ cursor: page.body.nextCursor as string })
      .set(authHeader(TENANT_B))
      .expect(400);
    await request(app).get('/v1/jobs').query({ status: 'completed' }).set(auth).expect(200);
    const directory = await request(app)
      .post('/v1/directories')
      .set(auth)
      .set('Content-Type', 'text/csv')
      .send('id,first_name,last_name,email\np-1,Ann,Lee,ann@example.com\n');
    expect(directory.status).toBe(201);
    await request(app).post('/v1/directories').set(auth).send({ fileName: 'd.csv' }).expect(201);
    await request(app).get(`/v1/directories/${directory.body.id}`).set(auth).expect(200);
    await request(app).get('/v1/directories').set(auth).expect(200);
    await request(app)
      .post('/v1/jobs')
      .set(auth)
      .set('Content-Type', 'image/png')
      .send('x')
      .expect(415);
    await request(app).get('/v1/nothing-here').set(auth).expect(404);

    const records = readRecordedResponses(contractDir);
    expect(records.length).toBeGreaterThanOrEqual(20);
    const checker = new ContractChecker(document);
    expect(describeViolations(checker.check(records))).toBe('');
  });
});

describe('the contract check', () => {
  const checker = new ContractChecker(document);
  const record = (over: Partial<Parameters<ContractChecker['check']>[0][number]>) => ({
    method: 'GET',
    path: '/healthz',
    status: 200,
    contentType: 'application/json; charset=utf-8',
    body: '{"status":"ok"}',
    truncated: false,
    ...over,
  });

  it('accepts a described answer', () => {
    expect(checker.check([record({})])).toEqual([]);
  });

  it('fails an undescribed route, status, content type or body', () => {
    const violations = checker.check([
      record({ path: '/v1/secret', status: 200 }),
      record({ status: 418 }),
      record({ contentType: 'text/plain' }),
      record({ body: '{"status":"fine"}' }),
      record({ method: 'DELETE' }),
    ]);
    expect(violations.map((v) => v.problem)).toEqual([
      expect.stringContaining('no such operation'),
      expect.stringContaining('status 418 is not described'),
      expect.stringContaining('content type "text/plain"'),
      expect.stringContaining('does not match its schema'),
      expect.stringContaining('no such operation'),
    ]);
  });

  it('lets the API’s own route_not_found answer and the page’s static files through', () => {
    const body = JSON.stringify({ type: '/problems/route_not_found', status: 404 });
    expect(checker.check([record({ path: '/nope', status: 404, body })])).toEqual([]);
    const asset = record({ path: '/assets/app-1a2b.js', contentType: 'text/javascript' });
    expect(checker.check([asset])).toEqual([]);
    expect(checker.check([{ ...asset, method: 'POST' }])).toHaveLength(1);
  });
});
