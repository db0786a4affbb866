import type { Logger } from './logger.ts';

/**
 * Exponential backoff with "equal jitter" (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): half the delay is fixed so retries never come back at once, half is random so many
 * processes do not retry in lockstep.
 */
export function backoffDelayMs(attempt: number, baseMs = 1000, capMs = 30_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** Logs a dependency outage once when it starts and once when it ends, not on every attempt. */
export class OutageLog {
  readonly #logger: Logger;
  readonly #what: string;
  #since: number | undefined;
  #attempts = 0;

  constructor(logger: Logger, what: string) {
    this.#logger = logger;
    this.#what = what;
  }

  failed(error: unknown): void {
    this.#attempts++;
    if (this.#since !== undefined) return;
    this.#since = Date.now();
    this.#logger.error({ err: error }, `${this.#what} unreachable; retrying with backoff`);
  }

  recovered(): void {
    if (this.#since === undefined) return;
    const downMs = Date.now() - this.#since;
    this.#logger.info({ downMs, attempts: this.#attempts }, `${this.#what} reachable again`);
    this.#since = undefined;
    this.#attempts = 0;
  }
}
