import { describe, expect, it } from 'vitest';
import { createBlockIndexBuilder, type BlockIndex } from './block-index.ts';

function positionsOf(blocks: BlockIndex, k: number): number[] {
  return k < 0 ? [] : [...blocks.positions.subarray(blocks.offsets[k], blocks.offsets[k + 1])];
}

describe('CSR block index', () => {
  it('finds each key’s entries in position order, once each, and nothing under unknown keys', () => {
    const builder = createBlockIndexBuilder();
    const { filing } = builder;
    for (let position = 0; position < 300; position++) {
      filing.position = position;
      filing.name('anna', position % 2 === 0 ? 'smith' : 'jones');
      filing.email(`p${position}@example.com`);
      // The same phone in two columns of one entry counts once.
      filing.phone(`+1415555${String(position % 10).padStart(4, '0')}`);
      filing.phone(`+1415555${String(position % 10).padStart(4, '0')}`);
    }
    const blocks = builder.finish();
    const smiths = positionsOf(blocks, blocks.name('anna', 'smith'));
    expect(smiths).toHaveLength(150);
    expect(smiths).toEqual([...smiths].sort((a, b) => a - b));
    expect(positionsOf(blocks, blocks.email('p7@example.com'))).toEqual([7]);
    expect(positionsOf(blocks, blocks.phone('+14155550003'))).toEqual(
      Array.from({ length: 30 }, (_, i) => 3 + 10 * i),
    );
    // Kinds are kept apart: the same parts under another kind are another key.
    expect(blocks.phonetic('anna', 'smith')).toBe(-1);
    expect(blocks.email('nobody@example.com')).toBe(-1);
    expect(positionsOf(blocks, blocks.byKeyString('nanna|jones'))).toHaveLength(150);
  });

  it('visits every block of two or more entries for training, emails before names', () => {
    const builder = createBlockIndexBuilder();
    const { filing } = builder;
    for (let position = 0; position < 4; position++) {
      filing.position = position;
      filing.name('li', 'wei');
      filing.email(position < 2 ? 'shared@example.com' : `own${position}@example.com`);
    }
    const visited: number[][] = [];
    for (const block of builder.finish().blocks()) visited.push([...block]);
    expect(visited).toEqual([
      [0, 1],
      [0, 1, 2, 3],
    ]);
  });
});
