import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { NicknameFormatError } from '../errors.ts';
import { foldKey } from '../standardize/normalize-text.ts';
import { parseCsvLine } from './parse-csv-line.ts';

/** One row of a nickname table: `nickname` is a common short form or diminutive of `name`. */
export interface NicknamePair {
  readonly name: string;
  readonly nickname: string;
}

/**
 * Given-name equivalences. A nickname can stand for several names ("Al": Albert, Alfred, Alan…),
 * so equivalence is evidence for the scorer, never proof of identity.
 */
export interface NicknameTable {
  /** Number of distinct (name, nickname) pairs. */
  readonly size: number;
  /**
   * The folded key itself followed by every formal name it may be a nickname of
   * ("bill" → ["bill", "william"]). Two names are equivalent when these lists intersect.
   */
  canonicalKeys(key: string): readonly string[];
  /** True when the two folded first-name keys may name the same person via a nickname. */
  areEquivalent(a: string, b: string): boolean;
}

/** Builds the table from pairs (seed CSV, DynamoDB items, an imported file). Keys are folded. */
export function createNicknameTable(pairs: Iterable<NicknamePair>): NicknameTable {
  const formalsByNickname = new Map<string, string[]>();
  let size = 0;
  for (const pair of pairs) {
    const name = foldKey(pair.name);
    const nickname = foldKey(pair.nickname);
    if (name === '' || nickname === '' || name === nickname) continue;
    const formals = formalsByNickname.get(nickname);
    if (formals === undefined) formalsByNickname.set(nickname, [name]);
    else if (!formals.includes(name)) formals.push(name);
    else continue;
    size++;
  }
  const canonical = new Map<string, readonly string[]>();
  for (const [nickname, formals] of formalsByNickname)
    canonical.set(nickname, [nickname, ...formals.sort()]);

  function canonicalKeys(key: string): readonly string[] {
    return canonical.get(key) ?? [key];
  }
  return {
    size,
    canonicalKeys,
    areEquivalent(a: string, b: string): boolean {
      if (a === '' || b === '') return false;
      if (a === b) return true;
      const ka = canonicalKeys(a);
      const kb = canonicalKeys(b);
      for (const x of ka) if (kb.includes(x)) return true;
      return false;
    },
  };
}

/**
 * Parses `name,nickname` CSV text (a header row is optional). Blank lines and lines starting with
 * "#" are skipped; any other line without exactly two non-empty fields is an error.
 */
export function parseNicknameCsv(text: string, source = 'nickname CSV'): NicknamePair[] {
  const pairs: NicknamePair[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = parseCsvLine(line).map((f) => f.trim());
    if (i === 0 && fields[0]?.toLowerCase() === 'name' && fields[1]?.toLowerCase() === 'nickname') {
      continue;
    }
    const [name, nickname] = fields;
    if (fields.length !== 2 || !name || !nickname) {
      throw new NicknameFormatError(
        `${source} line ${i + 1}: expected "name,nickname", found ${fields.length} field(s)`,
      );
    }
    pairs.push({ name: name.normalize('NFC'), nickname: nickname.normalize('NFC') });
  }
  return pairs;
}

/** Reads and parses a `name,nickname` CSV file. */
export async function loadNicknameFile(path: string): Promise<NicknamePair[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new NicknameFormatError(`cannot read nickname file ${path}`, { cause: error });
  }
  return parseNicknameCsv(text, path);
}

/** Path of the seed table the project maintains (`enrichment/data/nicknames.csv`). */
export function seedNicknamesPath(): string {
  // From src/nicknames/ (run from source) the data folder is two levels up; from
  // dist/src/nicknames/ it is three.
  for (const relative of ['../../data/nicknames.csv', '../../../data/nicknames.csv']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new NicknameFormatError('seed nickname table enrichment/data/nicknames.csv not found');
}

/** Loads the seed nickname pairs shipped with the engine. */
export function loadSeedNicknames(): Promise<NicknamePair[]> {
  return loadNicknameFile(seedNicknamesPath());
}
