import {
  getCountries,
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js';
import { foldKey } from './normalize-text.ts';

/**
 * Phone regions: the ISO 3166-1 alpha-2 codes a number written without its country code can be
 * read in, and the country a row names ("France", "Deutschland", "UK", "fr") turned into one.
 */

/** True for an ISO 3166-1 alpha-2 code the phone standardizer can read numbers in ("GB", "nl"). */
export function isPhoneRegion(code: string): boolean {
  return /^[a-z]{2}$/i.test(code) && isSupportedCountry(code.toUpperCase());
}

// Names people write that Intl does not give: short forms, old names, constituent countries.
const ALIASES: Readonly<Record<string, string>> = {
  uk: 'GB',
  greatbritain: 'GB',
  britain: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  northernireland: 'GB',
  usa: 'US',
  us: 'US',
  america: 'US',
  unitedstatesofamerica: 'US',
  holland: 'NL',
  thenetherlands: 'NL',
  uae: 'AE',
  southkorea: 'KR',
  korea: 'KR',
  russia: 'RU',
  czechia: 'CZ',
  czechrepublic: 'CZ',
  turkey: 'TR',
  vietnam: 'VN',
  ivorycoast: 'CI',
  // ISO 3166-1 alpha-3 codes of the most common exports' countries.
  gbr: 'GB',
  deu: 'DE',
  fra: 'FR',
  nld: 'NL',
  bel: 'BE',
  che: 'CH',
  aut: 'AT',
  esp: 'ES',
  ita: 'IT',
  prt: 'PT',
  irl: 'IE',
  can: 'CA',
  aus: 'AU',
  nzl: 'NZ',
  swe: 'SE',
  nor: 'NO',
  dnk: 'DK',
  fin: 'FI',
  pol: 'PL',
  bra: 'BR',
  mex: 'MX',
  ind: 'IN',
  jpn: 'JP',
  chn: 'CN',
  zaf: 'ZA',
};

// Country names are read in the languages contact exports are most often written in.
const NAME_LOCALES = ['en', 'fr', 'de', 'es', 'it', 'nl', 'pt', 'sv', 'pl'];

let namesByKey: Map<string, CountryCode> | undefined;

/** Folded country name (in any of NAME_LOCALES) → code, built once on first use. */
function countryNames(): Map<string, CountryCode> {
  if (namesByKey !== undefined) return namesByKey;
  const names = new Map<string, CountryCode>();
  for (const locale of NAME_LOCALES) {
    const display = new Intl.DisplayNames([locale], { type: 'region', fallback: 'none' });
    for (const code of getCountries()) {
      const name = display.of(code);
      if (name === undefined) continue;
      const key = foldKey(name);
      if (key !== '' && !names.has(key)) names.set(key, code);
    }
  }
  namesByKey = names;
  return names;
}

/**
 * The phone region a country cell names: an ISO alpha-2 code ("fr", "GB"), a common alpha-3
 * code, or a country name in a common language ("France", "Deutschland", "United Kingdom",
 * "UK"). Undefined when the cell names no country the standardizer knows.
 */
export function countryToRegion(cell: string): CountryCode | undefined {
  const text = cell.trim();
  if (text === '') return undefined;
  if (/^[a-z]{2}$/i.test(text)) {
    const upper = text.toUpperCase();
    if (upper === 'UK') return 'GB';
    return isSupportedCountry(upper) ? upper : undefined;
  }
  const key = foldKey(text);
  const alias = ALIASES[key];
  if (alias !== undefined && isSupportedCountry(alias)) return alias;
  return countryNames().get(key);
}

// Headers of a column naming the person's country: "Country", "Business Country/Region",
// "Home Country", "country_code", "Pays", "Land", "Address 1 - Country"…
const COUNTRY_HEADER =
  /(?:^| )(?:country|countryregion|countrycode|country code|pays|land|pais)(?: |$)/;
// …but not a phone's dialling code ("Phone Country Code") or a description of the country.
const NOT_COUNTRY = /(?:^| )(?:phone|tel|telephone|mobile|dialling|dialing|calling|name of)(?: |$)/;

/**
 * The index of the column that names the row's country, or undefined. The first match wins, so
 * a file with both a home and a business country reads the first one.
 */
export function findCountryColumn(headers: readonly string[]): number | undefined {
  for (let i = 0; i < headers.length; i++) {
    const words = headerWords(headers[i] ?? '');
    if (COUNTRY_HEADER.test(words) && !NOT_COUNTRY.test(words)) return i;
  }
  return undefined;
}

/**
 * True when `text`, read in the region of `e164`'s country, is that very number: a number
 * written in its own national format ("06 12 34 56 78" for +33612345678).
 */
export function samePhoneNumber(text: string, e164: string): boolean {
  const country = parsePhoneNumberFromString(e164)?.country;
  if (country === undefined) return false;
  const parsed = parsePhoneNumberFromString(text, country);
  return parsed?.isValid() === true && parsed.number === e164;
}

function headerWords(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}
