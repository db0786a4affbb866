import { LRUCache } from 'lru-cache';

/** A loaded value and what keeping it is estimated to cost, in bytes. */
export interface Sized<V> {
  readonly value: V;
  readonly bytes: number;
}

export interface ByteBudgetCacheOptions {
  /** What all kept values may take together, by their estimates. */
  readonly maxBytes: number;
  /** Called when a kept value leaves (evicted, or replaced), so holders of it can let go too. */
  readonly onDrop?: (key: string) => void;
}

/**
 * Values loaded once per key and kept while their estimated bytes fit a budget, least recently
 * used out first. A value larger than the whole budget is handed to its caller but not kept;
 * concurrent gets of a key share one load; a failed load is not kept.
 */
export class ByteBudgetCache<V extends object> {
  readonly #cache: LRUCache<string, Sized<V>, () => Promise<Sized<V>>>;

  constructor(options: ByteBudgetCacheOptions) {
    if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < 1)
      throw new RangeError(`maxBytes must be a positive integer, got ${options.maxBytes}`);
    const onDrop = options.onDrop;
    this.#cache = new LRUCache<string, Sized<V>, () => Promise<Sized<V>>>({
      maxSize: options.maxBytes,
      sizeCalculation: (entry) => Math.max(1, Math.ceil(entry.bytes)),
      fetchMethod: (_key, _stale, { context }) => context(),
      ...(onDrop === undefined
        ? {}
        : {
            dispose: (_entry, key) => {
              onDrop(key);
            },
          }),
    });
  }

  /** The value of `key`, loading it with `load` unless it is kept or already loading. */
  async get(key: string, load: () => Promise<Sized<V>>): Promise<V> {
    const entry = await this.#cache.fetch(key, { context: load });
    // fetch resolves undefined only when the load does, which `Sized` rules out.
    if (entry === undefined) throw new Error(`loading ${key} gave no value`);
    return entry.value;
  }

  /** True while `key` is kept; counts as a use, so it moves to the back of the eviction line. */
  touch(key: string): boolean {
    return this.#cache.get(key) !== undefined;
  }

  /** Estimated bytes of all kept values. */
  get keptBytes(): number {
    return this.#cache.calculatedSize;
  }
}
