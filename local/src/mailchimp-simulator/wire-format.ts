import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { MEMBER_STATUSES, type Audience, type AudienceMember } from './audience.ts';

/** Mailchimp's error body (RFC 7807 problem details), sent as application/problem+json. */
export interface MailchimpProblem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
}

const ERRORS_DOC = 'https://mailchimp.com/developer/marketing/docs/errors/';

export function problem(status: number, title: string, detail: string): MailchimpProblem {
  return { type: ERRORS_DOC, title, status, detail, instance: randomUUID() };
}

/** The answers of Mailchimp's error glossary the simulator gives, word for word where known. */
export const PROBLEMS = {
  keyMissing: () =>
    problem(
      401,
      'API Key Missing',
      'Your request did not include an API key. Please check your request and try again.',
    ),
  keyInvalid: () =>
    problem(
      401,
      'API Key Invalid',
      "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
    ),
  notFound: () => problem(404, 'Resource Not Found', 'The requested resource could not be found.'),
  methodNotAllowed: () =>
    problem(
      405,
      'Method Not Allowed',
      "The requested method and resource are not compatible. See the Allow header for this resource's available methods.",
    ),
  tooManyRequests: (limit: number) =>
    problem(
      429,
      'Too Many Requests',
      `You have exceeded the limit of ${String(limit)} simultaneous connections.`,
    ),
  invalid: (detail: string) => problem(400, 'Invalid Resource', detail),
  badJson: () =>
    problem(400, 'JSON Parse Exception', 'We encountered an unspecified JSON parsing error.'),
  /** What an injected fault answers (see `MailchimpFault`): a title per status, as Mailchimp's. */
  fault: (status: number) =>
    problem(
      status,
      FAULT_TITLES[status] ?? 'Internal Server Error',
      status >= 500
        ? 'An unexpected internal error has occurred. Please contact Support for more information.'
        : 'The resource submitted could not be validated.',
    ),
} as const;

const FAULT_TITLES: Readonly<Record<number, string>> = {
  400: 'Invalid Resource',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Mailchimp's text merge fields hold at most 255 characters; a longer value is refused. */
export const MAX_TEXT_MERGE_CHARS = 255;

/** The sentence Mailchimp refuses a member with whose address is in a compliance state. */
export function complianceStateError(email: string): string {
  return `${email} is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed.`;
}

/** A member as GET /lists/{id}/members shows it (the fields a client may ask for). */
export function memberForWire(member: AudienceMember, listId: string): Record<string, unknown> {
  const fname = member.mergeFields.FNAME;
  const lname = member.mergeFields.LNAME;
  return {
    id: member.id,
    email_address: member.email,
    unique_email_id: member.id.slice(0, 10),
    full_name: [fname, lname]
      .filter((v): v is string => typeof v === 'string' && v !== '')
      .join(' '),
    web_id: parseInt(member.id.slice(0, 7), 16),
    email_type: 'html',
    status: member.status,
    merge_fields: member.mergeFields,
    vip: false,
    language: '',
    last_changed: member.lastChanged,
    tags_count: 0,
    tags: [],
    list_id: listId,
  };
}

/** GET /lists/{id}: the parts of Mailchimp's list object a client reads. */
export function listForWire(audience: Audience): Record<string, unknown> {
  return {
    id: audience.id,
    web_id: audience.webId,
    name: audience.name,
    date_created: audience.dateCreated,
    list_rating: 0,
    email_type_option: false,
    double_optin: false,
    visibility: 'prv',
    stats: {
      // As Mailchimp counts them: member_count is subscribed members only.
      member_count: audience.count('subscribed'),
      unsubscribe_count: audience.count('unsubscribed'),
      cleaned_count: audience.count('cleaned'),
      member_count_since_send: 0,
      unsubscribe_count_since_send: 0,
      cleaned_count_since_send: 0,
      campaign_count: 0,
      merge_field_count: 5,
    },
  };
}

/**
 * Mailchimp's partial response: `fields` keeps only the named dot paths
 * (`members.email_address,total_items`), `exclude_fields` drops them. Arrays are walked through.
 */
export function partialResponse(
  body: Record<string, unknown>,
  fields: string | null,
  excludeFields: string | null,
): Record<string, unknown> {
  let result: unknown = body;
  if (fields !== null && fields.trim() !== '') result = pick(result, paths(fields));
  if (excludeFields !== null && excludeFields.trim() !== '')
    result = omit(result, paths(excludeFields));
  return result as Record<string, unknown>;
}

function paths(list: string): string[][] {
  return list
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => p.split('.'));
}

function pick(value: unknown, wanted: readonly (readonly string[])[]): unknown {
  if (Array.isArray(value)) return value.map((item) => pick(item, wanted));
  if (typeof value !== 'object' || value === null) return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const byHead = new Map<string, string[][]>();
  for (const [head, ...rest] of wanted) {
    if (head === undefined || !(head in source)) continue;
    const list = byHead.get(head) ?? [];
    list.push(rest);
    byHead.set(head, list);
  }
  for (const [head, rests] of byHead) {
    // `members` as a whole wins over `members.id`.
    out[head] = rests.some((r) => r.length === 0) ? source[head] : pick(source[head], rests);
  }
  return out;
}

function omit(value: unknown, dropped: readonly (readonly string[])[]): unknown {
  if (Array.isArray(value)) return value.map((item) => omit(item, dropped));
  if (typeof value !== 'object' || value === null) return value;
  const out = new Map(Object.entries(value as Record<string, unknown>));
  for (const [head, ...rest] of dropped) {
    if (head === undefined || !out.has(head)) continue;
    if (rest.length === 0) out.delete(head);
    else out.set(head, omit(out.get(head), [rest]));
  }
  return Object.fromEntries(out);
}

const address = z.object({
  addr1: z.string().default(''),
  addr2: z.string().default(''),
  city: z.string().default(''),
  state: z.string().default(''),
  zip: z.string().default(''),
  country: z.string().default(''),
});

const status = z.enum(MEMBER_STATUSES);

/** POST /lists/{id}: Mailchimp's "batch subscribe or unsubscribe" body. */
export const batchBodySchema = z.object({
  members: z.array(
    z
      .object({
        email_address: z.string(),
        status: status.optional(),
        status_if_new: status.optional(),
        merge_fields: z.record(z.string(), z.union([z.string(), address])).optional(),
      })
      .loose(),
  ),
  update_existing: z.boolean().default(false),
  sync_tags: z.boolean().optional(),
});

export type BatchBody = z.output<typeof batchBodySchema>;

/** The per-member error of a batch upsert. */
export interface BatchError {
  readonly email_address: string;
  readonly error: string;
  readonly error_code: string;
  readonly field: string;
  readonly field_message: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isPlausibleEmail(email: string): boolean {
  return EMAIL.test(email.trim());
}
