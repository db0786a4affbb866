/**
 * Distinct strings of a directory's low-cardinality fields (names, companies, titles, cities,
 * street names, postcodes, dates…), each held once and referred to by a small dense id (id 0 is
 * ''). Decoded contacts share these strings, so an upload key passed through `get` compares with
 * them by identity, and per-value tables (term frequencies) are arrays indexed by id.
 */
export interface StringPool {
  readonly size: number;
  /** The string of an id. */
  at(id: number): string;
  /** The id of a string, or -1 when the pool does not hold it. */
  idOf(value: string): number;
  /** The pool's own copy of `value`, or undefined. */
  get(value: string): string | undefined;
  /** The id of `value`, added when new. */
  intern(value: string): number;
  /** The strings, in id order (for serializing). */
  readonly strings: readonly string[];
  /** Estimated heap bytes (strings, the array and the lookup map). */
  heapBytes(): number;
}

// V8: a sequential string has a 16-byte header and is padded to 8 bytes; a Map entry with its
// share of the hash table costs about 40 bytes; an array slot 8.
const STRING_HEADER_BYTES = 16;
const MAP_ENTRY_BYTES = 40;
export const SLOT_BYTES = 8;

/** A pool holding `initial` (e.g. read from an artifact), which must start with ''. */
export function createStringPool(initial: string[] = ['']): StringPool {
  const strings = initial;
  if (strings[0] !== '') throw new RangeError('a string pool starts with the empty string');
  const ids = new Map<string, number>();
  let characterBytes = 0;
  strings.forEach((s, i) => {
    ids.set(s, i);
    characterBytes += stringBytes(s);
  });
  return {
    get size() {
      return strings.length;
    },
    strings,
    at: (id) => strings[id] ?? '',
    idOf: (value) => ids.get(value) ?? -1,
    get(value) {
      const id = ids.get(value);
      return id === undefined ? undefined : strings[id];
    },
    intern(value) {
      if (value === '') return 0;
      const known = ids.get(value);
      if (known !== undefined) return known;
      const id = strings.length;
      strings.push(value);
      ids.set(value, id);
      characterBytes += stringBytes(value);
      return id;
    },
    heapBytes: () => characterBytes + strings.length * (SLOT_BYTES + MAP_ENTRY_BYTES),
  };
}

/** Estimated heap bytes of one string: header plus characters (two bytes each beyond Latin-1). */
export function stringBytes(value: string): number {
  let wide = false;
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0xff) {
      wide = true;
      break;
    }
  }
  const raw = STRING_HEADER_BYTES + value.length * (wide ? 2 : 1);
  return (raw + 7) & ~7;
}
