import { describe, expect, it } from 'vitest';
import {
  holdOffMs,
  parseRateLimitRemaining,
  parseRateLimitReset,
  parseRetryAfter,
} from './rate-limit-headers.ts';

const NOW = Date.parse('2022-02-23T20:19:00Z');

describe('rate-limit headers', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2', NOW)).toBe(2000);
    expect(parseRetryAfter('0.25', NOW)).toBe(250);
    expect(parseRetryAfter('Wed, 23 Feb 2022 20:19:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });

  it('reads x-ratelimit-reset as PDL’s UTC timestamp, epoch seconds or milliseconds, or seconds', () => {
    expect(parseRateLimitReset('2022-02-23T20:19:55Z', NOW)).toBe(55_000);
    expect(parseRateLimitReset(String(NOW / 1000 + 10), NOW)).toBe(10_000);
    expect(parseRateLimitReset(String(NOW + 1500), NOW)).toBe(1500);
    expect(parseRateLimitReset('30', NOW)).toBe(30_000);
    // A reset already past means no wait.
    expect(parseRateLimitReset('2022-02-23T20:18:00Z', NOW)).toBe(0);
  });

  it('reads x-ratelimit-remaining per window (JSON or Python repr) or as one count', () => {
    expect(parseRateLimitRemaining('{"minute": 1200, "day": null, "month": null}')).toBe(1200);
    expect(parseRateLimitRemaining("{'minute': 0, 'day': None, 'month': None}")).toBe(0);
    expect(parseRateLimitRemaining('{"minute": 40, "day": 3}')).toBe(3);
    expect(parseRateLimitRemaining('17')).toBe(17);
    expect(parseRateLimitRemaining('{}')).toBeUndefined();
  });

  it('holds off after a 429 or a spent window, not while requests remain', () => {
    const headers = (entries: Record<string, string>): Headers => new Headers(entries);
    expect(holdOffMs(headers({ 'retry-after': '3' }), 429, NOW)).toBe(3000);
    expect(holdOffMs(headers({ 'x-ratelimit-reset': '2022-02-23T20:19:05Z' }), 429, NOW)).toBe(
      5000,
    );
    expect(
      holdOffMs(
        headers({
          'x-ratelimit-remaining': "{'minute': 0}",
          'x-ratelimit-reset': '2022-02-23T20:19:20Z',
        }),
        200,
        NOW,
      ),
    ).toBe(20_000);
    expect(
      holdOffMs(
        headers({
          'x-ratelimit-remaining': "{'minute': 5}",
          'x-ratelimit-reset': '2022-02-23T20:19:20Z',
        }),
        200,
        NOW,
      ),
    ).toBe(0);
    expect(holdOffMs(headers({}), 429, NOW)).toBe(0);
  });
});
