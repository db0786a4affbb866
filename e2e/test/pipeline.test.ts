import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { parseCsvText } from '@contacts/worker';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contactFile,
  download,
  queueDepth,
  startHarness,
  TENANT_A,
  TENANT_B,
  waitFor,
  waitForJob,
  type Harness,
} from '../src/index.ts';

const auth = (tenant: { key: string }) => ({ Authorization: `Bearer ${tenant.key}` });

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ prefix: 'e2e-pipeline' });
  harness.startWorker();
  harness.startWorker();
});

afterAll(async () => {
  await harness.close();
});

/** Every input row appears once, in order, with its original values, then the match columns. */
async function expectOutputMatchesInput(input: string, output: string): Promise<void> {
  const [inHeader, ...inRows] = await parseCsvText(input);
  const [outHeader, ...outRows] = await parseCsvText(output);
  expect(outHeader?.slice(0, inHeader!.length)).toEqual(inHeader);
  expect(outHeader).toContain('match_status');
  expect(outRows).toHaveLength(inRows.length);
  for (const [i, row] of inRows.entries()) {
    expect(outRows[i]!.slice(0, row.length)).toEqual(row.map((v) => v.trim()));
  }
}

describe('the whole path', () => {
  it('presigned POST upload → start → completed → download', async () => {
    const input = contactFile(250, { seed: 1 });
    const created = await request(harness.app)
      .post('/v1/jobs')
      .set(auth(TENANT_A))
      .send({ fileName: 'contacts.csv', chunkRows: 40 });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('awaiting_upload');
    const { upload } = created.body;
    expect(upload.method).toBe('POST');
    expect(upload.fields.key).toBe(`uploads/${TENANT_A.tenantId}/${created.body.id}/source.csv`);
    expect(Date.parse(upload.expiresAt)).toBeGreaterThan(Date.now());

    const notYet = await request(harness.app)
      .post(`/v1/jobs/${created.body.id}/start`)
      .set(auth(TENANT_A));
    expect(notYet.status).toBe(409);
    expect(notYet.headers['content-type']).toMatch(/application\/problem\+json/);

    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields as Record<string, string>))
      form.append(name, value);
    form.append('file', new Blob([input], { type: 'text/csv' }), 'contacts.csv');
    const uploaded = await fetch(upload.url, { method: 'POST', body: form });
    expect(uploaded.status).toBeLessThan(300);

    const started = await request(harness.app)
      .post(`/v1/jobs/${created.body.id}/start`)
      .set(auth(TENANT_A));
    expect(started.status).toBe(202);
    expect(['queued', 'splitting', 'processing']).toContain(started.body.status);

    const job = await waitForJob(harness.app, created.body.id, {
      statuses: ['completed'],
      timeoutMs: 60_000,
    });
    expect(job.progress).toMatchObject({
      rowsTotal: 250,
      rowsProcessed: 250,
      rowsRejected: 0,
      chunksTotal: 7,
      chunksDone: 7,
    });
    await expectOutputMatchesInput(input, await download(job.result.url));
    expect(job.result.rejectsUrl).toBeUndefined();
  });

  it('presigned PUT upload with the size signed', async () => {
    const input = contactFile(30, { seed: 2 });
    const created = await request(harness.app)
      .post('/v1/jobs')
      .set(auth(TENANT_A))
      .send({ fileName: 'put.csv', uploadMethod: 'PUT', fileSize: Buffer.byteLength(input) });
    expect(created.status).toBe(201);
    expect(created.body.upload).toMatchObject({
      method: 'PUT',
      headers: { 'Content-Type': 'text/csv' },
    });
    const put = await fetch(created.body.upload.url, {
      method: 'PUT',
      headers: created.body.upload.headers,
      body: input,
    });
    expect(put.status).toBe(200);
    await request(harness.app)
      .post(`/v1/jobs/${created.body.id}/start`)
      .set(auth(TENANT_A))
      .expect(202);
    const job = await waitForJob(harness.app, created.body.id, {
      statuses: ['completed'],
      timeoutMs: 60_000,
    });
    await expectOutputMatchesInput(input, await download(job.result.url));
  });

  it('a 10,000-row file with quoted commas, quotes and newlines comes back whole and in order', async () => {
    const input = contactFile(10_000, { seed: 3, eol: '\r\n' });
    expect(input).toContain('"Acme, Inc. ""West"""');
    expect(input).toMatch(/"row \d+\nsecond line, with comma"/);
    const res = await request(harness.app)
      .post('/v1/jobs?fileName=big.csv&chunkRows=700')
      .set(auth(TENANT_A))
      .set('Content-Type', 'text/csv')
      .send(input);
    expect(res.status).toBe(202);
    const job = await waitForJob(harness.app, res.body.id, {
      statuses: ['completed'],
      timeoutMs: 60_000,
    });
    expect(job.progress).toMatchObject({
      rowsTotal: 10_000,
      rowsProcessed: 10_000,
      chunksTotal: 15,
      chunksDone: 15,
    });
    const output = await download(job.result.url);
    await expectOutputMatchesInput(input, output);
    const rows = await parseCsvText(output);
    // The Notes column carries the row number: a direct check of order and uniqueness.
    const numbers = rows.slice(1).map((row) => Number(/^row (\d+)/.exec(row[5]!)?.[1]));
    expect(numbers).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1));
    // Work objects are gone once the result exists.
    const leftovers = await harness.objects.readIfExists(
      `work/${TENANT_A.tenantId}/${res.body.id}/parts/000000.csv`,
    );
    expect(leftovers).toBeUndefined();
  });

  it('accepts the file as a multipart form field', async () => {
    const input = contactFile(20, { seed: 4 });
    const res = await request(harness.app)
      .post('/v1/jobs?fileName=form.csv')
      .set(auth(TENANT_A))
      .attach('file', Buffer.from(input), { filename: 'form.csv', contentType: 'text/csv' });
    expect(res.status).toBe(202);
    const job = await waitForJob(harness.app, res.body.id, {
      statuses: ['completed'],
      timeoutMs: 60_000,
    });
    await expectOutputMatchesInput(input, await download(job.result.url));
  });

  it("hides one tenant's job from another", async () => {
    const res = await request(harness.app)
      .post('/v1/jobs')
      .set(auth(TENANT_A))
      .send({ fileName: 'private.csv' });
    expect(res.status).toBe(201);
    for (const path of [`/v1/jobs/${res.body.id}`]) {
      const other = await request(harness.app).get(path).set(auth(TENANT_B));
      expect(other.status).toBe(404);
      expect(other.body).toMatchObject({ status: 404, type: '/problems/job_not_found' });
    }
    const start = await request(harness.app)
      .post(`/v1/jobs/${res.body.id}/start`)
      .set(auth(TENANT_B));
    expect(start.status).toBe(404);
    const none = await request(harness.app).get(`/v1/jobs/${res.body.id}`);
    expect(none.status).toBe(401);
  });

  it('ignores duplicate chunk and merge deliveries', async () => {
    const input = contactFile(100, { seed: 5 });
    const res = await request(harness.app)
      .post('/v1/jobs?chunkRows=30')
      .set(auth(TENANT_A))
      .set('Content-Type', 'text/csv')
      .send(input);
    const done = await waitForJob(harness.app, res.body.id, {
      statuses: ['completed'],
      timeoutMs: 60_000,
    });
    const before = await harness.jobs.get(res.body.id);
    const firstChunkEnd = input.indexOf('\n', input.indexOf('\n') + 1);
    const duplicates = [
      {
        type: 'chunk.process',
        v: 1,
        jobId: res.body.id,
        tenantId: TENANT_A.tenantId,
        index: 0,
        byteStart: 0,
        byteEnd: firstChunkEnd + 1,
        rowStart: 1,
        rowCount: 1,
      },
      { type: 'job.merge', v: 1, jobId: res.body.id, tenantId: TENANT_A.tenantId },
    ];
    await harness.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: harness.queueUrls.chunk,
        MessageBody: JSON.stringify(duplicates[0]),
      }),
    );
    await harness.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: harness.queueUrls.control,
        MessageBody: JSON.stringify(duplicates[1]),
      }),
    );
    await waitFor(
      async () =>
        (await queueDepth(harness.clients.sqs, harness.queueUrls.chunk)) +
          (await queueDepth(harness.clients.sqs, harness.queueUrls.control)) ===
        0
          ? true
          : undefined,
      {
        what: 'duplicates to be consumed',
      },
    );
    const after = await harness.jobs.get(res.body.id);
    expect(after).toEqual(before);
    expect(done.progress.rowsProcessed).toBe(100);
  });
});
