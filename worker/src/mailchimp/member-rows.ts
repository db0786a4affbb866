import type { AudienceMember, MergeField } from './audience.ts';

/** The column of a member's address, first in every Mailchimp job's header. */
export const EMAIL_COLUMN = 'Email Address';
/** The parts of a Mailchimp address object, each its own column (`ADDRESS city`). */
export const ADDRESS_PARTS = ['addr1', 'addr2', 'city', 'state', 'zip', 'country'] as const;

/**
 * The header a Mailchimp job's rows are read under: the address, then one column per merge
 * tag (an address tag one per part). Its names go through the same header recognition as an
 * upload's (FNAME, LNAME, PHONE, COMPANY, "ADDRESS city" are recognized), so a Mailchimp job
 * gets the same enrichment columns as a CSV job.
 */
export function headerFor(mergeFields: readonly MergeField[]): string[] {
  return [
    EMAIL_COLUMN,
    ...mergeFields.flatMap((field) =>
      field.type === 'address' ? ADDRESS_PARTS.map((part) => `${field.tag} ${part}`) : [field.tag],
    ),
  ];
}

/** The merge tag a header column writes back to; undefined for the email and address parts. */
export function mergeTagOf(column: string): string | undefined {
  return column === EMAIL_COLUMN || column.includes(' ') ? undefined : column;
}

/**
 * A member as a row under `columns` (see headerFor). Merge tags the header does not name (a
 * field added to the list after split) are left out; missing ones are empty.
 */
export function memberRow(member: AudienceMember, columns: readonly string[]): string[] {
  return columns.map((column) => {
    if (column === EMAIL_COLUMN) return member.email;
    const space = column.indexOf(' ');
    if (space < 0) return text(member.mergeFields[column]);
    const address = member.mergeFields[column.slice(0, space)];
    if (typeof address !== 'object' || address === null) return '';
    return text((address as Record<string, unknown>)[column.slice(space + 1)]);
  });
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}
