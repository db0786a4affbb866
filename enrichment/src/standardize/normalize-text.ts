/**
 * Text normalization shared by every standardizer: display values are NFC and trimmed; match keys
 * are folded (diacritics removed, lower case, punctuation dropped) so "Zoë", "ZOE" and "Zoe" meet.
 */

/** True when every UTF-16 unit is 7-bit ASCII: such strings need no Unicode normalization. */
export function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** NFC, trimmed, internal runs of whitespace collapsed to one space. */
export function cleanText(value: string): string {
  const nfc = isAscii(value) ? value : value.normalize('NFC');
  const trimmed = nfc.trim();
  return /\s{2}|[\t\n\r\f\v\u00a0]/.test(trimmed) ? trimmed.replace(/\s+/g, ' ') : trimmed;
}

/** A cell as the pipeline outputs it unchanged: NFC and trimmed, nothing else. */
export function normalizeCell(value: string): string {
  const trimmed = value.trim();
  return isAscii(trimmed) ? trimmed : trimmed.normalize('NFC');
}

// Letters that NFKD does not decompose into a base letter plus a combining mark.
const SPECIAL_FOLDS: Readonly<Record<string, string>> = {
  ß: 'ss',
  ẞ: 'ss',
  æ: 'ae',
  Æ: 'ae',
  œ: 'oe',
  Œ: 'oe',
  ø: 'o',
  Ø: 'o',
  ł: 'l',
  Ł: 'l',
  đ: 'd',
  Đ: 'd',
  ð: 'd',
  Ð: 'd',
  þ: 'th',
  Þ: 'th',
  ı: 'i',
  ħ: 'h',
  Ħ: 'h',
};
const SPECIAL_FOLD_PATTERN = /[ßẞæÆœŒøØłŁđĐðÐþÞıħĦ]/g;

/**
 * A match key: diacritics stripped, lower-cased, and only letters and digits kept
 * ("O'Brien" → "obrien", "Zoë" → "zoe", "van der Berg" → "vanderberg").
 */
export function foldKey(value: string): string {
  if (isAscii(value)) return foldAscii(value);
  const stripped = value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(SPECIAL_FOLD_PATTERN, (ch) => SPECIAL_FOLDS[ch] ?? ch)
    .toLowerCase();
  return stripped.replace(/[^\p{L}\p{N}]/gu, '');
}

function foldAscii(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) out += value.charAt(i);
    else if (c >= 65 && c <= 90) out += String.fromCharCode(c + 32);
    else if (c >= 48 && c <= 57) out += value.charAt(i);
  }
  return out;
}

/** Folds each whitespace-separated word, dropping words that fold to nothing. */
export function foldWords(value: string): string[] {
  const words: string[] = [];
  for (const word of value.split(/[\s\-_/.,&]+/)) {
    const folded = foldKey(word);
    if (folded !== '') words.push(folded);
  }
  return words;
}
