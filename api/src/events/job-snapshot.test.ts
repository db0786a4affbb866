import { describe, expect, it } from 'vitest';
import { isNewer, parseVersion, versionOf } from './job-snapshot.ts';

describe('job event ids', () => {
  it('grow with the status, the end of split and the chunks done', () => {
    const states = [
      versionOf({ status: 'queued', chunksDone: 0 }),
      versionOf({ status: 'splitting', chunksDone: 0 }),
      versionOf({ status: 'splitting', chunksDone: 3 }),
      versionOf({ status: 'processing', chunksTotal: 10, chunksDone: 3 }),
      versionOf({ status: 'processing', chunksTotal: 10, chunksDone: 10 }),
      versionOf({ status: 'merging', chunksTotal: 10, chunksDone: 10 }),
      versionOf({ status: 'cancelled', chunksTotal: 10, chunksDone: 4 }),
    ];
    for (let i = 1; i < states.length; i++) {
      expect(isNewer(states[i]!, parseVersion(states[i - 1]))).toBe(true);
      expect(isNewer(states[i - 1]!, parseVersion(states[i]))).toBe(false);
    }
    expect(isNewer(states[2]!, parseVersion(states[2]))).toBe(false);
  });

  it('ignores ids that are not ours', () => {
    expect(parseVersion('abc')).toBeUndefined();
    expect(parseVersion('1.2.3')).toBeUndefined();
    expect(parseVersion(undefined)).toBeUndefined();
    expect(isNewer('0.0.0', parseVersion('garbage'))).toBe(true);
  });
});
