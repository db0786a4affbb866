/**
 * Finds the directory's names within about one edit of a name (insertion, deletion, substitution
 * or adjacent transposition), with a symmetric-deletion dictionary over the name vocabulary:
 * two words within one edit share a one-character deletion (or one is the other's deletion).
 * This lets blocking use exact keys and still catch typos, without comparing against every name.
 */
export interface NameNeighbours {
  /** Vocabulary words near `word`, excluding `word` itself. */
  near(word: string): readonly string[];
}

// Below this length one edit changes too much of the name to be evidence, and deletion variants
// of two-letter names would tie together half the vocabulary.
const MIN_LENGTH = 4;
// Words whose neighbours are remembered before the memo is reset.
const MEMO_SIZE = 50_000;

export function buildNameNeighbours(vocabulary: Iterable<string>): NameNeighbours {
  const byVariant = new Map<string, string[]>();
  const add = (variant: string, word: string): void => {
    const list = byVariant.get(variant);
    if (list === undefined) byVariant.set(variant, [word]);
    else if (list[list.length - 1] !== word) list.push(word);
  };
  for (const word of vocabulary) {
    if (word.length < MIN_LENGTH) continue;
    add(word, word);
    for (const variant of deletions(word)) add(variant, word);
  }
  const empty: readonly string[] = [];
  // Upload names missing from the vocabulary repeat a lot (nicknames such as "Bill" when the
  // directory says "William", foreign given names), so each word's neighbours are remembered.
  const memo = new Map<string, readonly string[]>();

  function search(word: string): readonly string[] {
    let found: string[] | undefined;
    const collect = (list: readonly string[] | undefined): void => {
      if (list === undefined) return;
      for (const w of list) {
        if (w === word) continue;
        found ??= [];
        if (!found.includes(w)) found.push(w);
      }
    };
    collect(byVariant.get(word));
    for (const variant of deletions(word)) collect(byVariant.get(variant));
    return found ?? empty;
  }

  return {
    near(word: string): readonly string[] {
      if (word.length < MIN_LENGTH - 1) return empty;
      let found = memo.get(word);
      if (found === undefined) {
        found = search(word);
        if (memo.size >= MEMO_SIZE) memo.clear();
        memo.set(word, found);
      }
      return found;
    },
  };
}

function deletions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) {
    // Deleting either letter of a double letter gives the same variant: keep one.
    if (i > 0 && word.charCodeAt(i) === word.charCodeAt(i - 1)) continue;
    out.push(word.slice(0, i) + word.slice(i + 1));
  }
  return out;
}
