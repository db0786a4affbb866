import { EnrichmentError } from '../errors.ts';
import type { ProviderAnswer } from './provider.ts';

/** Base of the errors a people provider raises; `code` is stable and machine-readable. */
export class ProviderError extends EnrichmentError {
  readonly code: string;
  readonly provider: string;

  constructor(code: string, provider: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.provider = provider;
  }
}

/** The provider refused the API key (HTTP 401/403): the job fails at once; never retried. */
export class ProviderUnauthorizedError extends ProviderError {
  readonly status: number;

  constructor(provider: string, status: number, detail: string) {
    super(
      'provider_unauthorized',
      provider,
      `${provider} refused the API key (HTTP ${status}${detail ? `: ${detail}` : ''})`,
    );
    this.status = status;
  }
}

/**
 * The provider cannot be reached for now: retries ran out, it keeps rate limiting, or the circuit
 * breaker is open. Retryable later (the chunk message comes back); `retryAfterMs` says how long
 * waiting is worthwhile, when known. `answered` holds the answers of the requests that did
 * succeed before this one failed: they are paid for, so keep (cache) them before retrying.
 */
export class ProviderUnavailableError extends ProviderError {
  readonly retryAfterMs: number | undefined;
  readonly answered: readonly ProviderAnswer[];

  constructor(
    provider: string,
    message: string,
    options: {
      cause?: unknown;
      retryAfterMs?: number | undefined;
      answered?: readonly ProviderAnswer[];
    } = {},
  ) {
    super('provider_unavailable', provider, message, { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
    this.answered = options.answered ?? [];
  }

  /** The same failure, carrying the answers obtained before it. */
  withAnswered(answered: readonly ProviderAnswer[]): ProviderUnavailableError {
    return new ProviderUnavailableError(this.provider, this.message, {
      cause: this.cause,
      retryAfterMs: this.retryAfterMs,
      answered,
    });
  }
}
