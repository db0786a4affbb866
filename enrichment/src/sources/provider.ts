import type { ContactCells } from '../standardize/contact.ts';
import type { NameCells } from '../standardize/standardize-name.ts';

/*
 * The seam between the pipeline and paid third-party people sources (People Data Labs first).
 * A provider answers a list of lookups with one answer per lookup, in order; how it batches,
 * paces and retries its HTTP calls is its own business. The next provider (Apollo's 10-per-call
 * bulk match, or one with single lookups only) is one file implementing ContactProvider.
 */

/** What the caller knows about one person; any part may be missing. */
export interface ContactQuery {
  /** Given, middle and family name cells and/or the full name as written. */
  readonly name: NameCells;
  readonly emails: readonly string[];
  /** E.164 numbers ("+14155550123"). */
  readonly phones: readonly string[];
  readonly company?: string | undefined;
  readonly title?: string | undefined;
  /** City or town. */
  readonly locality?: string | undefined;
  /** State, province or region. */
  readonly region?: string | undefined;
  /** Country name or ISO 3166 code. */
  readonly country?: string | undefined;
  readonly postalCode?: string | undefined;
}

/** One lookup: the caller's id for the row (echoed in the answer) and what it knows. */
export interface ProviderQuery {
  readonly key: string;
  readonly fields: ContactQuery;
}

/**
 * A person the provider returned. `record` has the shape the engine standardizes for directory
 * records (ContactCells), so the same scoring verifies it before anything is accepted.
 */
export interface ProviderCandidate {
  /** The provider's id for the person (PDL's `data.id`): becomes `match_id`. */
  readonly providerId: string;
  /** The provider's own confidence (PDL: 1–10), when it says. */
  readonly likelihood?: number | undefined;
  readonly record: ContactCells;
}

/** One answer per query. Only a match is billed (PDL charges per match; a 404 is free). */
export type ProviderAnswer =
  | {
      readonly key: string;
      readonly outcome: 'match';
      readonly candidate: ProviderCandidate;
      readonly billed: true;
    }
  | { readonly key: string; readonly outcome: 'no_match'; readonly billed: false }
  | {
      readonly key: string;
      readonly outcome: 'error';
      readonly reason: string;
      readonly billed: false;
    };

export interface LookupOptions {
  /** Ends waits and in-flight requests; the lookup then rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** The job the lookups are for: the fleet-wide limiter may share capacity between jobs. */
  readonly jobId: string;
  /** Called once per HTTP request sent (retries included): the job view counts them. */
  readonly onRequest?: (() => void) | undefined;
  /**
   * Called with each request's answers as soon as they arrive (the lookup awaits it before it
   * returns): the caller caches what was paid for, so a worker killed halfway through a long
   * lookup loses at most the answers still in flight.
   */
  readonly onAnswers?: ((answers: readonly ProviderAnswer[]) => Promise<void>) | undefined;
  /**
   * Asked before each request with the keys it would carry: the answers already known by now
   * (another worker paid for the same query while this lookup waited its turn) are used instead
   * of being asked and billed again.
   */
  readonly answered?:
    ((keys: readonly string[]) => Promise<ReadonlyMap<string, ProviderAnswer>>) | undefined;
  /**
   * Asked before each request with the keys still unanswered: those it returns are sent; the
   * others another lookup is asking right now, and are left out of this lookup's answers (the
   * caller waits for theirs). Absent: every key is sent.
   */
  readonly claim?: ((keys: readonly string[]) => Promise<ReadonlySet<string>>) | undefined;
}

/** A paid people source. */
export interface ContactProvider {
  /** Stable name, used as `match_source` ("pdl"). */
  readonly name: string;
  /**
   * The account that pays (e.g. `pdl#<digest of the key>`, never the key): answers are cached
   * and requests limited per account, so one tenant's paid answers are not served to another.
   */
  readonly account?: string;
  /** Most queries one HTTP request carries; `lookup` splits longer lists itself. */
  readonly maxBatchSize: number;
  /**
   * Answers every query, in order. Rejects with ProviderUnauthorizedError (the key was refused:
   * fail the job) or ProviderUnavailableError (retries exhausted or circuit open: try the work
   * again later; answers already paid for travel on the error).
   */
  lookup(queries: readonly ProviderQuery[], options: LookupOptions): Promise<ProviderAnswer[]>;
}
