import { createBlockIndex, type BlockIndex } from '../match/block-index.ts';
import {
  visitDirectoryBlockingKeys,
  type BlockingContext,
  type BlockingVocabulary,
} from '../match/blocking-keys.ts';
import { standardizeContact, type Contact, type ContactCells } from '../standardize/contact.ts';
import { DirectoryFormatError } from '../errors.ts';
import { buildNameNeighbours } from '../match/name-neighbours.ts';
import type { NicknameTable } from '../nicknames/nicknames.ts';
import { createPhoneticEncoder } from '../match/phonetic-key.ts';
import { createPhoneStandardizer } from '../standardize/standardize-phone.ts';
import { DEFAULT_MATCH_MODEL, type MatchModel } from '../match/score-candidate.ts';
import { trainModel, type TrainingOptions } from '../match/train-model.ts';

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

/** Field whose value frequencies weight exact agreement (agreeing on "Smith" says less than on "Zawadzki"). */
export type FrequencyField =
  'first' | 'last' | 'company' | 'city' | 'title' | 'street' | 'postcode';

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
  /** Adds a person already standardized (an index artifact being loaded): no re-standardizing. */
  addStandardized(id: string, contact: Contact): void;
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
  const blocks = createBlockIndex();
  const knownPhones = new Set<string>();
  const lastCores = new Set<string>();
  const keyPool = new Map<string, string>();
  const intern = (key: string): string => {
    const pooled = keyPool.get(key);
    if (pooled !== undefined) return pooled;
    keyPool.set(key, key);
    return key;
  };
  const counts: Record<FrequencyField, Map<string, number>> = {
    first: new Map(),
    last: new Map(),
    company: new Map(),
    city: new Map(),
    title: new Map(),
    street: new Map(),
    postcode: new Map(),
  };
  let finished = false;

  const builder: DirectoryIndexBuilder = {
    add(record: DirectoryRecord): void {
      builder.addStandardized(record.id, standardizeContact(recordCells(record), standardizePhone));
    },
    addStandardized(rawId: string, standardized: Contact): void {
      if (finished) throw new DirectoryFormatError('directory index already finished');
      const id = rawId.trim();
      if (id === '')
        throw new DirectoryFormatError(`directory record ${entries.length + 1} has no id`);
      if (ids.has(id)) throw new DirectoryFormatError(`directory id "${id}" appears twice`);
      ids.add(id);
      const contact: Contact = {
        ...standardized,
        firstKey: intern(standardized.firstKey),
        nicknameKey: intern(standardized.nicknameKey),
        lastKey: intern(standardized.lastKey),
        lastCoreKey: intern(standardized.lastCoreKey),
        companyKey: intern(standardized.companyKey),
        titleKey: intern(standardized.titleKey),
        cityKey: intern(standardized.cityKey),
      };
      const position = entries.length;
      entries.push({ id, contact });
      for (const phone of contact.phones) knownPhones.add(phone.e164);
      blocks.filing.position = position;
      visitDirectoryBlockingKeys(contact, context, blocks.filing);
      if (contact.lastCoreKey !== '') lastCores.add(contact.lastCoreKey);
      increment(counts.first, contact.firstKey);
      increment(counts.last, contact.lastKey);
      increment(counts.company, contact.companyKey);
      increment(counts.city, contact.cityKey);
      increment(counts.title, contact.titleKey);
      increment(counts.street, contact.street.nameKey);
      increment(counts.postcode, contact.postcodeKey);
    },
    finish(): DirectoryIndex {
      finished = true;
      const prior = options.model ?? DEFAULT_MATCH_MODEL;
      const model =
        options.training === false
          ? prior
          : trainModel(
              {
                entries: entries.map((e) => e.contact),
                forEachBlock: (visit) => {
                  blocks.forEachBlock(visit);
                },
                nicknames: options.nicknames,
                phonetic: context.phonetic,
              },
              prior,
              options.training ?? {},
            );
      return {
        model,
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
        block: (key) => blocks.byKeyString(key),
        blocks,
        frequency: (field, key) => counts[field].get(key) ?? 0,
        commonest: (field) => {
          let most = 0;
          for (const count of counts[field].values()) if (count > most) most = count;
          return most;
        },
        internKey: (key) => keyPool.get(key) ?? key,
      };
    },
  };
  return builder;
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
