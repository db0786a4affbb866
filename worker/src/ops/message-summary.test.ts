import { describe, expect, it } from 'vitest';
import { summarizeBody } from './message-summary.ts';

const jobId = '6f1c2a4e-8a1b-4c3d-9e2f-0a1b2c3d4e5f';

describe('summarizeBody', () => {
  it('reads a chunk message: type, job, tenant and chunk index', () => {
    const body = JSON.stringify({
      type: 'chunk.process',
      v: 1,
      jobId,
      tenantId: 'tenant-a',
      index: 3,
      byteStart: 10,
      byteEnd: 20,
      rowStart: 1,
      rowCount: 5,
    });
    expect(summarizeBody(body)).toEqual({
      type: 'chunk.process',
      jobId,
      tenantId: 'tenant-a',
      chunkIndex: 3,
      valid: true,
    });
  });

  it('keeps the readable fields of a message no handler accepts', () => {
    expect(summarizeBody(JSON.stringify({ type: 'job.split', v: 9, jobId, index: 'x' }))).toEqual({
      type: 'job.split',
      jobId,
      valid: false,
    });
  });

  it('marks bodies that are not JSON objects as unreadable', () => {
    expect(summarizeBody('not json')).toEqual({ valid: false });
    expect(summarizeBody('[1,2]')).toEqual({ valid: false });
    expect(summarizeBody('null')).toEqual({ valid: false });
  });
});
