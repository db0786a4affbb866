import {
  Metadata,
  PhoneNumber,
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js';
import { EnrichmentOptionsError } from '../errors.ts';
import { cleanText } from './normalize-text.ts';

/** A valid phone number. `value` is what the output shows: E.164, plus `;ext=N` when present. */
export interface StandardPhone {
  readonly e164: string;
  readonly extension: string;
  readonly value: string;
}

export interface PhoneStandardizerOptions {
  /** ISO 3166 region for numbers written without a country code, e.g. "US" or "GB". */
  readonly defaultRegion: string;
  /** Slow-path results remembered (by cleaned text) before the cache is reset. Default 100,000. */
  readonly cacheSize?: number;
  /**
   * E.164 numbers already known to be valid (the directory's, parsed at load time). A fast-path
   * candidate found here skips libphonenumber's validation entirely.
   */
  readonly knownNumbers?: { has(e164: string): boolean };
}

/** Standardizes one phone cell; undefined when it holds no valid number. */
export type PhoneStandardizer = (raw: string) => StandardPhone | undefined;

// The private parts of libphonenumber-js's Metadata class the fast path reads. They are not in
// its type declarations; `readFastPathPlan` checks their shapes and turns the fast path off if
// a future version changes them, so correctness never depends on them.
interface NumberingPlanInternals {
  callingCode(): unknown;
  IDDPrefix(): unknown;
  nationalPrefixForParsing(): unknown;
  nationalPrefixTransformRule(): unknown;
}

interface FastPathPlan {
  readonly callingCode: string;
  readonly idd: RegExp;
  readonly nationalPrefix: RegExp | undefined;
}

const EXTENSION = /\s*[,;]?\s*(?:ext\.?|extension|ext=|x|#)\s*(\d{1,7})\s*$/i;
const KEYPAD: Readonly<Record<string, string>> = {
  a: '2',
  b: '2',
  c: '2',
  d: '3',
  e: '3',
  f: '3',
  g: '4',
  h: '4',
  i: '4',
  j: '5',
  k: '5',
  l: '5',
  m: '6',
  n: '6',
  o: '6',
  p: '7',
  q: '7',
  r: '7',
  s: '7',
  t: '8',
  u: '8',
  v: '8',
  w: '9',
  x: '9',
  y: '9',
  z: '9',
};

/**
 * Creates a phone standardizer for one default region.
 *
 * libphonenumber-js parses ~20–70k numbers/s here, too slow for the row budget, so the common case
 * (digits with spaces, dashes, dots or parentheses, in the default region or with its "+code")
 * takes a fast path: digits are extracted and the national prefix stripped the same way
 * libphonenumber does, and the candidate is accepted only if it is a known directory number or
 * libphonenumber validates it as E.164. Anything else — other countries, extensions, letters, IDD
 * prefixes, numbers the fast path cannot validate — goes through the full parser, with a cache.
 */
export function createPhoneStandardizer(options: PhoneStandardizerOptions): PhoneStandardizer {
  const requested = options.defaultRegion.toUpperCase();
  if (!isSupportedCountry(requested)) {
    throw new EnrichmentOptionsError(`unsupported default phone region "${options.defaultRegion}"`);
  }
  const region: CountryCode = requested;
  const cacheSize = options.cacheSize ?? 100_000;
  const known = options.knownNumbers;
  const plan = readFastPathPlan(region);
  const cache = new Map<string, StandardPhone | null>();

  function slowPath(text: string, extension: string): StandardPhone | undefined {
    const cacheKey = extension === '' ? text : `${text}\u0000${extension}`;
    const cached = cache.get(cacheKey);
    if (cached !== undefined) return cached ?? undefined;
    const parsed = parsePhoneNumberFromString(text, region);
    const result =
      parsed?.isValid() === true
        ? toStandard(parsed.number, extension === '' ? (parsed.ext ?? '') : extension)
        : undefined;
    if (cache.size >= cacheSize) cache.clear();
    cache.set(cacheKey, result ?? null);
    return result;
  }

  return (raw: string): StandardPhone | undefined => {
    let text = cleanText(raw);
    if (text === '') return undefined;
    let extension = '';
    const ext = EXTENSION.exec(text);
    if (ext && ext.index > 0) {
      extension = ext[1] ?? '';
      text = text.slice(0, ext.index);
    }
    if (/[a-z]/i.test(text)) {
      const converted = convertVanity(text);
      if (converted === undefined) return undefined;
      text = converted;
    }
    if (plan) {
      const candidate = fastCandidate(text, plan);
      if (candidate !== undefined && (known?.has(candidate) === true || isValidE164(candidate))) {
        return toStandard(candidate, extension);
      }
    }
    return slowPath(text, extension);
  };
}

/** The E.164 number the fast path derives from `text`, or undefined when it must not decide. */
function fastCandidate(text: string, plan: FastPathPlan): string | undefined {
  let digits = '';
  let plus = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits += text.charAt(i);
    else if (c === 43 /* + */ && digits === '' && !plus) plus = true;
    else if (c !== 32 && c !== 40 && c !== 41 && c !== 45 && c !== 46 && c !== 47) return undefined;
  }
  if (digits.length < 4 || digits.length > 17) return undefined;
  let national: string;
  if (plus) {
    if (!digits.startsWith(plan.callingCode)) return undefined;
    national = digits.slice(plan.callingCode.length);
  } else {
    // An international dialling prefix ("00", "011") means another country: leave it to the parser.
    if (plan.idd.test(digits)) return undefined;
    national = digits;
  }
  if (plan.nationalPrefix) {
    const match = plan.nationalPrefix.exec(national);
    if (match && match[0] !== '') {
      // A captured group means a carrier code or a rewrite: only the full parser gets those right.
      for (let g = 1; g < match.length; g++) if (match[g] !== undefined) return undefined;
      national = national.slice(match[0].length);
    }
  }
  return national === '' ? undefined : `+${plan.callingCode}${national}`;
}

function isValidE164(candidate: string): boolean {
  try {
    return new PhoneNumber(candidate).isValid();
  } catch {
    // Too short or otherwise unusable as E.164: not valid here, and the slow path will decide.
    return false;
  }
}

function readFastPathPlan(region: CountryCode): FastPathPlan | undefined {
  const metadata = new Metadata();
  metadata.selectNumberingPlan(region);
  const plan = metadata.numberingPlan as unknown as Partial<NumberingPlanInternals> | undefined;
  if (
    !plan ||
    typeof plan.callingCode !== 'function' ||
    typeof plan.IDDPrefix !== 'function' ||
    typeof plan.nationalPrefixForParsing !== 'function' ||
    typeof plan.nationalPrefixTransformRule !== 'function'
  ) {
    return undefined;
  }
  const callingCode = plan.callingCode();
  const idd = plan.IDDPrefix();
  const prefix = plan.nationalPrefixForParsing();
  const transform = plan.nationalPrefixTransformRule();
  if (typeof callingCode !== 'string' || !/^\d+$/.test(callingCode) || typeof idd !== 'string') {
    return undefined;
  }
  // Regions that rewrite national numbers (Argentina, Brazil, Mexico…) always use the full parser.
  if (typeof transform === 'string' && transform !== '') return undefined;
  return {
    callingCode,
    idd: new RegExp(`^(?:${idd})`),
    nationalPrefix:
      typeof prefix === 'string' && prefix !== '' ? new RegExp(`^(?:${prefix})`) : undefined,
  };
}

function convertVanity(text: string): string | undefined {
  // "1-800-FLOWERS": letters on a keypad. Require real digits too, so "n/a" or "call me" is no number.
  if (!/^[+\d\s().\-/a-z]+$/i.test(text)) return undefined;
  const letters = text.replace(/[^a-z]/gi, '').length;
  const digits = text.replace(/\D/g, '').length;
  if (letters < 3 || digits < 3) return undefined;
  return text.toLowerCase().replace(/[a-z]/g, (ch) => KEYPAD[ch] ?? ch);
}

function toStandard(e164: string, extension: string): StandardPhone {
  return { e164, extension, value: extension === '' ? e164 : `${e164};ext=${extension}` };
}
