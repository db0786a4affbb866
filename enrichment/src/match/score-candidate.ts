import { CONTACT_FIELDS, type Contact, type ContactField } from '../standardize/contact.ts';
import type { FrequencyField } from '../directory/directory-index.ts';
import { jaroWinklerKeys } from './jaro-winkler.ts';
import type { NicknameTable } from '../nicknames/nicknames.ts';
import { postcodeBase } from '../standardize/postcode-base.ts';

/**
 * How well one field of an upload row agrees with a directory entry, best first. `jw92`, `jw88`,
 * `jw80` are Jaro–Winkler bands (≥ 0.92, ≥ 0.88, ≥ 0.80); `similar` is a field-specific near
 * match (same email mailbox at another domain, "Acme" inside "Acme Labs", same birth year);
 * `typo` one edit apart (postcode, birth date, national id); `transposed` day and month swapped;
 * `partial` the same postcode area or birth year and month; `missing` means one side is empty and
 * the field says nothing.
 */
export type ComparisonLevel =
  | 'exact'
  | 'nickname'
  | 'initial'
  | 'jw92'
  | 'jw88'
  | 'phonetic'
  | 'jw80'
  | 'transposed'
  | 'typo'
  | 'partial'
  | 'similar'
  | 'different'
  | 'missing';

/** Every compared field: the output fields plus a second address line and a national id. */
export type ComparedField = ContactField | 'street2' | 'national_id';
export const COMPARED_FIELDS: readonly ComparedField[] = [
  ...CONTACT_FIELDS,
  'street2',
  'national_id',
];

export type FieldLevels = Record<ComparedField, ComparisonLevel>;

/** m = P(level | same person), u = P(level | different people). */
export interface LevelProbabilities {
  readonly m: number;
  readonly u: number;
}

/**
 * Fellegi–Sunter model of one comparison: m and u per level (log2(m/u) is the level's weight,
 * in bits). With `tf`, exact agreement is weighted by the value's frequency in the directory
 * instead of the average u: agreeing on "Zawadzki" counts for far more than on "Smith".
 */
export interface FieldModel {
  readonly levels: Readonly<Partial<Record<ComparisonLevel, LevelProbabilities>>>;
  readonly tf?: FrequencyField;
}

/** A whole model: plain JSON, stored with the directory index. */
export interface MatchModel {
  readonly fields: Readonly<Record<ComparedField, FieldModel>>;
  /** Bits added when the row's given name and surname are swapped relative to the entry. */
  readonly swapPenalty: number;
  /**
   * Street, second line, postcode, city, state and country all say "lives there": they are not
   * independent, and a household shares all of them. Their agreement counts for at most the
   * strongest one plus this many bits (disagreements still count in full).
   */
  readonly addressExtraBits: number;
  /** How the model was obtained, for --explain. */
  readonly training?: ModelTraining;
}

export interface ModelTraining {
  readonly randomPairs: number;
  readonly emPairs: number;
  readonly emIterations: number;
  readonly converged: boolean;
  /** Estimated share of the EM pairs that are the same person. */
  readonly lambda: number;
  /** False when EM's classes were implausible and the prior m was kept (see trainModel). */
  readonly mFromEm: boolean;
}

const p = (m: number, u: number): LevelProbabilities => ({ m, u });

/**
 * Prior model: how contact data goes stale (people change emails and jobs far more often than
 * names; typos rarely hit an email). Directories replace u with frequencies from random pairs
 * and m with EM estimates (see train-model.ts); these priors are what EM starts from and is
 * pulled toward when a directory gives little evidence.
 */
export const DEFAULT_MATCH_MODEL: MatchModel = {
  fields: {
    first_name: {
      tf: 'first',
      levels: {
        exact: p(0.825, 0.005),
        nickname: p(0.05, 0.0044),
        initial: p(0.02, 0.005),
        jw92: p(0.05, 0.0044),
        jw88: p(0.02, 0.005),
        jw80: p(0.02, 0.04),
        different: p(0.015, 0.94),
      },
    },
    last_name: {
      tf: 'last',
      levels: {
        exact: p(0.85, 0.002),
        jw92: p(0.05, 0.0016),
        jw88: p(0.02, 0.0025),
        phonetic: p(0.02, 0.0035),
        jw80: p(0.01, 0.014),
        different: p(0.05, 0.978),
      },
    },
    email: { levels: { exact: p(0.7, 1e-6), similar: p(0.01, 0.005), different: p(0.29, 0.995) } },
    phone: { levels: { exact: p(0.7, 1e-6), different: p(0.3, 0.999999) } },
    company: {
      tf: 'company',
      levels: { exact: p(0.75, 0.01), similar: p(0.08, 0.01), different: p(0.17, 0.98) },
    },
    title: {
      tf: 'title',
      levels: { exact: p(0.6, 0.02), similar: p(0.1, 0.035), different: p(0.3, 0.945) },
    },
    city: {
      tf: 'city',
      levels: { exact: p(0.85, 0.02), similar: p(0.03, 0.0075), different: p(0.12, 0.9725) },
    },
    // No TF: exact agreement includes the house number, far rarer than the street name alone.
    street: {
      levels: {
        exact: p(0.75, 0.0005),
        jw92: p(0.08, 0.0005),
        similar: p(0.05, 0.002),
        different: p(0.12, 0.997),
      },
    },
    street2: { levels: { exact: p(0.7, 0.01), jw92: p(0.1, 0.005), different: p(0.2, 0.985) } },
    postcode: {
      tf: 'postcode',
      levels: {
        exact: p(0.8, 0.002),
        typo: p(0.06, 0.003),
        partial: p(0.04, 0.02),
        different: p(0.1, 0.975),
      },
    },
    state: { levels: { exact: p(0.9, 0.3), different: p(0.1, 0.7) } },
    country: { levels: { exact: p(0.95, 0.5), different: p(0.05, 0.5) } },
    birth_date: {
      levels: {
        exact: p(0.865, 0.0001),
        transposed: p(0.03, 0.00002),
        typo: p(0.05, 0.0008),
        partial: p(0.03, 0.002),
        similar: p(0.02, 0.015),
        different: p(0.005, 0.98198),
      },
    },
    national_id: {
      levels: { exact: p(0.85, 1e-6), typo: p(0.1, 1e-5), different: p(0.05, 0.999989) },
    },
  },
  swapPenalty: -2,
  addressExtraBits: 4,
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

/** Pseudo-count pulling value frequencies toward the model's u when the directory is small. */
export const TF_SMOOTHING = 1000;

interface CompiledField {
  readonly weights: Readonly<Partial<Record<ComparisonLevel, number>>>;
  readonly mExact: number;
  readonly uExact: number;
  readonly tf: FrequencyField | undefined;
}
type CompiledModel = Readonly<Record<ComparedField, CompiledField>>;

const compiled = new WeakMap<MatchModel, CompiledModel>();

/** Level weights in bits (log2 m/u), computed once per model. */
export function compileModel(model: MatchModel): CompiledModel {
  const hit = compiled.get(model);
  if (hit !== undefined) return hit;
  const out = {} as Record<ComparedField, CompiledField>;
  for (const field of COMPARED_FIELDS) {
    const f = model.fields[field];
    const weights: Partial<Record<ComparisonLevel, number>> = {};
    for (const [level, probabilities] of Object.entries(f.levels) as [
      ComparisonLevel,
      LevelProbabilities,
    ][]) {
      weights[level] = Math.log2(probabilities.m / probabilities.u);
    }
    out[field] = {
      weights,
      mExact: f.levels.exact?.m ?? 0.5,
      uExact: f.levels.exact?.u ?? 0.5,
      tf: f.tf,
    };
  }
  compiled.set(model, out);
  return out;
}

/** Weight (bits) of one field's level; exact agreement of a `tf` field uses the value's frequency. */
export function levelWeight(
  field: ComparedField,
  level: ComparisonLevel,
  value: string,
  context: ScoringContext,
): number {
  const c = compileModel(context.model)[field];
  if (level !== 'exact' || c.tf === undefined || value === '') return c.weights[level] ?? 0;
  const count = context.frequency(c.tf, value);
  const u = (count + TF_SMOOTHING * c.uExact) / (context.directorySize + TF_SMOOTHING);
  return Math.log2(c.mExact / u);
}

/** Compares an upload contact with one directory contact, field by field. */
export function scoreCandidate(
  query: Contact,
  entry: Contact,
  context: ScoringContext,
): CandidateScore {
  const { model } = context;
  const firstWeight = (level: ComparisonLevel): number =>
    levelWeight('first_name', level, entry.firstKey, context);
  let firstLevel = compareFirst(query.firstKey, entry.firstKey, context.nicknames);
  if (query.nicknameKey !== '' && firstLevel !== 'exact') {
    const viaNickname = compareFirst(query.nicknameKey, entry.firstKey, context.nicknames);
    const level = viaNickname === 'exact' ? 'nickname' : viaNickname;
    if (firstWeight(level) > firstWeight(firstLevel)) firstLevel = level;
  }
  const lastLevel = compareLast(query, entry, context.phonetic);
  let nameWeight =
    firstWeight(firstLevel) + levelWeight('last_name', lastLevel, entry.lastKey, context);
  let swapped = false;
  let first = firstLevel;
  let last = lastLevel;
  if (nameWeight < 0 && query.firstKey !== '' && query.lastKey !== '') {
    // "Smith John": try the names the other way round before calling them different.
    const swappedFirst = compareFirst(query.lastCoreKey, entry.firstKey, context.nicknames);
    const swappedLast = compareSurname(query.firstKey, query.firstKey, entry, context.phonetic);
    const swappedWeight =
      firstWeight(swappedFirst) +
      levelWeight('last_name', swappedLast, entry.lastKey, context) +
      model.swapPenalty;
    if (swappedWeight > nameWeight) {
      nameWeight = swappedWeight;
      swapped = true;
      first = swappedFirst;
      last = swappedLast;
    }
  }
  const levels: FieldLevels = { first_name: first, last_name: last, ...otherLevels(query, entry) };
  // The surname joins the address group when it agrees: a household shares both.
  const surname = swapped ? 0 : levelWeight('last_name', last, entry.lastKey, context);
  const household = surname > 0 ? surname : 0;
  const weight =
    nameWeight -
    household +
    levelWeight('email', levels.email, '', context) +
    levelWeight('phone', levels.phone, '', context) +
    levelWeight('company', levels.company, entry.companyKey, context) +
    levelWeight('title', levels.title, entry.titleKey, context) +
    addressWeight(levels, entry, context, household) +
    levelWeight('birth_date', levels.birth_date, '', context) +
    levelWeight('national_id', levels.national_id, '', context);
  return { weight, swapped, levels };
}

/**
 * The address fields' weight, with `household` (an agreeing surname's weight) in the group:
 * disagreements in full, agreement capped at the strongest plus addressExtraBits. With no
 * address field agreeing, the surname counts in full.
 */
export function addressWeight(
  levels: FieldLevels,
  entry: Contact,
  context: ScoringContext,
  household = 0,
): number {
  let negative = 0;
  let positive = household;
  let strongest = household;
  const add = (w: number): void => {
    if (w < 0) negative += w;
    else {
      positive += w;
      if (w > strongest) strongest = w;
    }
  };
  add(levelWeight('city', levels.city, entry.cityKey, context));
  if (levels.street !== 'missing')
    add(levelWeight('street', levels.street, entry.street.nameKey, context));
  if (levels.street2 !== 'missing') add(levelWeight('street2', levels.street2, '', context));
  if (levels.postcode !== 'missing')
    add(levelWeight('postcode', levels.postcode, entry.postcodeKey, context));
  if (levels.state !== 'missing') add(levelWeight('state', levels.state, '', context));
  if (levels.country !== 'missing') add(levelWeight('country', levels.country, '', context));
  return negative + Math.min(positive, strongest + context.model.addressExtraBits);
}

/**
 * Comparison levels of a pair without the swap search, for model training: the same levels the
 * scorer uses, as it would see them for unswapped names.
 */
export function compareContacts(
  query: Contact,
  entry: Contact,
  nicknames: NicknameTable,
  phonetic: (key: string) => readonly string[],
): FieldLevels {
  return {
    first_name: compareFirst(query.firstKey, entry.firstKey, nicknames),
    last_name: compareLast(query, entry, phonetic),
    ...otherLevels(query, entry),
  };
}

/** Every level but the names': one place, so training and scoring compare the same way. */
function otherLevels(
  query: Contact,
  entry: Contact,
): Omit<FieldLevels, 'first_name' | 'last_name'> {
  return {
    email: compareEmails(query, entry),
    phone: comparePhones(query, entry),
    company: compareText(query.companyKey, entry.companyKey, 0.92),
    title: compareText(query.titleKey, entry.titleKey, 0.9),
    city: compareText(query.cityKey, entry.cityKey, 0.95),
    street: compareStreet(query, entry),
    street2: compareLine2(query.street.line2Key, entry.street.line2Key),
    postcode: comparePostcode(query, entry),
    state: compareExact(query.stateKey, entry.stateKey),
    country: compareExact(query.countryKey, entry.countryKey),
    birth_date: compareBirthDate(query, entry),
    national_id: compareIdentifier(query.nationalIdKey, entry.nationalIdKey),
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

function compareExact(a: string, b: string): ComparisonLevel {
  if (a === '' || b === '') return 'missing';
  return a === b ? 'exact' : 'different';
}

/**
 * Street: `exact` same name and number; `jw92` the same number with a street name within
 * Jaro–Winkler 0.88 (a typo), or the same name with a number missing on one side; `similar` the
 * same or nearly the same street at another number (same building, other flat; or a typo in
 * the number); `different` otherwise.
 */
function compareStreet(query: Contact, entry: Contact): ComparisonLevel {
  const a = query.street;
  const b = entry.street;
  if (a.nameKey === '' || b.nameKey === '') return 'missing';
  const sameName = a.nameKey === b.nameKey;
  const nearName = sameName || jaroWinklerKeys(a.nameKey, b.nameKey) >= 0.88;
  const numberMissing = a.number === '' || b.number === '';
  const sameNumber = !numberMissing && a.number === b.number;
  if (sameName && sameNumber) return 'exact';
  if ((nearName && sameNumber) || (sameName && numberMissing)) return 'jw92';
  if (nearName) return 'similar';
  return 'different';
}

function compareLine2(a: string, b: string): ComparisonLevel {
  if (a === '' || b === '') return 'missing';
  if (a === b) return 'exact';
  return jaroWinklerKeys(a, b) >= 0.9 ? 'jw92' : 'different';
}

/** Postcode: exact (ZIP+4 agrees with its ZIP) → one edit → same area → different. */
function comparePostcode(query: Contact, entry: Contact): ComparisonLevel {
  const a = query.postcodeKey;
  const b = entry.postcodeKey;
  if (a === '' || b === '') return 'missing';
  if (a === b || postcodeBase(a) === postcodeBase(b)) return 'exact';
  if (oneEdit(postcodeBase(a), postcodeBase(b))) return 'typo';
  if (query.postcodeArea !== '' && query.postcodeArea === entry.postcodeArea) return 'partial';
  return 'different';
}

/**
 * Birth date: exact → day and month swapped (or the other reading of an ambiguous "03/07/1984")
 * → one digit wrong or two adjacent digits swapped → same year and month → same year →
 * different.
 */
function compareBirthDate(query: Contact, entry: Contact): ComparisonLevel {
  const a = query.birthKey;
  const b = entry.birthKey;
  if (a === '' || b === '') return 'missing';
  if (a === b) return 'exact';
  const aAlt = query.birthAltKey;
  const bAlt = entry.birthAltKey;
  if (aAlt === b || bAlt === a || (aAlt !== '' && aAlt === bAlt)) return 'transposed';
  if (
    a.slice(0, 4) === b.slice(0, 4) &&
    a.slice(4, 6) === b.slice(6) &&
    a.slice(6) === b.slice(4, 6)
  )
    return 'transposed';
  if (oneEdit(a, b)) return 'typo';
  if (a.slice(0, 6) === b.slice(0, 6)) return 'partial';
  if (a.slice(0, 4) === b.slice(0, 4)) return 'similar';
  return 'different';
}

function compareIdentifier(a: string, b: string): ComparisonLevel {
  if (a === '' || b === '') return 'missing';
  if (a === b) return 'exact';
  return oneEdit(a, b) ? 'typo' : 'different';
}

/**
 * True when two strings differ by one substitution, insertion, deletion or adjacent
 * transposition (Damerau distance 1). Equal strings are not one edit apart.
 */
export function oneEdit(a: string, b: string): boolean {
  if (a === b) return false;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return (
      a.charCodeAt(i) === b.charCodeAt(i + 1) &&
      a.charCodeAt(i + 1) === b.charCodeAt(i) &&
      a.slice(i + 2) === b.slice(i + 2)
    );
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
