/*
 * Reading a provider's rate-limit headers. Formats seen in the wild, all accepted:
 * - `Retry-After`: delay seconds ("2", "0.5") or an HTTP date (RFC 9110).
 * - `x-ratelimit-reset`: PDL sends a UTC timestamp ("2022-02-23T20:19:55Z"); others send epoch
 *   seconds, epoch milliseconds or seconds to wait.
 * - `x-ratelimit-remaining`: PDL sends one count per window ({"minute": 0, "day": null}, also in
 *   Python's repr with single quotes and None); others a plain integer.
 */

/** Milliseconds to wait from `now`, or undefined when the header is absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Milliseconds until the rate-limit window resets, or undefined. */
export function parseRateLimitReset(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const number = Number(text);
    // Epoch milliseconds, epoch seconds, else a number of seconds to wait.
    if (number > 1e12) return Math.max(0, number - now);
    if (number > 1e9) return Math.max(0, number * 1000 - now);
    return Math.ceil(number * 1000);
  }
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The smallest remaining count over the windows the header lists, or undefined. */
export function parseRateLimitRemaining(value: string | null): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^-?\d+$/.test(text)) return Number(text);
  const counts = [...text.matchAll(/:\s*(-?\d+)/g)].map((match) => Number(match[1]));
  return counts.length === 0 ? undefined : Math.min(...counts);
}

/**
 * How long every request of this process should hold off after a response: the Retry-After of a
 * 429, else the reset time when a window is spent. 0 when nothing says to wait.
 */
export function holdOffMs(headers: Headers, status: number, now: number): number {
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now);
  const reset = parseRateLimitReset(headers.get('x-ratelimit-reset'), now);
  if (status === 429) return retryAfter ?? reset ?? 0;
  if (retryAfter !== undefined) return retryAfter;
  const remaining = parseRateLimitRemaining(headers.get('x-ratelimit-remaining'));
  return remaining !== undefined && remaining <= 0 ? (reset ?? 0) : 0;
}
