import {
  lookupInBatches,
  ProviderUnavailableError,
  type ContactProvider,
  type ContactQuery,
  type LookupOptions,
  type ProviderAnswer,
  type ProviderQuery,
} from '@contacts/enrichment';
import { describe, expect, it } from 'vitest';
import { ChunkLookupUnavailableError, lookupWithCache } from './cached-lookup.ts';
import { providerQueryKey } from './query-key.ts';
import { InMemoryProviderResponseCache } from './response-cache.ts';

/**
 * A provider over a fixed world: people whose email is in `world` match (billed), others do not.
 * `failAfter` answers that many lookups, then fails like an outage, carrying what it answered.
 */
function worldProvider(world: readonly string[], options: { failAfter?: number } = {}) {
  const sent: string[][] = [];
  let requests = 0;
  const answer = (query: ProviderQuery): ProviderAnswer => {
    const email = query.fields.emails[0] ?? '';
    return world.includes(email)
      ? {
          key: query.key,
          outcome: 'match',
          billed: true,
          candidate: {
            providerId: `id-${email}`,
            record: { name: query.fields.name, emails: [email], phones: [] },
          },
        }
      : { key: query.key, outcome: 'no_match', billed: false };
  };
  const provider: ContactProvider = {
    name: 'test',
    maxBatchSize: 100,
    lookup(queries: readonly ProviderQuery[], lookup: LookupOptions) {
      requests++;
      lookup.onRequest?.();
      sent.push(queries.map((query) => query.fields.emails[0] ?? ''));
      const answers = queries.map(answer);
      if (options.failAfter !== undefined && queries.length > options.failAfter)
        return Promise.reject(
          new ProviderUnavailableError('test', 'down', {
            retryAfterMs: 1_000,
            answered: answers.slice(0, options.failAfter),
          }),
        );
      return Promise.resolve(answers);
    },
  };
  return { provider, sent, requests: () => requests };
}

const person = (email: string, first = 'Ann'): ContactQuery => ({
  name: { first, last: 'Lee' },
  emails: [email],
  phones: [],
});

const job = { jobId: 'job-1' };

describe('lookupWithCache', () => {
  it('asks once per distinct query, and not at all for what it answered before', async () => {
    const { provider, sent } = worldProvider(['a@x.io']);
    const cache = new InMemoryProviderResponseCache();
    const queries = [person('a@x.io'), undefined, person('b@x.io'), person(' A@X.io ')];

    const first = await lookupWithCache({ provider, cache }, queries, job);

    expect(sent).toEqual([['a@x.io', 'b@x.io']]);
    expect(first.answers.map((a) => a?.outcome)).toEqual(['match', undefined, 'no_match', 'match']);
    expect(first.usage).toEqual({ requests: 1, recordsSent: 2, matchesBilled: 1, cacheHits: 1 });

    // The same chunk again (a redelivery): answered from the cache, nothing sent or billed.
    const again = await lookupWithCache({ provider, cache }, queries, job);
    expect(sent).toHaveLength(1);
    expect(again.answers).toEqual(first.answers);
    expect(again.usage).toEqual({ requests: 0, recordsSent: 0, matchesBilled: 0, cacheHits: 3 });
  });

  it('keeps the answers paid for before an outage, so the retry pays only for the rest', async () => {
    const cache = new InMemoryProviderResponseCache();
    const down = worldProvider(['a@x.io', 'b@x.io', 'c@x.io'], { failAfter: 2 });
    const queries = [person('a@x.io'), person('b@x.io'), person('c@x.io')];

    const error = await lookupWithCache({ provider: down.provider, cache }, queries, job).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ChunkLookupUnavailableError);
    const cut = error as ChunkLookupUnavailableError;
    expect(cut.cause).toBeInstanceOf(ProviderUnavailableError);
    expect(cut).toMatchObject({ code: 'provider_unavailable', retryAfterMs: 1_000 });
    // Two matches were paid for before the outage.
    expect(cut.usage).toEqual({ requests: 1, recordsSent: 3, matchesBilled: 2, cacheHits: 0 });

    const up = worldProvider(['a@x.io', 'b@x.io', 'c@x.io']);
    const retried = await lookupWithCache({ provider: up.provider, cache }, queries, {
      ...job,
      usage: cut.usage,
    });
    expect(up.sent).toEqual([['c@x.io']]);
    expect(retried.answers.map((a) => a?.outcome)).toEqual(['match', 'match', 'match']);
    // The delivery's whole cost: both tries.
    expect(retried.usage).toEqual({ requests: 2, recordsSent: 4, matchesBilled: 3, cacheHits: 2 });
  });

  it('caches the answers of each request as they arrive, so a lookup cut off halfway keeps them', async () => {
    const cache = new InMemoryProviderResponseCache();
    const { provider: world } = worldProvider(['a@x.io', 'b@x.io']);
    const stop = new AbortController();
    // Answers the first query, reports it, then dies before returning (a killed worker).
    const provider: ContactProvider = {
      ...world,
      async lookup(queries, lookup) {
        const [first] = await world.lookup(queries.slice(0, 1), lookup);
        await lookup.onAnswers?.([first!]);
        stop.abort(new Error('killed'));
        return new Promise(() => {});
      },
    };
    const queries = [person('a@x.io'), person('b@x.io')];
    const cut = lookupWithCache({ provider, cache }, queries, { ...job, signal: stop.signal });
    await Promise.race([
      cut,
      new Promise((resolve) => {
        stop.signal.addEventListener('abort', resolve);
      }),
    ]);

    const again = worldProvider(['a@x.io', 'b@x.io']);
    const retried = await lookupWithCache({ provider: again.provider, cache }, queries, job);
    expect(again.sent).toEqual([['b@x.io']]);
    expect(retried.usage).toMatchObject({ recordsSent: 1, cacheHits: 1 });
  });

  it('does not ask again for what another worker paid for while this lookup waited its turn', async () => {
    const cache = new InMemoryProviderResponseCache();
    const queries = [person('a@x.io'), person('b@x.io'), person('c@x.io'), person('d@x.io')];
    const world = worldProvider(['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io']);
    const sent: string[][] = [];
    // Requests of 2, one at a time; during the first, another worker pays for c and d.
    const provider: ContactProvider = {
      ...world.provider,
      lookup: (all, lookup) =>
        lookupInBatches(all, { ...lookup, batchSize: 2, concurrency: 1 }, async (batch) => {
          if (sent.length === 0)
            await lookupWithCache({ provider: world.provider, cache }, queries.slice(2), job);
          sent.push(batch.map((query) => query.fields.emails[0] ?? ''));
          return world.provider.lookup(batch, lookup);
        }),
    };

    const result = await lookupWithCache({ provider, cache }, queries, job);

    expect(sent).toEqual([['a@x.io', 'b@x.io']]);
    expect(result.answers.map((a) => a?.outcome)).toEqual(['match', 'match', 'match', 'match']);
    expect(result.usage).toEqual({ requests: 1, recordsSent: 2, matchesBilled: 2, cacheHits: 2 });
  });

  it('sends a query two lookups ask at once only once: the second waits for the claimant', async () => {
    const cache = new InMemoryProviderResponseCache();
    const world = worldProvider(['a@x.io', 'b@x.io']);
    const sent: string[][] = [];
    let answer: () => void = () => undefined;
    const inFlight = new Promise<void>((resolve) => {
      answer = resolve;
    });
    // The first request stays in flight until both lookups have begun.
    const provider: ContactProvider = {
      ...world.provider,
      lookup: (all, lookup) =>
        lookupInBatches(all, { ...lookup, batchSize: 2, concurrency: 1 }, async (batch) => {
          sent.push(batch.map((query) => query.fields.emails[0] ?? ''));
          await inFlight;
          return world.provider.lookup(batch, lookup);
        }),
    };
    const queries = [person('a@x.io'), person('b@x.io')];

    const first = lookupWithCache({ provider, cache }, queries, { jobId: 'job-1' });
    const second = lookupWithCache({ provider, cache }, queries, { jobId: 'job-2' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    answer();
    const [one, two] = await Promise.all([first, second]);

    expect(sent).toEqual([['a@x.io', 'b@x.io']]);
    expect(one.answers.map((a) => a?.outcome)).toEqual(['match', 'match']);
    expect(two.answers.map((a) => a?.outcome)).toEqual(['match', 'match']);
    expect(one.usage).toMatchObject({ requests: 1, matchesBilled: 2 });
    expect(two.usage).toEqual({ requests: 0, recordsSent: 0, matchesBilled: 0, cacheHits: 2 });
  });

  it('keys queries by provider and normalized values, without the values themselves', () => {
    const key = providerQueryKey('pdl', person('Ann@X.io'));
    expect(key).toBe(providerQueryKey('pdl', person(' ann@x.io')));
    expect(key).not.toBe(providerQueryKey('apollo', person('ann@x.io')));
    expect(key).not.toBe(providerQueryKey('pdl', person('ann@x.io', 'Anne')));
    expect(key).not.toContain('ann');
  });
});
