import type { BlockingKeySink } from './blocking-keys.ts';

/**
 * The directory's blocks in compressed sparse row form: every blocking key hashed to 60 bits
 * (its kind in the top 3), the distinct hashes sorted in two Uint32Arrays, and one Uint32Array
 * of entry positions with an offset per key. No string and no JS object per key or per block:
 * a million people's ≈ 7 million filings take ≈ 100 bytes per person.
 *
 * Two keys whose hashes collide share a block: that only adds candidates, which scoring then
 * rejects like any other stranger (with ≈ 7 million keys, about one colliding pair is expected
 * in 2^60 / 7e6² ≈ 20 directories). A lookup returns a key number (-1 when absent); the block is
 * `positions[offsets[k]..offsets[k + 1])`, in ascending position order.
 */
export interface BlockIndex {
  email(key: string): number;
  phone(e164: string): number;
  localPart(local: string): number;
  name(canon: string, last: string): number;
  phonetic(code: string, canon: string): number;
  initial(initial: string, last: string): number;
  /** A block of the address/birth-date rules, by its key string (see BlockingKeySink.other). */
  other(key: string): number;
  readonly offsets: Uint32Array;
  readonly positions: Uint32Array;
  /**
   * Every block of more than one entry (model training pairs), one at a time: kind by kind
   * (emails, phones, local parts, other rules, names, phonetic names, initials), and within a kind
   * in the order the keys were first filed, as the Map-based index did.
   */
  blocks(): Generator<Uint32Array, void, void>;
  /** The key number of a key's string form (see keyStringSink), or -1. */
  byKeyString(key: string): number;
  /** The serialized form (see BlockIndexParts). */
  readonly parts: BlockIndexParts;
  /** Bytes of its own lookup table, besides the parts' arrays (counted by their owner). */
  heapBytes(): number;
}

/** The arrays of a BlockIndex, as stored in an index artifact. */
export interface BlockIndexParts {
  /** Sorted (hi, lo) hashes of the distinct keys. */
  readonly keysHi: Uint32Array;
  readonly keysLo: Uint32Array;
  /** keys.length + 1 offsets into positions. */
  readonly offsets: Uint32Array;
  readonly positions: Uint32Array;
}

/** Builds a BlockIndex from the keys filed through `filing`; set `position` before each entry. */
export interface BlockIndexBuilder {
  readonly filing: BlockingKeySink & { position: number };
  finish(): BlockIndex;
}

// Kinds, in the order training visits them (the old index's map order).
const EMAIL = 0;
const PHONE = 1;
const LOCAL = 2;
const OTHER = 3;
const NAME = 4;
const PHONETIC = 5;
const INITIAL = 6;
const KIND_SHIFT = 29;

// The two halves of the last hash computed (one module-level pair: no allocation per key).
let hashHi = 0;
let hashLo = 0;

/**
 * Hashes a key (kind, a, b) into hashHi/hashLo: FNV-1a and a murmur-style multiply over the
 * UTF-16 units of a, a separator, and b. Deterministic across processes: the artifact stores
 * the hashes.
 */
function hashKey(kind: number, a: string, b: string): void {
  let h1 = 0x811c9dc5 ^ kind;
  let h2 = 0x9747b28c ^ Math.imul(kind + 1, 0x5bd1e995);
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 = Math.imul(h1 ^ 0xffff, 0x01000193);
  h2 = Math.imul(h2 ^ 0xffff, 0x5bd1e995);
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  // Final avalanche so the bucket table's top bits are well spread.
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h2 ^= h2 >>> 13;
  h2 = Math.imul(h2, 0xc2b2ae35);
  h2 ^= h2 >>> 16;
  hashHi = ((kind << KIND_SHIFT) | (h1 >>> (32 - KIND_SHIFT))) >>> 0;
  hashLo = h2 >>> 0;
}

export function createBlockIndexBuilder(): BlockIndexBuilder {
  let his = new Uint32Array(1 << 16);
  let los = new Uint32Array(1 << 16);
  let pos = new Uint32Array(1 << 16);
  let count = 0;
  const push = (position: number): void => {
    if (count === his.length) {
      const capacity = Math.ceil(count * 1.25);
      his = grow(his, capacity);
      los = grow(los, capacity);
      pos = grow(pos, capacity);
    }
    his[count] = hashHi;
    los[count] = hashLo;
    pos[count] = position;
    count++;
  };
  const filing = {
    position: 0,
    email(key: string): void {
      hashKey(EMAIL, key, '');
      push(filing.position);
    },
    phone(e164: string): void {
      hashKey(PHONE, e164, '');
      push(filing.position);
    },
    localPart(local: string): void {
      hashKey(LOCAL, local, '');
      push(filing.position);
    },
    name(canon: string, last: string): void {
      hashKey(NAME, canon, last);
      push(filing.position);
    },
    phonetic(code: string, canon: string): void {
      hashKey(PHONETIC, code, canon);
      push(filing.position);
    },
    initial(initial: string, last: string): void {
      hashKey(INITIAL, initial, last);
      push(filing.position);
    },
    other(key: string): void {
      hashKey(OTHER, key, '');
      push(filing.position);
    },
  };
  return {
    filing,
    finish() {
      const parts = sortAndCompact(his, los, pos, count);
      his = los = pos = new Uint32Array(0);
      return openBlockIndex(parts);
    },
  };
}

/** A BlockIndex over arrays already built (by the builder, or read from an artifact). */
export function openBlockIndex(parts: BlockIndexParts): BlockIndex {
  const { keysHi, keysLo, offsets, positions } = parts;
  // First key of each top-16-bit bucket of hi: a lookup binary-searches one small bucket.
  const buckets = new Uint32Array(65537);
  {
    let k = 0;
    for (let b = 0; b <= 65536; b++) {
      while (k < keysHi.length && (keysHi[k] as number) >>> 16 < b) k++;
      buckets[b] = k;
    }
  }
  const find = (): number => {
    const bucket = hashHi >>> 16;
    let low = buckets[bucket] as number;
    let high = (buckets[bucket + 1] as number) - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const hi = keysHi[mid] as number;
      const lo = keysLo[mid] as number;
      if (hi === hashHi && lo === hashLo) return mid;
      if (hi < hashHi || (hi === hashHi && lo < hashLo)) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  };
  const lookup = (kind: number, a: string, b: string): number => {
    hashKey(kind, a, b);
    return find();
  };
  return {
    email: (key) => lookup(EMAIL, key, ''),
    phone: (e164) => lookup(PHONE, e164, ''),
    localPart: (local) => lookup(LOCAL, local, ''),
    name: (canon, last) => lookup(NAME, canon, last),
    phonetic: (code, canon) => lookup(PHONETIC, code, canon),
    initial: (initial, last) => lookup(INITIAL, initial, last),
    other: (key) => lookup(OTHER, key, ''),
    offsets,
    positions,
    parts,
    *blocks() {
      const keys: number[] = [];
      for (let k = 0; k < keysHi.length; k++) {
        if ((offsets[k + 1] as number) - (offsets[k] as number) > 1) keys.push(k);
      }
      const kind = (k: number): number => (keysHi[k] as number) >>> KIND_SHIFT;
      const first = (k: number): number => positions[offsets[k] as number] as number;
      keys.sort((x, y) => kind(x) - kind(y) || first(x) - first(y) || x - y);
      for (const k of keys) yield positions.subarray(offsets[k], offsets[k + 1]);
    },
    byKeyString(key) {
      const rest = key.slice(1);
      // Name parts are folded letters and digits, and phonetic codes have no "|" either.
      const bar = rest.indexOf('|');
      const left = rest.slice(0, bar);
      const right = rest.slice(bar + 1);
      switch (key.charAt(0)) {
        case 'e':
          return lookup(EMAIL, rest, '');
        case 'p':
          return lookup(PHONE, rest, '');
        case 'u':
          return lookup(LOCAL, rest, '');
        case 'n':
          return bar < 0 ? -1 : lookup(NAME, left, right);
        case 'm':
          return bar < 0 ? -1 : lookup(PHONETIC, left, right);
        case 'i':
          return bar < 0 ? -1 : lookup(INITIAL, left, right);
        default:
          return lookup(OTHER, key, '');
      }
    },
    heapBytes: () => buckets.byteLength,
  };
}

function grow(array: Uint32Array, capacity: number): Uint32Array<ArrayBuffer> {
  const grown = new Uint32Array(capacity);
  grown.set(array);
  return grown;
}

/**
 * Sorts the first `n` (hi, lo, position) triples by (hi, lo, position) in place, and returns the
 * distinct keys, their offsets and the positions (an entry filed twice under a key counts once).
 * In place (an American-flag pass on the top 16 bits of hi, then each small bucket on its own),
 * so the build needs no second copy of its ≈ 7 filings per person.
 */
function sortAndCompact(
  hi: Uint32Array,
  lo: Uint32Array,
  pos: Uint32Array,
  n: number,
): BlockIndexParts {
  const starts = new Uint32Array(65537);
  for (let i = 0; i < n; i++) {
    const b = ((hi[i] as number) >>> 16) + 1;
    starts[b] = (starts[b] as number) + 1;
  }
  for (let b = 1; b <= 65536; b++) starts[b] = (starts[b] as number) + (starts[b - 1] as number);
  const next = starts.slice(0, 65536);
  for (let b = 0; b < 65536; b++) {
    const end = starts[b + 1] as number;
    while ((next[b] as number) < end) {
      const i = next[b] as number;
      const d = (hi[i] as number) >>> 16;
      if (d === b) {
        next[b] = i + 1;
        continue;
      }
      // Swap element i into its bucket's next free slot; the element coming back is examined next.
      const j = next[d] as number;
      next[d] = j + 1;
      swap(hi, i, j);
      swap(lo, i, j);
      swap(pos, i, j);
    }
  }
  for (let b = 0; b < 65536; b++)
    sortRange(hi, lo, pos, starts[b] as number, starts[b + 1] as number);

  // Compacted in place (a key or position is written at or before where it was read), then
  // viewed: no second copy of the filings at the build's peak.
  let keys = 0;
  for (let i = 0; i < n; i++) if (i === 0 || hi[i] !== hi[i - 1] || lo[i] !== lo[i - 1]) keys++;
  const offsets = new Uint32Array(keys + 1);
  let k = -1;
  let p = 0;
  let lastHi = 0;
  let lastLo = 0;
  let lastPos = 0;
  for (let i = 0; i < n; i++) {
    const h = hi[i] as number;
    const l = lo[i] as number;
    const q = pos[i] as number;
    const newKey = i === 0 || h !== lastHi || l !== lastLo;
    if (newKey) {
      k++;
      hi[k] = h;
      lo[k] = l;
      offsets[k] = p;
    }
    if (newKey || q !== lastPos) pos[p++] = q;
    lastHi = h;
    lastLo = l;
    lastPos = q;
  }
  offsets[keys] = p;
  return {
    keysHi: hi.subarray(0, keys),
    keysLo: lo.subarray(0, keys),
    offsets,
    positions: pos.subarray(0, p),
  };
}

function swap(array: Uint32Array, i: number, j: number): void {
  const t = array[i] as number;
  array[i] = array[j] as number;
  array[j] = t;
}

const before = (
  hi: Uint32Array,
  lo: Uint32Array,
  pos: Uint32Array,
  i: number,
  j: number,
): boolean =>
  (hi[i] as number) < (hi[j] as number) ||
  (hi[i] === hi[j] &&
    ((lo[i] as number) < (lo[j] as number) ||
      (lo[i] === lo[j] && (pos[i] as number) < (pos[j] as number))));

/** Sorts [start, end) by (hi, lo, position): insertion sort, or an index sort for a big bucket. */
function sortRange(
  hi: Uint32Array,
  lo: Uint32Array,
  pos: Uint32Array,
  start: number,
  end: number,
): void {
  const length = end - start;
  if (length < 2) return;
  if (length <= 64) {
    for (let i = start + 1; i < end; i++) {
      for (let j = i; j > start && before(hi, lo, pos, j, j - 1); j--) {
        swap(hi, j, j - 1);
        swap(lo, j, j - 1);
        swap(pos, j, j - 1);
      }
    }
    return;
  }
  const order = Array.from({ length }, (_, i) => start + i);
  order.sort((a, b) => (before(hi, lo, pos, a, b) ? -1 : before(hi, lo, pos, b, a) ? 1 : 0));
  const h = order.map((i) => hi[i] as number);
  const l = order.map((i) => lo[i] as number);
  const q = order.map((i) => pos[i] as number);
  hi.set(h, start);
  lo.set(l, start);
  pos.set(q, start);
}
