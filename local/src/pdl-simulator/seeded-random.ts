import { mulberry32 } from '@contacts/shared';

/**
 * A small seeded PRNG (mulberry32, from shared): the simulator's world, latencies and faults
 * come from seeds, so the same options give the same answers.
 */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
}

export function createSeededRandom(seed: number): SeededRandom {
  const next = mulberry32(seed);
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    pick<T>(items: readonly T[]): T {
      const item = items[int(items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
  };
}
