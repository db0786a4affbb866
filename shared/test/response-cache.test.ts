import { randomBytes } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { startEmulators, type Emulators } from '@contacts/local';
import {
  cacheKeyOf,
  connectToAws,
  createLogger,
  DynamoResponseCache,
  loadConfig,
  type AppConfig,
  type AwsClients,
  type CachedAnswer,
} from '@contacts/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let emulators: Emulators;
let clients: AwsClients;
let config: AppConfig;
const TTL = 3600;

beforeAll(async () => {
  emulators = await startEmulators();
  config = loadConfig({ ...emulators.env, RESOURCE_PREFIX: 'cache-test' });
  const logger = createLogger({ level: 'silent', name: 't' });
  ({ clients } = await connectToAws(config, logger, { provision: true }));
});

afterAll(async () => {
  clients.destroy();
  await emulators.close();
});

const cache = (options: { now?: () => number } = {}): DynamoResponseCache =>
  new DynamoResponseCache({
    client: clients.dynamodb,
    table: config.resources.providersTable,
    ttlSeconds: TTL,
    ...options,
  });

/** A person record of a few KB, like a provider's answer. */
const personBody = (n: number): string =>
  JSON.stringify({
    id: `person-${n}`,
    full_name: `Person ${n}`,
    experience: Array(40).fill({ title: 'engineer', company: 'Globex' }),
  });

describe('DynamoResponseCache', () => {
  it('returns what was stored, matches and no-matches, with the TTL set; missing keys absent', async () => {
    const store = cache();
    const matchKey = cacheKeyOf('pdl', { email: 'robert.smith@example.com' });
    const noMatchKey = cacheKeyOf('pdl', { email: 'nobody@example.net' });
    const missingKey = cacheKeyOf('pdl', { email: 'never.asked@example.org' });
    const body = personBody(1);
    const before = Math.floor(Date.now() / 1000);
    await store.putMany('pdl', [
      { key: matchKey, answer: { status: 'match', body } },
      { key: noMatchKey, answer: { status: 'no_match' } },
    ]);
    const found = await store.getMany('pdl', [matchKey, noMatchKey, missingKey, matchKey]);
    expect(found).toEqual(
      new Map<string, CachedAnswer>([
        [matchKey, { status: 'match', body }],
        [noMatchKey, { status: 'no_match' }],
      ]),
    );
    expect(store.stats).toMatchObject({ hits: 2, misses: 1, written: 2 });
    // The same key of another provider is another item.
    expect((await store.getMany('other', [matchKey])).size).toBe(0);

    const { Item } = await clients.dynamodb.send(
      new GetItemCommand({
        TableName: config.resources.providersTable,
        Key: { pk: { S: `cache#pdl#${matchKey}` } },
      }),
    );
    const expiresAt = Number(Item?.expiresAt?.N);
    expect(expiresAt).toBeGreaterThanOrEqual(before + TTL);
    expect(expiresAt).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + TTL);
    // Stored compressed: smaller than the body, and no personal data in the clear.
    expect(Item?.body?.B?.length).toBeLessThan(body.length / 2);
    expect(JSON.stringify(Item)).not.toContain('robert');

    // Past the TTL an answer is not used, even while DynamoDB has not deleted it yet.
    const later = cache({ now: () => Date.now() + (TTL + 60) * 1000 });
    expect((await later.getMany('pdl', [matchKey, noMatchKey])).size).toBe(0);
  });

  it('reads and writes more keys than one batch takes', async () => {
    const store = cache();
    const entries = Array.from({ length: 230 }, (_, n) => {
      const answer: CachedAnswer =
        n % 3 === 0 ? { status: 'no_match' } : { status: 'match', body: personBody(n) };
      return { key: cacheKeyOf('pdl', { email: `person${n}@example.com` }), answer };
    });
    await store.putMany('pdl', entries);
    const missing = Array.from({ length: 20 }, (_, n) =>
      cacheKeyOf('pdl', { email: `stranger${n}@example.com` }),
    );
    const keys = [...entries.map((e) => e.key), ...missing];
    const found = await store.getMany('pdl', keys);
    expect(found.size).toBe(230);
    for (const { key, answer } of entries) expect(found.get(key)).toEqual(answer);
  });

  it('skips and counts an answer too large to keep, and keeps the others', async () => {
    const store = cache();
    // Random bytes do not compress: about 160 KB stored, over the 100 KiB bound.
    const huge = randomBytes(120 * 1024).toString('base64');
    const big = cacheKeyOf('pdl', { email: 'huge@example.com' });
    const small = cacheKeyOf('pdl', { email: 'small@example.com' });
    await store.putMany('pdl', [
      { key: big, answer: { status: 'match', body: huge } },
      { key: small, answer: { status: 'match', body: personBody(2) } },
    ]);
    expect(store.stats.oversizedSkipped).toBe(1);
    const found = await store.getMany('pdl', [big, small]);
    expect([...found.keys()]).toEqual([small]);
  });

  it('claims a query for one claimant at a time, until answered or the claim expires', async () => {
    let now = Date.now();
    const store = cache({ now: () => now });
    const [a, b, c] = ['ka', 'kb', 'kc'].map((k) => `${k}-${randomBytes(4).toString('hex')}`);
    const claim = (claimant: string, keys: string[]): Promise<Set<string>> =>
      store.claim('pdl', keys, { claimant, ttlMs: 10_000 });

    expect(await claim('chunk-1', [a!, b!])).toEqual(new Set([a, b]));
    // Another claimant gets only what nobody is asking; the first its own claims again.
    expect(await claim('chunk-2', [a!, c!])).toEqual(new Set([c]));
    expect(await claim('chunk-1', [a!])).toEqual(new Set([a]));
    // A pending claim is no answer.
    expect((await store.getMany('pdl', [a!, b!])).size).toBe(0);
    await store.putMany('pdl', [{ key: a!, answer: { status: 'no_match' } }]);
    expect(await claim('chunk-2', [a!])).toEqual(new Set());
    expect(await store.getMany('pdl', [a!])).toEqual(new Map([[a, { status: 'no_match' }]]));
    // Its claimant died without an answer: once the claim expires, another takes it.
    now += 10_001;
    expect(await claim('chunk-2', [b!])).toEqual(new Set([b]));
  });
});
