import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TENANT_A, type Harness } from '../src/index.ts';

const auth = { Authorization: `Bearer ${TENANT_A.key}` };
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({
    prefix: 'e2e-api-input',
    env: { MAX_UPLOAD_BYTES: '1000', RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '40' },
  });
});

afterAll(async () => {
  await harness.close();
});

function expectProblem(res: request.Response, status: number, type: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, type: `/problems/${type}` });
  expect(typeof res.body.detail).toBe('string');
}

describe('bad requests get a specific 4xx problem, never a 500', () => {
  it('needs a valid API key', async () => {
    expectProblem(await request(harness.app).get('/v1/jobs/x'), 401, 'unauthorized');
    expectProblem(
      await request(harness.app)
        .get('/v1/jobs/x')
        .set('Authorization', 'Bearer not-a-key-at-all-123'),
      401,
      'unauthorized',
    );
  });

  it('rejects invalid JSON, unknown fields and bad file names', async () => {
    const post = () =>
      request(harness.app).post('/v1/jobs').set(auth).set('Content-Type', 'application/json');
    expectProblem(await post().send('{"fileName":'), 400, 'json_invalid');
    const unknown = await post().send({ fileName: 'a.csv', colour: 'red' });
    expectProblem(unknown, 400, 'validation_failed');
    expect(JSON.stringify(unknown.body.errors)).toMatch(/colour/);
    for (const fileName of ['../../etc/passwd', 'a/b.csv', 'bad\u0000name.csv', '..', '']) {
      expectProblem(await post().send({ fileName }), 400, 'validation_failed');
    }
    expectProblem(await post().send({ fileName: 'a.csv', chunkRows: 0 }), 400, 'validation_failed');
    expectProblem(await post().send('x'.repeat(20_000)), 413, 'body_too_large');
  });

  it('refuses a provider this service has no key for, on both create paths', async () => {
    const json = await request(harness.app)
      .post('/v1/jobs')
      .set(auth)
      .send({ fileName: 'a.csv', provider: 'pdl' });
    expectProblem(json, 400, 'provider_not_configured');
    expect(json.body.detail).toContain('PDL_API_KEY');
    expectProblem(
      await request(harness.app)
        .post('/v1/jobs?provider=pdl')
        .set(auth)
        .set('Content-Type', 'text/csv')
        .send('Name\nAnn'),
      400,
      'provider_not_configured',
    );
  });

  it('rejects unsupported content types and malformed ids', async () => {
    expectProblem(
      await request(harness.app)
        .post('/v1/jobs')
        .set(auth)
        .set('Content-Type', 'image/png')
        .send(Buffer.from([1, 2])),
      415,
      'unsupported_media_type',
    );
    expectProblem(
      await request(harness.app).get('/v1/jobs/not-a-uuid').set(auth),
      400,
      'validation_failed',
    );
    expectProblem(
      await request(harness.app).get('/v1/nothing-here').set(auth),
      404,
      'route_not_found',
    );
  });

  it('refuses files over the limit on both upload paths, naming the limit', async () => {
    const direct = await request(harness.app)
      .post('/v1/jobs?fileName=big.csv')
      .set(auth)
      .set('Content-Type', 'text/csv')
      .send('a,b\n' + '1,2\n'.repeat(1000));
    expectProblem(direct, 413, 'file_too_large');
    expect(direct.body.detail).toMatch(/1000 bytes/);
    const presigned = await request(harness.app)
      .post('/v1/jobs')
      .set(auth)
      .send({ fileName: 'big.csv', uploadMethod: 'PUT', fileSize: 5000 });
    expectProblem(presigned, 413, 'file_too_large');
    const post = await request(harness.app).post('/v1/jobs').set(auth).send({ fileName: 'a.csv' });
    const policy = JSON.parse(Buffer.from(post.body.upload.fields.Policy, 'base64').toString()) as {
      conditions: unknown[];
    };
    expect(policy.conditions).toContainEqual(['content-length-range', 1, 1000]);
  });

  it('reports health and readiness', async () => {
    expect((await request(harness.app).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(harness.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ s3: 'ok', sqs: 'ok', dynamodb: 'ok' });
  });

  it('limits each API key, answering 429 with Retry-After', async () => {
    const answers = [];
    for (let i = 0; i < 45; i++)
      answers.push(await request(harness.app).get('/v1/jobs/x').set(auth));
    const limited = answers.filter((res) => res.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expectProblem(limited[0]!, 429, 'rate_limited');
    expect(Number(limited[0]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const other = await request(harness.app)
      .get('/v1/jobs/x')
      .set({ Authorization: 'Bearer key-b-0123456789abcdef' });
    expect(other.status).toBe(400);
  });
});
