import { AppError } from '../errors.ts';

/** What Mailchimp said about a failed call (its problem details), or what went wrong on the way. */
export interface MailchimpProblemInfo {
  readonly status?: number;
  readonly title?: string;
  /** Mailchimp's own explanation, safe to show the user (it never contains the key). */
  readonly detail: string;
  readonly type?: string;
  readonly instance?: string;
}

/** A Mailchimp call failed; `status` and `detail` are Mailchimp's when it answered. */
export class MailchimpError extends AppError {
  readonly status: number | undefined;
  readonly title: string | undefined;
  readonly detail: string;
  readonly instance: string | undefined;

  constructor(code: string, problem: MailchimpProblemInfo, options?: { cause?: unknown }) {
    super(
      code,
      `Mailchimp ${problem.status === undefined ? 'call failed' : `answered ${String(problem.status)}`}: ${problem.detail}`,
      options,
    );
    this.status = problem.status;
    this.title = problem.title;
    this.detail = problem.detail;
    this.instance = problem.instance;
  }
}

/** 401/403: the key is wrong, revoked, or for another data center. */
export class MailchimpAuthError extends MailchimpError {
  constructor(problem: MailchimpProblemInfo, options?: { cause?: unknown }) {
    super('mailchimp_key_invalid', problem, options);
  }
}

/** 404: the list (or the resource) does not exist for this account. */
export class MailchimpNotFoundError extends MailchimpError {
  constructor(problem: MailchimpProblemInfo, options?: { cause?: unknown }) {
    super('mailchimp_not_found', problem, options);
  }
}

/** 429 after every retry: the account's connections stayed busy. */
export class MailchimpRateLimitedError extends MailchimpError {
  /** Seconds Mailchimp asked to wait (Retry-After), when it said. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    problem: MailchimpProblemInfo,
    options?: { cause?: unknown; retryAfterSeconds?: number | undefined },
  ) {
    super('mailchimp_rate_limited', problem, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** Another 4xx: the request itself is wrong (a page over 1,000, a bad body). Not retried. */
export class MailchimpRequestError extends MailchimpError {
  constructor(problem: MailchimpProblemInfo, options?: { cause?: unknown }) {
    super('mailchimp_request_invalid', problem, options);
  }
}

/**
 * A 200 whose body is not what the call answers (a members page without members): Mailchimp
 * changed, or something between answered for it. Not retried.
 */
export class MailchimpResponseError extends MailchimpError {
  constructor(problem: MailchimpProblemInfo, options?: { cause?: unknown }) {
    super('mailchimp_bad_response', problem, options);
  }
}

/** 5xx, a network error or the call's timeout: Mailchimp did not answer; safe to retry later. */
export class MailchimpUnavailableError extends MailchimpError {
  constructor(problem: MailchimpProblemInfo, options?: { cause?: unknown }) {
    super('mailchimp_unavailable', problem, options);
  }
}
