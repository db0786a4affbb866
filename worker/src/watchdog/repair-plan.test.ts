import type { Job } from '@contacts/shared';
import { describe, expect, it } from 'vitest';
import { planRepair, stalledMessage } from './repair-plan.ts';

const NOW = Date.parse('2026-01-01T12:00:00.000Z');

function jobWith(overrides: Partial<Job>): Job {
  return {
    id: '5b1d7f0e-8c0a-4a53-9a38-3d5d5d8e3f11',
    tenantId: 'tenant-a',
    status: 'processing',
    createdAt: '2026-01-01T11:00:00.000Z',
    updatedAt: '2026-01-01T11:30:00.000Z',
    fileName: 'a.csv',
    sourceKey: 'uploads/tenant-a/x/a.csv',
    options: { chunkRows: 10 },
    rowsProcessed: 0,
    rowsRejected: 0,
    chunksDone: 0,
    ...overrides,
  };
}

describe('planRepair', () => {
  it('sends the split again for a queued job and for a split whose lease expired', () => {
    expect(planRepair(jobWith({ status: 'queued' }), NOW).kind).toBe('split');
    expect(planRepair(jobWith({ status: 'splitting', leaseUntil: NOW - 1 }), NOW).kind).toBe(
      'split',
    );
  });

  it('leaves a stage alone while its lease is live', () => {
    expect(planRepair(jobWith({ status: 'splitting', leaseUntil: NOW + 1000 }), NOW).kind).toBe(
      'wait',
    );
    expect(planRepair(jobWith({ status: 'merging', leaseUntil: NOW + 1000 }), NOW).kind).toBe(
      'wait',
    );
  });

  it('sends the merge again when every chunk is done or the merge lease expired', () => {
    const done = planRepair(jobWith({ chunksTotal: 4, chunksDone: 4 }), NOW);
    expect(done).toEqual({ kind: 'merge', situation: 'all 4 chunks done but no merge started' });
    expect(planRepair(jobWith({ status: 'merging', leaseUntil: NOW - 1 }), NOW).kind).toBe('merge');
  });

  it('redrives the missing chunks of a processing job and counts them', () => {
    expect(planRepair(jobWith({ chunksTotal: 40, chunksDone: 37 }), NOW)).toEqual({
      kind: 'redrive',
      situation: '3 of 40 chunks missing',
      missing: 3,
      total: 40,
    });
  });

  it('names the stage in the stalled message', () => {
    expect(stalledMessage(jobWith({}), 912, '3 of 40 chunks missing')).toBe(
      'no progress for 912 s while processing: 3 of 40 chunks missing',
    );
  });

  it('knows the fetch stage of a Mailchimp job: missing fetches, then the enrichment owed', () => {
    const mailchimp = {
      source: { type: 'mailchimp', connectionId: 'c', listId: 'l', writeBack: false },
      chunksTotal: 5,
      outputChunks: 5,
    } as const;
    expect(planRepair(jobWith({ ...mailchimp, pagesFetched: 3 }), NOW)).toEqual({
      kind: 'redrive',
      situation: '3 of 5 pages fetched',
      missing: 2,
      total: 5,
    });
    expect(planRepair(jobWith({ ...mailchimp, pagesFetched: 5 }), NOW)).toMatchObject({
      kind: 'redrive',
      situation: 'all 5 pages fetched but their enrichment was not sent',
    });
    const sending = jobWith({ ...mailchimp, pagesFetched: 5, dispatchUntil: NOW + 1000 });
    expect(planRepair(sending, NOW).kind).toBe('wait');
    const enriching = jobWith({
      ...mailchimp,
      pagesFetched: 5,
      pagesDispatchedAt: 'x',
      chunksDone: 2,
    });
    expect(planRepair(enriching, NOW)).toMatchObject({
      kind: 'redrive',
      situation: '3 of 5 chunks missing',
    });
  });
});
