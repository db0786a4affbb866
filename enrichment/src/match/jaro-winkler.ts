/**
 * Jaro–Winkler similarity to Winkler's definition: the Jaro similarity, boosted by the length of
 * the common prefix (at most 4 characters, scaling factor p = 0.1) only when the Jaro similarity
 * is at least 0.7. Reference values: MARTHA/MARHTA 0.9611, DWAYNE/DUANE 0.84,
 * DIXON/DICKSONX 0.8133, JONATHAN/JONATHON 0.95, ABCDEFGH/ABCDWXYZ 0.6667 (no boost).
 */

const PREFIX_SCALE = 0.1;
const MAX_PREFIX = 4;
const BOOST_THRESHOLD = 0.7;

// Scratch buffers reused across calls: this runs for every candidate pair on the hot path.
let matchedA = new Uint8Array(64);
let matchedB = new Uint8Array(64);

/**
 * Jaro–Winkler similarity of two strings after Unicode NFC normalization, compared by code point
 * (so a decomposed "é" equals a precomposed one, and astral characters count once).
 * Case-sensitive: fold both sides first if case should not matter.
 */
export function jaroWinkler(a: string, b: string): number {
  const na = a.normalize('NFC');
  const nb = b.normalize('NFC');
  if (hasSurrogates(na) || hasSurrogates(nb)) {
    return jaroWinklerOfUnits(Array.from(na), Array.from(nb));
  }
  return jaroWinklerKeys(na, nb);
}

/** Jaro similarity (no prefix boost), after NFC normalization. */
export function jaro(a: string, b: string): number {
  const na = Array.from(a.normalize('NFC'));
  const nb = Array.from(b.normalize('NFC'));
  return jaroOfUnits(na, nb);
}

/**
 * The hot-path variant for keys that are already normalized (e.g. folded names): compares UTF-16
 * code units directly and allocates nothing.
 */
export function jaroWinklerKeys(a: string, b: string): number {
  if (a === b) return a.length === 0 ? 0 : 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const sim = jaroOfString(a, b, la, lb);
  if (sim < BOOST_THRESHOLD) return sim;
  const limit = Math.min(MAX_PREFIX, la, lb);
  let prefix = 0;
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return sim + prefix * PREFIX_SCALE * (1 - sim);
}

function jaroOfString(a: string, b: string, la: number, lb: number): number {
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  if (matchedA.length < la) matchedA = new Uint8Array(la * 2);
  if (matchedB.length < lb) matchedB = new Uint8Array(lb * 2);
  matchedA.fill(0, 0, la);
  matchedB.fill(0, 0, lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    const c = a.charCodeAt(i);
    for (let j = lo; j <= hi; j++) {
      if (matchedB[j] === 0 && b.charCodeAt(j) === c) {
        matchedA[i] = 1;
        matchedB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let halfTranspositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (matchedA[i] === 0) continue;
    while (matchedB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) halfTranspositions++;
    k++;
  }
  const t = halfTranspositions / 2;
  return (matches / la + matches / lb + (matches - t) / matches) / 3;
}

function jaroWinklerOfUnits(a: readonly string[], b: readonly string[]): number {
  const sim = jaroOfUnits(a, b);
  if (sim < BOOST_THRESHOLD) return sim;
  const limit = Math.min(MAX_PREFIX, a.length, b.length);
  let prefix = 0;
  while (prefix < limit && a[prefix] === b[prefix]) prefix++;
  return sim + prefix * PREFIX_SCALE * (1 - sim);
}

function jaroOfUnits(a: readonly string[], b: readonly string[]): number {
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  const usedA = new Uint8Array(la);
  const usedB = new Uint8Array(lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (usedB[j] === 0 && b[j] === a[i]) {
        usedA[i] = 1;
        usedB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let half = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (usedA[i] === 0) continue;
    while (usedB[k] === 0) k++;
    if (a[i] !== b[k]) half++;
    k++;
  }
  return (matches / la + matches / lb + (matches - half / 2) / matches) / 3;
}

function hasSurrogates(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}
