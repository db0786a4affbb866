import { describe, expect, it } from 'vitest';
import { nicknameItems, nicknamePairs } from './nickname-items.ts';

describe('nicknameItems', () => {
  it('groups pairs per given name, normalized and without duplicates', () => {
    const items = nicknameItems([
      { name: 'Robert', nickname: 'Bob' },
      { name: 'robert ', nickname: 'rob' },
      { name: 'ROBERT', nickname: 'bob' },
      { name: 'Albert', nickname: 'Al' },
      { name: 'Alfred', nickname: 'al' },
      { name: 'x', nickname: 'X' },
      { name: '', nickname: 'y' },
    ]);
    expect(items).toEqual([
      { name: 'albert', nicknames: ['al'] },
      { name: 'alfred', nicknames: ['al'] },
      { name: 'robert', nicknames: ['bob', 'rob'] },
    ]);
    expect(nicknamePairs(items)).toHaveLength(4);
  });
});
