import type autocannon from 'autocannon';
import { describe, expect, it } from 'vitest';
import { hasFailures, summarize, type Scenario } from './scenarios.ts';

const scenario: Scenario = { name: 'poll', target: '10 req/s', options: { url: 'http://x' } };

function result(statusCodeStats: Record<string, { count: number }>, errors = 0): autocannon.Result {
  const histogram = {
    average: 0,
    mean: 0,
    stddev: 0,
    min: 1,
    max: 90,
    total: 0,
    p50: 5,
    p90: 20,
    p99: 80,
    p99_9: 90,
  };
  return {
    duration: 10,
    errors,
    timeouts: errors,
    non2xx: 0,
    statusCodeStats,
    requests: { ...histogram, sent: 0 },
    latency: histogram,
  };
}

describe('summarize', () => {
  it('counts 429 apart from the other non-2xx responses', () => {
    const summary = summarize(
      scenario,
      result({
        '200': { count: 90 },
        '429': { count: 6 },
        '404': { count: 3 },
        '503': { count: 1 },
      }),
    );
    expect(summary).toMatchObject({
      requests: 100,
      perSecond: 10,
      rateLimited: 6,
      failedResponses: 4,
      statuses: { '200': 90, '404': 3, '429': 6, '503': 1 },
      latency: { p50: 5, p90: 20, p99: 80, max: 90 },
    });
    expect(hasFailures(summary)).toBe(true);
  });

  it('passes a run of 2xx and 429 only, and fails one with connection errors', () => {
    expect(
      hasFailures(summarize(scenario, result({ '201': { count: 5 }, '429': { count: 5 } }))),
    ).toBe(false);
    expect(hasFailures(summarize(scenario, result({ '201': { count: 5 } }, 2)))).toBe(true);
  });
});
