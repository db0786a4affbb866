import { cleanText, foldKey, foldWords } from './normalize-text.ts';
import type { StandardEmail } from './standardize-email.ts';
import { standardizeEmails } from './standardize-email.ts';
import { createNameStandardizer, keyedName, type KeyedName } from './memoize-names.ts';
import type { ParsedName } from './standardize-name.ts';
import { displayCaseName, type NameCells } from './standardize-name.ts';
import type { PhoneStandardizer, StandardPhone } from './standardize-phone.ts';
import { standardizeCountry, standardizeRegion } from './standardize-country.ts';
import { standardizeDate } from './standardize-date.ts';
import { standardizePostcode } from './standardize-postcode.ts';
import { standardizeStreet, type StandardStreet } from './standardize-street.ts';

/** The contact fields the engine standardizes, compares and labels, in output order. */
export const CONTACT_FIELDS = [
  'first_name',
  'last_name',
  'email',
  'phone',
  'company',
  'title',
  'city',
  'street',
  'postcode',
  'state',
  'country',
  'birth_date',
] as const;

export type ContactField = (typeof CONTACT_FIELDS)[number];

/** The fields a directory needs as of the first version: any other header is recognized. */
export const BASE_CONTACT_FIELDS = CONTACT_FIELDS.slice(0, 7) as readonly ContactField[];

/** Columns of a generated/canonical directory CSV (`updated_at` is optional). */
export const DIRECTORY_COLUMNS = ['id', ...CONTACT_FIELDS] as const;

/** One person, standardized: display values for output plus folded keys for matching. */
export interface Contact {
  readonly name: ParsedName;
  /** Folded given name ("José" → "jose"); '' when absent. */
  readonly firstKey: string;
  /** Folded quoted nickname ("Robert 'Bob' Smith" → "bob"); '' when absent. */
  readonly nicknameKey: string;
  readonly lastKey: string;
  /** Surname key without leading particles ("van der Berg" → "berg"). */
  readonly lastCoreKey: string;
  readonly emails: readonly StandardEmail[];
  readonly phones: readonly StandardPhone[];
  /** The first non-empty email / phone cell, cleaned, kept for output when it is not valid. */
  readonly emailText: string;
  readonly phoneText: string;
  readonly company: string;
  readonly companyKey: string;
  readonly title: string;
  readonly titleKey: string;
  readonly city: string;
  readonly cityKey: string;
  readonly street: StandardStreet;
  /** Postal code in its country's format; `postcodeKey` compact upper case; `postcodeArea` its district. */
  readonly postcode: string;
  readonly postcodeKey: string;
  readonly postcodeArea: string;
  readonly state: string;
  readonly stateKey: string;
  /** ISO alpha-2 when recognized. */
  readonly country: string;
  readonly countryKey: string;
  /** ISO date when parsed; `birthKey` YYYYMMDD, `birthAltKey` the day↔month reading when ambiguous. */
  readonly birthDate: string;
  readonly birthKey: string;
  readonly birthAltKey: string;
  /** A national identifier (social security number…), digits and letters upper-cased; never output. */
  readonly nationalIdKey: string;
  /** Epoch milliseconds of the source's last update, when it says. */
  readonly updatedAt: number | undefined;
}

/** Raw cells of one person, as read from an upload row or a directory record. */
export interface ContactCells {
  readonly name: NameCells;
  readonly emails: readonly string[];
  readonly phones: readonly string[];
  readonly company?: string | undefined;
  readonly title?: string | undefined;
  readonly city?: string | undefined;
  readonly street?: string | undefined;
  readonly street2?: string | undefined;
  readonly streetNumber?: string | undefined;
  readonly postcode?: string | undefined;
  readonly state?: string | undefined;
  readonly country?: string | undefined;
  readonly birthDate?: string | undefined;
  readonly nationalId?: string | undefined;
  readonly updatedAt?: string | undefined;
}

// Legal-form words that say nothing about which company it is ("Acme Inc." = "ACME").
const COMPANY_NOISE: ReadonlySet<string> = new Set([
  'the',
  'inc',
  'incorporated',
  'ltd',
  'limited',
  'llc',
  'llp',
  'lp',
  'plc',
  'corp',
  'corporation',
  'co',
  'company',
  'gmbh',
  'ag',
  'sa',
  'sas',
  'sarl',
  'bv',
  'nv',
  'pty',
  'srl',
  'spa',
  'oy',
  'ab',
  'as',
  'kk',
  'group',
  'holdings',
]);

/** A display value and its match key. */
interface KeyedText {
  readonly text: string;
  readonly key: string;
}

/**
 * Memoizes the name, company, title and city standardization: these columns repeat heavily across
 * a contact book, and the hot path should not redo the same Unicode folding for every row.
 */
export interface ContactStandardizerOptions {
  readonly standardizePhone: PhoneStandardizer;
  /** Distinct values remembered per field before a cache is reset. Default 50,000. */
  readonly cacheSize?: number;
  /** Maps a key to an equal string that lookups compare faster (DirectoryIndex.internKey). */
  readonly internKey?: (key: string) => string;
}

/** A standardizeContact bound to one phone standardizer, with memoized text fields. */
export function createContactStandardizer(
  options: ContactStandardizerOptions,
): (cells: ContactCells) => Contact {
  const limit = options.cacheSize ?? 50_000;
  const intern = options.internKey ?? ((key: string): string => key);
  const memo = (compute: (raw: string) => KeyedText): ((raw: string) => KeyedText) => {
    const cache = new Map<string, KeyedText>();
    return (raw) => {
      const hit = cache.get(raw);
      if (hit !== undefined) return hit;
      const computed = compute(raw);
      const value = { text: computed.text, key: intern(computed.key) };
      if (cache.size >= limit) cache.clear();
      cache.set(raw, value);
      return value;
    };
  };
  const fields: TextFieldStandardizers = {
    name: createNameStandardizer(limit, intern),
    company: memo(standardizeCompany),
    title: memo(standardizeTitle),
    city: memo(standardizeCity),
  };
  return (cells) => buildContact(cells, options.standardizePhone, fields);
}

interface TextFieldStandardizers {
  readonly name: (cells: NameCells) => KeyedName;
  readonly company: (raw: string) => KeyedText;
  readonly title: (raw: string) => KeyedText;
  readonly city: (raw: string) => KeyedText;
}

const UNCACHED: TextFieldStandardizers = {
  name: keyedName,
  company: standardizeCompany,
  title: standardizeTitle,
  city: standardizeCity,
};

function standardizeCompany(raw: string): KeyedText {
  const text = cleanText(raw);
  return { text, key: companyKey(text) };
}

function standardizeTitle(raw: string): KeyedText {
  const text = cleanText(raw);
  return { text, key: foldKey(text) };
}

function standardizeCity(raw: string): KeyedText {
  const text = displayCaseName(cleanText(raw));
  return { text, key: foldKey(text) };
}

/** Standardizes the cells of one person. `standardizePhone` carries the default region. */
export function standardizeContact(
  cells: ContactCells,
  standardizePhone: PhoneStandardizer,
): Contact {
  return buildContact(cells, standardizePhone, UNCACHED);
}

function buildContact(
  cells: ContactCells,
  standardizePhone: PhoneStandardizer,
  fields: TextFieldStandardizers,
): Contact {
  const name = fields.name(cells.name);
  const emails: StandardEmail[] = [];
  let emailText = '';
  for (const cell of cells.emails) {
    if (cell === '') continue;
    if (emailText === '') emailText = cleanText(cell);
    for (const email of standardizeEmails(cell)) {
      if (!emails.some((e) => e.key === email.key)) emails.push(email);
    }
  }
  const phones: StandardPhone[] = [];
  let phoneText = '';
  for (const cell of cells.phones) {
    if (cell === '') continue;
    if (phoneText === '') phoneText = cleanText(cell);
    const phone = standardizePhone(cell);
    if (phone && !phones.some((p) => p.e164 === phone.e164)) phones.push(phone);
  }
  const company = fields.company(cells.company ?? '');
  const title = fields.title(cells.title ?? '');
  const city = fields.city(cells.city ?? '');
  const country = standardizeCountry(cells.country ?? '');
  const iso = country.key.length === 2 && country.key === country.text ? country.key : undefined;
  const postcode = standardizePostcode(cells.postcode ?? '', iso);
  const state = standardizeRegion(cells.state ?? '');
  const birth = standardizeDate(cells.birthDate ?? '', iso);
  return {
    name: name.name,
    firstKey: name.firstKey,
    nicknameKey: name.nicknameKey,
    lastKey: name.lastKey,
    lastCoreKey: name.lastCoreKey,
    emails,
    phones,
    emailText,
    phoneText,
    company: company.text,
    companyKey: company.key,
    title: title.text,
    titleKey: title.key,
    city: city.text,
    cityKey: city.key,
    street: standardizeStreet(cells.street ?? '', cells.street2 ?? '', cells.streetNumber ?? ''),
    postcode: postcode.text,
    postcodeKey: postcode.key,
    postcodeArea: postcode.area,
    state: state.text,
    stateKey: state.key,
    country: country.text,
    countryKey: country.key,
    birthDate: birth.text,
    birthKey: birth.key,
    birthAltKey: birth.altKey,
    nationalIdKey: (cells.nationalId ?? '').toUpperCase().replace(/[^A-Z0-9]/g, ''),
    updatedAt: parseTimestamp(cells.updatedAt ?? ''),
  };
}

/** Company match key: folded words without legal forms ("The ACME Corp." → "acme"). */
export function companyKey(company: string): string {
  // Dotted legal forms ("S.A.", "N.V.", "S.p.A.") are one word, so they drop like "SA".
  const undotted = company.replace(/(?<=^|\s)(?:\p{L}\.){2,}(?=\s|$)/gu, (form) =>
    form.replaceAll('.', ''),
  );
  const words = foldWords(undotted);
  const kept = words.filter((w) => !COMPANY_NOISE.has(w));
  return (kept.length > 0 ? kept : words).join('');
}

/** Parses ISO dates and epoch seconds/milliseconds; undefined when the text is not a time. */
export function parseTimestamp(text: string): number | undefined {
  const value = text.trim();
  if (value === '') return undefined;
  if (/^\d{10}$/.test(value)) return Number(value) * 1000;
  if (/^\d{13}$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** True when the contact carries something blocking can find it by (see docs/matching.md §3). */
export function hasIdentifiers(contact: Contact): boolean {
  if (hasFullName(contact) || contact.emails.length > 0 || contact.phones.length > 0) return true;
  if (contact.nationalIdKey.length >= 4) return true;
  const name = contact.firstKey !== '' || contact.lastKey !== '';
  const place = contact.postcodeKey !== '' || contact.street.nameKey !== '';
  // A birth date alone is shared by thousands; with a name part or an address it singles one out.
  if (contact.birthKey !== '') return name || place;
  return name && place;
}

/** True when the contact has both a given name and a surname. */
export function hasFullName(contact: Contact): boolean {
  return contact.firstKey !== '' && contact.lastKey !== '';
}

/** The address and birth-date fields, added to the output after the first seven. */
export type PlaceField = 'street' | 'postcode' | 'state' | 'country' | 'birth_date';

/** Output value of an address or birth-date field. */
export function placeValue(contact: Contact, field: PlaceField): string {
  switch (field) {
    case 'street':
      return contact.street.text;
    case 'postcode':
      return contact.postcode;
    case 'state':
      return contact.state;
    case 'country':
      return contact.country;
    case 'birth_date':
      return contact.birthDate;
  }
}

/** Match key of an address or birth-date field: equal keys confirm the value. */
export function placeKey(contact: Contact, field: PlaceField): string {
  switch (field) {
    case 'street': {
      const { number, unit, nameKey } = contact.street;
      return nameKey === '' ? '' : `${number}|${unit}|${nameKey}`;
    }
    case 'postcode':
      return contact.postcodeKey;
    case 'state':
      return contact.stateKey;
    case 'country':
      return contact.countryKey;
    case 'birth_date':
      return contact.birthKey;
  }
}
