import { cleanText, foldKey } from './normalize-text.ts';
import { NAME_PREFIXES, NAME_SUFFIXES, SURNAME_PARTICLES } from './name-words.ts';

/** A person's name split into parts, display-cased. Empty strings mean "not present". */
export interface ParsedName {
  readonly prefix: string;
  readonly first: string;
  readonly middle: string;
  readonly last: string;
  readonly suffix: string;
  /** A nickname written in quotes or parentheses ("Robert 'Bob' Smith"). */
  readonly nickname: string;
}

/** Raw name cells from an upload; any of them may be missing or empty. */
export interface NameCells {
  readonly full?: string | undefined;
  readonly first?: string | undefined;
  readonly middle?: string | undefined;
  readonly last?: string | undefined;
  readonly prefix?: string | undefined;
  readonly suffix?: string | undefined;
  readonly nickname?: string | undefined;
}

const EMPTY_NAME: ParsedName = {
  prefix: '',
  first: '',
  middle: '',
  last: '',
  suffix: '',
  nickname: '',
};

// Double quotes, typographic quotes and parentheses mark nicknames; a single quote only when it
// stands apart from a word, so the apostrophe in O'Brien is never taken for one.
const NICKNAME_PATTERN =
  /["“”„«»]([^"“”„«»]+)["“”„«»]|\(([^()]+)\)|(?:^|\s)['‘’]([^'‘’]+)['‘’](?=\s|$)/;

/** Parses one free-text name ("Dr. Bob Smith Jr.", "SMITH, JOHN A", "Ludwig van der Berg"). */
export function parseFullName(text: string): ParsedName {
  let rest = cleanText(text);
  if (rest === '') return EMPTY_NAME;
  let nickname = '';
  const quoted = NICKNAME_PATTERN.exec(rest);
  if (quoted) {
    nickname = cleanText(quoted[1] ?? quoted[2] ?? quoted[3] ?? '');
    rest = cleanText(
      rest.slice(0, quoted.index) + ' ' + rest.slice(quoted.index + quoted[0].length),
    );
  }
  const comma = rest.indexOf(',');
  if (comma >= 0) {
    const before = tokens(rest.slice(0, comma));
    const after = tokens(rest.slice(comma + 1));
    if (after.length > 0 && after.every(isSuffix)) {
      // "Jane Doe, PhD": the comma only sets off suffixes.
      return withCase({
        ...splitOrdered(before),
        suffix: after.map(stripDots).join(' '),
        nickname,
      });
    }
    if (before.length > 0 && after.length > 0)
      return withCase(splitInverted(before, after, nickname));
  }
  return withCase({ ...splitOrdered(tokens(rest)), nickname });
}

/**
 * Standardizes the name cells of one row: a full-name cell is parsed; separate first/last cells
 * are cleaned (titles, suffixes, trailing initials and quoted nicknames moved to their own parts).
 */
export function standardizeName(cells: NameCells): ParsedName {
  const first = cleanText(cells.first ?? '');
  const last = cleanText(cells.last ?? '');
  if (!readsSeparateNameCells(first, last)) {
    // No separate cells to read: parse the full-name cell, or the one column that holds a whole
    // name ("John Smith" in First Name).
    const whole = first === '' && last === '' ? (cells.full ?? '') : first === '' ? last : first;
    return mergeExplicit(parseFullName(whole), cells);
  }

  const given = parseGivenNameCell(first);
  const surname = parseSurnameCell(last);
  return mergeExplicit(
    {
      prefix: given.prefix,
      first: given.first,
      middle: given.middle,
      last: surname.last,
      suffix: surname.suffix,
      nickname: given.nickname,
    },
    cells,
  );
}

/** What a separate given-name cell contributes to a name, display-cased. */
export interface GivenNameParts {
  readonly prefix: string;
  readonly first: string;
  readonly middle: string;
  readonly nickname: string;
}

/** What a separate surname cell contributes to a name, display-cased. */
export interface SurnameParts {
  readonly last: string;
  readonly suffix: string;
}

/**
 * Parses a cleaned given-name cell ("Dr. John A.", "Robert 'Bob'"). Independent of the surname
 * cell, so callers can memoize it per distinct cell value.
 */
export function parseGivenNameCell(first: string): GivenNameParts {
  let nickname = '';
  let firstText = first;
  const quoted = NICKNAME_PATTERN.exec(firstText);
  if (quoted) {
    nickname = cleanText(quoted[1] ?? quoted[2] ?? quoted[3] ?? '');
    firstText = cleanText(
      firstText.slice(0, quoted.index) + ' ' + firstText.slice(quoted.index + quoted[0].length),
    );
  }
  const firstTokens = tokens(firstText);
  let prefix = '';
  while (firstTokens.length > 1 && isPrefix(firstTokens[0] ?? '')) {
    prefix = joinWord(prefix, stripDots(firstTokens.shift() ?? ''));
  }
  // "John A." in a first-name column: trailing initials are a middle name.
  let middle = '';
  while (firstTokens.length > 1 && isInitial(firstTokens[firstTokens.length - 1] ?? '')) {
    middle = joinWord(stripDots(firstTokens.pop() ?? ''), middle);
  }
  return {
    prefix: displayCaseName(prefix),
    first: displayCaseName(firstTokens.map(cleanInitial).join(' ')),
    middle: displayCaseName(middle),
    nickname: displayCaseName(nickname),
  };
}

/** Parses a cleaned surname cell ("SMITH JR."); memoizable like parseGivenNameCell. */
export function parseSurnameCell(last: string): SurnameParts {
  const lastTokens = tokens(last.replace(/,/g, ' '));
  let suffix = '';
  while (lastTokens.length > 1 && isSuffix(lastTokens[lastTokens.length - 1] ?? '')) {
    suffix = joinWord(stripDots(lastTokens.pop() ?? ''), suffix);
  }
  return { last: displayCaseLast(lastTokens.join(' ')), suffix };
}

/**
 * True when standardizeName reads the first and last cells separately (parseGivenNameCell and
 * parseSurnameCell), rather than parsing one of them, or the full-name cell, as a whole name.
 * Both arguments are cleaned cells.
 */
export function readsSeparateNameCells(first: string, last: string): boolean {
  if (first === '' && last === '') return false;
  if (last === '' && /\s|,/.test(first)) return false;
  return !(first === '' && /,/.test(last));
}

/** The surname key without its particles ("van der Berg" → "berg"), for dropped particles. */
export function surnameCoreKey(last: string): string {
  const words = last.split(/\s+/);
  let i = 0;
  while (i < words.length - 1 && SURNAME_PARTICLES.has(foldKey(words[i] ?? ''))) i++;
  return foldKey(words.slice(i).join(''));
}

/**
 * Display case for a name: left alone when mixed-case (the writer chose it: "McDonald", "DeShawn"),
 * otherwise title-cased with the usual exceptions ("O'Brien", "McDonald", "van der Berg").
 */
export function displayCaseName(name: string): string {
  if (!isSingleCase(name)) return name;
  const words = name.toLowerCase().split(' ');
  return words
    .map((word, index) =>
      index > 0 && index < words.length - 1 && SURNAME_PARTICLES.has(foldKey(word))
        ? word
        : capitalizeWord(word),
    )
    .join(' ');
}

function capitalizeWord(word: string): string {
  // Capitalize after hyphens and apostrophes: "smith-jones" → "Smith-Jones", "o'brien" → "O'Brien".
  let out = word.replace(
    /(^|[-'’])(\p{L})/gu,
    (_m, sep: string, ch: string) => sep + ch.toUpperCase(),
  );
  if (/^mc\p{L}{2,}/iu.test(out)) out = 'Mc' + out.charAt(2).toUpperCase() + out.slice(3);
  return out;
}

function isSingleCase(value: string): boolean {
  return value === value.toUpperCase() || value === value.toLowerCase();
}

function withCase(name: ParsedName): ParsedName {
  return {
    prefix: displayCaseName(name.prefix),
    first: displayCaseName(name.first),
    middle: displayCaseName(name.middle),
    last: displayCaseLast(name.last),
    suffix: name.suffix,
    nickname: displayCaseName(name.nickname),
  };
}

function displayCaseLast(last: string): string {
  // A surname keeps its leading particle lower case only when the name was single-case;
  // "Van Halen" written that way stays as written.
  return isSingleCase(last) && last.includes(' ')
    ? displayCaseSurname(last)
    : displayCaseName(last);
}

function displayCaseSurname(last: string): string {
  const words = last.toLowerCase().split(' ');
  return words
    .map((word, index) =>
      index < words.length - 1 && SURNAME_PARTICLES.has(foldKey(word))
        ? word
        : capitalizeWord(word),
    )
    .join(' ');
}

function mergeExplicit(name: ParsedName, cells: NameCells): ParsedName {
  const prefix = cleanText(cells.prefix ?? '');
  const middle = cleanText(cells.middle ?? '');
  const suffix = cleanText(cells.suffix ?? '');
  const nickname = cleanText(cells.nickname ?? '');
  if (prefix === '' && middle === '' && suffix === '' && nickname === '') return name;
  return {
    prefix: prefix === '' ? name.prefix : displayCaseName(stripDots(prefix)),
    first: name.first,
    middle: middle === '' ? name.middle : displayCaseName(middle),
    last: name.last,
    suffix: suffix === '' ? name.suffix : stripDots(suffix),
    nickname: nickname === '' ? name.nickname : displayCaseName(nickname),
  };
}

/** "First Middle Last" order, with leading titles and trailing suffixes split off. */
function splitOrdered(words: string[]): ParsedName {
  const list = [...words];
  let prefix = '';
  while (list.length > 1 && isPrefix(list[0] ?? ''))
    prefix = joinWord(prefix, stripDots(list.shift() ?? ''));
  let suffix = '';
  while (list.length > 1 && isSuffix(list[list.length - 1] ?? '')) {
    suffix = joinWord(stripDots(list.pop() ?? ''), suffix);
  }
  if (list.length === 0) return { ...EMPTY_NAME, prefix, suffix };
  if (list.length === 1)
    return { ...EMPTY_NAME, prefix, first: cleanInitial(list[0] ?? ''), suffix };
  let lastStart = list.length - 1;
  while (lastStart > 1 && SURNAME_PARTICLES.has(foldKey(list[lastStart - 1] ?? ''))) lastStart--;
  return {
    prefix,
    first: cleanInitial(list[0] ?? ''),
    middle: list.slice(1, lastStart).map(cleanInitial).join(' '),
    last: list.slice(lastStart).join(' '),
    suffix,
    nickname: '',
  };
}

/** "Last, First Middle" order: `before` is the surname (maybe with suffixes), `after` the rest. */
function splitInverted(before: string[], after: string[], nickname: string): ParsedName {
  const surname = [...before];
  let suffix = '';
  while (surname.length > 1 && isSuffix(surname[surname.length - 1] ?? '')) {
    suffix = joinWord(stripDots(surname.pop() ?? ''), suffix);
  }
  const given = [...after];
  let prefix = '';
  while (given.length > 1 && isPrefix(given[0] ?? ''))
    prefix = joinWord(prefix, stripDots(given.shift() ?? ''));
  while (given.length > 1 && isSuffix(given[given.length - 1] ?? '')) {
    suffix = joinWord(suffix, stripDots(given.pop() ?? ''));
  }
  return {
    prefix,
    first: cleanInitial(given[0] ?? ''),
    middle: given.slice(1).map(cleanInitial).join(' '),
    last: surname.join(' '),
    suffix,
    nickname,
  };
}

function tokens(text: string): string[] {
  return text.split(/\s+/).filter((t) => t !== '' && t !== ',');
}

function isPrefix(word: string): boolean {
  // A bare "M" is far more often an initial than "Monsieur": only "M." counts.
  const folded = foldKey(word);
  return folded === 'm' ? word === 'M.' : NAME_PREFIXES.has(folded);
}

function isSuffix(word: string): boolean {
  return NAME_SUFFIXES.has(foldKey(word));
}

function isInitial(word: string): boolean {
  return /^\p{L}\.?$/u.test(word);
}

function cleanInitial(word: string): string {
  return isInitial(word) ? word.charAt(0).toUpperCase() : word;
}

function stripDots(word: string): string {
  return word.replace(/\.$/, '').replace(/,$/, '');
}

function joinWord(a: string, b: string): string {
  return a === '' ? b : b === '' ? a : `${a} ${b}`;
}
