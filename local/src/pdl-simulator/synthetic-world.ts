import { foldKey } from '@contacts/enrichment';
import type { PdlPerson } from './pdl-person.ts';
import { SAMPLE_PEOPLE } from './sample-people.ts';
import { createSeededRandom, type SeededRandom } from './seeded-random.ts';
import {
  COMPANIES,
  EMAIL_PROVIDERS,
  FIRST_NAMES,
  JOB_TITLES,
  LAST_NAMES,
  PLACES,
} from './world-vocabulary.ts';

/** The simulator's people, indexed the ways a PDL request can name them. */
export interface SyntheticWorld {
  readonly people: readonly PdlPerson[];
  byId(id: string): PdlPerson | undefined;
  byEmail(email: string): PdlPerson | undefined;
  /** By E.164 number. */
  byPhone(e164: string): PdlPerson | undefined;
  byProfile(profile: string): PdlPerson | undefined;
  /** Everyone with this first and last name (folded: case and accents ignored). */
  byName(first: string, last: string): readonly PdlPerson[];
}

export interface WorldOptions {
  readonly seed: number;
  /** Generated people, besides the people of samples/contacts.csv. */
  readonly size: number;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
// Dates are drawn from a fixed span, not from today, so a seed means the same world every day.
const SPAN_START = Date.UTC(2018, 0, 1);
const SPAN_DAYS = 3_200;

/** Same seed and size, same world: ids, names, emails and phones are all drawn from the seed. */
export function buildSyntheticWorld(options: WorldOptions): SyntheticWorld {
  const random = createSeededRandom(options.seed);
  const people: PdlPerson[] = [...SAMPLE_PEOPLE];
  const emails = new Set(SAMPLE_PEOPLE.flatMap((p) => p.emails.map((e) => e.address)));
  const phones = new Set(SAMPLE_PEOPLE.flatMap((p) => p.phone_numbers));
  for (let i = 0; i < options.size; i++) people.push(drawPerson(random, emails, phones));

  const ids = new Map<string, PdlPerson>();
  const byEmail = new Map<string, PdlPerson>();
  const byPhone = new Map<string, PdlPerson>();
  const byProfile = new Map<string, PdlPerson>();
  const byName = new Map<string, PdlPerson[]>();
  for (const person of people) {
    ids.set(person.id, person);
    for (const { address } of person.emails) byEmail.set(address.toLowerCase(), person);
    for (const phone of person.phone_numbers) byPhone.set(phone, person);
    if (person.linkedin_url) byProfile.set(profileKey(person.linkedin_url), person);
    const key = nameKey(person.first_name, person.last_name);
    const list = byName.get(key) ?? [];
    list.push(person);
    byName.set(key, list);
  }
  return {
    people,
    byId: (id) => ids.get(id),
    byEmail: (email) => byEmail.get(email.trim().toLowerCase()),
    byPhone: (e164) => byPhone.get(e164),
    byProfile: (profile) => byProfile.get(profileKey(profile)),
    byName: (first, last) => byName.get(nameKey(first, last)) ?? [],
  };
}

export function nameKey(first: string, last: string): string {
  return `${foldKey(first)} ${foldKey(last)}`;
}

/** `https://www.linkedin.com/in/x/` and `linkedin.com/in/x` are the same profile. */
export function profileKey(profile: string): string {
  return profile
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/^www\./, '')
    .replace(/\/+$/, '');
}

function drawPerson(random: SeededRandom, emails: Set<string>, phones: Set<string>): PdlPerson {
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  const company = random.pick(COMPANIES);
  const place = random.pick(PLACES);
  const domain = `${foldKey(company)}.example`;
  const local = `${foldKey(first)}.${foldKey(last)}`;
  const workEmail = unique(emails, (n) => `${local}${n === 0 ? '' : n}@${domain}`);
  const personalEmail = unique(
    emails,
    (n) =>
      `${foldKey(first)}${foldKey(last)}${random.int(90) + 10 + n}@${random.pick(EMAIL_PROVIDERS)}`,
  );
  // NXX exchanges start 2-9; 555 is avoided so numbers look like real subscriber lines.
  const phone = unique(phones, () => {
    const exchange = String(200 + random.int(800)).replace(/^555$/, '556');
    const line = String(random.int(10_000)).padStart(4, '0');
    return `+1${place.areaCode}${exchange}${line}`;
  });
  const id = drawId(random);
  const username = `${foldKey(first)}-${foldKey(last)}-${id.slice(0, 6).toLowerCase()}`;
  const jobChanged = drawDate(random);
  return {
    id,
    full_name: `${first} ${last}`,
    first_name: first,
    middle_name: null,
    last_name: last,
    linkedin_url: `linkedin.com/in/${username}`,
    linkedin_username: username,
    work_email: workEmail,
    personal_emails: [personalEmail],
    emails: [
      { address: workEmail, type: 'current_professional' },
      { address: personalEmail, type: 'personal' },
    ],
    mobile_phone: phone,
    phone_numbers: [phone],
    job_title: random.pick(JOB_TITLES),
    job_company_name: company,
    job_company_website: domain,
    job_last_changed: jobChanged,
    job_last_verified: drawDate(random),
    location_name: `${place.locality}, ${place.region}, United States`,
    location_locality: place.locality,
    location_region: place.region,
    location_country: 'United States',
    location_last_updated: jobChanged,
  };
}

function unique(used: Set<string>, make: (attempt: number) => string): string {
  for (let attempt = 0; ; attempt++) {
    const value = make(attempt);
    if (!used.has(value)) {
      used.add(value);
      return value;
    }
  }
}

function drawId(random: SeededRandom): string {
  let id = '';
  for (let i = 0; i < 22; i++) id += ID_ALPHABET.charAt(random.int(ID_ALPHABET.length));
  return `${id}_0000`;
}

function drawDate(random: SeededRandom): string {
  return new Date(SPAN_START + random.int(SPAN_DAYS) * 86_400_000).toISOString().slice(0, 10);
}
