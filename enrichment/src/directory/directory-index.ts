import { createBlockIndexBuilder, type BlockIndex } from '../match/block-index.ts';
import {
  visitDirectoryBlockingKeys,
  type BlockingContext,
  type BlockingVocabulary,
} from '../match/blocking-keys.ts';
import { standardizeContact, type Contact, type ContactCells } from '../standardize/contact.ts';
import { DirectoryFormatError } from '../errors.ts';
import { buildNameNeighbours } from '../match/name-neighbours.ts';
import { createPeopleStoreBuilder, KEY_IDS, type PeopleStore } from './people-store.ts';
import { createStringPool, type StringPool } from './string-pool.ts';
import { createDuplicateIdFinder } from './duplicate-ids.ts';
import {
  createFrequencyTables,
  type FrequencyField,
  type FrequencyTables,
} from './frequency-tables.ts';
import type { NicknameTable } from '../nicknames/nicknames.ts';
import { createPhoneticEncoder } from '../match/phonetic-key.ts';
import { createPhoneStandardizer } from '../standardize/standardize-phone.ts';
import { DEFAULT_MATCH_MODEL, type MatchModel } from '../match/score-candidate.ts';
import { trainingSteps, type TrainingOptions } from '../match/train-model.ts';
import { runSteps, runStepsSoon, type WorkSteps } from '../work-steps.ts';

/**
 * One directory person as read from its CSV (any header the uploads accept, see
 * readDirectoryRecords) or built in code. Only `id` is required; `emails`/`phones` hold second
 * and further addresses and numbers besides `email`/`phone`.
 */
export interface DirectoryRecord {
  readonly id: string;
  readonly first_name?: string | undefined;
  readonly last_name?: string | undefined;
  readonly full_name?: string | undefined;
  readonly middle_name?: string | undefined;
  readonly prefix?: string | undefined;
  readonly suffix?: string | undefined;
  readonly nickname?: string | undefined;
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
  readonly emails?: readonly string[] | undefined;
  readonly phones?: readonly string[] | undefined;
  readonly company?: string | undefined;
  readonly title?: string | undefined;
  readonly city?: string | undefined;
  readonly street?: string | undefined;
  readonly street2?: string | undefined;
  readonly street_number?: string | undefined;
  readonly postcode?: string | undefined;
  readonly state?: string | undefined;
  readonly country?: string | undefined;
  readonly birth_date?: string | undefined;
  readonly national_id?: string | undefined;
  readonly updated_at?: string | undefined;
}

/** The raw cells of a directory record, as the standardizer takes them. */
export function recordCells(record: DirectoryRecord): ContactCells {
  return {
    name: {
      full: record.full_name,
      first: record.first_name,
      middle: record.middle_name,
      last: record.last_name,
      prefix: record.prefix,
      suffix: record.suffix,
      nickname: record.nickname,
    },
    emails: [record.email ?? '', ...(record.emails ?? [])],
    phones: [record.phone ?? '', ...(record.phones ?? [])],
    company: record.company,
    title: record.title,
    city: record.city,
    street: record.street,
    street2: record.street2,
    streetNumber: record.street_number,
    postcode: record.postcode,
    state: record.state,
    country: record.country,
    birthDate: record.birth_date,
    nationalId: record.national_id,
    updatedAt: record.updated_at,
  };
}

/** A directory person, standardized. */
export interface DirectoryEntry {
  readonly id: string;
  readonly contact: Contact;
}

export type { FrequencyField } from './frequency-tables.ts';

/** Numbers known to be valid (see PhoneStandardizerOptions.knownNumbers). */
export interface KnownNumbers {
  has(e164: string): boolean;
}

/**
 * A directory loaded into memory with its blocking index. Built once per directory version, or
 * loaded from an index artifact. Columnar: people are decoded on demand (see people-store.ts),
 * blocks are typed arrays (see block-index.ts); no object is kept per person.
 */
export interface DirectoryIndex {
  readonly size: number;
  /** The person at a position (0 ≤ position < size), decoded on demand. */
  entry(position: number): DirectoryEntry;
  /** The standardized contact at a position, decoded on demand (recent ones are cached). */
  contact(position: number): Contact;
  /** Region the directory's phone numbers were read in. */
  readonly defaultRegion: string;
  /** Every valid E.164 number in the directory (lets upload phones skip re-validation). */
  readonly knownPhones: KnownNumbers;
  /** The nickname table the name blocks were built with; match with the same one. */
  readonly nicknames: NicknameTable;
  /** The directory's given names and surnames, for typo-tolerant blocking. */
  readonly vocabulary: BlockingVocabulary;
  /** Entry positions filed under a blocking key (see directoryBlockingKeys), or undefined. */
  block(key: string): readonly number[] | undefined;
  /**
   * The directory's Fellegi–Sunter model: u from random pairs, m by EM (see train-model.ts).
   * Plain JSON, so it can be stored with the index.
   */
  readonly model: MatchModel;
  /** The same blocks, looked up by key parts (see visitQueryBlockingKeys): the matcher's path. */
  readonly blocks: BlockIndex;
  /** How many entries carry this folded value in the given field. */
  frequency(field: FrequencyField, key: string): number;
  /** How many entries carry the field's most common value (for --explain). */
  commonest(field: FrequencyField): number;
  /**
   * The directory's own string for a name, company, title or city key equal to `key`, or `key`
   * itself. Entries share one string per distinct key, so an upload key passed through this
   * compares with them (and finds them in Maps) by identity, without reading their characters.
   */
  readonly internKey: (key: string) => string;
  /** Estimated bytes the index holds (typed arrays, strings, lookup tables): for caches. */
  readonly heapBytes: number;
}

export interface DirectoryIndexOptions {
  readonly nicknames: NicknameTable;
  /** The prior model training starts from. Default DEFAULT_MATCH_MODEL. */
  readonly model?: MatchModel;
  /** How the model is learned from the directory; `false` keeps the prior as it is. */
  readonly training?: TrainingOptions | false;
  /** Region for directory phone numbers without a country code. Default "US". */
  readonly defaultRegion?: string;
}

/** Incremental builder, so a directory can be indexed while it streams in. */
export interface DirectoryIndexBuilder {
  add(record: DirectoryRecord): void;
  /** Adds a person already standardized: encoded and filed at once, not kept as an object. */
  addStandardized(id: string, contact: Contact): void;
  finish(): DirectoryIndex;
  /**
   * finish(), giving the event loop a turn every few milliseconds: learning the model takes
   * about a second for 100,000 people, which a worker's other messages must not wait for.
   */
  finishSoon(): Promise<DirectoryIndex>;
}

/** The columns of an index, as an index artifact stores them. */
export interface DirectoryIndexParts {
  readonly defaultRegion: string;
  readonly model: MatchModel;
  readonly people: PeopleStore;
  readonly blocks: BlockIndex;
  readonly frequencies: FrequencyTables;
  /** See nicknameFingerprint: the nickname expansions the name blocks were filed with. */
  readonly nicknameFingerprint: string;
}

const partsOf = new WeakMap<DirectoryIndex, DirectoryIndexParts>();

/** The columns behind an index built or loaded by this module (for serializing it). */
export function directoryIndexParts(index: DirectoryIndex): DirectoryIndexParts {
  const parts = partsOf.get(index);
  if (parts === undefined) throw new DirectoryFormatError('not a columnar directory index');
  return parts;
}

/** Starts an index; add records one by one (e.g. from loadDirectoryCsv), then finish(). */
export function createDirectoryIndexBuilder(options: DirectoryIndexOptions): DirectoryIndexBuilder {
  const defaultRegion = (options.defaultRegion ?? 'US').toUpperCase();
  const standardizePhone = createPhoneStandardizer({ defaultRegion });
  const context: BlockingContext = {
    nicknames: options.nicknames,
    phonetic: createPhoneticEncoder(),
  };
  const pool = createStringPool();
  const people = createPeopleStoreBuilder(pool);
  const blocks = createBlockIndexBuilder();
  const frequencies = createFrequencyTables();
  // Only while building: duplicate ids are refused (checked at the end).
  const ids = createDuplicateIdFinder();
  let finished = false;

  const builder: DirectoryIndexBuilder = {
    add(record: DirectoryRecord): void {
      builder.addStandardized(record.id, standardizeContact(recordCells(record), standardizePhone));
    },
    addStandardized(rawId: string, contact: Contact): void {
      if (finished) throw new DirectoryFormatError('directory index already finished');
      const id = rawId.trim();
      if (id === '')
        throw new DirectoryFormatError(`directory record ${people.size + 1} has no id`);
      ids.add(id);
      const position = people.add(id, contact);
      blocks.filing.position = position;
      visitDirectoryBlockingKeys(contact, context, blocks.filing);
      const keys = people.keyIds;
      frequencies.markLastCore(keys[KEY_IDS.lastCore] as number);
      frequencies.count('first', keys[KEY_IDS.first] as number);
      frequencies.count('last', keys[KEY_IDS.last] as number);
      frequencies.count('company', keys[KEY_IDS.company] as number);
      frequencies.count('city', keys[KEY_IDS.city] as number);
      frequencies.count('title', keys[KEY_IDS.title] as number);
      frequencies.count('street', keys[KEY_IDS.street] as number);
      frequencies.count('postcode', keys[KEY_IDS.postcode] as number);
    },
    finish(): DirectoryIndex {
      return runSteps(finishSteps());
    },
    finishSoon(): Promise<DirectoryIndex> {
      return runStepsSoon(finishSteps());
    },
  };

  function* finishSteps(): WorkSteps<DirectoryIndex> {
    finished = true;
    const store = people.finish();
    yield;
    const duplicate = ids.find((position) => store.id(position));
    if (duplicate !== undefined)
      throw new DirectoryFormatError(`directory id "${duplicate}" appears twice`);
    yield;
    const blockIndex = blocks.finish();
    yield;
    const prior = options.model ?? DEFAULT_MATCH_MODEL;
    const model =
      options.training === false
        ? prior
        : yield* trainingSteps(
            {
              size: store.size,
              contact: (position) => store.contact(position),
              blocks: () => blockIndex.blocks(),
              nicknames: options.nicknames,
              phonetic: context.phonetic,
            },
            prior,
            options.training ?? {},
          );
    return openDirectoryIndex(
      {
        defaultRegion,
        model,
        people: store,
        blocks: blockIndex,
        frequencies,
        nicknameFingerprint: nicknameFingerprint(store.pool, frequencies, options.nicknames),
      },
      options.nicknames,
    );
  }
  return builder;
}

// Decoded contacts kept per index, by position modulo this: a row's second blocking pass and
// neighbouring rows often score the same candidates again.
const CONTACT_CACHE_SIZE = 1024;

/** An index over columns built by createDirectoryIndexBuilder or read from an artifact. */
export function openDirectoryIndex(
  parts: DirectoryIndexParts,
  nicknames: NicknameTable,
): DirectoryIndex {
  const { people, blocks, frequencies } = parts;
  const { pool } = people;
  const cachedAt = new Int32Array(CONTACT_CACHE_SIZE).fill(-1);
  const cached: (Contact | undefined)[] = new Array<Contact | undefined>(CONTACT_CACHE_SIZE);
  const contact = (position: number): Contact => {
    const slot = position & (CONTACT_CACHE_SIZE - 1);
    if (cachedAt[slot] === position) return cached[slot] as Contact;
    const decoded = people.contact(position);
    cachedAt[slot] = position;
    cached[slot] = decoded;
    return decoded;
  };
  const firstNames = frequencies.ids('first').map((id) => pool.at(id));
  const lastCores = frequencies.ids('lastCore').map((id) => pool.at(id));
  const positionsOf = (k: number): readonly number[] | undefined =>
    k < 0 ? undefined : [...blocks.positions.subarray(blocks.offsets[k], blocks.offsets[k + 1])];
  const index: DirectoryIndex = {
    model: parts.model,
    size: people.size,
    entry: (position) => ({ id: people.id(position), contact: contact(position) }),
    contact,
    defaultRegion: parts.defaultRegion,
    knownPhones: {
      // Exact, not just a hash hit: the block's people are checked for the number itself.
      has(e164) {
        const k = blocks.phone(e164);
        if (k < 0) return false;
        for (let i = blocks.offsets[k] as number; i < (blocks.offsets[k + 1] as number); i++) {
          const phones = contact(blocks.positions[i] as number).phones;
          if (phones.some((phone) => phone.e164 === e164)) return true;
        }
        return false;
      },
    },
    nicknames,
    vocabulary: {
      firstNames: buildNameNeighbours(firstNames),
      lastNames: buildNameNeighbours(lastCores),
      hasFirstName: (key) => frequencies.frequency('first', pool.idOf(key)) > 0,
      hasLastName: (key) => frequencies.isLastCore(pool.idOf(key)),
    },
    block: (key) => positionsOf(blocks.byKeyString(key)),
    blocks,
    frequency: (field, key) => frequencies.frequency(field, pool.idOf(key)),
    commonest: (field) => frequencies.commonest(field),
    internKey: (key) => pool.get(key) ?? key,
    heapBytes:
      bufferBytes([
        people.parts.records,
        people.parts.offsets,
        people.parts.updatedAt,
        blocks.parts.keysHi,
        blocks.parts.keysLo,
        blocks.parts.offsets,
        blocks.parts.positions,
        ...frequencies.views(),
      ]) +
      people.stringBytes() +
      blocks.heapBytes() +
      neighbourBytes(firstNames) +
      neighbourBytes(lastCores) +
      CONTACT_CACHE_SIZE * CACHED_CONTACT_BYTES,
  };
  partsOf.set(index, parts);
  return index;
}

/**
 * Bytes of the memory behind typed arrays, each buffer once: a built index's arrays are views of
 * its (larger) growing arrays, and a loaded index's all view the artifact's bytes.
 */
function bufferBytes(views: readonly ArrayBufferView[]): number {
  const buffers = new Set<ArrayBufferLike>();
  for (const view of views) buffers.add(view.buffer);
  let bytes = 0;
  for (const buffer of buffers) bytes += buffer.byteLength;
  return bytes;
}

// A decoded contact: a dozen small objects (measured ≈ 1 KB with its arrays).
const CACHED_CONTACT_BYTES = 1024;

/**
 * Estimated heap bytes of a name-neighbour table over `words`: each word of four letters or more
 * is filed under itself and each one-letter deletion, a Map entry, a string and a small array
 * (≈ 100 bytes each).
 */
function neighbourBytes(words: readonly string[]): number {
  let bytes = 0;
  for (const word of words) if (word.length >= 4) bytes += (word.length + 1) * (100 + word.length);
  return bytes;
}

/**
 * What the name blocks depend on in the nickname table: the canonical keys of each of the
 * directory's given names, hashed. An artifact stores it; loading with a table that expands the
 * directory's names differently must refile, so the loader refuses (the caller rebuilds).
 */
export function nicknameFingerprint(
  pool: StringPool,
  frequencies: FrequencyTables,
  nicknames: NicknameTable,
): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01234567;
  const mix = (c: number): void => {
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  };
  for (const id of frequencies.ids('first')) {
    const keys = nicknames.canonicalKeys(pool.at(id));
    // A name that is its own only canonical key says nothing about the table.
    if (keys.length === 1) continue;
    for (const key of keys) {
      for (let i = 0; i < key.length; i++) mix(key.charCodeAt(i));
      mix(0xffff);
    }
    mix(0xfffe);
  }
  return `${(h1 >>> 0).toString(16).padStart(8, '0')}${(h2 >>> 0).toString(16).padStart(8, '0')}`;
}

/** Indexes directory records held in memory. */
export function buildDirectoryIndex(
  records: Iterable<DirectoryRecord>,
  options: DirectoryIndexOptions,
): DirectoryIndex {
  const builder = createDirectoryIndexBuilder(options);
  for (const record of records) builder.add(record);
  return builder.finish();
}
