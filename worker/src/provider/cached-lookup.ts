import {
  ProviderUnavailableError,
  type ContactProvider,
  type ContactQuery,
  type ProviderAnswer,
  type ProviderCandidate,
} from '@contacts/enrichment';
import { AppError, NO_PROVIDER_USAGE, type ProviderUsage } from '@contacts/shared';
import { providerQueryKey } from './query-key.ts';
import type { CachedAnswer, ProviderResponseCache } from '@contacts/shared';

export interface CachedLookupDeps {
  readonly provider: ContactProvider;
  readonly cache: ProviderResponseCache;
}

/** The answers of one chunk's lookups, by row, and what they cost. */
export interface ChunkLookup {
  /** One per query, in order; undefined where no query was given. */
  readonly answers: readonly (ProviderAnswer | undefined)[];
  /** What this call cost, plus what `options.usage` held before it. */
  readonly usage: ProviderUsage;
}

type MutableUsage = { -readonly [K in keyof ProviderUsage]: ProviderUsage[K] };

/**
 * Answers a chunk's lookups (one optional query per row) from the response cache first, then
 * asks the provider once per distinct query still unknown. Every match and no-match learned is
 * cached, including those a ProviderUnavailableError carries, before it is rethrown: the retry
 * then pays only for what it did not get. Errors are not cached: the next try asks again.
 */
export async function lookupWithCache(
  deps: CachedLookupDeps,
  queries: readonly (ContactQuery | undefined)[],
  options: {
    jobId: string;
    signal?: AbortSignal | undefined;
    /**
     * Usage of earlier tries of the same lookup in this delivery (an outage cut them short): this
     * call adds to it, including what a failing call paid for before it failed.
     */
    usage?: ProviderUsage | undefined;
  },
): Promise<ChunkLookup> {
  const usage: MutableUsage = { ...(options.usage ?? NO_PROVIDER_USAGE) };
  // Cached per paying account: one tenant's paid answers are not served to another's key.
  const name = deps.provider.account ?? deps.provider.name;
  const keys = queries.map((query) =>
    query === undefined ? undefined : providerQueryKey(name, query),
  );
  const distinct = new Map<string, ContactQuery>();
  keys.forEach((key, index) => {
    const query = queries[index];
    if (key !== undefined && query !== undefined && !distinct.has(key)) distinct.set(key, query);
  });
  const known = new Map<string, ProviderAnswer>();
  const cached =
    distinct.size === 0
      ? new Map<string, CachedAnswer>()
      : await deps.cache.getMany(name, [...distinct.keys()]);
  for (const [key, answer] of cached) known.set(key, fromCache(key, answer));

  const missing = [...distinct].filter(([key]) => !known.has(key));
  if (missing.length > 0) {
    usage.recordsSent += missing.length;
    let answers: readonly ProviderAnswer[];
    try {
      answers = await deps.provider.lookup(
        missing.map(([key, fields]) => ({ key, fields })),
        {
          jobId: options.jobId,
          signal: options.signal,
          onRequest: () => {
            usage.requests++;
          },
        },
      );
    } catch (error) {
      if (error instanceof ProviderUnavailableError) {
        await remember(deps, error.answered);
        usage.matchesBilled += error.answered.filter((answer) => answer.billed).length;
        throw new ChunkLookupUnavailableError(error, usage);
      }
      throw error;
    }
    await remember(deps, answers);
    for (const answer of answers) {
      known.set(answer.key, answer);
      if (answer.billed) usage.matchesBilled++;
    }
  }

  const asked = new Set<string>(missing.map(([key]) => key));
  const answers = keys.map((key) => {
    if (key === undefined) return undefined;
    // Every row but the first of each query sent was answered without asking again.
    if (asked.has(key)) asked.delete(key);
    else usage.cacheHits++;
    return known.get(key);
  });
  return { answers, usage };
}

/**
 * The provider could not be reached (its ProviderUnavailableError is the cause); `usage` says
 * what was spent before that, and those answers are cached.
 */
export class ChunkLookupUnavailableError extends AppError {
  readonly usage: ProviderUsage;
  /** How long waiting is worthwhile, when the provider said. */
  readonly retryAfterMs: number | undefined;

  constructor(cause: ProviderUnavailableError, usage: ProviderUsage) {
    super('provider_unavailable', cause.message, { cause });
    this.usage = usage;
    this.retryAfterMs = cause.retryAfterMs;
  }
}

async function remember(deps: CachedLookupDeps, answers: readonly ProviderAnswer[]): Promise<void> {
  const entries: { key: string; answer: CachedAnswer }[] = [];
  for (const answer of answers) {
    if (answer.outcome === 'match')
      entries.push({
        key: answer.key,
        answer: { status: 'match', body: JSON.stringify(answer.candidate) },
      });
    else if (answer.outcome === 'no_match')
      entries.push({ key: answer.key, answer: { status: 'no_match' } });
  }
  if (entries.length > 0)
    await deps.cache.putMany(deps.provider.account ?? deps.provider.name, entries);
}

function fromCache(key: string, answer: CachedAnswer): ProviderAnswer {
  if (answer.status === 'no_match') return { key, outcome: 'no_match', billed: false };
  // Our own serialization of a ProviderCandidate (see remember).
  const candidate = JSON.parse(answer.body) as ProviderCandidate;
  // Paid for once, when it was cached: this use bills nothing.
  return { key, outcome: 'match', billed: true, candidate } satisfies ProviderAnswer;
}
