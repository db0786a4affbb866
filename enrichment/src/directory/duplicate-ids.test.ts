import { describe, expect, it } from 'vitest';
import { createDuplicateIdFinder } from './duplicate-ids.ts';

describe('duplicate id finder', () => {
  it('finds an id added twice among many, and nothing when all differ', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `rec-${i}`);
    const unique = createDuplicateIdFinder();
    for (const id of ids) unique.add(id);
    expect(unique.find((p) => ids[p] ?? '')).toBeUndefined();

    const twice = [...ids, 'rec-12345'];
    const repeated = createDuplicateIdFinder();
    for (const id of twice) repeated.add(id);
    expect(repeated.find((p) => twice[p] ?? '')).toBe('rec-12345');
  });
});
