import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatChaosReport, killTally, runChaos } from '../src/index.ts';

const workDir = mkdtempSync(join(tmpdir(), 'chaos-test-'));
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('chaos: workers SIGKILLed at every stage of a job', () => {
  it('loses, repeats and reorders no row', { timeout: 120_000 }, async () => {
    const log: string[] = [];
    const report = await runChaos({
      rows: 5000,
      kills: 5,
      workers: 2,
      seed: 7,
      chunkRows: 100,
      outageSeconds: 0,
      visibilityTimeoutSeconds: 4,
      maxReceiveCount: 10,
      stallAfterSeconds: 8,
      chunkConcurrency: 2,
      workDir,
      prefix: 'e2e-chaos',
      jobTimeoutMs: 60_000,
      maxJobs: 3,
      log: (line) => log.push(line),
    });
    const explain = [...log, ...formatChaosReport(report)].join('\n');

    expect(report.problems, explain).toEqual([]);
    expect(report.kills, explain).toHaveLength(5);
    expect(killTally(report.kills).byStage).toMatchObject({
      split: 1,
      'mid-chunk': 1,
      'part-written': 1,
      merge: 1,
      'processing-merge': 1,
    });
    // Killed after split moved the job to processing with every chunk counted, before it sent
    // the merge. Who sends it depends on timing: the last chunk (when its re-read already sees
    // processing), the split's redelivery or the watchdog. Each path has its own deterministic
    // test (redelivery.test.ts, watchdog.test.ts); here every row must arrive regardless.
    const statuses = report.kills.map((kill) => kill.jobStatus);
    expect(statuses, explain).toContain('splitting');
    expect(statuses, explain).toContain('merging');
    for (const job of report.jobs) {
      expect(job.check).toMatchObject({ outputRows: 5000, lost: 0, duplicated: 0, outOfOrder: 0 });
    }
    expect(report.deadLettered).toEqual({ control: 0, chunks: 0 });
  });
});
