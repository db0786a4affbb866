import {
  CONTACT_FIELDS,
  placeKey,
  placeValue,
  type Contact,
  type ContactField,
} from '../standardize/contact.ts';

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
    const mine = valueOf(input, field);
    if (entry === undefined) return { field, value: mine, status: 'unverified', previous: '' };
    const theirs = valueOf(entry, field);
    if (theirs === '') return { field, value: mine, status: 'unverified', previous: '' };
    if (mine === '') return { field, value: theirs, status: 'new', previous: '' };
    if (sharesKey(input, entry, field)) {
      return {
        field,
        value: agreeingValue(input, entry, field) ?? theirs,
        status: 'confirmed',
        previous: '',
      };
    }
    if (inputNewer) return { field, value: mine, status: 'unverified', previous: '' };
    return { field, value: theirs, status: 'updated', previous: mine };
  });
}

// Value and key accessors per field, written out rather than building a view object with a key
// array per field: this runs seven times for every row.

function valueOf(contact: Contact, field: EnrichedField): string {
  switch (field) {
    case 'first_name':
      return contact.name.first;
    case 'last_name':
      return contact.name.last;
    // An invalid address or number is still the row's value: show it, but it confirms nothing.
    case 'email':
      return contact.emails[0]?.value ?? contact.emailText;
    case 'phone':
      return contact.phones[0]?.value ?? contact.phoneText;
    case 'company':
      return contact.company;
    case 'title':
      return contact.title;
    case 'city':
      return contact.city;
    default:
      return placeValue(contact, field);
  }
}

/** True when the two contacts agree on the field after normalization (any of several emails/phones). */
function sharesKey(a: Contact, b: Contact, field: EnrichedField): boolean {
  switch (field) {
    case 'first_name':
      return a.firstKey === b.firstKey;
    case 'last_name':
      return a.lastKey === b.lastKey;
    case 'email':
      for (const x of a.emails) for (const y of b.emails) if (x.key === y.key) return true;
      return false;
    case 'phone':
      for (const x of a.phones) for (const y of b.phones) if (x.e164 === y.e164) return true;
      return false;
    case 'company':
      return a.companyKey === b.companyKey;
    case 'title':
      return a.titleKey === b.titleKey;
    case 'city':
      return a.cityKey === b.cityKey;
    default:
      return placeKey(a, field) === placeKey(b, field);
  }
}

/**
 * The source's form of the email or phone the row agrees on: a provider knows several per person,
 * and confirming the row's address must not output another one.
 */
function agreeingValue(a: Contact, b: Contact, field: EnrichedField): string | undefined {
  if (field === 'email')
    for (const x of a.emails) for (const y of b.emails) if (x.key === y.key) return y.value;
  if (field === 'phone')
    for (const x of a.phones) for (const y of b.phones) if (x.e164 === y.e164) return y.value;
  return undefined;
}
