import type { BlockingKeySink } from './blocking-keys.ts';

/** Entry positions filed under one key: a bare position when only one entry has the key. */
export type Block = number | readonly number[];

type MutableBlock = number | number[];

/**
 * The directory's blocks, stored by key kind and key part rather than under concatenated key
 * strings. A row's lookups then use strings that already exist (the row's standardized keys, the
 * nickname table's canonical names, memoized phonetic codes), whose hashes V8 caches, instead of
 * building, flattening and hashing a fresh string per key, and each lookup probes a small map
 * rather than one map of every key (≈ 7 keys per entry).
 */
export interface BlockIndex {
  /** Files entries under the keys it receives; set `position` before each entry's keys. */
  readonly filing: BlockingKeySink & { position: number };
  email(key: string): Block | undefined;
  phone(e164: string): Block | undefined;
  localPart(local: string): Block | undefined;
  name(canon: string, last: string): Block | undefined;
  phonetic(code: string, canon: string): Block | undefined;
  initial(initial: string, last: string): Block | undefined;
  /** A block of the address/birth-date rules, by its key string (see BlockingKeySink.other). */
  other(key: string): Block | undefined;
  /** Calls `visit` with every block of more than one entry (model training pairs). */
  forEachBlock(visit: (block: readonly number[]) => void): void;
  /** The block under a key's string form (see keyStringSink), or undefined. */
  byKeyString(key: string): Block | undefined;
}

export function createBlockIndex(): BlockIndex {
  const emails = new Map<string, MutableBlock>();
  const phones = new Map<string, MutableBlock>();
  const localParts = new Map<string, MutableBlock>();
  // Two levels: surname (or phonetic code) first, then the given name or initial.
  const names = new Map<string, Map<string, MutableBlock>>();
  const phonetics = new Map<string, Map<string, MutableBlock>>();
  const initials = new Map<string, Map<string, MutableBlock>>();
  const others = new Map<string, MutableBlock>();

  const filing = {
    position: 0,
    email: (key: string): void => {
      file(emails, key, filing.position);
    },
    phone: (e164: string): void => {
      file(phones, e164, filing.position);
    },
    localPart: (local: string): void => {
      file(localParts, local, filing.position);
    },
    name: (canon: string, last: string): void => {
      file(inner(names, last), canon, filing.position);
    },
    phonetic: (code: string, canon: string): void => {
      file(inner(phonetics, code), canon, filing.position);
    },
    initial: (initial: string, last: string): void => {
      file(inner(initials, last), initial, filing.position);
    },
    other: (key: string): void => {
      file(others, key, filing.position);
    },
  };

  const name = (canon: string, last: string): Block | undefined => names.get(last)?.get(canon);
  const phonetic = (code: string, canon: string): Block | undefined =>
    phonetics.get(code)?.get(canon);
  const initial = (first: string, last: string): Block | undefined =>
    initials.get(last)?.get(first);

  return {
    filing,
    email: (key) => emails.get(key),
    phone: (e164) => phones.get(e164),
    localPart: (local) => localParts.get(local),
    name,
    phonetic,
    initial,
    other: (key) => others.get(key),
    forEachBlock(visit) {
      const flat = (map: Map<string, MutableBlock>): void => {
        for (const block of map.values()) if (typeof block !== 'number') visit(block);
      };
      for (const map of [emails, phones, localParts, others]) flat(map);
      for (const outer of [names, phonetics, initials]) for (const map of outer.values()) flat(map);
    },
    byKeyString(key: string): Block | undefined {
      const rest = key.slice(1);
      // Name parts are folded letters and digits, and phonetic codes have no "|" either.
      const bar = rest.indexOf('|');
      const left = rest.slice(0, bar);
      const right = rest.slice(bar + 1);
      switch (key.charAt(0)) {
        case 'e':
          return emails.get(rest);
        case 'p':
          return phones.get(rest);
        case 'u':
          return localParts.get(rest);
        case 'n':
          return bar < 0 ? undefined : name(left, right);
        case 'm':
          return bar < 0 ? undefined : phonetic(left, right);
        case 'i':
          return bar < 0 ? undefined : initial(left, right);
        default:
          return others.get(key);
      }
    },
  };
}

function inner(
  outer: Map<string, Map<string, MutableBlock>>,
  key: string,
): Map<string, MutableBlock> {
  let map = outer.get(key);
  if (map === undefined) {
    map = new Map();
    outer.set(key, map);
  }
  return map;
}

function file(blocks: Map<string, MutableBlock>, key: string, position: number): void {
  const block = blocks.get(key);
  if (block === undefined) blocks.set(key, position);
  else if (typeof block === 'number') {
    // An entry filed twice under one key (e.g. the same phone in two columns) counts once.
    if (block !== position) blocks.set(key, [block, position]);
  } else if (block[block.length - 1] !== position) block.push(position);
}
