import { randomUUID } from 'node:crypto';
import { setTimeout as sleepFor } from 'node:timers/promises';
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

/**
 * How long a claim on a query keeps other lookups from sending it: the provider's request
 * timeout (30 s) and a margin, as the claim is taken before the limiter's wait for a turn.
 */
const CLAIM_TTL_MS = 40_000;
/** How often a lookup looks for the answers of queries another one was asking. */
const CLAIM_POLL_MS = 500;

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
 * cached as soon as its request answers (so a worker killed halfway loses only what was in
 * flight), including those a ProviderUnavailableError carries, before it is rethrown: the retry
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
    /**
     * Who asks (the same for every delivery of one chunk): its unexpired in-flight claims on
     * queries are its own again after a redelivery. Default: a new claimant per call.
     */
    claimant?: string | undefined;
  },
): Promise<ChunkLookup> {
  const claimant = options.claimant ?? randomUUID();
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

  // Queries another worker paid for while this chunk waited its turn: answered from the cache.
  const late = new Set<string>();
  const unknown = [...distinct].filter(([key]) => !known.has(key));
  let missing = unknown;
  // Rounds: queries another lookup was asking are looked up again after a pause, from the
  // cache or (its claim expired unanswered) from the provider. Claims expire, so this ends.
  for (let round = 0; missing.length > 0; round++) {
    if (round > 0) await sleep(CLAIM_POLL_MS, options.signal);
    const asked = await askProvider(deps, name, missing, known, usage, {
      ...options,
      claimant,
    });
    for (const key of asked.late) late.add(key);
    missing = missing.filter(([key]) => asked.deferred.has(key));
  }

  const asked = new Set<string>(unknown.map(([key]) => key).filter((key) => !late.has(key)));
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
 * Asks the provider for `missing`, caching answers request by request as they arrive (so a
 * worker killed halfway loses only what was in flight) and looking in the cache again before
 * each request. Adds the answers to `known` and their cost to `usage`; returns the keys the
 * cache answered late.
 */
async function askProvider(
  deps: CachedLookupDeps,
  name: string,
  missing: readonly (readonly [string, ContactQuery])[],
  known: Map<string, ProviderAnswer>,
  usage: MutableUsage,
  options: { jobId: string; signal?: AbortSignal | undefined; claimant: string },
): Promise<{ late: Set<string>; deferred: Set<string> }> {
  const late = new Set<string>();
  const deferred = new Set<string>();
  const claim = async (keys: readonly string[]): Promise<ReadonlySet<string>> => {
    const mine =
      deps.cache.claim === undefined
        ? new Set(keys)
        : await deps.cache.claim(name, keys, { claimant: options.claimant, ttlMs: CLAIM_TTL_MS });
    for (const key of keys) if (!mine.has(key)) deferred.add(key);
    return mine;
  };
  const remembered = new Set<string>();
  const rememberNew = async (answers: readonly ProviderAnswer[]): Promise<void> => {
    const fresh = answers.filter((answer) => !remembered.has(answer.key) && !late.has(answer.key));
    for (const answer of fresh) remembered.add(answer.key);
    await remember(deps, fresh);
  };
  const settle = async (answers: readonly ProviderAnswer[]): Promise<void> => {
    await rememberNew(answers);
    usage.recordsSent += missing.length - late.size - deferred.size;
    for (const answer of answers) {
      known.set(answer.key, answer);
      if (answer.billed && !late.has(answer.key)) usage.matchesBilled++;
    }
  };
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
        onAnswers: rememberNew,
        claim,
        answered: async (keys) => {
          const found = new Map<string, ProviderAnswer>();
          for (const [key, answer] of await deps.cache.getMany(name, keys)) {
            late.add(key);
            found.set(key, fromCache(key, answer));
          }
          return found;
        },
      },
    );
  } catch (error) {
    if (error instanceof ProviderUnavailableError) {
      await settle(error.answered);
      throw new ChunkLookupUnavailableError(error, usage);
    }
    throw error;
  }
  await settle(answers);
  return { late, deferred };
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

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return sleepFor(ms, undefined, signal === undefined ? {} : { signal });
}
