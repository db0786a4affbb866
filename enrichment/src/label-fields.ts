import { CONTACT_FIELDS, type Contact, type ContactField } from './contact.ts';

/** How an output field relates to the directory. */
export type FieldStatus = 'confirmed' | 'new' | 'updated' | 'unverified';

export type EnrichedField = ContactField;
export const ENRICHED_FIELDS: readonly EnrichedField[] = CONTACT_FIELDS;

export interface FieldLabel {
  readonly field: EnrichedField;
  /** The value to output: the directory's when it is the latest, else the standardized input. */
  readonly value: string;
  readonly status: FieldStatus;
  /** The input value an `updated` field replaced; '' otherwise. */
  readonly previous: string;
}

interface FieldView {
  readonly value: string;
  /** Match keys of the value (several for multi-column emails/phones). */
  readonly keys: readonly string[];
}

/**
 * Labels each enriched field of a row against its matched directory entry:
 * - `confirmed`: both have it and they agree after normalization (the directory's form is output);
 * - `new`: the row lacks it and the directory has it;
 * - `updated`: they differ and the directory is newer (its `updated_at` is not older than the
 *   row's own timestamp, when both exist); the row's value goes to `<field>_previous`;
 * - `unverified`: no match, the directory lacks the field, or the row's value is the newer one.
 */
export function labelFields(input: Contact, entry: Contact | undefined): FieldLabel[] {
  const inputNewer =
    entry !== undefined &&
    input.updatedAt !== undefined &&
    entry.updatedAt !== undefined &&
    input.updatedAt > entry.updatedAt;
  return ENRICHED_FIELDS.map((field) => {
    const mine = view(input, field);
    if (entry === undefined)
      return { field, value: mine.value, status: 'unverified', previous: '' };
    const theirs = view(entry, field);
    if (theirs.value === '')
      return { field, value: mine.value, status: 'unverified', previous: '' };
    if (mine.value === '') return { field, value: theirs.value, status: 'new', previous: '' };
    if (theirs.keys.some((k) => mine.keys.includes(k))) {
      return { field, value: theirs.value, status: 'confirmed', previous: '' };
    }
    if (inputNewer) return { field, value: mine.value, status: 'unverified', previous: '' };
    return { field, value: theirs.value, status: 'updated', previous: mine.value };
  });
}

function view(contact: Contact, field: EnrichedField): FieldView {
  switch (field) {
    case 'first_name':
      return { value: contact.name.first, keys: [contact.firstKey] };
    case 'last_name':
      return { value: contact.name.last, keys: [contact.lastKey] };
    case 'email': {
      const first = contact.emails[0];
      // An invalid address is still the row's value: show it, but it can confirm nothing.
      return first
        ? { value: first.value, keys: contact.emails.map((e) => e.key) }
        : { value: contact.emailText, keys: [] };
    }
    case 'phone': {
      const first = contact.phones[0];
      return first
        ? { value: first.value, keys: contact.phones.map((p) => p.e164) }
        : { value: contact.phoneText, keys: [] };
    }
    case 'company':
      return { value: contact.company, keys: [contact.companyKey] };
    case 'title':
      return { value: contact.title, keys: [contact.titleKey] };
    case 'city':
      return { value: contact.city, keys: [contact.cityKey] };
  }
}
