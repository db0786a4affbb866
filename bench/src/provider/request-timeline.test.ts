import { describe, expect, it } from 'vitest';
import { achievedRate } from './request-timeline.ts';

describe('achievedRate', () => {
  it('measures from the first request to the last, counting intervals between them', () => {
    // Idle, then one request a second for 60 s (61 requests), then idle again.
    const samples = [
      { at: 0, requests: 5 },
      { at: 10_000, requests: 6 },
      ...Array.from({ length: 60 }, (_, i) => ({ at: 11_000 + i * 1000, requests: 7 + i })),
      { at: 90_000, requests: 66 },
    ];
    const rate = achievedRate(samples, 30_000);
    expect(rate.requests).toBe(61);
    expect(rate.seconds).toBe(60);
    expect(rate.perMinute).toBe(60);
    // Windows [30 s, 60 s) only: [60 s, 90 s) ends after the last request.
    expect(rate.fullWindows).toEqual([30]);
  });

  it('is zero when nothing was sent', () => {
    expect(achievedRate([{ at: 0, requests: 3 }], 60_000)).toMatchObject({ requests: 0 });
  });
});
