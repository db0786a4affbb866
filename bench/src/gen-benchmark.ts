import {
  foldKey,
  type DirectoryRecord,
  type FieldStatus,
  type NicknamePair,
} from '@contacts/enrichment';
import { createPeopleGenerator, toDirectoryRecord, type Person } from './gen-people.ts';
import { createRandom, type Random } from './gen-random.ts';

/** Upload header of the generated benchmark: a plain export with one column the engine ignores. */
export const UPLOAD_HEADER: readonly string[] = [
  'First Name',
  'Last Name',
  'Email',
  'Phone',
  'Company',
  'Job Title',
  'City',
  'Notes',
];
/** Order of the labelled fields (matches the engine's ENRICHED_FIELDS). */
const FIELDS = ['first_name', 'last_name', 'email', 'phone', 'company', 'title', 'city'] as const;
type Field = (typeof FIELDS)[number];

/** Ways a contact book's copy of a person drifts from the directory (FEBRL-style modifications). */
export type Modification =
  | 'typo_first'
  | 'typo_last'
  | 'nickname'
  | 'initial'
  | 'swap_names'
  | 'email_missing'
  | 'email_old'
  | 'phone_missing'
  | 'phone_old'
  | 'company_missing'
  | 'company_old'
  | 'title_changed'
  | 'city_moved'
  | 'city_missing';

const MODIFICATIONS: readonly [Modification, number, readonly Field[]][] = [
  ['typo_first', 1, ['first_name']],
  ['typo_last', 1, ['last_name']],
  ['nickname', 1, ['first_name']],
  ['initial', 0.25, ['first_name']],
  ['swap_names', 0.35, ['first_name', 'last_name']],
  ['email_missing', 0.9, ['email']],
  ['email_old', 1, ['email']],
  ['phone_missing', 0.9, ['phone']],
  ['phone_old', 1, ['phone']],
  ['company_missing', 0.5, ['company', 'title']],
  ['company_old', 0.9, ['company', 'title']],
  ['title_changed', 0.5, ['title']],
  ['city_moved', 0.6, ['city']],
  ['city_missing', 0.4, ['city']],
];
// How many modifications a duplicate gets: 0…4.
const MODIFICATION_COUNTS: readonly number[] = [
  0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4,
];

export interface BenchmarkOptions {
  readonly seed: number;
  readonly directorySize: number;
  readonly uploadRows: number;
  /** Share of upload rows that are copies of directory people. */
  readonly duplicateShare: number;
  readonly nicknamePairs: readonly NicknamePair[];
}

export interface UploadTruth {
  /** Directory id this row is a copy of, or undefined for a stranger. */
  readonly directoryId: string | undefined;
  readonly modifications: readonly Modification[];
  /** The label each enriched field should get, in FIELDS order. */
  readonly labels: readonly FieldStatus[];
}

export interface Benchmark {
  readonly directory: readonly DirectoryRecord[];
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly truth: readonly UploadTruth[];
}

/** Generates a labelled linkage benchmark, reproducibly from the seed. */
export function generateBenchmark(options: BenchmarkOptions): Benchmark {
  const random = createRandom(options.seed);
  const people = createPeopleGenerator(random, options.nicknamePairs);
  const directoryPeople: Person[] = [];
  const directory: DirectoryRecord[] = [];
  for (let i = 0; i < options.directorySize; i++) {
    const person = people.person();
    directoryPeople.push(person);
    directory.push(toDirectoryRecord(`P${String(i + 1).padStart(6, '0')}`, person));
  }
  const duplicates = Math.round(options.uploadRows * options.duplicateShare);
  const chosen = random.shuffle(directoryPeople.map((_, i) => i)).slice(0, duplicates);
  const rows: string[][] = [];
  const truth: UploadTruth[] = [];
  for (const index of chosen) {
    const source = directoryPeople[index] as Person;
    const { person, modifications } = corrupt(source, random, people);
    rows.push(formatRow(person, random, rows.length));
    truth.push({
      directoryId: directory[index]?.id,
      modifications,
      labels: FIELDS.map((field) => expectedLabel(field, person, source)),
    });
  }
  for (let i = duplicates; i < options.uploadRows; i++) {
    const stranger = people.person();
    const person: Person = {
      ...stranger,
      email: random.chance(0.15) ? '' : stranger.email,
      phone: random.chance(0.2) ? '' : stranger.phone,
    };
    rows.push(formatRow(person, random, rows.length));
    truth.push({
      directoryId: undefined,
      modifications: [],
      labels: FIELDS.map(() => 'unverified'),
    });
  }
  // Interleave duplicates and strangers so nothing depends on row order.
  const order = random.shuffle(rows.map((_, i) => i));
  return {
    directory,
    header: UPLOAD_HEADER,
    rows: order.map((i) => rows[i] as string[]),
    truth: order.map((i) => truth[i] as UploadTruth),
  };
}

function corrupt(
  source: Person,
  random: Random,
  people: ReturnType<typeof createPeopleGenerator>,
): { person: Person; modifications: Modification[] } {
  const count = random.pick(MODIFICATION_COUNTS);
  const modifications: Modification[] = [];
  const touched = new Set<Field>();
  let p: Person = { ...source };
  let attempts = 0;
  while (modifications.length < count && attempts++ < 50) {
    const [modification, , fields] = weightedPick(random);
    if (fields.some((f) => touched.has(f))) continue;
    const next = apply(modification, p, random, people);
    if (next === undefined) continue;
    p = next;
    modifications.push(modification);
    for (const f of fields) touched.add(f);
  }
  return { person: p, modifications };
}

function weightedPick(random: Random): (typeof MODIFICATIONS)[number] {
  const total = MODIFICATIONS.reduce((s, m) => s + m[1], 0);
  let target = random.next() * total;
  for (const m of MODIFICATIONS) {
    target -= m[1];
    if (target <= 0) return m;
  }
  return MODIFICATIONS[0] as (typeof MODIFICATIONS)[number];
}

function apply(
  modification: Modification,
  p: Person,
  random: Random,
  people: ReturnType<typeof createPeopleGenerator>,
): Person | undefined {
  switch (modification) {
    case 'typo_first':
      return { ...p, first: typo(p.first, random) };
    case 'typo_last':
      return { ...p, last: typo(p.last, random) };
    case 'nickname': {
      const options = people
        .nicknamesOf(p.first)
        .filter((n) => n.length > 1 && foldKey(n) !== foldKey(p.first));
      return options.length === 0 ? undefined : { ...p, first: random.pick(options) };
    }
    case 'initial':
      return { ...p, first: `${p.first.charAt(0)}.` };
    case 'swap_names':
      return { ...p, first: p.last, last: p.first };
    case 'email_missing':
      return p.email === '' ? undefined : { ...p, email: '' };
    case 'email_old':
      return p.email === '' ? undefined : { ...p, email: people.otherEmail(p) };
    case 'phone_missing':
      return p.phone === '' ? undefined : { ...p, phone: '' };
    case 'phone_old':
      return p.phone === '' ? undefined : { ...p, phone: people.otherPhone() };
    case 'company_missing':
      return p.company === '' ? undefined : { ...p, company: '', title: '' };
    case 'company_old':
      return p.company === ''
        ? undefined
        : {
            ...p,
            company: people.otherCompany(p.company),
            title: random.chance(0.6) ? people.otherTitle(p.title) : p.title,
          };
    case 'title_changed':
      return p.title === '' ? undefined : { ...p, title: people.otherTitle(p.title) };
    case 'city_moved':
      return { ...p, city: people.otherCity(p.city) };
    case 'city_missing':
      return { ...p, city: '' };
  }
}

const KEYBOARD_NEIGHBOURS: Readonly<Record<string, string>> = {
  a: 'qwsz',
  b: 'vghn',
  c: 'xdfv',
  d: 'serfcx',
  e: 'wsdr',
  f: 'drtgvc',
  g: 'ftyhbv',
  h: 'gyujnb',
  i: 'ujko',
  j: 'huikmn',
  k: 'jiolm',
  l: 'kop',
  m: 'njk',
  n: 'bhjm',
  o: 'iklp',
  p: 'ol',
  q: 'wa',
  r: 'edft',
  s: 'awedxz',
  t: 'rfgy',
  u: 'yhji',
  v: 'cfgb',
  w: 'qase',
  x: 'zsdc',
  y: 'tghu',
  z: 'asx',
};

/** One keyboard typo: substitution by a neighbouring key, insertion, deletion or transposition. */
function typo(word: string, random: Random): string {
  for (let attempt = 0; attempt < 20; attempt++) {
    const chars = Array.from(word);
    const i = 1 + random.int(Math.max(1, chars.length - 1));
    const kind = random.int(4);
    const at = chars[i] ?? chars[chars.length - 1] ?? 'a';
    const lower = at.toLowerCase();
    if (kind === 0) chars[i] = random.pick(Array.from(KEYBOARD_NEIGHBOURS[lower] ?? 'e'));
    else if (kind === 1)
      chars.splice(i, 0, random.pick(Array.from(KEYBOARD_NEIGHBOURS[lower] ?? 'e')));
    else if (kind === 2 && chars.length > 3) chars.splice(i, 1);
    else if (kind === 3 && i < chars.length - 1) {
      const next = chars[i + 1] ?? '';
      chars[i + 1] = at;
      chars[i] = next;
    } else continue;
    const result = chars.join('');
    if (foldKey(result) !== foldKey(word)) return result;
  }
  return `${word}e`;
}

/**
 * The label a correct engine gives a field of a duplicate row, from the values before format
 * noise: the directory is newer (generated uploads carry no timestamps).
 */
function expectedLabel(field: Field, upload: Person, source: Person): FieldStatus {
  const mine = valueOf(upload, field);
  const theirs = valueOf(source, field);
  if (theirs === '') return 'unverified';
  if (mine === '') return 'new';
  return foldKey(mine) === foldKey(theirs) ? 'confirmed' : 'updated';
}

function valueOf(p: Person, field: Field): string {
  switch (field) {
    case 'first_name':
      return p.first;
    case 'last_name':
      return p.last;
    case 'email':
      return p.email;
    case 'phone':
      return p.phone;
    case 'company':
      return p.company;
    case 'title':
      return p.title;
    case 'city':
      return p.city;
  }
}

/** Writes a person as an upload row, with format noise that must not change any label. */
function formatRow(p: Person, random: Random, index: number): string[] {
  const caseName = random.next();
  const name = (s: string): string =>
    caseName < 0.1 ? s.toUpperCase() : caseName < 0.14 ? s.toLowerCase() : s;
  let email = p.email;
  if (email.endsWith('@gmail.com') && random.chance(0.2)) {
    // Gmail ignores dots: a different spelling of the same mailbox.
    const [local = '', domain = ''] = email.split('@');
    email = `${local.includes('.') ? local.replace(/\./g, '') : local.replace(/^(.)/, '$1.')}@${domain}`;
  }
  if (random.chance(0.08)) email = email.toUpperCase();
  const n = p.phone;
  const phone =
    n === ''
      ? ''
      : random.pick([
          `(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`,
          `${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`,
          `${n.slice(0, 3)}.${n.slice(3, 6)}.${n.slice(6)}`,
          `+1 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
          n,
          `1-${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`,
        ]) + (random.chance(0.03) ? ` ext. ${1 + random.int(999)}` : '');
  let company = p.company;
  if (random.chance(0.15)) company = company.replace(/ (Inc\.?|LLC|Ltd|Corp)$/, '');
  if (random.chance(0.08)) company = company.toUpperCase();
  const city = random.chance(0.05) ? p.city.toUpperCase() : p.city;
  const title = random.chance(0.05) ? p.title.toLowerCase() : p.title;
  return [name(p.first), name(p.last), email, phone, company, title, city, `row ${index + 1}`];
}
