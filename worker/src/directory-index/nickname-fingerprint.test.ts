import { describe, expect, it } from 'vitest';
import { nicknameFingerprint } from './nickname-fingerprint.ts';

const pairs = [
  { name: 'robert', nickname: 'bob' },
  { name: 'margaret', nickname: 'maggie' },
  { name: 'william', nickname: 'bill' },
];

describe('nicknameFingerprint', () => {
  it('names a table by its pairs, whatever order and case the store returns them in', () => {
    const shuffled = [pairs[2]!, { name: ' Robert', nickname: 'BOB ' }, pairs[1]!, pairs[0]!];

    expect(nicknameFingerprint(shuffled)).toBe(nicknameFingerprint(pairs));
    expect(nicknameFingerprint(pairs)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes when a pair is added or removed', () => {
    const base = nicknameFingerprint(pairs);

    expect(nicknameFingerprint([...pairs, { name: 'elizabeth', nickname: 'liz' }])).not.toBe(base);
    expect(nicknameFingerprint(pairs.slice(1))).not.toBe(base);
    expect(nicknameFingerprint([])).not.toBe(base);
  });
});
