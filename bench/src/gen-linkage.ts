/**
 * Address + birth-date linkage sets for bench:quality:address, generated from a seed (never
 * committed). Two flavours:
 * - `address`: a CRM directory (HubSpot-style header) and an Outlook-style upload of US, UK and
 *   Dutch people with street addresses, postcodes, states, countries and birth dates, some
 *   emails and phones; 70% copies with 0–4 corruptions, 30% strangers (who often share names,
 *   streets and birth years with directory people);
 * - `febrl`: FEBRL-style files (`rec_id, given_name, surname, street_number, address_1,
 *   address_2, suburb, postcode, state, date_of_birth, soc_sec_id`, lower case, Australian-style
 *   addresses), every upload row a duplicate with heavy corruption: up to 8 modifications per
 *   record and 3 per field, as the FEBRL generator's "heavy" settings do.
 * The corruptions are generic (keyboard/OCR/phonetic typos, missing values, swapped fields,
 * day↔month swaps, abbreviations, wrong postcodes, moved house); they are not derived from the
 * engine's rules.
 */
import { foldKey, type NicknamePair } from '@contacts/enrichment';
import { createPeopleGenerator } from './gen-people.ts';
import { CITIES } from './gen-name-lists.ts';
import type { Random } from './gen-random.ts';

export type LinkageFlavour = 'address' | 'febrl';

export interface LinkageSet {
  readonly directoryCsv: string;
  readonly uploadCsv: string;
  /** Per upload row (in file order): the directory id it copies, or undefined for a stranger. */
  readonly truth: readonly (string | undefined)[];
  /** Per upload row: the corruptions applied. */
  readonly corruptions: readonly (readonly string[])[];
}

export interface LinkageOptions {
  readonly flavour: LinkageFlavour;
  readonly random: Random;
  readonly directorySize: number;
  readonly uploadRows: number;
  readonly nicknamePairs: readonly NicknamePair[];
}

/** A person with an address and a birth date, before formatting. */
interface Resident {
  first: string;
  last: string;
  email: string;
  phone: string;
  number: string;
  street: string;
  suffix: string;
  line2: string;
  city: string;
  postcode: string;
  state: string;
  country: 'US' | 'GB' | 'NL' | 'AU';
  year: number;
  month: number;
  day: number;
  ssn: string;
}

const STREET_WORDS = [
  'Main',
  'Oak',
  'Maple',
  'Cedar',
  'Park',
  'Pine',
  'Elm',
  'Washington',
  'Lake',
  'Hill',
  'Church',
  'High',
  'Station',
  'Victoria',
  'Green',
  'Mill',
  'School',
  'Kings',
  'Queens',
  'Bridge',
  'Stanley',
  'Wilkinson',
  'Chapel',
  'Forest',
  'River',
  'Sunset',
  'Highland',
  'Spring',
  'Ridge',
  'Meadow',
  'Willow',
  'Birch',
  'Franklin',
  'Jefferson',
  'Lincoln',
  'Madison',
  'Grant',
  'Albert',
  'Clarendon',
  'Heather',
  'Bellevue',
  'Kerkstraat',
  'Dorpsstraat',
  'Molenweg',
  'Julius',
  'Dalton',
  'Macquarie',
  'Darling',
  'Burke',
  'Wattle',
  'Banksia',
  'Ormond',
  'Carrington',
  'Ashby',
];
const SUFFIXES: readonly [string, string][] = [
  ['Street', 'St'],
  ['Avenue', 'Ave'],
  ['Road', 'Rd'],
  ['Boulevard', 'Blvd'],
  ['Drive', 'Dr'],
  ['Lane', 'Ln'],
  ['Court', 'Ct'],
  ['Place', 'Pl'],
  ['Crescent', 'Cres'],
  ['Terrace', 'Tce'],
];
const LINE2 = [
  '',
  '',
  '',
  'Apt 3',
  'Unit 12',
  'Flat 2',
  'Suite 400',
  'Kelgoola',
  'Rosedale',
  'Miami',
];
const US_STATES = ['CA', 'NY', 'TX', 'FL', 'IL', 'PA', 'OH', 'GA', 'NC', 'MI', 'WA', 'MA'];
const AU_STATES = ['nsw', 'vic', 'qld', 'wa', 'sa', 'tas', 'act', 'nt'];
const GB_AREAS = [
  'SW1A',
  'EC1A',
  'M1',
  'B33',
  'CR2',
  'DN55',
  'W1A',
  'LS1',
  'G2',
  'EH1',
  'BS8',
  'OX1',
];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** Generates a linkage set, reproducibly from `random`. */
export function generateLinkageSet(options: LinkageOptions): LinkageSet {
  const { random, flavour } = options;
  const people = createPeopleGenerator(random, options.nicknamePairs);
  // Each town has a few postcodes: neighbours share a town, and a wrong postcode is plausible.
  const towns = CITIES.slice(0, 80).map((city, i) => ({
    city,
    codes: Array.from({ length: 3 }, (_, k) =>
      postcodeFor(flavour === 'febrl' ? 'AU' : 'US', random, i * 3 + k),
    ),
  }));
  const usedSsn = new Set<string>();
  const resident = (): Resident => {
    const p = people.person();
    const country: Resident['country'] =
      flavour === 'febrl' ? 'AU' : random.chance(0.7) ? 'US' : random.chance(0.6) ? 'GB' : 'NL';
    const town = random.zipf(towns, 0.5);
    const [suffix] = random.pick(SUFFIXES);
    let ssn = '';
    do ssn = String(1_000_000 + random.int(9_000_000));
    while (usedSsn.has(ssn));
    usedSsn.add(ssn);
    return {
      first: p.first,
      last: p.last,
      email: flavour === 'febrl' ? '' : random.chance(0.6) ? p.email : '',
      phone: flavour === 'febrl' ? '' : random.chance(0.5) ? p.phone : '',
      number: String(
        1 +
          random.zipf(
            Array.from({ length: 300 }, (_, i) => i),
            0.6,
          ),
      ),
      street: random.zipf(STREET_WORDS, 0.4),
      suffix,
      line2: random.pick(LINE2),
      city: town.city,
      postcode:
        country === 'US' || country === 'AU'
          ? random.pick(town.codes)
          : postcodeFor(country, random, 0),
      state:
        country === 'AU' ? random.pick(AU_STATES) : country === 'US' ? random.pick(US_STATES) : '',
      country,
      year: 1925 + random.int(80),
      month: 1 + random.int(12),
      day: 1 + random.int(28),
      ssn,
    };
  };

  const directory: Resident[] = Array.from({ length: options.directorySize }, resident);
  const copies = flavour === 'febrl' ? options.uploadRows : Math.round(options.uploadRows * 0.7);
  const chosen = random.shuffle(directory.map((_, i) => i)).slice(0, copies);
  const rows: { person: Resident; truth: number | undefined; corruptions: string[] }[] = [];
  for (const index of chosen) {
    const source = directory[index] as Resident;
    const { person, corruptions } = corrupt(source, flavour, random, people, towns);
    rows.push({ person, truth: index, corruptions });
  }
  while (rows.length < options.uploadRows) {
    // Strangers: new people, some of them namesakes or neighbours of directory people.
    const stranger = resident();
    const like = random.pick(directory);
    if (random.chance(0.3)) stranger.last = like.last;
    if (random.chance(0.2)) {
      stranger.street = like.street;
      stranger.suffix = like.suffix;
      stranger.city = like.city;
      stranger.postcode = like.postcode;
      stranger.country = like.country;
    }
    if (random.chance(0.1)) stranger.year = like.year;
    rows.push({ person: stranger, truth: undefined, corruptions: [] });
  }
  const order = random.shuffle(rows.map((_, i) => i));
  const idOf = (i: number): string => (flavour === 'febrl' ? `rec-${i}-org` : String(100_000 + i));
  const directoryCsv = toCsv(
    flavour === 'febrl' ? FEBRL_HEADER : CRM_HEADER,
    directory.map((r, i) => (flavour === 'febrl' ? febrlRow(idOf(i), r) : crmRow(idOf(i), r))),
  );
  const uploadCsv = toCsv(
    flavour === 'febrl' ? FEBRL_HEADER : OUTLOOK_HEADER,
    order.map((i, n) => {
      const row = rows[i];
      if (row === undefined) return [];
      return flavour === 'febrl'
        ? febrlRow(
            row.truth === undefined ? `rec-x${n}-dup-0` : `rec-${row.truth}-dup-0`,
            row.person,
          )
        : outlookRow(row.person, random);
    }),
  );
  return {
    directoryCsv,
    uploadCsv,
    truth: order.map((i) => {
      const t = rows[i]?.truth;
      return t === undefined ? undefined : idOf(t);
    }),
    corruptions: order.map((i) => rows[i]?.corruptions ?? []),
  };
}

function postcodeFor(country: Resident['country'], random: Random, seed: number): string {
  switch (country) {
    case 'US':
      return String(10_000 + ((seed * 7919 + random.int(50)) % 89_999)).padStart(5, '0');
    case 'AU':
      return String(2000 + ((seed * 37 + random.int(10)) % 7000));
    case 'GB': {
      const letters = 'ABDEFGHJLNPQRSTUWXYZ';
      return `${random.pick(GB_AREAS)} ${1 + random.int(9)}${letters.charAt(random.int(20))}${letters.charAt(random.int(20))}`;
    }
    case 'NL':
      return `${1000 + random.int(8999)} ${'ABCDEFGHJKLMNPRSTVWXZ'.charAt(random.int(21))}${'ABCDEFGHJKLMNPRSTVWXZ'.charAt(random.int(21))}`;
  }
}

type Field =
  | 'first'
  | 'last'
  | 'street'
  | 'number'
  | 'line2'
  | 'city'
  | 'postcode'
  | 'state'
  | 'dob'
  | 'ssn'
  | 'email'
  | 'phone';

/** FEBRL's corruption kinds, field by field. */
function corrupt(
  source: Resident,
  flavour: LinkageFlavour,
  random: Random,
  people: ReturnType<typeof createPeopleGenerator>,
  towns: readonly { city: string; codes: readonly string[] }[],
): { person: Resident; corruptions: string[] } {
  const p: Resident = { ...source };
  const heavy = flavour === 'febrl';
  const count = heavy ? 1 + random.int(8) : random.pick([0, 0, 1, 1, 1, 2, 2, 2, 3, 4]);
  const perField = new Map<Field, number>();
  const corruptions: string[] = [];
  const fields: Field[] = heavy
    ? ['first', 'last', 'street', 'number', 'line2', 'city', 'postcode', 'state', 'dob', 'ssn']
    : ['first', 'last', 'street', 'number', 'city', 'postcode', 'dob', 'email', 'phone'];
  let attempts = 0;
  while (corruptions.length < count && attempts++ < 60) {
    const field = random.pick(fields);
    if ((perField.get(field) ?? 0) >= (heavy ? 3 : 1)) continue;
    const kind = corruptField(p, field, random, people, towns, heavy);
    if (kind === undefined) continue;
    perField.set(field, (perField.get(field) ?? 0) + 1);
    corruptions.push(kind);
  }
  return { person: p, corruptions };
}

function corruptField(
  p: Resident,
  field: Field,
  random: Random,
  people: ReturnType<typeof createPeopleGenerator>,
  towns: readonly { city: string; codes: readonly string[] }[],
  heavy: boolean,
): string | undefined {
  const r = random.next();
  switch (field) {
    case 'first':
      if (r < 0.12) return set(p, 'first', '', 'first_missing');
      if (r < 0.22) {
        [p.first, p.last] = [p.last, p.first];
        return 'swap_names';
      }
      if (r < 0.34) {
        const nick = people.nicknamesOf(p.first).filter((n) => foldKey(n) !== foldKey(p.first));
        if (nick.length > 0) return set(p, 'first', random.pick(nick), 'nickname');
      }
      return set(p, 'first', typo(p.first, random), 'first_typo');
    case 'last':
      if (r < 0.1) return set(p, 'last', '', 'last_missing');
      if (r < 0.2) return set(p, 'last', phonetic(p.last), 'last_phonetic');
      return set(p, 'last', typo(p.last, random), 'last_typo');
    case 'street':
      if (r < 0.15) return set(p, 'street', '', 'street_missing');
      if (r < 0.3 && !heavy) return moveHouse(p, random, towns);
      if (r < 0.5) {
        const pair = SUFFIXES.find(([full]) => full === p.suffix);
        return pair === undefined ? undefined : set(p, 'suffix', pair[1], 'street_abbreviated');
      }
      return set(p, 'street', typo(p.street, random), 'street_typo');
    case 'number':
      if (r < 0.3) return set(p, 'number', '', 'number_missing');
      return set(p, 'number', typo(p.number, random, true), 'number_typo');
    case 'line2':
      if (p.line2 === '') return undefined;
      return r < 0.5
        ? set(p, 'line2', '', 'line2_missing')
        : set(p, 'line2', typo(p.line2, random), 'line2_typo');
    case 'city':
      if (r < 0.2) return set(p, 'city', '', 'city_missing');
      return set(p, 'city', typo(p.city, random), 'city_typo');
    case 'postcode':
      if (r < 0.2) return set(p, 'postcode', '', 'postcode_missing');
      if (r < 0.45) {
        const town = towns.find((t) => t.city === p.city);
        const other = town?.codes.filter((c) => c !== p.postcode) ?? [];
        if (other.length > 0) return set(p, 'postcode', random.pick(other), 'postcode_wrong');
      }
      return set(p, 'postcode', typo(p.postcode, random, true), 'postcode_typo');
    case 'state':
      if (p.state === '') return undefined;
      return set(p, 'state', r < 0.5 ? '' : random.pick(AU_STATES), 'state_changed');
    case 'dob':
      if (r < 0.15) {
        p.year = 0;
        return 'dob_missing';
      }
      if (r < 0.4 && p.day <= 12 && p.day !== p.month) {
        [p.day, p.month] = [p.month, p.day];
        return 'dob_day_month_swap';
      }
      if (r < 0.6) {
        p.day = 1 + ((p.day + random.int(27)) % 28);
        return 'dob_day_wrong';
      }
      if (r < 0.75) {
        p.year += random.chance(0.5) ? 1 : -1;
        return 'dob_year_off';
      }
      {
        const digits = ymd(p);
        const typed = typo(digits, random, true);
        const y = Number(typed.slice(0, 4));
        const m = Number(typed.slice(4, 6));
        const d = Number(typed.slice(6, 8));
        if (typed.length !== 8 || m < 1 || m > 12 || d < 1 || d > 28) return undefined;
        p.year = y;
        p.month = m;
        p.day = d;
        return 'dob_typo';
      }
    case 'ssn':
      if (r < 0.3) return set(p, 'ssn', '', 'ssn_missing');
      return set(p, 'ssn', typo(p.ssn, random, true), 'ssn_typo');
    case 'email':
      if (p.email === '') return undefined;
      return set(
        p,
        'email',
        r < 0.5 ? '' : people.otherEmail({ first: p.first, last: p.last, company: '' }),
        'email_changed',
      );
    case 'phone':
      if (p.phone === '') return undefined;
      return set(p, 'phone', r < 0.5 ? '' : people.otherPhone(), 'phone_changed');
  }
}

function set<K extends keyof Resident>(
  p: Resident,
  key: K,
  value: Resident[K],
  kind: string,
): string {
  p[key] = value;
  return kind;
}

function moveHouse(
  p: Resident,
  random: Random,
  towns: readonly { city: string; codes: readonly string[] }[],
): string {
  p.number = String(1 + random.int(200));
  p.street = random.pick(STREET_WORDS);
  p.suffix = random.pick(SUFFIXES)[0];
  if (random.chance(0.5) && (p.country === 'US' || p.country === 'AU')) {
    const town = random.pick(towns);
    p.city = town.city;
    p.postcode = random.pick(town.codes);
  }
  return 'moved_house';
}

const OCR: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'l',
  '5': 's',
  '8': 'b',
  '6': 'b',
  o: '0',
  l: '1',
  s: '5',
  b: '8',
  m: 'rn',
  g: 'q',
};

/** One keyboard or OCR error: substitution, insertion, deletion or transposition. */
function typo(word: string, random: Random, digits = false): string {
  if (word === '') return word;
  for (let attempt = 0; attempt < 20; attempt++) {
    const chars = Array.from(word);
    const i = random.int(chars.length);
    const at = chars[i] ?? 'a';
    const kind = random.int(digits ? 3 : 5);
    const replacement = digits
      ? String(random.int(10))
      : 'abcdefghijklmnopqrstuvwxyz'.charAt(random.int(26));
    if (kind === 0) chars[i] = replacement;
    else if (kind === 1 && i < chars.length - 1)
      [chars[i], chars[i + 1]] = [chars[i + 1] ?? '', at];
    else if (kind === 2 && !digits && chars.length > 3) chars.splice(i, 1);
    else if (kind === 2 && digits) chars[i] = replacement;
    else if (kind === 3) chars.splice(i, 0, replacement);
    else if (kind === 4 && OCR[at.toLowerCase()] !== undefined)
      chars[i] = OCR[at.toLowerCase()] ?? at;
    else continue;
    const result = chars.join('');
    if (result !== word) return result;
  }
  return word;
}

const PHONETIC: readonly [RegExp, string][] = [
  [/ph/, 'f'],
  [/ck/, 'k'],
  [/ou/, 'u'],
  [/ee/, 'ea'],
  [/th/, 't'],
  [/y/, 'i'],
  [/c/, 'k'],
  [/z/, 's'],
  [/ll/, 'l'],
  [/(.)\1/, '$1'],
];

function phonetic(name: string): string {
  for (const [pattern, replacement] of PHONETIC) {
    if (pattern.test(name.toLowerCase())) {
      const out = name.toLowerCase().replace(pattern, replacement);
      return name.charAt(0) === name.charAt(0).toUpperCase()
        ? out.charAt(0).toUpperCase() + out.slice(1)
        : out;
    }
  }
  return `${name}e`;
}

function ymd(p: Resident): string {
  if (p.year === 0) return '';
  return `${String(p.year)}${String(p.month).padStart(2, '0')}${String(p.day).padStart(2, '0')}`;
}

const FEBRL_HEADER = [
  'rec_id',
  'given_name',
  'surname',
  'street_number',
  'address_1',
  'address_2',
  'suburb',
  'postcode',
  'state',
  'date_of_birth',
  'soc_sec_id',
];
const CRM_HEADER = [
  'Record ID',
  'First Name',
  'Last Name',
  'Email',
  'Phone Number',
  'Street Address',
  'City',
  'State/Region',
  'Zip',
  'Country/Region',
  'Date of birth',
];
const OUTLOOK_HEADER = [
  'First Name',
  'Last Name',
  'E-mail Address',
  'Mobile Phone',
  'Home Street',
  'Home Street 2',
  'Home City',
  'Home State',
  'Home Postal Code',
  'Home Country/Region',
  'Birthday',
  'Notes',
];

function febrlRow(id: string, p: Resident): string[] {
  const lower = (s: string): string => s.toLowerCase();
  return [
    id,
    lower(p.first),
    lower(p.last),
    p.number,
    p.street === '' ? '' : lower(`${p.street} ${p.suffix}`),
    lower(p.line2),
    lower(p.city),
    p.postcode,
    p.state,
    ymd(p),
    p.ssn,
  ];
}

function crmRow(id: string, p: Resident): string[] {
  const street = p.street === '' ? '' : `${p.number} ${p.street} ${p.suffix}`.trim();
  const dob =
    p.year === 0
      ? ''
      : `${String(p.year)}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  const country = { US: 'United States', GB: 'United Kingdom', NL: 'Netherlands', AU: 'Australia' }[
    p.country
  ];
  return [
    id,
    p.first,
    p.last,
    p.email,
    p.phone,
    [street, p.line2].filter((s) => s).join(', '),
    p.city,
    p.state,
    p.postcode,
    country,
    dob,
  ];
}

/** An upload row: country codes or names, and the birth date in one of the written forms. */
function outlookRow(p: Resident, random: Random): string[] {
  const street = p.street === '' ? '' : `${p.number} ${p.street} ${p.suffix}`.trim();
  const pad = (n: number): string => String(n).padStart(2, '0');
  let dob = '';
  if (p.year !== 0) {
    const form = random.int(5);
    dob =
      form === 0
        ? `${String(p.year)}-${pad(p.month)}-${pad(p.day)}`
        : form === 1
          ? // Numeric dates in the country's own order.
            p.country === 'US'
            ? `${pad(p.month)}/${pad(p.day)}/${String(p.year)}`
            : `${pad(p.day)}/${pad(p.month)}/${String(p.year)}`
          : form === 2
            ? `${String(p.day)} ${MONTH_NAMES[p.month - 1] ?? ''} ${String(p.year)}`
            : form === 3
              ? `${MONTH_NAMES[p.month - 1] ?? ''} ${String(p.day)}, ${String(p.year)}`
              : `${pad(p.day)}.${pad(p.month)}.${String(p.year)}`;
  }
  const country = random.pick([
    p.country,
    { US: 'USA', GB: 'UK', NL: 'Nederland', AU: 'Australia' }[p.country],
  ]);
  const postcode = random.chance(0.3) ? p.postcode.replace(' ', '').toLowerCase() : p.postcode;
  return [
    p.first,
    p.last,
    p.email,
    p.phone,
    street,
    p.line2,
    p.city,
    p.state,
    postcode,
    country,
    dob,
    'note',
  ];
}

function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const quote = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [header, ...rows].map((r) => r.map(quote).join(',')).join('\n') + '\n';
}
