import type { Contact } from '../standardize/contact.ts';
import type { StandardEmail } from '../standardize/standardize-email.ts';
import type { StandardPhone } from '../standardize/standardize-phone.ts';
import { createStringPool, SLOT_BYTES, stringBytes, type StringPool } from './string-pool.ts';

/**
 * The directory's people without a `Contact` object per person: each standardized person is one
 * record of LEB128 string ids in a shared byte arena (about 65 bytes). Low-cardinality strings
 * live once in a StringPool; the values a person has alone (emails, phone numbers, id) in a plain
 * array of strings, without the lookup entry interning would cost. A person's Contact is rebuilt
 * on demand (only the handful of candidates a row's blocks return are ever decoded), which costs
 * a few hundred nanoseconds and no string decoding, since both tables hold JS strings.
 */
export interface PeopleStore {
  readonly size: number;
  readonly pool: StringPool;
  /** Strings appended once per person (ids in records of `unique` fields). */
  readonly uniques: readonly string[];
  id(position: number): string;
  contact(position: number): Contact;
  /** The raw columns, for the index artifact. */
  readonly parts: PeopleStoreParts;
  /** Estimated heap bytes of its strings (the parts' arrays are counted by their owner). */
  stringBytes(): number;
}

export interface PeopleStoreParts {
  /** Record bytes; person p is records[offsets[p]..offsets[p + 1]). */
  readonly records: Uint8Array;
  readonly offsets: Uint32Array;
  /** Epoch milliseconds of each person's last update; NaN when unknown. */
  readonly updatedAt: Float64Array;
}

export interface PeopleStoreBuilder {
  /** Appends a person; returns its position. */
  add(id: string, contact: Contact): number;
  /**
   * Pool ids of the last person's firstKey, lastKey, lastCoreKey, companyKey, cityKey, titleKey,
   * street name key and postcodeKey (in KEY_IDS order), so the caller need not look them up again.
   */
  readonly keyIds: Uint32Array;
  readonly pool: StringPool;
  readonly size: number;
  finish(): PeopleStore;
}

/** Positions in PeopleStoreBuilder.keyIds. */
export const KEY_IDS = {
  first: 0,
  last: 1,
  lastCore: 2,
  company: 3,
  city: 4,
  title: 5,
  street: 6,
  postcode: 7,
} as const;

// Appended (not interned) values checked against the person's earlier ones: an email's key is
// usually its value, and the first email cell usually is the email.
const REUSE_WINDOW = 8;

/** Encodes people one by one as they are standardized; finish() gives the store. */
export function createPeopleStoreBuilder(
  pool: StringPool = createStringPool(),
): PeopleStoreBuilder {
  const uniques: string[] = [''];
  let records = new Uint8Array(1 << 16);
  let offsets = new Uint32Array(1 << 12);
  let updatedAt = new Float64Array(1 << 12);
  let at = 0;
  let size = 0;
  const recent: number[] = [];

  const ensure = (bytes: number): void => {
    if (at + bytes <= records.length) return;
    const grown = new Uint8Array(Math.max(at + bytes, Math.ceil(records.length * 1.25)));
    grown.set(records.subarray(0, at));
    records = grown;
  };
  const varint = (value: number): void => {
    ensure(5);
    let v = value >>> 0;
    while (v >= 0x80) {
      records[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    records[at++] = v;
  };
  const interned = (value: string): number => {
    const id = pool.intern(value);
    varint(id);
    return id;
  };
  const keyIds = new Uint32Array(8);
  const unique = (value: string): void => {
    if (value === '') {
      varint(0);
      return;
    }
    for (let i = recent.length - 1; i >= 0 && i >= recent.length - REUSE_WINDOW; i--) {
      const id = recent[i] as number;
      if (uniques[id] === value) {
        varint(id);
        return;
      }
    }
    const id = uniques.length;
    uniques.push(value);
    recent.push(id);
    varint(id);
  };

  // An explicit local part: its id + 1 (0 means derived from the key).
  const uniqueAfter = (value: string): void => {
    const id = uniques.length;
    uniques.push(value);
    varint(id + 1);
  };

  return {
    pool,
    keyIds,
    get size() {
      return size;
    },
    add(id, c) {
      if (size + 1 >= offsets.length) {
        const grownOffsets = new Uint32Array(Math.ceil(offsets.length * 1.5));
        grownOffsets.set(offsets);
        offsets = grownOffsets;
        const grownTimes = new Float64Array(offsets.length);
        grownTimes.set(updatedAt);
        updatedAt = grownTimes;
      }
      recent.length = 0;
      offsets[size] = at;
      unique(id);
      const { name } = c;
      interned(name.prefix);
      interned(name.first);
      interned(name.middle);
      interned(name.last);
      interned(name.suffix);
      interned(name.nickname);
      keyIds[KEY_IDS.first] = interned(c.firstKey);
      interned(c.nicknameKey);
      keyIds[KEY_IDS.last] = interned(c.lastKey);
      keyIds[KEY_IDS.lastCore] = interned(c.lastCoreKey);
      varint(c.emails.length);
      for (const email of c.emails) {
        unique(email.value);
        unique(email.key);
        // The local part is the key's, nearly always: 0 says "derive it", saving a string.
        if (email.local === localOf(email.key)) varint(0);
        else uniqueAfter(email.local);
      }
      varint(c.phones.length);
      for (const phone of c.phones) {
        unique(phone.e164);
        interned(phone.extension);
        unique(phone.value);
      }
      unique(c.emailText);
      unique(c.phoneText);
      interned(c.company);
      keyIds[KEY_IDS.company] = interned(c.companyKey);
      interned(c.title);
      keyIds[KEY_IDS.title] = interned(c.titleKey);
      interned(c.city);
      keyIds[KEY_IDS.city] = interned(c.cityKey);
      unique(c.street.text);
      interned(c.street.number);
      interned(c.street.unit);
      keyIds[KEY_IDS.street] = interned(c.street.nameKey);
      interned(c.street.line2Key);
      interned(c.postcode);
      keyIds[KEY_IDS.postcode] = interned(c.postcodeKey);
      interned(c.postcodeArea);
      interned(c.state);
      interned(c.stateKey);
      interned(c.country);
      interned(c.countryKey);
      interned(c.birthDate);
      interned(c.birthKey);
      interned(c.birthAltKey);
      unique(c.nationalIdKey);
      updatedAt[size] = c.updatedAt ?? Number.NaN;
      size++;
      offsets[size] = at;
      return size - 1;
    },
    finish() {
      // Views, not trimmed copies: a copy would double the arena at the build's peak, and the
      // slack of growing by 1.25× is smaller than that.
      return openPeopleStore(pool, uniques, {
        records: records.subarray(0, at),
        offsets: offsets.subarray(0, size + 1),
        updatedAt: updatedAt.subarray(0, size),
      });
    },
  };
}

/** A store over columns already built (by the builder, or read from an artifact). */
export function openPeopleStore(
  pool: StringPool,
  uniques: readonly string[],
  parts: PeopleStoreParts,
): PeopleStore {
  const { records, offsets, updatedAt } = parts;
  const size = updatedAt.length;
  let uniqueBytes = uniques.length * SLOT_BYTES;
  for (const s of uniques) uniqueBytes += stringBytes(s);
  let at = 0;
  const next = (): number => {
    let byte = records[at++] as number;
    let value = byte & 0x7f;
    let shift = 7;
    while (byte >= 0x80) {
      byte = records[at++] as number;
      value |= (byte & 0x7f) << shift;
      shift += 7;
    }
    return value >>> 0;
  };
  const str = (): string => pool.at(next());
  const one = (): string => uniques[next()] ?? '';

  function contact(position: number): Contact {
    at = offsets[position] as number;
    next(); // the id
    const name = {
      prefix: str(),
      first: str(),
      middle: str(),
      last: str(),
      suffix: str(),
      nickname: str(),
    };
    const firstKey = str();
    const nicknameKey = str();
    const lastKey = str();
    const lastCoreKey = str();
    const emails: StandardEmail[] = [];
    for (let n = next(); n > 0; n--) {
      const value = one();
      const key = one();
      const local = next();
      emails.push({ value, key, local: local === 0 ? localOf(key) : (uniques[local - 1] ?? '') });
    }
    const phones: StandardPhone[] = [];
    for (let n = next(); n > 0; n--) phones.push({ e164: one(), extension: str(), value: one() });
    const emailText = one();
    const phoneText = one();
    const company = str();
    const companyKey = str();
    const title = str();
    const titleKey = str();
    const city = str();
    const cityKey = str();
    const street = { text: one(), number: str(), unit: str(), nameKey: str(), line2Key: str() };
    const time = updatedAt[position] as number;
    return {
      name,
      firstKey,
      nicknameKey,
      lastKey,
      lastCoreKey,
      emails,
      phones,
      emailText,
      phoneText,
      company,
      companyKey,
      title,
      titleKey,
      city,
      cityKey,
      street,
      postcode: str(),
      postcodeKey: str(),
      postcodeArea: str(),
      state: str(),
      stateKey: str(),
      country: str(),
      countryKey: str(),
      birthDate: str(),
      birthKey: str(),
      birthAltKey: str(),
      nationalIdKey: one(),
      updatedAt: Number.isNaN(time) ? undefined : time,
    };
  }

  return {
    size,
    pool,
    uniques,
    parts,
    id(position) {
      at = offsets[position] as number;
      return one();
    },
    contact,
    stringBytes: () => uniqueBytes + pool.heapBytes(),
  };
}

/** An email key's local part (what standardizeEmails puts in StandardEmail.local). */
function localOf(key: string): string {
  return key.slice(0, key.lastIndexOf('@'));
}
