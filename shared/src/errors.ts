/** Base class of every error this service raises on purpose; `code` is stable and machine-readable. */
export class AppError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The environment does not describe a runnable configuration. */
export class ConfigError extends AppError {
  constructor(message: string) {
    super('config_invalid', message);
  }
}

export class JobNotFoundError extends AppError {
  constructor(jobId: string) {
    super('job_not_found', `job ${jobId} not found`);
  }
}

/** A job is not in a state that allows the requested step (a conditional write lost). */
export class JobStateConflictError extends AppError {
  readonly status: string | undefined;

  constructor(message: string, options: { status?: string | undefined; cause?: unknown } = {}) {
    super('job_state_conflict', message, { cause: options.cause });
    this.status = options.status;
  }
}

/** The input file cannot be processed at all (as opposed to single rejected rows). */
export class InputFileError extends AppError {}

/** An AWS dependency did not answer or failed; safe to retry later. */
export class DependencyError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('dependency_unavailable', message, options);
  }
}

/** Returns the AWS SDK error name (`ConditionalCheckFailedException`, `NoSuchKey`, …), if any. */
export function awsErrorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** Returns the HTTP status the AWS SDK recorded for a failed call, if any. */
export function awsHttpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  return metadata?.httpStatusCode;
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
