import { cleanText } from './normalize-text.ts';

/** A date of birth. `key` is YYYYMMDD; `altKey` the day↔month reading when the text allows both. */
export interface StandardDate {
  /** ISO 8601 (YYYY-MM-DD) when parsed, else the cleaned text (kept, but it matches nothing). */
  readonly text: string;
  /** YYYYMMDD, or '' when the text is not a date. */
  readonly key: string;
  /** The other reading of an ambiguous "03/07/1984" (YYYYMMDD), or ''. */
  readonly altKey: string;
}

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
  // French, German, Spanish, Dutch and Italian months that do not start like the English ones.
  janv: 1,
  fevr: 2,
  mars: 3,
  avr: 4,
  mai: 5,
  juin: 6,
  juil: 7,
  aout: 8,
  dez: 12,
  okt: 10,
  maerz: 3,
  marz: 3,
  ene: 1,
  abr: 4,
  ago: 8,
  dic: 12,
  mei: 5,
  mrt: 3,
  gen: 1,
  giu: 6,
  lug: 7,
  set: 9,
  ott: 10,
};

// Countries that write the month first in numeric dates.
const MONTH_FIRST: ReadonlySet<string> = new Set(['US', 'PH', 'FM', 'MH', 'PW', 'BZ']);

const EMPTY: StandardDate = { text: '', key: '', altKey: '' };

/**
 * Parses a birth date written in the common forms: `1984-03-07`, `19840307`, `1984/03/07`,
 * `07.03.1984`, `03/07/1984`, `7 March 1984`, `March 7, 1984`, `7-Mar-84`. A numeric date with
 * both parts ≤ 12 is read month-first for US rows, day-first for other countries; without a
 * country it keeps both readings (`key` month-first, `altKey` day-first) and matching accepts
 * either.
 */
export function standardizeDate(raw: string, country?: string): StandardDate {
  const text = cleanText(raw);
  if (text === '') return EMPTY;
  const parsed = parseDate(text, country);
  if (parsed === undefined) return { text, key: '', altKey: '' };
  const key = ymd(parsed.y, parsed.m, parsed.d);
  if (key === '') return { text, key: '', altKey: '' };
  const alt = parsed.ambiguous ? ymd(parsed.y, parsed.d, parsed.m) : '';
  return {
    text: `${key.slice(0, 4)}-${key.slice(4, 6)}-${key.slice(6)}`,
    key,
    altKey: alt === key ? '' : alt,
  };
}

interface Parsed {
  readonly y: number;
  readonly m: number;
  readonly d: number;
  readonly ambiguous: boolean;
}

function parseDate(text: string, country: string | undefined): Parsed | undefined {
  const lower = text.toLowerCase().replace(/(\d)(st|nd|rd|th)\b/g, '$1');
  let m = /^(\d{4})(\d{2})(\d{2})$/.exec(lower);
  if (m) return num(m[1], m[2], m[3]);
  // An ISO timestamp's date part.
  m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[t\s].*)?$/.exec(lower);
  if (m) return num(m[1], m[2], m[3]);
  m = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})$/.exec(lower);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    const y = fullYear(m[4] ?? '');
    // Dotted dates are day-first everywhere they are written.
    const monthFirst =
      m[2] !== '.' && (country === undefined || country === '' ? true : MONTH_FIRST.has(country));
    if (a > 12 && b <= 12) return { y, m: b, d: a, ambiguous: false };
    if (b > 12 && a <= 12) return { y, m: a, d: b, ambiguous: false };
    const ambiguous = a !== b && m[2] !== '.' && (country === undefined || country === '');
    return monthFirst ? { y, m: a, d: b, ambiguous } : { y, m: b, d: a, ambiguous };
  }
  const words = lower.split(/[\s,.\-/]+/).filter((w) => w !== '');
  if (words.length === 3) {
    const [p, q, r] = words as [string, string, string];
    const month = (w: string): number | undefined =>
      /^\d/.test(w)
        ? undefined
        : (MONTHS[w.normalize('NFKD').replace(/\p{M}/gu, '').slice(0, 4)] ??
          MONTHS[w.normalize('NFKD').replace(/\p{M}/gu, '').slice(0, 3)]);
    const mp = month(p);
    const mq = month(q);
    if (mq !== undefined && /^\d{1,2}$/.test(p))
      return { y: fullYear(r), m: mq, d: Number(p), ambiguous: false };
    if (mp !== undefined && /^\d{1,2}$/.test(q))
      return { y: fullYear(r), m: mp, d: Number(q), ambiguous: false };
    if (mq !== undefined && /^\d{4}$/.test(p))
      return { y: Number(p), m: mq, d: Number(r), ambiguous: false };
  }
  return undefined;
}

function num(y: string | undefined, m: string | undefined, d: string | undefined): Parsed {
  return { y: Number(y), m: Number(m), d: Number(d), ambiguous: false };
}

// Two-digit years are birth years: "84" is 1984, "05" is 2005 until the years catch up.
function fullYear(text: string): number {
  if (text.length === 4) return Number(text);
  const yy = Number(text);
  const now = new Date().getUTCFullYear() % 100;
  return yy <= now ? 2000 + yy : 1900 + yy;
}

function ymd(y: number, m: number, d: number): string {
  if (!(y >= 1000 && y <= 2999 && m >= 1 && m <= 12 && d >= 1 && d <= 31)) return '';
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > days) return '';
  return `${String(y)}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
}
