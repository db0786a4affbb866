/**
 * PDL's rate limit: per key, a fixed window ("100 per minute" means 100 at any moment within
 * each clock-aligned 60-second window), counted per request, whatever its size.
 */
export interface WindowState {
  readonly allowed: boolean;
  readonly limit: number;
  /** Requests left in this window after this one. */
  readonly remaining: number;
  /** When the window ends (epoch ms). */
  readonly resetAt: number;
}

export class FixedWindowLimiter {
  private readonly counts = new Map<string, { window: number; count: number }>();

  private readonly limit: number;
  private readonly windowMs: number;

  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** Takes one request from the key's window, unless the window is used up. */
  take(key: string, now: number): WindowState {
    const window = Math.floor(now / this.windowMs);
    let entry = this.counts.get(key);
    if (!entry || entry.window !== window) {
      entry = { window, count: 0 };
      this.counts.set(key, entry);
    }
    const allowed = entry.count < this.limit;
    if (allowed) entry.count++;
    return {
      allowed,
      limit: this.limit,
      remaining: this.limit - entry.count,
      resetAt: (window + 1) * this.windowMs,
    };
  }

  reset(): void {
    this.counts.clear();
  }
}
