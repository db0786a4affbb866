import type { RequestHandler } from 'express';
import { tenantOf } from './auth.ts';
import { HttpProblem } from './problem.ts';

/**
 * Token bucket per tenant: `burst` requests at once, refilled at `perSecond`. In memory, so
 * each API instance limits on its own; put a shared limiter (API Gateway, WAF) in front when
 * many instances must share one budget.
 */
export class RateLimiter {
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: { perSecond: number; burst: number; now?: () => number }) {
    this.#perSecond = options.perSecond;
    this.#burst = options.burst;
    this.#now = options.now ?? Date.now;
  }

  /** Takes one token; returns 0 when allowed, else the seconds until one is available. */
  take(key: string): number {
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, at: now };
    bucket.tokens = Math.min(
      this.#burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.#perSecond,
    );
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.#perSecond));
  }

  middleware(): RequestHandler {
    return (_req, res, next) => {
      const wait = this.take(tenantOf(res).tenantId);
      if (wait === 0) {
        next();
        return;
      }
      next(
        new HttpProblem(429, 'rate_limited', `too many requests; retry in ${wait} s`, {
          headers: { 'Retry-After': String(wait) },
        }),
      );
    };
  }
}
