import type { Contact } from '../standardize/contact.ts';
import type { NameNeighbours } from './name-neighbours.ts';
import type { NicknameTable } from '../nicknames/nicknames.ts';
import { postcodeBase } from '../standardize/postcode-base.ts';

/** What blocking needs besides the contact: nickname canonicalization and a phonetic encoder. */
export interface BlockingContext {
  readonly nicknames: NicknameTable;
  readonly phonetic: (key: string) => readonly string[];
}

/** Name vocabularies of the directory, for typo-tolerant lookups (query side only). */
export interface BlockingVocabulary {
  readonly firstNames: NameNeighbours;
  readonly lastNames: NameNeighbours;
  /** True when some directory entry has exactly this given name / surname (core) key. */
  hasFirstName(key: string): boolean;
  hasLastName(key: string): boolean;
}

// Local parts that name a role, not a person: they would put strangers in one block.
const ROLE_LOCAL_PARTS: ReadonlySet<string> = new Set([
  'info',
  'admin',
  'contact',
  'sales',
  'office',
  'hello',
  'support',
  'mail',
  'enquiries',
  'team',
  'accounts',
  'billing',
  'reception',
  'noreply',
  'webmaster',
]);

/**
 * Receives blocking keys as their parts, in the order they are generated, so the matcher can look
 * blocks up without building and hashing a key string per key. The string forms (for tests and
 * DirectoryIndex.block) are the prefix letter followed by the parts joined with "|".
 */
export interface BlockingKeySink {
  /** `e`: an email match key. */
  email(key: string): void;
  /** `p`: an E.164 phone number. */
  phone(e164: string): void;
  /** `u`: an email local part. */
  localPart(local: string): void;
  /** `n`: a canonical given name and a surname (core). */
  name(canon: string, last: string): void;
  /** `m`: a Double Metaphone code of the surname and a canonical given name. */
  phonetic(code: string, canon: string): void;
  /** `i`: the first initial (one UTF-16 unit) and the surname (core). */
  initial(initial: string, last: string): void;
  /**
   * Keys of the address/birth-date rules, as one string of a kind letter and a value:
   * `b` birth date (YYYYMMDD), `x` national id, `z` postcode + an initial of either name,
   * `k` postcode + surname, `s` house number + street name, `y` birth year + surname,
   * `g` birth year + given name, `c` city + surname.
   */
  other(key: string): void;
}

/** A sink that appends each key's string form to `keys`. */
export function keyStringSink(keys: string[]): BlockingKeySink {
  return {
    email: (key) => keys.push(`e${key}`),
    phone: (e164) => keys.push(`p${e164}`),
    localPart: (local) => keys.push(`u${local}`),
    name: (canon, last) => keys.push(`n${canon}|${last}`),
    phonetic: (code, canon) => keys.push(`m${code}|${canon}`),
    initial: (initial, last) => keys.push(`i${initial}|${last}`),
    other: (key) => keys.push(key),
  };
}

/**
 * Keys a directory entry is filed under:
 * - `e` email match key and `p` E.164 phone: identifiers;
 * - `u` email local part: the same mailbox name at another provider;
 * - `n` canonical given name (via nicknames) + surname without particles;
 * - `m` Double Metaphone of the surname + canonical given name: surname spellings beyond one typo;
 * - `i` first initial + surname: for uploads that only give an initial ("J. Smith").
 */
export function directoryBlockingKeys(contact: Contact, context: BlockingContext): string[] {
  const keys: string[] = [];
  visitDirectoryBlockingKeys(contact, context, keyStringSink(keys));
  return keys;
}

/** directoryBlockingKeys, handing each key to `sink` instead of building strings. */
export function visitDirectoryBlockingKeys(
  contact: Contact,
  context: BlockingContext,
  sink: BlockingKeySink,
): void {
  for (const email of contact.emails) sink.email(email.key);
  visitLocalParts(contact, sink);
  for (const phone of contact.phones) sink.phone(phone.e164);
  const first = contact.firstKey;
  const last = contact.lastCoreKey;
  if (first !== '' && last !== '') {
    const codes = context.phonetic(last);
    for (const canon of context.nicknames.canonicalKeys(first)) {
      sink.name(canon, last);
      for (const code of codes) sink.phonetic(code, canon);
    }
    sink.initial(first.charAt(0), last);
  }
  visitOtherKeys(contact, sink);
}

/**
 * Blocking rules on the address and birth-date fields, for rows whose names are missing or too
 * corrupted for the name keys: birth date; national id; postcode with the first letter of the
 * given name and of the surname; postcode with the surname; house number with street name;
 * birth year with the surname or the given name; city with the surname.
 */
function visitOtherKeys(contact: Contact, sink: BlockingKeySink): void {
  if (contact.birthKey !== '') sink.other(`b${contact.birthKey}`);
  if (contact.birthAltKey !== '') sink.other(`b${contact.birthAltKey}`);
  if (contact.nationalIdKey.length >= 4) sink.other(`x${contact.nationalIdKey}`);
  const postcode = postcodeBase(contact.postcodeKey);
  if (postcode !== '') {
    if (contact.firstKey !== '') sink.other(`z${postcode}|${contact.firstKey.charAt(0)}`);
    if (contact.lastKey !== '') {
      sink.other(`z${postcode}|-${contact.lastKey.charAt(0)}`);
      sink.other(`k${postcode}|${contact.lastCoreKey}`);
    }
  }
  const street = contact.street;
  if (street.nameKey !== '' && street.number !== '')
    sink.other(`s${street.number}|${street.nameKey}`);
  const year = contact.birthKey.slice(0, 4);
  if (year !== '') {
    if (contact.lastCoreKey !== '') sink.other(`y${year}|${contact.lastCoreKey}`);
    if (contact.firstKey.length > 1) sink.other(`g${year}|${contact.firstKey}`);
  }
  if (contact.cityKey !== '' && contact.lastCoreKey !== '')
    sink.other(`c${contact.cityKey}|${contact.lastCoreKey}`);
}

/**
 * Keys an upload contact is looked up under, in two passes. Pass 1 is cheap and catches almost
 * every copy: identifiers, and `n` keys for the name as written, for its quoted nickname, and for
 * directory names one typo away (given name or surname); an initial-only given name uses `i`.
 * Pass 2 runs only when pass 1 finds no acceptable match: the email local part `u`, swapped given
 * name and surname, and the phonetic `m` keys.
 */
export function queryBlockingKeys(
  contact: Contact,
  context: BlockingContext,
  vocabulary: BlockingVocabulary | undefined,
  pass: 1 | 2,
): string[] {
  const keys: string[] = [];
  visitQueryBlockingKeys(contact, context, vocabulary, pass, keyStringSink(keys));
  return keys;
}

/** queryBlockingKeys, handing each key to `sink` (in the same order) instead of building strings. */
export function visitQueryBlockingKeys(
  contact: Contact,
  context: BlockingContext,
  vocabulary: BlockingVocabulary | undefined,
  pass: 1 | 2,
  sink: BlockingKeySink,
): void {
  const first = contact.firstKey;
  const last = contact.lastCoreKey;
  if (pass === 1) {
    for (const email of contact.emails) sink.email(email.key);
    for (const phone of contact.phones) sink.phone(phone.e164);
    visitOtherKeys(contact, sink);
    if (first === '' || last === '') return;
    if (first.length === 1) {
      sink.initial(first, last);
      return;
    }
    visitNameKeys(sink, first, last, context);
    if (contact.nicknameKey !== '') visitNameKeys(sink, contact.nicknameKey, last, context);
    // Typo correction only for names the directory does not know: a known name is looked up as
    // written, and pass 2's phonetic keys cover a typo that happens to spell another real name.
    if (vocabulary) {
      if (!vocabulary.hasLastName(last)) {
        for (const near of vocabulary.lastNames.near(last))
          visitNameKeys(sink, first, near, context);
      }
      if (!vocabulary.hasFirstName(first)) {
        for (const near of vocabulary.firstNames.near(first))
          visitNameKeys(sink, near, last, context);
      }
    }
    return;
  }
  visitLocalParts(contact, sink);
  if (first === '' || last === '') return;
  visitNameKeys(sink, last, first, context);
  const canons = context.nicknames.canonicalKeys(first);
  for (const code of context.phonetic(last)) for (const canon of canons) sink.phonetic(code, canon);
}

function visitLocalParts(contact: Contact, sink: BlockingKeySink): void {
  for (const email of contact.emails) {
    if (email.local.length >= 5 && !ROLE_LOCAL_PARTS.has(email.local)) sink.localPart(email.local);
  }
}

function visitNameKeys(
  sink: BlockingKeySink,
  first: string,
  last: string,
  context: BlockingContext,
): void {
  for (const canon of context.nicknames.canonicalKeys(first)) sink.name(canon, last);
}
