import { createPassthroughEnricher } from '@contacts/enrichment';
import { ObjectChangedError } from '@contacts/shared';
import { cachedEnricherProvider, parseCsvText, type Worker } from '@contacts/worker';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contactFile,
  queueDepth,
  startHarness,
  TENANT_A,
  waitFor,
  type Harness,
} from '../src/index.ts';

const auth = { Authorization: `Bearer ${TENANT_A.key}` };
const UPLOAD_TTL_SECONDS = 120;

let harness: Harness;
let worker: Worker | undefined;
/** Chunks of a job with a gate here wait for it before they read their bytes. */
const chunkGates = new Map<string, Promise<void>>();

beforeAll(async () => {
  harness = await startHarness({
    prefix: 'e2e-pinning',
    env: { UPLOAD_URL_TTL_SECONDS: String(UPLOAD_TTL_SECONDS) },
  });
});

afterAll(async () => {
  await harness.close();
});

/**
 * One worker for the whole file, started by the first test that needs it: a worker stopped
 * mid-poll can take the next test's message with it for a visibility timeout.
 */
function ensureWorker(): void {
  worker ??= harness.startWorker({
    enrichers: cachedEnricherProvider(async (job) => {
      await chunkGates.get(job.id);
      return createPassthroughEnricher(job.columns);
    }),
  });
}

interface Upload {
  method: 'POST' | 'PUT';
  url: string;
  fields?: Record<string, string>;
  headers?: Record<string, string>;
  expiresAt: string;
}

async function createJob(body: Record<string, unknown>): Promise<{ id: string; upload: Upload }> {
  const created = await request(harness.app).post('/v1/jobs').set(auth).send(body);
  expect(created.status).toBe(201);
  return created.body as { id: string; upload: Upload };
}

/** Sends `content` through a presigned upload; the same instructions can be used again. */
async function sendUpload(upload: Upload, content: string | Uint8Array): Promise<void> {
  let res: Response;
  if (upload.method === 'POST') {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields ?? {})) form.append(name, value);
    form.append('file', new Blob([content], { type: 'text/csv' }), 'contacts.csv');
    res = await fetch(upload.url, { method: 'POST', body: form });
  } else {
    res = await fetch(upload.url, {
      method: 'PUT',
      headers: upload.headers ?? {},
      body: content,
    });
  }
  expect(res.status, await res.text()).toBeLessThan(300);
}

async function start(id: string): Promise<void> {
  await request(harness.app).post(`/v1/jobs/${id}/start`).set(auth).expect(202);
}

async function finalView(id: string): Promise<Record<string, any>> {
  return waitFor(
    async () => {
      const res = await request(harness.app).get(`/v1/jobs/${id}`).set(auth);
      expect(res.status).toBe(200);
      const body = res.body as Record<string, any>;
      return ['completed', 'failed', 'cancelled'].includes(body.status as string)
        ? body
        : undefined;
    },
    // Well inside one visibility timeout (10 s): a retried failure could not finish this fast.
    { timeoutMs: 8_000, what: `job ${id} to finish` },
  );
}

async function expectUploadChanged(id: string): Promise<void> {
  const view = await finalView(id);
  expect(view.status).toBe('failed');
  expect(view.error).toEqual({
    code: 'upload_changed',
    message:
      'the file was uploaded again after the job started; start a new job to process the new file',
  });
  expect(view.result).toBeUndefined();
  // The public view tells nothing of the object: no key, no ETag, no S3 wording.
  const job = await harness.jobs.get(id);
  const text = JSON.stringify(view);
  expect(job?.sourceEtag).toMatch(/^".+"$/);
  expect(text).not.toContain(job!.sourceEtag!.replaceAll('"', ''));
  expect(text).not.toMatch(/etag|sourceKey|uploads\/|Precondition|412/i);
  // Failed at once: nothing was retried into a dead-letter queue.
  expect(await queueDepth(harness.clients.sqs, harness.queueUrls.controlDlq)).toBe(0);
  expect(await queueDepth(harness.clients.sqs, harness.queueUrls.chunkDlq)).toBe(0);
}

describe('a started job is pinned to the upload it was started with', () => {
  // First: no worker may run yet, so the split surely reads after the second upload.
  it('a re-upload through the same presigned POST while the job is queued fails it with upload_changed', async () => {
    const { id, upload } = await createJob({ fileName: 'swap.csv', chunkRows: 25 });
    await sendUpload(upload, contactFile(50, { seed: 13 }));
    await start(id);
    // The URL is still valid: the upload is replaced before any worker read it.
    await sendUpload(upload, contactFile(50, { seed: 14 }));
    expect(worker).toBeUndefined();
    ensureWorker();
    await expectUploadChanged(id);
    expect((await harness.jobs.get(id))?.chunksTotal).toBeUndefined();
  });

  it('records the upload’s ETag and size at start, and completes reading that version', async () => {
    const input = contactFile(60, { seed: 11 });
    const { id, upload } = await createJob({ fileName: 'pinned.csv', chunkRows: 25 });
    await sendUpload(upload, input);
    await start(id);
    const head = await harness.objects.head(`uploads/${TENANT_A.tenantId}/${id}/source.csv`);
    expect(await harness.jobs.get(id)).toMatchObject({
      sourceEtag: head?.etag,
      sourceBytes: Buffer.byteLength(input),
    });
    ensureWorker();
    const view = await finalView(id);
    expect(view.status).toBe('completed');
    expect(view.progress).toMatchObject({ rowsProcessed: 60, chunksTotal: 3, chunksDone: 3 });
  });

  it('a file sent to the API is pinned to the ETag its own upload returned', async () => {
    const input = contactFile(40, { seed: 12 });
    const res = await request(harness.app)
      .post('/v1/jobs?fileName=direct.csv&chunkRows=15')
      .set(auth)
      .set('Content-Type', 'text/csv')
      .send(input);
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    const job = await harness.jobs.get(id);
    const head = await harness.objects.head(job!.sourceKey);
    expect(job?.sourceEtag).toBe(head?.etag);
    ensureWorker();
    expect(await finalView(id)).toMatchObject({ status: 'completed' });
  });

  it('a re-upload through the same presigned PUT after split fails the job when a chunk reads', async () => {
    const input = contactFile(50, { seed: 15 });
    const put = await createJob({ fileName: 'swap-put.csv', chunkRows: 25, uploadMethod: 'PUT' });
    expect(put.upload.method).toBe('PUT');
    await sendUpload(put.upload, input);
    // Chunks wait until the file has been replaced, then read their byte ranges.
    let release: () => void = () => undefined;
    chunkGates.set(
      put.id,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    ensureWorker();
    await start(put.id);
    await waitFor(
      async () => ((await harness.jobs.get(put.id))?.status === 'processing' ? true : undefined),
      { what: 'split to finish' },
    );
    await sendUpload(put.upload, contactFile(50, { seed: 16 }));
    release();
    await expectUploadChanged(put.id);
  });

  it('a UTF-16 job re-uploaded after split completes from the copy split made of the pinned upload', async () => {
    const input = contactFile(30, { seed: 17, tricky: false });
    const { id, upload } = await createJob({ fileName: 'utf16.csv', chunkRows: 10 });
    await sendUpload(upload, Buffer.from(`\ufeff${input}`, 'utf16le'));
    let release: () => void = () => undefined;
    chunkGates.set(
      id,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    ensureWorker();
    await start(id);
    await waitFor(
      async () => ((await harness.jobs.get(id))?.status === 'processing' ? true : undefined),
      { what: 'split to finish' },
    );
    await sendUpload(upload, Buffer.from(`\ufeff${contactFile(30, { seed: 18 })}`, 'utf16le'));
    release();
    const view = await finalView(id);
    expect(view).toMatchObject({ status: 'completed', input: { encoding: 'utf-16le' } });
    const output = await (await fetch(view.result.url as string)).text();
    // The rows of the file the job was started with, not of the one uploaded later.
    const [header, ...rows] = await parseCsvText(input);
    const outRows = (await parseCsvText(output)).slice(1);
    expect(outRows.map((row) => row.slice(0, header!.length))).toEqual(rows);
  });

  it('a read pinned to an ETag the object no longer has is refused with ObjectChangedError', async () => {
    const key = `uploads/${TENANT_A.tenantId}/pin-check/source.csv`;
    await harness.objects.put(key, 'a,b\n1,2\n');
    const first = await harness.objects.head(key);
    const pinned = { ifMatch: first!.etag };
    expect(
      Buffer.concat(await (await harness.objects.read(key, pinned)).toArray()).toString(),
    ).toBe('a,b\n1,2\n');
    expect(
      Buffer.concat(
        await (await harness.objects.readRange(key, 4, 7, pinned)).toArray(),
      ).toString(),
    ).toBe('1,2');

    await harness.objects.put(key, 'a,b\n3,4\n');
    await expect(harness.objects.read(key, pinned)).rejects.toBeInstanceOf(ObjectChangedError);
    await expect(harness.objects.readRange(key, 4, 7, pinned)).rejects.toBeInstanceOf(
      ObjectChangedError,
    );
    // Unpinned reads see the new version.
    expect(Buffer.concat(await (await harness.objects.read(key)).toArray()).toString()).toBe(
      'a,b\n3,4\n',
    );
  });
});

describe('presigned upload URLs', () => {
  it('expire after UPLOAD_URL_TTL_SECONDS, for POST and PUT alike', async () => {
    const before = Date.now();
    const post = await createJob({ fileName: 'ttl.csv' });
    const put = await createJob({ fileName: 'ttl.csv', uploadMethod: 'PUT' });
    const after = Date.now();
    for (const { upload } of [post, put]) {
      const expiresAt = Date.parse(upload.expiresAt);
      expect(expiresAt).toBeGreaterThanOrEqual(before + UPLOAD_TTL_SECONDS * 1000 - 1000);
      expect(expiresAt).toBeLessThanOrEqual(after + UPLOAD_TTL_SECONDS * 1000 + 1000);
    }
    // What S3 enforces: the POST policy's expiration and the PUT signature's lifetime.
    const policy = JSON.parse(Buffer.from(post.upload.fields!.Policy!, 'base64').toString()) as {
      expiration: string;
    };
    expect(
      Math.abs(Date.parse(policy.expiration) - Date.parse(post.upload.expiresAt)),
    ).toBeLessThan(2000);
    expect(new URL(put.upload.url).searchParams.get('X-Amz-Expires')).toBe(
      String(UPLOAD_TTL_SECONDS),
    );
  });
});
