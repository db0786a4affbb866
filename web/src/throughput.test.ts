import { describe, expect, it } from 'vitest';
import { formatDuration, Throughput } from './throughput.ts';

describe('Throughput', () => {
  it('measures over the window and estimates the time left', () => {
    const pace = new Throughput(10_000);
    pace.add(0, 0);
    expect(pace.rowsPerSecond()).toBeUndefined();
    pace.add(2_000, 1_000);
    pace.add(4_000, 2_000);
    expect(pace.rowsPerSecond()).toBe(500);
    expect(pace.secondsLeft(5_000)).toBe(6);
    expect(pace.secondsLeft(null)).toBeUndefined();
  });

  it('forgets samples older than the window', () => {
    const pace = new Throughput(1_000);
    pace.add(0, 0);
    pace.add(5_000, 100);
    pace.add(6_000, 1_100);
    pace.add(7_000, 2_100);
    expect(pace.rowsPerSecond()).toBe(1_000);
  });
});

describe('formatDuration', () => {
  it('reads like a person would say it', () => {
    expect([formatDuration(4.2), formatDuration(75), formatDuration(3_700)]).toEqual([
      '5 s',
      '1 min 15 s',
      '1 h 1 min',
    ]);
  });
});
