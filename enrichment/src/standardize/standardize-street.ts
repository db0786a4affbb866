import { cleanText, foldKey } from './normalize-text.ts';
import { displayCaseName } from './standardize-name.ts';

/** A street address, split for comparison. */
export interface StandardStreet {
  /** The address lines as written (NFC, trimmed; one-case text title-cased), joined by ", ". */
  readonly text: string;
  /** House number ("12", "12a", "12-14"), '' when none. */
  readonly number: string;
  /** Flat/unit/suite ("3" of "Apt 3", "3/12 Smith St"), '' when none. */
  readonly unit: string;
  /** Street name words, folded, with suffixes and directions abbreviated ("north main st"→"n main st"). */
  readonly nameKey: string;
  /** Second address line (building, locality), folded; '' when none. */
  readonly line2Key: string;
}

// Suffixes and directions → one spelling (USPS-style short forms), so "Street" = "St." = "Str".
const ABBREVIATIONS: Readonly<Record<string, string>> = {
  street: 'st',
  str: 'st',
  strt: 'st',
  saint: 'st',
  avenue: 'ave',
  av: 'ave',
  avn: 'ave',
  aven: 'ave',
  road: 'rd',
  boulevard: 'blvd',
  blv: 'blvd',
  drive: 'dr',
  drv: 'dr',
  lane: 'ln',
  court: 'ct',
  crt: 'ct',
  place: 'pl',
  plaza: 'plz',
  crescent: 'cres',
  cresent: 'cres',
  cr: 'cres',
  terrace: 'tce',
  terr: 'tce',
  ter: 'tce',
  highway: 'hwy',
  parkway: 'pkwy',
  square: 'sq',
  circle: 'cir',
  close: 'cl',
  circuit: 'cct',
  parade: 'pde',
  esplanade: 'esp',
  grove: 'gr',
  mount: 'mt',
  point: 'pt',
  heights: 'hts',
  gardens: 'gdns',
  north: 'n',
  south: 's',
  east: 'e',
  west: 'w',
  northeast: 'ne',
  northwest: 'nw',
  southeast: 'se',
  southwest: 'sw',
};

// Words that introduce a flat, unit or suite number.
const UNIT_WORDS: ReadonlySet<string> = new Set([
  'apt',
  'apartment',
  'unit',
  'flat',
  'suite',
  'ste',
  'no',
  'rm',
  'room',
  'fl',
  'floor',
  'lot',
]);

const EMPTY: StandardStreet = { text: '', number: '', unit: '', nameKey: '', line2Key: '' };

/**
 * Standardizes a street address from one or two address lines and an optional separate house
 * number (FEBRL-style `street_number` column). "Apt 3, 12 North Main Street" and
 * "12 N Main St #3" give the same number (12), unit (3) and name key ("n main st").
 */
export function standardizeStreet(line1: string, line2 = '', houseNumber = ''): StandardStreet {
  const a = displayCaseName(cleanText(line1));
  const b = displayCaseName(cleanText(line2));
  const n = cleanText(houseNumber);
  if (a === '' && b === '' && n === '') return EMPTY;
  const text = [n === '' ? a : `${n} ${a}`.trim(), b].filter((s) => s !== '').join(', ');
  const parsed = parseLine(a);
  let number = foldKey(n);
  let { unit } = parsed;
  if (number === '') number = parsed.number;
  else if (parsed.number !== '' && unit === '') unit = parsed.number;
  let nameKey = parsed.nameKey;
  let line2Key = parseLine(b).nameKey;
  // A single-line export may have put the street in the second line only.
  if (nameKey === '' && line2Key !== '') {
    const second = parseLine(b);
    nameKey = second.nameKey;
    if (number === '') number = second.number;
    if (unit === '') unit = second.unit;
    line2Key = '';
  }
  return { text, number, unit, nameKey, line2Key };
}

function parseLine(line: string): { number: string; unit: string; nameKey: string } {
  if (line === '') return { number: '', unit: '', nameKey: '' };
  const tokens = line
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/#\s*/g, ' # ')
    .split(/[\s,.;]+/)
    .filter((t) => t !== '');
  let number = '';
  let unit = '';
  const words: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    if (token === '#' || UNIT_WORDS.has(token)) {
      const next = tokens[i + 1];
      if (next !== undefined && /\d/.test(next)) {
        unit = foldKey(next);
        i++;
        continue;
      }
      if (token === '#') continue;
    }
    // "3/12" (unit 3, number 12) as written in Australia and New Zealand.
    const slash = /^(\d+[a-z]?)\/(\d+[a-z]?)$/.exec(token);
    if (slash && number === '') {
      unit = slash[1] ?? '';
      number = slash[2] ?? '';
      continue;
    }
    if (/^\d+[a-z]?$|^\d+-\d+$/.test(token) && number === '') {
      number = token;
      continue;
    }
    const folded = foldKey(token);
    if (folded === '') continue;
    words.push(ABBREVIATIONS[folded] ?? folded);
  }
  return { number, unit, nameKey: words.join(' ') };
}
