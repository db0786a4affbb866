import { describe, expect, it } from 'vitest';
import { NicknameFormatError } from '../errors.ts';
import { createNicknameTable, loadSeedNicknames, parseNicknameCsv } from './nicknames.ts';

describe('createNicknameTable', () => {
  const table = createNicknameTable([
    { name: 'William', nickname: 'Bill' },
    { name: 'William', nickname: 'Will' },
    { name: 'Wilfred', nickname: 'Will' },
    { name: 'Albert', nickname: 'Al' },
    { name: 'Alfred', nickname: 'Al' },
    { name: 'José', nickname: 'Pepe' },
  ]);

  it('links a nickname to its formal name in both directions', () => {
    expect(table.areEquivalent('bill', 'william')).toBe(true);
    expect(table.areEquivalent('william', 'bill')).toBe(true);
  });

  it('links two nicknames of the same name', () => {
    expect(table.areEquivalent('bill', 'will')).toBe(true);
  });

  it('keeps every formal name an ambiguous nickname may stand for', () => {
    expect(table.canonicalKeys('al')).toEqual(['al', 'albert', 'alfred']);
    expect(table.canonicalKeys('will')).toEqual(['will', 'wilfred', 'william']);
  });

  it('does not chain through an ambiguous nickname', () => {
    // Albert and Alfred share "Al" but are different names.
    expect(table.areEquivalent('albert', 'alfred')).toBe(false);
    expect(table.areEquivalent('bill', 'wilfred')).toBe(false);
  });

  it('folds keys so diacritics do not matter', () => {
    expect(table.areEquivalent('jose', 'pepe')).toBe(true);
  });

  it('counts distinct pairs and ignores duplicates', () => {
    const t = createNicknameTable([
      { name: 'Robert', nickname: 'Bob' },
      { name: 'robert', nickname: 'BOB' },
    ]);
    expect(t.size).toBe(1);
  });
});

describe('parseNicknameCsv', () => {
  it('reads pairs, skipping the header, blanks and comments', () => {
    expect(parseNicknameCsv('name,nickname\n# comment\nrobert,bob\n\n"margaret",peggy\n')).toEqual([
      { name: 'robert', nickname: 'bob' },
      { name: 'margaret', nickname: 'peggy' },
    ]);
  });

  it('rejects malformed lines with their line number', () => {
    expect(() => parseNicknameCsv('robert,bob\nmargaret\n')).toThrow(NicknameFormatError);
    expect(() => parseNicknameCsv('robert,bob\nmargaret\n')).toThrow(/line 2/);
  });
});

describe('seed nickname table', () => {
  it('covers at least 500 given names and the ambiguous classics', async () => {
    const pairs = await loadSeedNicknames();
    expect(new Set(pairs.map((p) => p.name)).size).toBeGreaterThanOrEqual(500);
    const table = createNicknameTable(pairs);
    expect(table.canonicalKeys('al').length).toBeGreaterThan(3);
    expect(table.areEquivalent('bill', 'william')).toBe(true);
    expect(table.areEquivalent('peggy', 'margaret')).toBe(true);
    expect(table.areEquivalent('sasha', 'aleksandr')).toBe(true);
  });
});
