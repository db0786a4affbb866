import { awsHttpStatus, type Logger } from '@contacts/shared';

/** Exponential backoff with full jitter ("Exponential Backoff And Jitter", AWS Architecture Blog). */
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

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * True when an error, or one of its causes, says a dependency did not answer (network error,
 * timeout, 5xx) rather than answered "no" (4xx): the former is an outage, logged once by
 * OutageLog; the latter is a problem of this call, logged every time.
 */
export function isUnreachable(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    const status = awsHttpStatus(current);
    if (status !== undefined) return status >= 500;
    if (current.name === 'TimeoutError') return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;
  }
  return false;
}
