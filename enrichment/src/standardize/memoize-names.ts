import { cleanText, foldKey } from './normalize-text.ts';
import {
  parseGivenNameCell,
  parseSurnameCell,
  readsSeparateNameCells,
  standardizeName,
  surnameCoreKey,
  type GivenNameParts,
  type NameCells,
  type ParsedName,
  type SurnameParts,
} from './standardize-name.ts';

/** A standardized name with the folded keys matching uses. */
export interface KeyedName {
  readonly name: ParsedName;
  readonly firstKey: string;
  readonly nicknameKey: string;
  readonly lastKey: string;
  readonly lastCoreKey: string;
}

/** Standardizes name cells and derives their keys (no memoization: directory entries, tests). */
export function keyedName(cells: NameCells): KeyedName {
  const name = standardizeName(cells);
  return {
    name,
    firstKey: foldKey(name.first),
    nicknameKey: foldKey(name.nickname),
    lastKey: foldKey(name.last),
    lastCoreKey: surnameCoreKey(name.last),
  };
}

interface GivenNameCell {
  readonly cleaned: string;
  readonly parts: GivenNameParts;
  readonly key: string;
  readonly nicknameKey: string;
}

interface SurnameCell {
  readonly cleaned: string;
  readonly parts: SurnameParts;
  readonly key: string;
  readonly coreKey: string;
}

/**
 * A keyedName that memoizes the parsing, display-casing and folding of each distinct given-name
 * and surname cell. Given names and surnames repeat far more than whole names, and most uploads
 * have separate first/last columns, which standardizeName reads independently of each other.
 * Reusing the same key strings also lets later Map lookups reuse their cached hashes. Rows with
 * a full-name, prefix, middle, suffix or nickname cell take the uncached path.
 */
export function createNameStandardizer(
  cacheSize: number,
  intern: (key: string) => string,
): (cells: NameCells) => KeyedName {
  const given = new Map<string, GivenNameCell>();
  const surnames = new Map<string, SurnameCell>();

  function givenCell(raw: string): GivenNameCell {
    let hit = given.get(raw);
    if (hit === undefined) {
      const cleaned = cleanText(raw);
      const parts = parseGivenNameCell(cleaned);
      hit = {
        cleaned,
        parts,
        key: intern(foldKey(parts.first)),
        nicknameKey: intern(foldKey(parts.nickname)),
      };
      if (given.size >= cacheSize) given.clear();
      given.set(raw, hit);
    }
    return hit;
  }

  function surnameCell(raw: string): SurnameCell {
    let hit = surnames.get(raw);
    if (hit === undefined) {
      const cleaned = cleanText(raw);
      const parts = parseSurnameCell(cleaned);
      hit = {
        cleaned,
        parts,
        key: intern(foldKey(parts.last)),
        coreKey: intern(surnameCoreKey(parts.last)),
      };
      if (surnames.size >= cacheSize) surnames.clear();
      surnames.set(raw, hit);
    }
    return hit;
  }

  return (cells) => {
    if (hasExtraNameCells(cells)) return keyedName(cells);
    const first = givenCell(cells.first ?? '');
    const last = surnameCell(cells.last ?? '');
    if (!readsSeparateNameCells(first.cleaned, last.cleaned)) return keyedName(cells);
    return {
      name: {
        prefix: first.parts.prefix,
        first: first.parts.first,
        middle: first.parts.middle,
        last: last.parts.last,
        suffix: last.parts.suffix,
        nickname: first.parts.nickname,
      },
      firstKey: first.key,
      nicknameKey: first.nicknameKey,
      lastKey: last.key,
      lastCoreKey: last.coreKey,
    };
  };
}

// Cells standardizeName merges into the parsed name; rare in uploads, so they skip the cache.
function hasExtraNameCells(cells: NameCells): boolean {
  return (
    (cells.prefix ?? '') !== '' ||
    (cells.middle ?? '') !== '' ||
    (cells.suffix ?? '') !== '' ||
    (cells.nickname ?? '') !== ''
  );
}
