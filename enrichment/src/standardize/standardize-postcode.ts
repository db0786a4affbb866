import { cleanText } from './normalize-text.ts';

/** A postal code: `text` in the country's usual format, `key` its letters and digits upper-cased. */
export interface StandardPostcode {
  readonly text: string;
  readonly key: string;
  /**
   * The coarser area the code belongs to, for the partial comparison level: a US ZIP's first
   * three digits, a UK/Canadian outward code's district, a Dutch code's four digits, else all
   * but the last character.
   */
  readonly area: string;
}

const EMPTY: StandardPostcode = { text: '', key: '', area: '' };

// Shapes by country, on the compact upper-case key. A code that fits none is kept as written.
const UK = /^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$/;
const CA = /^([A-Z]\d[A-Z])(\d[A-Z]\d)$/;
const NL = /^(\d{4})([A-Z]{2})$/;
const US = /^(\d{5})(\d{4})?$/;

/**
 * Standardizes a postal code, using the row's ISO country when known and the code's shape
 * otherwise: US ZIP and ZIP+4 ("02139-4307"), UK ("SW1A 1AA"), Canada ("K1A 0B1"),
 * Netherlands ("1012 AB"), and the five-digit FR/DE/ES/IT codes (a lost leading zero is restored
 * for US, FR and DE: spreadsheets turn "02139" into 2139).
 */
export function standardizePostcode(raw: string, country?: string): StandardPostcode {
  const cleaned = cleanText(raw);
  if (cleaned === '') return EMPTY;
  let key = cleaned.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (key === '') return EMPTY;
  // "DE-10115", "F-75001": a country prefix before a numeric code.
  key = key.replace(/^(?:D|F|NL|DE|FR|B|CH|A)(?=\d{4,5}$)/, '');
  const c = country ?? '';
  if ((c === 'US' || c === 'FR' || c === 'DE') && /^\d{4}$/.test(key)) key = `0${key}`;
  if (c === '' || c === 'US') {
    if (/^\d{9}$/.test(key) || (c === 'US' && US.test(key))) {
      const m = US.exec(key);
      if (m) {
        const zip = m[1] ?? '';
        return {
          text: m[2] ? `${zip}-${m[2]}` : zip,
          key: zip + (m[2] ?? ''),
          area: zip.slice(0, 3),
        };
      }
    }
  }
  if (c === '' || c === 'GB' || c === 'UK') {
    const m = UK.exec(key);
    if (m) return { text: `${m[1]} ${m[2]}`, key, area: `${m[1]} ${m[2]?.charAt(0) ?? ''}` };
  }
  if (c === '' || c === 'CA') {
    const m = CA.exec(key);
    if (m) return { text: `${m[1]} ${m[2]}`, key, area: m[1] ?? '' };
  }
  if (c === '' || c === 'NL') {
    const m = NL.exec(key);
    if (m) return { text: `${m[1]} ${m[2]}`, key, area: m[1] ?? '' };
  }
  if (/^\d{5}$/.test(key)) return { text: key, key, area: key.slice(0, 3) };
  if (/^\d+$/.test(key)) return { text: key, key, area: key.slice(0, Math.max(1, key.length - 1)) };
  return { text: cleaned.toUpperCase(), key, area: key.slice(0, Math.max(1, key.length - 1)) };
}
