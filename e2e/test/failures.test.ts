import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createPassthroughEnricher } from '@contacts/enrichment';
import { cachedEnricherProvider } from '@contacts/worker';
import { queueCounts } from '@contacts/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contactFile,
  download,
  startHarness,
  submitCsv,
  waitFor,
  waitForJob,
  type Harness,
} from '../src/index.ts';

let harness: Harness;
/** Jobs whose file name starts with "explode" have an enricher that always throws. */
const explodingEnrichers = cachedEnricherProvider((job) => {
  if (job.fileName.startsWith('explode')) return Promise.reject(new Error('enricher exploded'));
  return Promise.resolve(createPassthroughEnricher(job.columns));
});

beforeAll(async () => {
  harness = await startHarness({ prefix: 'e2e-failures', env: { MAX_RECEIVE_COUNT: '2' } });
  harness.startWorker({ enrichers: explodingEnrichers });
});

afterAll(async () => {
  await harness.close();
});

describe('failures end jobs with a reason, never stuck', () => {
  it('a chunk that always fails is retried a bounded number of times, then the job fails and the message is dead-lettered', async () => {
    const id = await submitCsv(harness.app, contactFile(20, { seed: 9 }), {
      fileName: 'explode.csv',
    });
    const job = await waitForJob(harness.app, id);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('processing_failed');
    expect(job.error.message).toMatch(/failed 2 times/);
    await waitFor(
      async () =>
        (await queueCounts(harness.clients.sqs, harness.queueUrls.chunkDlq)).visible >= 1
          ? true
          : undefined,
      {
        timeoutMs: 20_000,
        what: 'the chunk message in the DLQ',
      },
    );
  });

  it('a malformed message goes straight to the dead-letter queue', async () => {
    const before = (await queueCounts(harness.clients.sqs, harness.queueUrls.controlDlq)).visible;
    await harness.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: harness.queueUrls.control,
        MessageBody: '{"type":"job.split","v":9}',
      }),
    );
    await waitFor(
      async () =>
        (await queueCounts(harness.clients.sqs, harness.queueUrls.controlDlq)).visible > before
          ? true
          : undefined,
      { what: 'the malformed message in the DLQ' },
    );
  });

  it('an empty file fails its job with a clear reason', async () => {
    const job = await waitForJob(
      harness.app,
      await submitCsv(harness.app, '', { fileName: 'empty.csv' }),
    );
    expect(job.status).toBe('failed');
    expect(job.error).toEqual({ code: 'file_empty', message: 'the file is empty' });
  });

  it('a header-only file completes with no rows', async () => {
    const job = await waitForJob(
      harness.app,
      await submitCsv(harness.app, 'First Name,Email\r\n', { fileName: 'header.csv' }),
    );
    expect(job.status).toBe('completed');
    expect(job.progress).toMatchObject({ rowsTotal: 0, rowsProcessed: 0, chunksTotal: 0 });
    const output = await download(job.result.url);
    expect(output).toBe('First Name,Email,match_status,match_id,match_score,match_reason\n');
  });

  it('a quote that never closes fails the job and says so', async () => {
    const job = await waitForJob(
      harness.app,
      await submitCsv(harness.app, 'a,b\n1,"open\n2,3\n', { fileName: 'quote.csv' }),
    );
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('unbalanced_quote');
  });

  it('rows with the wrong number of fields are kept, marked rejected and listed in the rejects file', async () => {
    const job = await waitForJob(
      harness.app,
      await submitCsv(harness.app, 'a,b\n1,2\n3\n4,5,6\n7,8\n', { fileName: 'ragged.csv' }),
    );
    expect(job.status).toBe('completed');
    expect(job.progress).toMatchObject({ rowsTotal: 4, rowsProcessed: 4, rowsRejected: 2 });
    const output = await download(job.result.url);
    expect(
      output
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(',')[2]),
    ).toEqual(['match_status', 'none', 'rejected', 'rejected', 'none']);
    const rejects = await download(job.result.rejectsUrl);
    expect(rejects).toBe(
      'row_number,reason\n2,"row has 1 fields, header has 2"\n3,"row has 3 fields, header has 2"\n',
    );
  });

  it('neutralizes spreadsheet formulas in the output', async () => {
    const job = await waitForJob(
      harness.app,
      await submitCsv(
        harness.app,
        'Name,Note,Phone\nAnn,=HYPERLINK("http://evil"),+1 415 555 0132\n',
        { fileName: 'formula.csv' },
      ),
    );
    expect(job.status).toBe('completed');
    const output = await download(job.result.url);
    expect(output.split('\n')[1]).toBe(
      `Ann,"'=HYPERLINK(""http://evil"")",+1 415 555 0132,none,,0,`,
    );
  });
});
