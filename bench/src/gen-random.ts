import { mulberry32 } from '@contacts/shared';

/** A small seeded PRNG (mulberry32) with the helpers the generators need: same seed, same data. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  int(maxExclusive: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks with Zipf-like weights: item i has weight 1 / (i + 1)^exponent. */
  zipf<T>(items: readonly T[], exponent: number): T;
  shuffle<T>(items: readonly T[]): T[];
}

export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  const zipfTables = new Map<string, Float64Array>();
  const int = (n: number): number => Math.floor(next() * n);
  function pick<T>(items: readonly T[]): T {
    const item = items[int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  function zipf<T>(items: readonly T[], exponent: number): T {
    const cacheKey = `${items.length}:${exponent}:${String(items[0])}`;
    let cumulative = zipfTables.get(cacheKey);
    if (cumulative === undefined) {
      cumulative = new Float64Array(items.length);
      let sum = 0;
      for (let i = 0; i < items.length; i++) cumulative[i] = sum += 1 / (i + 1) ** exponent;
      zipfTables.set(cacheKey, cumulative);
    }
    const target = next() * (cumulative[cumulative.length - 1] ?? 0);
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 0) < target) lo = mid + 1;
      else hi = mid;
    }
    return items[lo] ?? pick(items);
  }
  function shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(i + 1);
      const a = out[i] as T;
      out[i] = out[j] as T;
      out[j] = a;
    }
    return out;
  }
  return { next, int, chance: (p) => next() < p, pick, zipf, shuffle };
}
