import {
  CONTACT_FIELDS,
  placeKey,
  placeValue,
  type Contact,
  type ContactField,
} from '../standardize/contact.ts';
import { samePhoneNumber } from '../standardize/phone-region.ts';

/**
 * What the output says about one field of a row (`enriched_<field>_status`), the whole
 * vocabulary (docs/output-file.md explains each with an example):
 * - `confirmed`: a source has the same value, up to case, accents, punctuation or format;
 * - `new`: the row was empty and a source supplied the value;
 * - `updated`: a newer source has another value; the row's is in `enriched_<field>_previous`;
 * - `reformatted`: no source said anything, but the value was standardized (E.164 phone,
 *   lower-case email, "JOHN" → "John");
 * - `unverified`: a valid value, output as written, that no source confirmed;
 * - `invalid`: present but not a valid email or phone, output as written;
 * - `empty`: neither the row nor a source has a value;
 * - `rejected`: the row was rejected; nothing was labelled.
 */
export const FIELD_STATUSES = [
  'confirmed',
  'new',
  'updated',
  'reformatted',
  'unverified',
  'invalid',
  'empty',
  'rejected',
] as const;
export type FieldStatus = (typeof FIELD_STATUSES)[number];

export type EnrichedField = ContactField;
export const ENRICHED_FIELDS: readonly EnrichedField[] = CONTACT_FIELDS;

export interface FieldLabel {
  readonly field: EnrichedField;
  /** The value to output: the latest, in the richest spelling the row or the source had. */
  readonly value: string;
  readonly status: FieldStatus;
  /** The row's value an `updated` field replaced; '' otherwise. */
  readonly previous: string;
}

/**
 * The row's cells for each field as the person wrote them (cleaned), to tell a reformatted
 * value from one output as written. A field missing here counts as written as output.
 */
export type WrittenValues = Readonly<Partial<Record<EnrichedField, string>>>;

/**
 * Labels each enriched field of a row against the record it matched (a directory entry or a
 * provider's person), see FIELD_STATUSES. When both sides agree after folding, the richer
 * spelling wins (diacritics, then mixed case, then the longer form with its legal suffix), so
 * "François" is never replaced by a source's "Francois". A source newer than the row (or
 * without timestamps) replaces a value that differs; a row whose own timestamp is newer keeps
 * its value.
 */
export function labelFields(
  input: Contact,
  entry: Contact | undefined,
  written: WrittenValues = {},
): FieldLabel[] {
  const inputNewer =
    entry !== undefined &&
    input.updatedAt !== undefined &&
    entry.updatedAt !== undefined &&
    input.updatedAt > entry.updatedAt;
  return ENRICHED_FIELDS.map((field) => {
    const mine = valueOf(input, field);
    const invalidText = invalidValueOf(input, field);
    const own = (): FieldLabel => ownLabel(field, mine, invalidText, written[field]);
    if (entry === undefined) return own();
    const theirs = valueOf(entry, field);
    if (theirs === '') return own();
    const agreeing = agreeingValues(input, entry, field);
    if (agreeing !== undefined)
      return {
        field,
        value: richerSpelling(agreeing[0], agreeing[1]),
        status: 'confirmed',
        previous: '',
      };
    if (field === 'phone' && input.phoneText !== '') {
      // A number written in its own country's national format ("020 123 4567") that the row's
      // region could not read, or read as another country's: the same digits as the source's
      // number, read in its country, are a confirmation.
      const same = entry.phones.find((p) => samePhoneNumber(input.phoneText, p.e164));
      if (same !== undefined)
        return { field, value: same.value, status: 'confirmed', previous: '' };
    }
    if (mine === '' && invalidText === '')
      return { field, value: theirs, status: 'new', previous: '' };
    if (inputNewer) return own();
    return { field, value: theirs, status: 'updated', previous: mine === '' ? invalidText : mine };
  });
}

/** The label of a field no source speaks for: the row's own value. */
function ownLabel(
  field: EnrichedField,
  mine: string,
  invalidText: string,
  written: string | undefined,
): FieldLabel {
  if (invalidText !== '') return { field, value: invalidText, status: 'invalid', previous: '' };
  if (mine === '') return { field, value: '', status: 'empty', previous: '' };
  const status = written === undefined || written.includes(mine) ? 'unverified' : 'reformatted';
  return { field, value: mine, status, previous: '' };
}

/**
 * The spelling that carries more of what someone wrote: more accented letters ("Société"),
 * then mixed case over all-caps or all-lower, then the longer form ("Acme Inc." over "Acme").
 * On a tie the first argument (the row's) wins.
 */
export function richerSpelling(mine: string, theirs: string): string {
  const a = spellingRichness(mine);
  const b = spellingRichness(theirs);
  for (let i = 0; i < a.length; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0) ? mine : theirs;
  }
  return mine;
}

function spellingRichness(value: string): [number, number, number] {
  let accented = 0;
  for (const ch of value) if (ch.charCodeAt(0) > 0x7f && /\p{L}/u.test(ch)) accented++;
  const mixedCase = value !== value.toUpperCase() && value !== value.toLowerCase() ? 1 : 0;
  return [accented, mixedCase, value.length];
}

// Value and key accessors per field, written out rather than building a view object with a key
// array per field: this runs for every field of every row.

function valueOf(contact: Contact, field: EnrichedField): string {
  switch (field) {
    case 'first_name':
      return contact.name.first;
    case 'last_name':
      return contact.name.last;
    case 'email':
      return contact.emails[0]?.value ?? '';
    case 'phone':
      return contact.phones[0]?.value ?? '';
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

/** The row's text for an email or phone that holds no valid one; '' otherwise. */
function invalidValueOf(contact: Contact, field: EnrichedField): string {
  if (field === 'email') return contact.emails.length === 0 ? contact.emailText : '';
  if (field === 'phone') return contact.phones.length === 0 ? contact.phoneText : '';
  return '';
}

/**
 * The row's and the source's values when they agree after normalization (for emails and
 * phones, the pair that agrees: a provider knows several per person, and confirming the row's
 * address must not output another one); undefined when they do not agree.
 */
function agreeingValues(
  a: Contact,
  b: Contact,
  field: EnrichedField,
): [string, string] | undefined {
  switch (field) {
    case 'first_name':
      return a.firstKey !== '' && a.firstKey === b.firstKey
        ? [a.name.first, b.name.first]
        : undefined;
    case 'last_name':
      return a.lastKey !== '' && a.lastKey === b.lastKey ? [a.name.last, b.name.last] : undefined;
    case 'email':
      for (const x of a.emails)
        for (const y of b.emails) if (x.key === y.key) return [x.value, y.value];
      return undefined;
    case 'phone':
      for (const x of a.phones)
        for (const y of b.phones) if (x.e164 === y.e164) return [x.value, y.value];
      return undefined;
    case 'company':
      return a.companyKey !== '' && a.companyKey === b.companyKey
        ? [a.company, b.company]
        : undefined;
    case 'title':
      return a.titleKey !== '' && a.titleKey === b.titleKey ? [a.title, b.title] : undefined;
    case 'city':
      return a.cityKey !== '' && a.cityKey === b.cityKey ? [a.city, b.city] : undefined;
    default: {
      // Address and birth-date fields: standardized keys (street abbreviations, postcode format,
      // ISO country and date) decide agreement.
      const key = placeKey(a, field);
      return key !== '' && key === placeKey(b, field)
        ? [placeValue(a, field), placeValue(b, field)]
        : undefined;
    }
  }
}
