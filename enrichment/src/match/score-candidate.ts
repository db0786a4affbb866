import { CONTACT_FIELDS, type Contact, type ContactField } from '../standardize/contact.ts';
import type { FrequencyField } from '../directory/directory-index.ts';
import { jaroWinklerKeys } from './jaro-winkler.ts';
import type { NicknameTable } from '../nicknames/nicknames.ts';

/**
 * How well one field of an upload row agrees with a directory entry, best first. `jw92`, `jw88`,
 * `jw80` are Jaro–Winkler bands (≥ 0.92, ≥ 0.88, ≥ 0.80); `similar` is a field-specific near
 * match (same email mailbox at another domain, "Acme" inside "Acme Labs"); `missing` means one
 * side is empty and the field says nothing.
 */
export type ComparisonLevel =
  | 'exact'
  | 'nickname'
  | 'initial'
  | 'jw92'
  | 'jw88'
  | 'phonetic'
  | 'jw80'
  | 'similar'
  | 'different'
  | 'missing';

export type ComparedField = ContactField;
export const COMPARED_FIELDS: readonly ComparedField[] = CONTACT_FIELDS;

export type FieldLevels = Record<ComparedField, ComparisonLevel>;

/**
 * Fellegi–Sunter model of one field. Each level's weight is log2(m/u): how much more likely that
 * outcome is for a true match than for two different people. Exact agreement is weighted by the
 * value's frequency in the directory (u ≈ share of entries with that value, smoothed toward
 * `uPrior` for small directories); the other levels have fixed weights in bits.
 */
export interface FieldModel {
  /** P(exact agreement | same person). */
  readonly mExact: number;
  /** Typical P(exact agreement | different people), used before the directory gives evidence. */
  readonly uPrior: number;
  /** Fixed weights (bits) of the non-exact levels; absent levels weigh 0. */
  readonly levels: Readonly<Partial<Record<ComparisonLevel, number>>>;
}

export type MatchModel = Readonly<Record<ComparedField, FieldModel>> & {
  /** Bits added when the row's given name and surname are swapped relative to the entry. */
  readonly swapPenalty: number;
};

/**
 * Default weights. They are priors from how contact data goes stale (people change emails and
 * jobs far more often than names; typos rarely hit an email), checked on the generated benchmark.
 */
export const DEFAULT_MATCH_MODEL: MatchModel = {
  first_name: {
    mExact: 0.8,
    uPrior: 0.005,
    levels: { nickname: 3.5, initial: 2, jw92: 3.5, jw88: 2, jw80: -1, different: -5 },
  },
  last_name: {
    mExact: 0.85,
    uPrior: 0.002,
    levels: { jw92: 5, jw88: 3, phonetic: 2.5, jw80: -0.5, different: -6 },
  },
  email: { mExact: 0.7, uPrior: 1e-6, levels: { similar: 1, different: -2.5 } },
  phone: { mExact: 0.7, uPrior: 1e-6, levels: { different: -2.5 } },
  company: { mExact: 0.75, uPrior: 0.01, levels: { similar: 3, different: -2 } },
  title: { mExact: 0.6, uPrior: 0.02, levels: { similar: 1.5, different: -1 } },
  city: { mExact: 0.85, uPrior: 0.02, levels: { similar: 2, different: -2.5 } },
  swapPenalty: -2,
};

/** What the scorer needs from the directory and configuration. */
export interface ScoringContext {
  readonly model: MatchModel;
  readonly nicknames: NicknameTable;
  readonly phonetic: (key: string) => readonly string[];
  readonly directorySize: number;
  readonly frequency: (field: FrequencyField, key: string) => number;
}

export interface CandidateScore {
  /** Total log2 likelihood ratio over all fields. */
  readonly weight: number;
  readonly swapped: boolean;
  readonly levels: FieldLevels;
}

// Pseudo-count pulling value frequencies toward the prior when the directory is small.
const SMOOTHING = 1000;

/** Compares an upload contact with one directory contact, field by field. */
export function scoreCandidate(
  query: Contact,
  entry: Contact,
  context: ScoringContext,
): CandidateScore {
  const { model } = context;
  let firstLevel = compareFirst(query.firstKey, entry.firstKey, context.nicknames);
  if (query.nicknameKey !== '' && firstLevel !== 'exact') {
    const viaNickname = compareFirst(query.nicknameKey, entry.firstKey, context.nicknames);
    if (levelWeight(model.first_name, viaNickname) > levelWeight(model.first_name, firstLevel)) {
      firstLevel = viaNickname === 'exact' ? 'nickname' : viaNickname;
    }
  }
  const lastLevel = compareLast(query, entry, context.phonetic);
  let nameWeight =
    weightOf('first_name', firstLevel, entry.firstKey, 'first', context) +
    weightOf('last_name', lastLevel, entry.lastKey, 'last', context);
  let swapped = false;
  let first = firstLevel;
  let last = lastLevel;
  if (nameWeight < 0 && query.firstKey !== '' && query.lastKey !== '') {
    // "Smith John": try the names the other way round before calling them different.
    const swappedFirst = compareFirst(query.lastCoreKey, entry.firstKey, context.nicknames);
    const swappedLast = compareSurname(query.firstKey, query.firstKey, entry, context.phonetic);
    const swappedWeight =
      weightOf('first_name', swappedFirst, entry.firstKey, 'first', context) +
      weightOf('last_name', swappedLast, entry.lastKey, 'last', context) +
      model.swapPenalty;
    if (swappedWeight > nameWeight) {
      nameWeight = swappedWeight;
      swapped = true;
      first = swappedFirst;
      last = swappedLast;
    }
  }
  const email = compareEmails(query, entry);
  const phone = comparePhones(query, entry);
  const company = compareText(query.companyKey, entry.companyKey, 0.92);
  const title = compareText(query.titleKey, entry.titleKey, 0.9);
  const city = compareText(query.cityKey, entry.cityKey, 0.95);
  const weight =
    nameWeight +
    weightOf('email', email, '', undefined, context) +
    weightOf('phone', phone, '', undefined, context) +
    weightOf('company', company, entry.companyKey, 'company', context) +
    weightOf('title', title, entry.titleKey, 'title', context) +
    weightOf('city', city, entry.cityKey, 'city', context);
  return {
    weight,
    swapped,
    levels: { first_name: first, last_name: last, email, phone, company, title, city },
  };
}

/** Compares two folded given names: exact, initial, nickname-equivalent, Jaro–Winkler bands. */
export function compareFirst(a: string, b: string, nicknames: NicknameTable): ComparisonLevel {
  if (a === '' || b === '') return 'missing';
  if (a === b) return a.length === 1 ? 'initial' : 'exact';
  if (a.length === 1 || b.length === 1)
    return a.charCodeAt(0) === b.charCodeAt(0) ? 'initial' : 'different';
  if (nicknames.areEquivalent(a, b)) return 'nickname';
  return jaroWinklerBand(jaroWinklerKeys(a, b));
}

function compareLast(
  query: Contact,
  entry: Contact,
  phonetic: (key: string) => readonly string[],
): ComparisonLevel {
  return compareSurname(query.lastKey, query.lastCoreKey, entry, phonetic);
}

function compareSurname(
  lastKey: string,
  coreKey: string,
  entry: Contact,
  phonetic: (key: string) => readonly string[],
): ComparisonLevel {
  if (lastKey === '' || entry.lastKey === '') return 'missing';
  if (lastKey === entry.lastKey || coreKey === entry.lastCoreKey) return 'exact';
  let jw = jaroWinklerKeys(lastKey, entry.lastKey);
  // Only names with particles ("van der Berg") have a distinct core worth a second comparison.
  if (coreKey !== lastKey || entry.lastCoreKey !== entry.lastKey) {
    jw = Math.max(jw, jaroWinklerKeys(coreKey, entry.lastCoreKey));
  }
  if (jw >= 0.88) return jaroWinklerBand(jw);
  const a = phonetic(coreKey);
  const b = phonetic(entry.lastCoreKey);
  for (const code of a) if (b.includes(code)) return 'phonetic';
  return jaroWinklerBand(jw);
}

function jaroWinklerBand(jw: number): ComparisonLevel {
  if (jw >= 0.92) return 'jw92';
  if (jw >= 0.88) return 'jw88';
  if (jw >= 0.8) return 'jw80';
  return 'different';
}

function compareEmails(query: Contact, entry: Contact): ComparisonLevel {
  if (query.emails.length === 0 || entry.emails.length === 0) return 'missing';
  let level: ComparisonLevel = 'different';
  for (const q of query.emails) {
    for (const e of entry.emails) {
      if (q.key === e.key) return 'exact';
      if (q.local.length >= 4 && q.local === e.local) level = 'similar';
    }
  }
  return level;
}

function comparePhones(query: Contact, entry: Contact): ComparisonLevel {
  if (query.phones.length === 0 || entry.phones.length === 0) return 'missing';
  for (const q of query.phones) for (const e of entry.phones) if (q.e164 === e.e164) return 'exact';
  return 'different';
}

function compareText(a: string, b: string, threshold: number): ComparisonLevel {
  if (a === '' || b === '') return 'missing';
  if (a === b) return 'exact';
  if ((a.length >= 4 && b.includes(a)) || (b.length >= 4 && a.includes(b))) return 'similar';
  // Company, title and city differ for most candidates; a typo in the first letter is rare, and
  // skipping those pairs saves most of the Jaro–Winkler work on these long strings.
  if (a.charCodeAt(0) !== b.charCodeAt(0)) return 'different';
  return jaroWinklerKeys(a, b) >= threshold ? 'similar' : 'different';
}

function levelWeight(model: FieldModel, level: ComparisonLevel): number {
  return model.levels[level] ?? 0;
}

function weightOf(
  field: ComparedField,
  level: ComparisonLevel,
  value: string,
  frequencyField: FrequencyField | undefined,
  context: ScoringContext,
): number {
  const model = context.model[field];
  if (level !== 'exact') return model.levels[level] ?? 0;
  const count = frequencyField === undefined ? 0 : context.frequency(frequencyField, value);
  const u = (count + SMOOTHING * model.uPrior) / (context.directorySize + SMOOTHING);
  return Math.log2(model.mExact / u);
}
