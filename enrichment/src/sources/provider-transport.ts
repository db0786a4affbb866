import { setTimeout as delay } from 'node:timers/promises';
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  retry,
  wrap,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
} from 'cockatiel';
import { EnrichmentOptionsError } from '../errors.ts';
import { ProviderUnauthorizedError, ProviderUnavailableError } from './provider-errors.ts';
import type { LookupOptions } from './provider.ts';
import { holdOffMs } from './rate-limit-headers.ts';
import type { RequestLimiter } from './request-limiter.ts';

/*
 * One JSON POST to a provider, made safe to repeat: each try takes a permit from the fleet-wide
 * limiter, waits out the provider's rate-limit headers, times out, and is retried (bounded, with
 * jitter) on 5xx, timeouts and dropped connections. A circuit breaker shared by every call of
 * the process opens on sustained failure so calls then fail fast instead of burning retries.
 * Provider adapters (pdl-provider.ts) only build the request and read the answer.
 */

/** What a provider adapter logs through; a pino logger fits. */
export interface ProviderLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface ProviderRetryOptions {
  /** Tries per request in all, the first included. Default 4. */
  readonly attempts?: number;
  /** First backoff before jitter; grows exponentially up to maxDelayMs. Default 500 ms. */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /**
   * Longest a request waits for a rate-limit window (Retry-After, x-ratelimit-reset) in process;
   * a longer wait fails the call as ProviderUnavailableError with `retryAfterMs`. Default 60 s.
   */
  readonly maxRateLimitWaitMs?: number;
}

export interface ProviderCircuitOptions {
  /** Failed tries in a row (5xx, timeouts, dropped connections) that open the circuit. Default 5. */
  readonly consecutiveFailures?: number;
  /** How long an open circuit fails calls fast before it lets one try through. Default 30 s. */
  readonly halfOpenAfterMs?: number;
}

export interface ProviderTransportOptions {
  /** Provider name for errors and logs ("pdl"). */
  readonly provider: string;
  readonly limiter: RequestLimiter;
  readonly fetch?: typeof fetch;
  /** Per try, from sending the request to the end of the response body. Default 30 s. */
  readonly timeoutMs?: number;
  readonly logger?: ProviderLogger;
  /** Strings (API keys) removed from any text the provider sends back before it is kept. */
  readonly secrets?: readonly string[];
  readonly retry?: ProviderRetryOptions;
  readonly circuit?: ProviderCircuitOptions;
}

export interface ProviderRequest {
  readonly url: string;
  /** Extra headers (authentication); never logged. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export interface ProviderResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface ProviderTransport {
  /**
   * Resolves with a 2xx answer's parsed body. Rejects with ProviderUnauthorizedError (401/403),
   * ProviderRejectedError (another 4xx: this request will not succeed as it is),
   * ProviderUnavailableError (retries exhausted, rate limited too long, circuit open) or the
   * caller's abort reason.
   */
  postJson(request: ProviderRequest, options: LookupOptions): Promise<ProviderResponse>;
}

/** The provider refused this request (4xx other than 401, 403, 429): retrying will not help. */
export class ProviderRejectedError extends Error {
  readonly status: number;
  readonly detail: string;

  constructor(provider: string, status: number, detail: string) {
    super(`${provider} rejected the request (HTTP ${status}${detail ? `: ${detail}` : ''})`);
    this.name = 'ProviderRejectedError';
    this.status = status;
    this.detail = detail;
  }
}

/** A try that may succeed if repeated; counts towards opening the circuit. */
class TransientError extends Error {
  /** The HTTP status, when the provider answered at all. */
  readonly status: number | undefined;

  constructor(message: string, options?: ErrorOptions & { status?: number }) {
    super(message, options);
    this.name = 'TransientError';
    this.status = options?.status;
  }
}

/** The HTTP status a failed try got (0 when the connection failed or timed out). */
function statusOf(error: unknown): number | undefined {
  if (error instanceof RateLimitedError) return 429;
  if (error instanceof TransientError || error instanceof ProviderRejectedError)
    return error.status;
  if (error instanceof ProviderUnauthorizedError) return error.status;
  return undefined;
}

/** A 429. Retried after the provider's hold-off (or a backoff when it gives none). */
class RateLimitedError extends Error {
  readonly waitMs: number;

  constructor(message: string, waitMs: number) {
    super(message);
    this.name = 'RateLimitedError';
    this.waitMs = waitMs;
  }
}

const DEFAULTS = {
  timeoutMs: 30_000,
  attempts: 4,
  initialDelayMs: 500,
  maxDelayMs: 10_000,
  maxRateLimitWaitMs: 60_000,
  consecutiveFailures: 5,
  halfOpenAfterMs: 30_000,
};

/** A transport with its own circuit breaker and hold-off: create one per provider per process. */
export function createProviderTransport(options: ProviderTransportOptions): ProviderTransport {
  const { provider, limiter, logger } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const attempts = options.retry?.attempts ?? DEFAULTS.attempts;
  const maxRateLimitWaitMs = options.retry?.maxRateLimitWaitMs ?? DEFAULTS.maxRateLimitWaitMs;
  const halfOpenAfterMs = options.circuit?.halfOpenAfterMs ?? DEFAULTS.halfOpenAfterMs;
  const consecutiveFailures = options.circuit?.consecutiveFailures ?? DEFAULTS.consecutiveFailures;
  checkPositiveInteger('attempts', attempts);
  checkPositiveInteger('consecutiveFailures', consecutiveFailures);
  checkPositiveInteger('timeoutMs', timeoutMs);
  const redact = secretRedactor(options.secrets ?? []);

  const retryPolicy = retry(
    handleWhen((error) => error instanceof TransientError || error instanceof RateLimitedError),
    {
      maxAttempts: attempts - 1,
      backoff: skipBackoffWhenHeldOff(
        new ExponentialBackoff({
          initialDelay: options.retry?.initialDelayMs ?? DEFAULTS.initialDelayMs,
          maxDelay: options.retry?.maxDelayMs ?? DEFAULTS.maxDelayMs,
        }),
      ),
    },
  );
  // Only outages open the circuit: a 429 says the provider is up, a 4xx is this request's fault.
  const breaker = circuitBreaker(
    handleWhen((error) => error instanceof TransientError),
    { halfOpenAfter: halfOpenAfterMs, breaker: new ConsecutiveBreaker(consecutiveFailures) },
  );
  let openedAt = 0;
  breaker.onBreak(() => {
    openedAt = Date.now();
    logger?.error({ provider, halfOpenAfterMs }, `${provider} keeps failing; circuit open`);
  });
  breaker.onReset(() => logger?.info({ provider }, `${provider} answers again; circuit closed`));
  retryPolicy.onRetry((event) => {
    const reason = 'error' in event ? (event.error as Error).message : 'unexpected value';
    logger?.warn(
      { provider, attempt: event.attempt, delayMs: event.delay, reason },
      `${provider} request failed; retrying`,
    );
  });
  const policy = wrap(retryPolicy, breaker);

  // Until when every request of this process holds off (429 Retry-After, spent window).
  let holdUntil = 0;

  async function waitForWindow(signal: AbortSignal | undefined): Promise<void> {
    const waitMs = holdUntil - Date.now();
    if (waitMs <= 0) return;
    if (waitMs > maxRateLimitWaitMs) {
      throw new ProviderUnavailableError(
        provider,
        `${provider} rate limit: next window in ${Math.ceil(waitMs / 1000)} s`,
        { retryAfterMs: waitMs },
      );
    }
    logger?.info({ provider, waitMs }, `${provider} rate limit reached; waiting for the window`);
    await delay(waitMs, undefined, signal === undefined ? {} : { signal }).catch(
      (error: unknown) => {
        signal?.throwIfAborted();
        throw error;
      },
    );
  }

  async function tryOnce(
    request: ProviderRequest,
    lookup: LookupOptions,
  ): Promise<ProviderResponse> {
    const { signal } = lookup;
    signal?.throwIfAborted();
    await waitForWindow(signal);
    const permit = await limiter.acquire({ jobId: lookup.jobId, signal });
    lookup.onRequest?.();
    const sentAt = Date.now();
    try {
      const response = await send(request, signal);
      logCall(sentAt, response.status, 'ok');
      return response;
    } catch (error) {
      // A call cut short by its caller says nothing about the provider.
      if (signal?.aborted !== true) logCall(sentAt, statusOf(error), 'error');
      throw error;
    } finally {
      await permit.release().catch((error: unknown) => {
        logger?.warn(
          { provider, reason: error instanceof Error ? error.message : String(error) },
          'limiter permit release failed',
        );
      });
    }
  }

  /**
   * One structured line per HTTP call: the stack's log metric filters count calls and failed
   * calls per provider from `providerCall`, and alarm on the share that failed.
   */
  function logCall(sentAt: number, status: number | undefined, outcome: 'ok' | 'error'): void {
    logger?.info(
      { providerCall: { provider, outcome, status: status ?? 0, ms: Date.now() - sentAt } },
      'provider call',
    );
  }

  async function send(
    request: ProviderRequest,
    signal: AbortSignal | undefined,
  ): Promise<ProviderResponse> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    let status: number;
    let text: string;
    try {
      const response = await fetchImpl(request.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          // PDL advises compression for bulk answers; fetch decompresses.
          'accept-encoding': 'gzip, deflate, br',
          ...request.headers,
        },
        body: JSON.stringify(request.body),
        signal: combined,
      });
      status = response.status;
      const hold = holdOffMs(response.headers, status, Date.now());
      if (hold > 0) holdUntil = Math.max(holdUntil, Date.now() + hold);
      text = await response.text();
      if (status === 429) throw new RateLimitedError(`${provider} answered 429`, hold);
    } catch (error) {
      if (error instanceof RateLimitedError) throw error;
      signal?.throwIfAborted();
      if (error instanceof Error && error.name === 'TimeoutError')
        throw new TransientError(`${provider} did not answer within ${timeoutMs} ms`);
      throw new TransientError(`${provider} connection failed: ${networkCause(error)}`, {
        cause: error,
      });
    }
    return classify(status, text);
  }

  function classify(status: number, text: string): ProviderResponse {
    const body = parseJson(text);
    if (status >= 200 && status < 300) {
      if (body === undefined)
        throw new TransientError(`${provider} answered ${status} with a body that is not JSON`, {
          status,
        });
      return { status, body };
    }
    const detail = redact(describeErrorBody(body));
    if (status === 401 || status === 403)
      throw new ProviderUnauthorizedError(provider, status, detail);
    if (status >= 500)
      throw new TransientError(`${provider} answered ${status}${detail ? `: ${detail}` : ''}`, {
        status,
      });
    throw new ProviderRejectedError(provider, status, detail);
  }

  return {
    async postJson(request, lookup) {
      try {
        return await policy.execute(() => tryOnce(request, lookup), lookup.signal);
      } catch (error) {
        lookup.signal?.throwIfAborted();
        if (error instanceof BrokenCircuitError) {
          // While half-open, one trial call is in flight: come back a little later.
          const remaining = openedAt + halfOpenAfterMs - Date.now();
          const retryAfterMs = remaining > 0 ? remaining : Math.min(halfOpenAfterMs, 1000);
          throw new ProviderUnavailableError(
            provider,
            `${provider} circuit open after repeated failures; next try in ${Math.ceil(retryAfterMs / 1000)} s`,
            { cause: error, retryAfterMs },
          );
        }
        if (error instanceof RateLimitedError)
          throw new ProviderUnavailableError(
            provider,
            `${provider} kept rate limiting after ${attempts} tries`,
            { cause: error, retryAfterMs: Math.max(0, holdUntil - Date.now()) || undefined },
          );
        if (error instanceof TransientError)
          throw new ProviderUnavailableError(
            provider,
            `${provider} failed ${attempts} tries: ${error.message}`,
            { cause: error },
          );
        throw error;
      }
    },
  };
}

/** Exponential backoff with jitter, except after a 429 whose hold-off the next try waits out. */
function skipBackoffWhenHeldOff(
  base: IBackoffFactory<unknown>,
): IBackoffFactory<IRetryBackoffContext<unknown>> {
  return new HoldOffAwareBackoff(base, undefined, 0);
}

class HoldOffAwareBackoff implements IBackoff<IRetryBackoffContext<unknown>> {
  readonly #base: IBackoffFactory<unknown>;
  /** The exponential sequence so far; a 429 with a hold-off does not advance it. */
  readonly #previous: IBackoff<unknown> | undefined;
  readonly duration: number;

  constructor(
    base: IBackoffFactory<unknown>,
    previous: IBackoff<unknown> | undefined,
    duration: number,
  ) {
    this.#base = base;
    this.#previous = previous;
    this.duration = duration;
  }

  next(context: IRetryBackoffContext<unknown>): HoldOffAwareBackoff {
    const failure = 'error' in context.result ? context.result.error : undefined;
    if (failure instanceof RateLimitedError && failure.waitMs > 0)
      return new HoldOffAwareBackoff(this.#base, this.#previous, 0);
    const backoff =
      this.#previous === undefined ? this.#base.next(context) : this.#previous.next(context);
    return new HoldOffAwareBackoff(this.#base, backoff, backoff.duration);
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const MAX_DETAIL = 300;

/** "type: message" from `{error: {type, message}}` (PDL) or `{message}` bodies; '' otherwise. */
export function describeErrorBody(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const record = body as Record<string, unknown>;
  const error = record['error'];
  let text = '';
  if (typeof error === 'object' && error !== null) {
    const { type, message } = error as Record<string, unknown>;
    text = [type, message].filter((part) => typeof part === 'string' && part !== '').join(': ');
  } else if (typeof error === 'string') text = error;
  else if (typeof record['message'] === 'string') text = record['message'];
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}

function networkCause(error: unknown): string {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return error instanceof Error ? error.message : 'unknown error';
}

function secretRedactor(secrets: readonly string[]): (text: string) => string {
  const present = secrets.filter((secret) => secret.length > 0);
  return (text) =>
    present.reduce((result, secret) => result.split(secret).join('[redacted]'), text);
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new EnrichmentOptionsError(`${name} must be a positive integer (got ${value})`);
}
