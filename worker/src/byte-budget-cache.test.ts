import { describe, expect, it } from 'vitest';
import { ByteBudgetCache, type Sized } from './byte-budget-cache.ts';

interface Value {
  readonly name: string;
}

/** A cache of 100 bytes that records what it loads and what it drops. */
function budgetCache(maxBytes = 100) {
  const loads: string[] = [];
  const dropped: string[] = [];
  const cache = new ByteBudgetCache<Value>({ maxBytes, onDrop: (key) => dropped.push(key) });
  const load = (name: string, bytes: number) => (): Promise<Sized<Value>> => {
    loads.push(name);
    return Promise.resolve({ value: { name }, bytes });
  };
  const get = (name: string, bytes: number): Promise<Value> => cache.get(name, load(name, bytes));
  return { cache, loads, dropped, get };
}

describe('ByteBudgetCache', () => {
  it('keeps values while their bytes fit and evicts the least recently used first', async () => {
    const { cache, loads, dropped, get } = budgetCache(100);
    await get('a', 40);
    await get('b', 40);
    expect(cache.keptBytes).toBe(80);
    // Using a makes b the least recently used.
    expect(cache.touch('a')).toBe(true);
    await get('c', 40);
    expect(dropped).toEqual(['b']);
    expect(cache.keptBytes).toBe(80);
    expect(cache.touch('b')).toBe(false);

    // Kept values are not loaded again; the evicted one is.
    await get('a', 40);
    await get('c', 40);
    await get('b', 40);
    expect(loads).toEqual(['a', 'b', 'c', 'b']);
    expect(dropped).toEqual(['b', 'a']);
  });

  it('hands out a value larger than the whole budget without keeping it or evicting others', async () => {
    const { cache, loads, dropped, get } = budgetCache(100);
    await get('small', 30);
    expect(await get('huge', 500)).toEqual({ name: 'huge' });
    expect(cache.touch('huge')).toBe(false);
    expect(cache.touch('small')).toBe(true);
    expect(dropped).toEqual([]);
    expect(cache.keptBytes).toBe(30);
    await get('huge', 500);
    expect(loads).toEqual(['small', 'huge', 'huge']);
  });

  it('lets concurrent gets of one key share a single load', async () => {
    const cache = new ByteBudgetCache<Value>({ maxBytes: 100 });
    let loads = 0;
    let finish: (value: Sized<Value>) => void = () => undefined;
    const load = (): Promise<Sized<Value>> => {
      loads += 1;
      return new Promise((resolve) => {
        finish = resolve;
      });
    };
    const first = cache.get('a', load);
    const second = cache.get('a', load);
    finish({ value: { name: 'a' }, bytes: 10 });
    const [one, two] = await Promise.all([first, second]);
    expect(one).toBe(two);
    expect(loads).toBe(1);
  });

  it('does not keep a failed load: the next get loads again', async () => {
    const cache = new ByteBudgetCache<Value>({ maxBytes: 100 });
    await expect(cache.get('a', () => Promise.reject(new Error('S3 down')))).rejects.toThrow(
      'S3 down',
    );
    expect(cache.touch('a')).toBe(false);
    expect(await cache.get('a', () => Promise.resolve({ value: { name: 'a' }, bytes: 1 }))).toEqual(
      { name: 'a' },
    );
  });

  it('refuses a budget that is not a positive number of bytes', () => {
    expect(() => new ByteBudgetCache<Value>({ maxBytes: 0 })).toThrow(/maxBytes/);
  });
});
