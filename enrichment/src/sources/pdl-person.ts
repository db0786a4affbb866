import type { ContactCells } from '../standardize/contact.ts';
import type { ContactQuery } from './provider.ts';

/*
 * People Data Labs v5 person enrichment: the request parameters a contact becomes, and the
 * person record (the `data` of a 200 answer) as the cells the engine standardizes.
 * Reference: docs.peopledatalabs.com "Input Parameters - Person Enrichment API" and the
 * Person Schema. Plans without contact data return `true` instead of a value for some fields
 * (emails, phone_numbers, location_*), so every field is read as "a string, or nothing".
 */

/** The fields the engine uses; asking for only these keeps a 100-person answer small. */
export const PDL_DATA_INCLUDE = [
  'id',
  'full_name',
  'first_name',
  'middle_name',
  'last_name',
  'work_email',
  'recommended_personal_email',
  'personal_emails',
  'emails',
  'mobile_phone',
  'phone_numbers',
  'job_company_name',
  'job_title',
  'location_locality',
  'job_last_verified',
  'job_last_changed',
  'location_last_updated',
].join(',');

export type PdlParams = Record<string, string | number | boolean | readonly string[]>;

/**
 * Every identifier the contact has, in PDL's parameter names. One email or phone is sent as a
 * string, several as a list (the API takes both).
 */
export function pdlParams(fields: ContactQuery): PdlParams {
  const params: PdlParams = {};
  const set = (name: string, value: string | undefined): void => {
    const text = value?.trim();
    if (text) params[name] = text;
  };
  const setList = (name: string, values: readonly string[]): void => {
    const texts = [...new Set(values.map((value) => value.trim()).filter(Boolean))];
    if (texts.length === 1) params[name] = texts[0] ?? '';
    else if (texts.length > 1) params[name] = texts;
  };
  set('first_name', fields.name.first);
  set('middle_name', fields.name.middle);
  set('last_name', fields.name.last);
  // The full name as written helps when the cells could not be split (one "Name" column).
  if (!fields.name.first || !fields.name.last) set('name', fields.name.full);
  setList('email', fields.emails);
  setList('phone', fields.phones);
  set('company', fields.company);
  set('locality', fields.locality);
  set('region', fields.region);
  set('country', fields.country);
  set('postal_code', fields.postalCode);
  return params;
}

/** The person's id, or undefined when the record has none (then it cannot be a match). */
export function pdlPersonId(data: unknown): string | undefined {
  return text(asRecord(data)['id']);
}

/** A PDL person record as raw contact cells (display values; the engine standardizes them). */
export function pdlPersonCells(data: unknown): ContactCells {
  const person = asRecord(data);
  const first = text(person['first_name']);
  const last = text(person['last_name']);
  const emails = distinct([
    text(person['work_email']),
    text(person['recommended_personal_email']),
    ...texts(person['personal_emails']),
    ...list(person['emails']).map((email) =>
      typeof email === 'string' ? email : text(asRecord(email)['address']),
    ),
  ]);
  const phones = distinct([text(person['mobile_phone']), ...texts(person['phone_numbers'])]);
  return {
    name: {
      // PDL splits names itself; the full name matters only when it could not.
      full: first && last ? undefined : text(person['full_name']),
      first,
      middle: text(person['middle_name']),
      last,
    },
    emails,
    phones,
    company: text(person['job_company_name']),
    title: text(person['job_title']),
    city: text(person['location_locality']),
    updatedAt: latestDate([
      text(person['job_last_verified']),
      text(person['location_last_updated']),
      text(person['job_last_changed']),
    ]),
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function texts(value: unknown): (string | undefined)[] {
  return list(value).map(text);
}

/** Values in order, each once (emails compared without case). */
function distinct(values: readonly (string | undefined)[]): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const value of values) {
    if (value === undefined || seen.has(value.toLowerCase())) continue;
    seen.add(value.toLowerCase());
    result.push(value);
  }
  return result;
}

/** The most recent of PDL's "YYYY-MM-DD" / "YYYY-MM" dates, as written; undefined when none. */
function latestDate(values: readonly (string | undefined)[]): string | undefined {
  let best: { text: string; at: number } | undefined;
  for (const value of values) {
    const at = value === undefined ? NaN : Date.parse(value);
    if (value !== undefined && !Number.isNaN(at) && (best === undefined || at > best.at))
      best = { text: value, at };
  }
  return best?.text;
}
