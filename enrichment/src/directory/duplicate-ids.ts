/**
 * Finds a repeated directory id without a Set of every id (≈ 50 MiB at 1,000,000 people): each
 * id is hashed to 53 bits as it is added (8 bytes), and at the end the hashes are sorted; ids
 * whose hashes meet are compared as strings, so a hash collision is never reported as a duplicate.
 */
export interface DuplicateIdFinder {
  add(id: string): void;
  /** An id added twice, or undefined. `idAt` gives back the id added at a position. */
  find(idAt: (position: number) => string): string | undefined;
}

export function createDuplicateIdFinder(): DuplicateIdFinder {
  let hashes = new Float64Array(1 << 12);
  let size = 0;
  return {
    add(id) {
      if (size === hashes.length) {
        const grown = new Float64Array(Math.ceil(size * 1.5));
        grown.set(hashes);
        hashes = grown;
      }
      hashes[size++] = hashId(id);
    },
    find(idAt) {
      const sorted = hashes.slice(0, size).sort();
      const suspects = new Set<number>();
      for (let i = 1; i < size; i++)
        if (sorted[i] === sorted[i - 1]) suspects.add(sorted[i] as number);
      if (suspects.size === 0) return undefined;
      const seen = new Map<number, string[]>();
      for (let p = 0; p < size; p++) {
        const hash = hashes[p] as number;
        if (!suspects.has(hash)) continue;
        const id = idAt(p);
        const earlier = seen.get(hash);
        if (earlier === undefined) seen.set(hash, [id]);
        else if (earlier.includes(id)) return id;
        else earlier.push(id);
      }
      return undefined;
    },
  };
}

/** 53 bits of two 32-bit hashes (FNV-1a and a murmur-style multiply): exact in a double. */
function hashId(id: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0) * 2 ** 21 + ((h2 >>> 0) >>> 11);
}
