import {
  directoryBlockingKeys,
  type BlockingContext,
  type BlockingVocabulary,
} from './blocking-keys.ts';
import { standardizeContact, type Contact } from './contact.ts';
import { DirectoryFormatError } from './errors.ts';
import { buildNameNeighbours } from './name-neighbours.ts';
import type { NicknameTable } from './nicknames.ts';
import { createPhoneticEncoder } from './phonetic-key.ts';
import { createPhoneStandardizer } from './standardize-phone.ts';

/** One row of a directory CSV: `id,first_name,last_name,email,phone,company,title,city[,updated_at]`. */
export interface DirectoryRecord {
  readonly id: string;
  readonly first_name: string;
  readonly last_name: string;
  readonly email: string;
  readonly phone: string;
  readonly company: string;
  readonly title: string;
  readonly city: string;
  readonly updated_at?: string | undefined;
}

/** A directory person, standardized. */
export interface DirectoryEntry {
  readonly id: string;
  readonly contact: Contact;
}

/** Field whose value frequencies weight exact agreement (agreeing on "Smith" says less than on "Zawadzki"). */
export type FrequencyField = 'first' | 'last' | 'company' | 'city' | 'title';

/** A directory loaded into memory with its blocking index. Built once per directory version. */
export interface DirectoryIndex {
  readonly size: number;
  readonly entries: readonly DirectoryEntry[];
  /** Region the directory's phone numbers were read in. */
  readonly defaultRegion: string;
  /** Every valid E.164 number in the directory (lets upload phones skip re-validation). */
  readonly knownPhones: ReadonlySet<string>;
  /** The nickname table the name blocks were built with; match with the same one. */
  readonly nicknames: NicknameTable;
  /** The directory's given names and surnames, for typo-tolerant blocking. */
  readonly vocabulary: BlockingVocabulary;
  /** Entry positions filed under a blocking key (see directoryBlockingKeys), or undefined. */
  block(key: string): number | readonly number[] | undefined;
  /** How many entries carry this folded value in the given field. */
  frequency(field: FrequencyField, key: string): number;
}

export interface DirectoryIndexOptions {
  readonly nicknames: NicknameTable;
  /** Region for directory phone numbers without a country code. Default "US". */
  readonly defaultRegion?: string;
}

/** Incremental builder, so a directory can be indexed while it streams in. */
export interface DirectoryIndexBuilder {
  add(record: DirectoryRecord): void;
  finish(): DirectoryIndex;
}

/** Starts an index; add records one by one (e.g. from loadDirectoryCsv), then finish(). */
export function createDirectoryIndexBuilder(options: DirectoryIndexOptions): DirectoryIndexBuilder {
  const defaultRegion = (options.defaultRegion ?? 'US').toUpperCase();
  const standardizePhone = createPhoneStandardizer({ defaultRegion });
  const context: BlockingContext = {
    nicknames: options.nicknames,
    phonetic: createPhoneticEncoder(),
  };
  const entries: DirectoryEntry[] = [];
  const ids = new Set<string>();
  // A block holding one entry stores the bare position: most email and phone keys are unique,
  // and this halves the index's memory.
  const blocks = new Map<string, number | number[]>();
  const knownPhones = new Set<string>();
  const lastCores = new Set<string>();
  const counts: Record<FrequencyField, Map<string, number>> = {
    first: new Map(),
    last: new Map(),
    company: new Map(),
    city: new Map(),
    title: new Map(),
  };
  let finished = false;

  return {
    add(record: DirectoryRecord): void {
      if (finished) throw new DirectoryFormatError('directory index already finished');
      const id = record.id.trim();
      if (id === '')
        throw new DirectoryFormatError(`directory record ${entries.length + 1} has no id`);
      if (ids.has(id)) throw new DirectoryFormatError(`directory id "${id}" appears twice`);
      ids.add(id);
      const contact = standardizeContact(
        {
          name: { first: record.first_name, last: record.last_name },
          emails: [record.email],
          phones: [record.phone],
          company: record.company,
          title: record.title,
          city: record.city,
          updatedAt: record.updated_at,
        },
        standardizePhone,
      );
      const position = entries.length;
      entries.push({ id, contact });
      for (const phone of contact.phones) knownPhones.add(phone.e164);
      for (const key of new Set(directoryBlockingKeys(contact, context))) {
        const block = blocks.get(key);
        if (block === undefined) blocks.set(key, position);
        else if (typeof block === 'number') blocks.set(key, [block, position]);
        else block.push(position);
      }
      if (contact.lastCoreKey !== '') lastCores.add(contact.lastCoreKey);
      increment(counts.first, contact.firstKey);
      increment(counts.last, contact.lastKey);
      increment(counts.company, contact.companyKey);
      increment(counts.city, contact.cityKey);
      increment(counts.title, contact.titleKey);
    },
    finish(): DirectoryIndex {
      finished = true;
      return {
        size: entries.length,
        entries,
        defaultRegion,
        knownPhones,
        nicknames: options.nicknames,
        vocabulary: {
          firstNames: buildNameNeighbours(counts.first.keys()),
          lastNames: buildNameNeighbours(lastCores),
          hasFirstName: (key) => counts.first.has(key),
          hasLastName: (key) => lastCores.has(key),
        },
        block: (key) => blocks.get(key),
        frequency: (field, key) => counts[field].get(key) ?? 0,
      };
    },
  };
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

function increment(map: Map<string, number>, key: string): void {
  if (key !== '') map.set(key, (map.get(key) ?? 0) + 1);
}
