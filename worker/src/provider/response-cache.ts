import { LRUCache } from 'lru-cache';

/*
 * The provider response cache: what a provider answered for a normalized query, so a
 * redelivered chunk, a retried batch and a duplicate contact cost nothing more. The fleet uses a
 * DynamoDB table (one item per key, with a TTL); this file declares the port and an in-process
 * implementation for a single worker, tests and the CLI.
 */

/** A provider's answer as kept: a match's candidate as JSON, or the knowledge of no match. */
export type CachedAnswer =
  { readonly status: 'match'; readonly body: string } | { readonly status: 'no_match' };

export interface ProviderResponseCache {
  /** The cached answers among `keys` (absent keys were never answered, or expired). */
  getMany(provider: string, keys: readonly string[]): Promise<Map<string, CachedAnswer>>;
  putMany(
    provider: string,
    entries: readonly { key: string; answer: CachedAnswer }[],
  ): Promise<void>;
}

/** Keeps up to `maxEntries` answers in this process, least recently used out. */
export class InMemoryProviderResponseCache implements ProviderResponseCache {
  readonly #answers: LRUCache<string, CachedAnswer>;

  constructor(options: { maxEntries?: number } = {}) {
    this.#answers = new LRUCache({ max: options.maxEntries ?? 100_000 });
  }

  getMany(provider: string, keys: readonly string[]): Promise<Map<string, CachedAnswer>> {
    const found = new Map<string, CachedAnswer>();
    for (const key of keys) {
      const answer = this.#answers.get(`${provider}\n${key}`);
      if (answer !== undefined) found.set(key, answer);
    }
    return Promise.resolve(found);
  }

  putMany(
    provider: string,
    entries: readonly { key: string; answer: CachedAnswer }[],
  ): Promise<void> {
    for (const { key, answer } of entries) this.#answers.set(`${provider}\n${key}`, answer);
    return Promise.resolve();
  }
}
