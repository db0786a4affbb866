import { InputFileError, parseMembersPage } from '@contacts/shared';
import type { Audience, MemberPage, MergeField, UpsertOutcome } from './audience.ts';

/**
 * The calls of the Mailchimp client an audience uses (the shared client satisfies it; every call
 * holds a slot of the account's fleet-wide limiter, retries 429s and times out on its own).
 */
export interface MailchimpListCalls {
  listMembers(
    listId: string,
    page: { offset: number; count: number; fields?: readonly string[] },
  ): Promise<{
    readonly members: readonly {
      readonly email_address: string;
      readonly merge_fields?: Readonly<Record<string, unknown>>;
    }[];
    readonly totalItems: number;
  }>;
  listMembersText(
    listId: string,
    page: { offset: number; count: number; fields?: readonly string[] },
  ): Promise<string>;
  batchUpsert(
    listId: string,
    members: readonly {
      readonly email_address: string;
      readonly merge_fields?: Readonly<Record<string, unknown>>;
    }[],
    options: { updateExisting: boolean },
  ): Promise<{
    readonly totalCreated: number;
    readonly totalUpdated: number;
    readonly errors: readonly {
      readonly email_address: string;
      readonly error: string;
      readonly field?: string | undefined;
      readonly field_message?: string | undefined;
    }[];
  }>;
}

/** Members split samples to learn the list's merge fields (every member carries all of them). */
const SAMPLE_MEMBERS = 10;
/** Only what the rows use: the address and the merge fields. */
const MEMBER_FIELDS = ['email_address', 'merge_fields'] as const;

/** A Mailchimp list as the pipeline's Audience; Mailchimp's refusals become job error codes. */
export function mailchimpAudience(calls: MailchimpListCalls, listId: string): Audience {
  const guarded = <T>(run: () => Promise<T>): Promise<T> =>
    run().catch((error: unknown) => {
      throw asJobError(error, listId);
    });
  return {
    describe: () =>
      guarded(async () => {
        const sample = await calls.listMembers(listId, {
          offset: 0,
          count: SAMPLE_MEMBERS,
          fields: MEMBER_FIELDS,
        });
        return {
          members: sample.totalItems,
          mergeFields: mergeFieldsOf(sample.members.map((m) => m.merge_fields ?? {})),
        };
      }),
    pageText: (offset, count) =>
      guarded(() => calls.listMembersText(listId, { offset, count, fields: MEMBER_FIELDS })),
    upsert: (members) =>
      guarded(async (): Promise<UpsertOutcome> => {
        const result = await calls.batchUpsert(
          listId,
          members.map((m) => ({ email_address: m.email, merge_fields: m.mergeFields })),
          { updateExisting: true },
        );
        return {
          written: result.totalCreated + result.totalUpdated,
          errors: result.errors.map((e) => ({
            email: e.email_address,
            message: e.error,
            // "Your merge fields were invalid." says nothing without the field and its message.
            ...(e.field ? { field: e.field } : {}),
            ...(e.field_message ? { fieldMessage: e.field_message } : {}),
          })),
        };
      }),
  };
}

/**
 * The list's merge fields from sampled members, in a stable order: the usual tags first. An
 * object value (or the ADDRESS tag, which Mailchimp answers as "" when empty) is an address.
 */
export function mergeFieldsOf(samples: readonly Readonly<Record<string, unknown>>[]): MergeField[] {
  const types = new Map<string, MergeField['type']>();
  for (const sample of samples) {
    for (const [tag, value] of Object.entries(sample)) {
      const isAddress = tag === 'ADDRESS' || (typeof value === 'object' && value !== null);
      if (isAddress || !types.has(tag)) types.set(tag, isAddress ? 'address' : 'text');
    }
  }
  const rank = (tag: string): number => {
    const at = USUAL_TAGS.indexOf(tag);
    return at < 0 ? USUAL_TAGS.length : at;
  };
  return [...types.keys()]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((tag) => ({ tag, type: types.get(tag) ?? 'text' }));
}

const USUAL_TAGS = ['FNAME', 'LNAME', 'ADDRESS', 'PHONE', 'COMPANY', 'BIRTHDAY'];

/** A members page as pageText answered it, read; another shape fails the job (mailchimp_bad_response). */
export function memberPageOf(text: string): MemberPage {
  try {
    const page = parseMembersPage(text);
    return {
      members: page.members.map((m) => ({
        email: m.email_address,
        mergeFields: m.merge_fields ?? {},
      })),
      totalItems: page.totalItems,
    };
  } catch (error) {
    throw new InputFileError(
      'mailchimp_bad_response',
      'Mailchimp answered a members page that has no members or total_items',
      { cause: error },
    );
  }
}

/**
 * A refused key or an unknown list fails the job at once with a documented code (retrying
 * cannot help); anything else stays as it is (the client already retried what can be).
 * Classified by name, as AWS errors are: the client's error classes live in its own package.
 */
function asJobError(error: unknown, listId: string): unknown {
  const name = error instanceof Error ? error.name : '';
  if (name === 'MailchimpAuthError')
    return new InputFileError(
      'mailchimp_unauthorized',
      'Mailchimp refused the connection’s API key (revoked or wrong); create a new connection',
      { cause: error },
    );
  if (name === 'MailchimpNotFoundError')
    return new InputFileError(
      'mailchimp_list_not_found',
      `Mailchimp list ${listId} does not exist for this connection’s account`,
      { cause: error },
    );
  return error;
}
