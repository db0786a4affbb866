import type { MailchimpJobSource } from '@contacts/shared';

/**
 * The seam between the pipeline and a Mailchimp audience: what split, pages and write-back
 * need, nothing more. The adapter behind it opens the job's connection and sends every call
 * through the account's fleet-wide limiter; these calls never see a key.
 */

/** One member as a page returns it: the address and its merge fields (ADDRESS is an object). */
export interface AudienceMember {
  readonly email: string;
  readonly mergeFields: Readonly<Record<string, unknown>>;
}

/** A page of the pinned order, with the audience size the service reported alongside it. */
export interface MemberPage {
  readonly members: readonly AudienceMember[];
  /** The audience's member count when this page was read. */
  readonly totalItems: number;
}

/** Changed merge fields of one member, sent with `update_existing: true`. */
export interface MemberUpdate {
  readonly email: string;
  readonly mergeFields: Readonly<Record<string, string>>;
}

/** A member the audience refused, and why (Mailchimp's own words). */
export interface MemberError {
  readonly email: string;
  readonly message: string;
  /** The merge field Mailchimp blamed, and what it said about it (absent when none). */
  readonly field?: string;
  readonly fieldMessage?: string;
}

export interface UpsertOutcome {
  /** Members created or updated. */
  readonly written: number;
  readonly errors: readonly MemberError[];
}

/** A merge field of the list: its tag, and whether it holds an address (an object). */
export interface MergeField {
  readonly tag: string;
  readonly type: 'address' | 'text';
}

export interface Audience {
  /** Members in the list now (split pins it) and the list's merge fields. */
  describe(): Promise<{ readonly members: number; readonly mergeFields: readonly MergeField[] }>;
  /**
   * `count` (≤ 1000) members from `offset` of a stable order, only email and merge fields, as
   * the service sent them (unread: memberPageOf reads them), so a fetch only stores bytes.
   */
  pageText(offset: number, count: number, signal?: AbortSignal): Promise<string>;
  /** One batch upsert (≤ 500 members). */
  upsert(members: readonly MemberUpdate[], signal?: AbortSignal): Promise<UpsertOutcome>;
}

/** Opens the audience a job reads, through its tenant's connection. */
export type AudienceOpener = (
  tenantId: string,
  source: MailchimpJobSource,
  jobId: string,
) => Promise<Audience>;

/** Mailchimp's largest page, and its largest batch upsert. */
export const MAX_PAGE_MEMBERS = 1000;
export const MAX_UPSERT_MEMBERS = 500;
