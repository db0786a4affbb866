/** A provider's answer to one query, as kept in the response cache. */
export type CachedAnswer =
  { readonly status: 'match'; readonly body: string } | { readonly status: 'no_match' };

/**
 * Answers of paid providers by query key (see cacheKeyOf), so a redelivered chunk, a retried
 * batch and duplicate contacts in one file cost nothing more.
 */
export interface ProviderResponseCache {
  /** The cached answers of `keys` that have not expired; missing keys are absent. */
  getMany(provider: string, keys: readonly string[]): Promise<Map<string, CachedAnswer>>;
  /** Stores answers until the cache's TTL; bodies too large to keep are skipped and counted. */
  putMany(
    provider: string,
    entries: readonly { key: string; answer: CachedAnswer }[],
  ): Promise<void>;
}
