import {
  createPhoneStandardizer,
  foldKey,
  standardizeEmail,
  type DirectoryRecord,
  type NicknamePair,
} from '@contacts/enrichment';
import {
  AREA_CODES,
  CITIES,
  COMMON_SURNAMES,
  COMPANY_NOUNS,
  COMPANY_SUFFIXES,
  COMPANY_WORDS,
  EMAIL_PROVIDERS,
  EXTRA_FIRST_NAMES,
  SURNAME_SYLLABLES,
  TITLES,
} from './gen-name-lists.ts';
import type { Random } from './gen-random.ts';

/** A generated person, before any formatting for a CSV. `phone` is a 10-digit US national number. */
export interface Person {
  readonly first: string;
  readonly last: string;
  readonly email: string;
  readonly phone: string;
  readonly company: string;
  readonly title: string;
  readonly city: string;
  readonly updatedAt: string;
}

/** Draws realistic people: frequent names repeat, most surnames are rare, identifiers are unique. */
export interface PeopleGenerator {
  person(): Person;
  /** Another email this person might have used (old job, other provider), unique. */
  otherEmail(person: Pick<Person, 'first' | 'last' | 'company'>): string;
  /** Another valid, unused phone number. */
  otherPhone(): string;
  otherCompany(current: string): string;
  otherCity(current: string): string;
  otherTitle(current: string): string;
  /** Nicknames of a given name in the seed table (empty if none). */
  nicknamesOf(first: string): readonly string[];
}

export function createPeopleGenerator(
  random: Random,
  nicknamePairs: readonly NicknamePair[],
): PeopleGenerator {
  const nicknames = new Map<string, string[]>();
  for (const { name, nickname } of nicknamePairs) {
    const list = nicknames.get(name) ?? [];
    list.push(capitalize(nickname));
    nicknames.set(name, list);
  }
  const firstNames = random.shuffle([
    ...new Set([...[...nicknames.keys()].map(capitalize), ...EXTRA_FIRST_NAMES]),
  ]);
  const companies = Array.from({ length: 1500 }, () =>
    `${random.pick(COMPANY_WORDS)} ${random.pick(COMPANY_NOUNS)} ${random.pick(COMPANY_SUFFIXES)}`.trim(),
  );
  const uniqueCompanies = random.shuffle([...new Set(companies)]);
  const validate = createPhoneStandardizer({ defaultRegion: 'US' });
  const usedEmails = new Set<string>();
  const usedPhones = new Set<string>();

  function surname(): string {
    if (random.chance(0.45)) return random.zipf(COMMON_SURNAMES, 0.7);
    const syllables = 2 + (random.chance(0.3) ? 1 : 0);
    let name = '';
    for (let i = 0; i < syllables; i++) name += random.pick(SURNAME_SYLLABLES);
    return capitalize(name);
  }

  function email(first: string, last: string, company: string): string {
    const f = foldKey(first);
    const l = foldKey(last);
    const domain =
      random.chance(0.35) && company !== ''
        ? `${foldKey(company.split(' ')[0] ?? 'mail')}${random.pick(['.com', '.io', '.co'])}`
        : random.pick(EMAIL_PROVIDERS);
    const patterns = [
      `${f}.${l}`,
      `${f}${l}`,
      `${f.charAt(0)}${l}`,
      `${f}_${l}`,
      `${f}${random.int(100)}`,
      `${l}.${f}`,
      `${f}.${l}${random.int(100)}`,
    ];
    let local = random.pick(patterns);
    let address = `${local}@${domain}`;
    // Unique by match key: "j.smith@gmail.com" and "jsmith@gmail.com" are the same mailbox.
    const keyOf = (a: string): string => standardizeEmail(a)?.key ?? a;
    while (usedEmails.has(keyOf(address))) {
      local = `${local}${random.int(10)}`;
      address = `${local}@${domain}`;
    }
    usedEmails.add(keyOf(address));
    return address;
  }

  function phone(): string {
    for (;;) {
      const number = `${random.pick(AREA_CODES)}${2 + random.int(8)}${random.int(10)}${random.int(10)}${String(random.int(10000)).padStart(4, '0')}`;
      // Skip the 555 fictional exchange and N11 service codes, and anything libphonenumber rejects.
      if (usedPhones.has(number) || /^\d{3}(555|\d11)/.test(number)) continue;
      if (validate(number)?.e164 !== `+1${number}`) continue;
      usedPhones.add(number);
      return number;
    }
  }

  function date(): string {
    const start = Date.UTC(2023, 0, 1);
    const span = Date.UTC(2025, 5, 30) - start;
    return new Date(start + random.int(span)).toISOString().slice(0, 10);
  }

  return {
    person(): Person {
      const first = random.zipf(firstNames, 0.75);
      const last = surname();
      const company = random.chance(0.97) ? random.zipf(uniqueCompanies, 0.6) : '';
      return {
        first,
        last,
        email: random.chance(0.98) ? email(first, last, company) : '',
        phone: random.chance(0.95) ? phone() : '',
        company,
        title: company !== '' && random.chance(0.94) ? random.zipf(TITLES, 0.5) : '',
        city: random.zipf(CITIES, 0.6),
        updatedAt: date(),
      };
    },
    otherEmail: (person) =>
      email(person.first, person.last, random.chance(0.5) ? '' : random.zipf(uniqueCompanies, 0.6)),
    otherPhone: phone,
    otherCompany(current: string): string {
      for (;;) {
        const company = random.zipf(uniqueCompanies, 0.6);
        if (company !== current) return company;
      }
    },
    otherCity(current: string): string {
      for (;;) {
        const city = random.zipf(CITIES, 0.6);
        if (city !== current) return city;
      }
    },
    otherTitle(current: string): string {
      for (;;) {
        const title = random.zipf(TITLES, 0.5);
        if (title !== current) return title;
      }
    },
    nicknamesOf: (first) => nicknames.get(foldKey(first)) ?? [],
  };
}

/** A directory record for a person, as a directory CSV row would hold it. */
export function toDirectoryRecord(id: string, person: Person): DirectoryRecord {
  return {
    id,
    first_name: person.first,
    last_name: person.last,
    email: person.email,
    phone:
      person.phone === ''
        ? ''
        : `+1 ${person.phone.slice(0, 3)}-${person.phone.slice(3, 6)}-${person.phone.slice(6)}`,
    company: person.company,
    title: person.title,
    city: person.city,
    updated_at: person.updatedAt,
  };
}

export function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
