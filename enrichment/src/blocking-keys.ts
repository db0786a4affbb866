import type { Contact } from './contact.ts';
import type { NameNeighbours } from './name-neighbours.ts';
import type { NicknameTable } from './nicknames.ts';

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
 * Keys a directory entry is filed under:
 * - `e` email match key and `p` E.164 phone: identifiers;
 * - `u` email local part: the same mailbox name at another provider;
 * - `n` canonical given name (via nicknames) + surname without particles;
 * - `m` Double Metaphone of the surname + canonical given name: surname spellings beyond one typo;
 * - `i` first initial + surname: for uploads that only give an initial ("J. Smith").
 */
export function directoryBlockingKeys(contact: Contact, context: BlockingContext): string[] {
  const keys: string[] = [];
  addIdentifierKeys(keys, contact);
  const first = contact.firstKey;
  const last = contact.lastCoreKey;
  if (first !== '' && last !== '') {
    const codes = context.phonetic(last);
    for (const canon of context.nicknames.canonicalKeys(first)) {
      keys.push(`n${canon}|${last}`);
      for (const code of codes) keys.push(`m${code}|${canon}`);
    }
    keys.push(`i${first.charAt(0)}|${last}`);
  }
  return keys;
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
  const first = contact.firstKey;
  const last = contact.lastCoreKey;
  if (pass === 1) {
    for (const email of contact.emails) keys.push(`e${email.key}`);
    for (const phone of contact.phones) keys.push(`p${phone.e164}`);
    if (first === '' || last === '') return keys;
    if (first.length === 1) {
      keys.push(`i${first}|${last}`);
      return keys;
    }
    addNameKeys(keys, first, last, context);
    if (contact.nicknameKey !== '') addNameKeys(keys, contact.nicknameKey, last, context);
    // Typo correction only for names the directory does not know: a known name is looked up as
    // written, and pass 2's phonetic keys cover a typo that happens to spell another real name.
    if (vocabulary) {
      if (!vocabulary.hasLastName(last)) {
        for (const near of vocabulary.lastNames.near(last)) addNameKeys(keys, first, near, context);
      }
      if (!vocabulary.hasFirstName(first)) {
        for (const near of vocabulary.firstNames.near(first))
          addNameKeys(keys, near, last, context);
      }
    }
    return keys;
  }
  addLocalPartKeys(keys, contact);
  if (first === '' || last === '') return keys;
  addNameKeys(keys, last, first, context);
  const canons = context.nicknames.canonicalKeys(first);
  for (const code of context.phonetic(last))
    for (const canon of canons) keys.push(`m${code}|${canon}`);
  return keys;
}

function addIdentifierKeys(keys: string[], contact: Contact): void {
  for (const email of contact.emails) keys.push(`e${email.key}`);
  addLocalPartKeys(keys, contact);
  for (const phone of contact.phones) keys.push(`p${phone.e164}`);
}

function addLocalPartKeys(keys: string[], contact: Contact): void {
  for (const email of contact.emails) {
    if (email.local.length >= 5 && !ROLE_LOCAL_PARTS.has(email.local)) keys.push(`u${email.local}`);
  }
}

function addNameKeys(keys: string[], first: string, last: string, context: BlockingContext): void {
  for (const canon of context.nicknames.canonicalKeys(first)) keys.push(`n${canon}|${last}`);
}
