import type { CachedAnswer, ProviderResponseCache } from '@contacts/shared';
import { LRUCache } from 'lru-cache';

/*
 * An in-process response cache (the port and the fleet's DynamoDB cache live in shared), for
 * tests and the CLI.
 */

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
