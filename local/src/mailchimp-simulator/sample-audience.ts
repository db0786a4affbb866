import { foldKey } from '@contacts/enrichment';
import type { PdlPerson } from '../pdl-simulator/pdl-person.ts';
import { createSeededRandom, type SeededRandom } from '../pdl-simulator/seeded-random.ts';
import { buildSyntheticWorld } from '../pdl-simulator/synthetic-world.ts';
import {
  COMPANIES,
  EMAIL_PROVIDERS,
  FIRST_NAMES,
  LAST_NAMES,
  PLACES,
} from '../pdl-simulator/world-vocabulary.ts';
import type { MailchimpAddress, MergeFields, NewMember } from './audience.ts';

/**
 * The sample audience: people the People Data Labs simulator knows (same default seed and world
 * size), so an import enriched with `--provider pdl` finds them. Of every ten members:
 * - most carry what the provider knows (the enrichment confirms them),
 * - every third carries stale facts (an old employer, phone or city the enrichment updates),
 * - every 25th is someone the provider does not know,
 * - every 40th has invalid data (a phone of letters, no name), and a few are unsubscribed.
 */
export function sampleAudienceMembers(options: {
  readonly size: number;
  readonly seed: number;
}): NewMember[] {
  const { size, seed } = options;
  if (size === 0) return [];
  // The PDL simulator's defaults (seed 1, 10,000 people) unless told otherwise.
  const world = buildSyntheticWorld({ seed, size: Math.max(10_000, size) });
  const known = world.people.filter((p) => p.emails.length > 0);
  const random = createSeededRandom(seed ^ 0x3a11_c41f);
  const members: NewMember[] = [];
  for (let i = 0; members.length < size; i++) {
    const person = known[i % known.length];
    if (person === undefined) break;
    if (i % 25 === 24) members.push(strangerMember(random, i));
    else members.push(memberOf(person, random, i));
  }
  return members.slice(0, size);
}

function memberOf(person: PdlPerson, random: SeededRandom, i: number): NewMember {
  const email = person.emails[0]?.address ?? `${foldKey(person.full_name)}.${i}@example.com`;
  const stale = i % 3 === 2;
  const invalid = i % 40 === 39;
  const place = random.pick(PLACES);
  const mergeFields: Record<string, string | MailchimpAddress> = {
    FNAME: invalid ? '' : person.first_name,
    LNAME: invalid ? '' : person.last_name,
    PHONE: invalid ? 'call me' : stale ? otherPhone(random, place.areaCode) : phoneOf(person),
    COMPANY: stale
      ? random.pick(COMPANIES.filter((c) => c !== person.job_company_name))
      : (person.job_company_name ?? ''),
    ADDRESS: addressOf(
      stale ? place.locality : (person.location_locality ?? ''),
      stale ? place.region : (person.location_region ?? ''),
      person.location_country === 'United States' ? 'US' : '',
      random,
    ),
  };
  return { email, status: i % 30 === 17 ? 'unsubscribed' : 'subscribed', mergeFields };
}

function strangerMember(random: SeededRandom, i: number): NewMember {
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  const place = random.pick(PLACES);
  return {
    email: `${foldKey(first)}.${foldKey(last)}.${String(i)}@${random.pick(EMAIL_PROVIDERS)}`,
    status: 'subscribed',
    mergeFields: {
      FNAME: first,
      LNAME: last,
      PHONE: otherPhone(random, place.areaCode),
      COMPANY: '',
      ADDRESS: addressOf(place.locality, place.region, 'US', random),
    },
  };
}

/**
 * A large audience for benchmarks: `size` members drawn from the seed, cheap to build (about a
 * second per million on a laptop); distinct emails by construction (the index is in each one).
 */
export function generatedAudienceMembers(options: {
  readonly size: number;
  readonly seed: number;
}): NewMember[] {
  const random = createSeededRandom(options.seed);
  const members: NewMember[] = new Array<NewMember>(options.size);
  for (let i = 0; i < options.size; i++) {
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const place = random.pick(PLACES);
    const mergeFields: MergeFields = {
      FNAME: first,
      LNAME: last,
      PHONE: otherPhone(random, place.areaCode),
      COMPANY: random.pick(COMPANIES),
      ADDRESS: addressOf(place.locality, place.region, 'US', random),
    };
    members[i] = {
      email: `${foldKey(first)}.${foldKey(last)}.${String(i)}@${random.pick(EMAIL_PROVIDERS)}`,
      status: 'subscribed',
      mergeFields,
    };
  }
  return members;
}

function phoneOf(person: PdlPerson): string {
  return person.mobile_phone ?? person.phone_numbers[0] ?? '';
}

function otherPhone(random: SeededRandom, areaCode: string): string {
  const exchange = String(200 + random.int(800)).replace(/^555$/, '556');
  return `+1${areaCode}${exchange}${String(random.int(10_000)).padStart(4, '0')}`;
}

function addressOf(
  city: string,
  state: string,
  country: string,
  random: SeededRandom,
): MailchimpAddress | string {
  if (city === '') return '';
  return {
    addr1: `${String(1 + random.int(9_000))} ${random.pick(['Main', 'Oak', 'Pine', 'Elm', 'Market'])} St`,
    addr2: '',
    city,
    state,
    zip: String(10_000 + random.int(89_999)),
    country,
  };
}
