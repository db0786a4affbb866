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
  /**
   * Marks `keys` as being asked by `claimant` for `ttlMs` (unless answered meanwhile, or
   * another claimant's mark has not expired) and returns those it marked: the others another
   * lookup is asking right now, and waiting for its answer costs nothing. The claimant's own
   * unexpired marks are its again (a redelivered chunk). Absent: every key is the caller's.
   */
  claim?(
    provider: string,
    keys: readonly string[],
    options: { readonly claimant: string; readonly ttlMs: number },
  ): Promise<Set<string>>;
}
