import type { CachedAnswer, ProviderResponseCache } from '@contacts/shared';
import { LRUCache } from 'lru-cache';

/*
 * An in-process response cache (the port and the fleet's DynamoDB cache live in shared), for
 * tests and the CLI.
 */

/** Keeps up to `maxEntries` answers in this process, least recently used out. */
export class InMemoryProviderResponseCache implements ProviderResponseCache {
  readonly #answers: LRUCache<string, CachedAnswer>;
  readonly #claims = new LRUCache<string, { claimant: string; until: number }>({ max: 100_000 });

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

  /** In-flight claims, as the DynamoDB cache keeps them (in this process). */
  claim(
    provider: string,
    keys: readonly string[],
    options: { readonly claimant: string; readonly ttlMs: number },
  ): Promise<Set<string>> {
    const now = Date.now();
    const mine = new Set<string>();
    for (const key of keys) {
      const id = `${provider}\n${key}`;
      if (this.#answers.has(id)) continue;
      const held = this.#claims.get(id);
      if (held !== undefined && held.until > now && held.claimant !== options.claimant) continue;
      this.#claims.set(id, { claimant: options.claimant, until: now + options.ttlMs });
      mine.add(key);
    }
    return Promise.resolve(mine);
  }

  putMany(
    provider: string,
    entries: readonly { key: string; answer: CachedAnswer }[],
  ): Promise<void> {
    for (const { key, answer } of entries) this.#answers.set(`${provider}\n${key}`, answer);
    return Promise.resolve();
  }
}
