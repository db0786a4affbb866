import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildDirectoryIndex } from '@contacts/enrichment';
import { createLogger, type IndexBuildClaim, type ObjectInfo } from '@contacts/shared';
import { describe, expect, it } from 'vitest';
import { DeferDeliveryError } from '../queue/message-handler.ts';
import { DirectoryIndexes, type DirectoryIndexesOptions } from './directory-indexes.ts';

/** Objects in memory, with an ETag per content, as the port DirectoryIndexes uses. */
function memoryObjects(initial: Record<string, string> = {}) {
  const objects = new Map<string, Buffer>(
    Object.entries(initial).map(([key, text]) => [key, Buffer.from(text)]),
  );
  const info = (body: Buffer): ObjectInfo => ({
    size: body.length,
    etag: `"${createHash('md5').update(body).digest('hex')}"`,
    lastModified: new Date(0).toISOString(),
  });
  const port: DirectoryIndexesOptions['objects'] = {
    head: (key) => {
      const body = objects.get(key);
      return Promise.resolve(body === undefined ? undefined : info(body));
    },
    read: (key) => {
      const body = objects.get(key);
      if (body === undefined) return Promise.reject(new Error(`no ${key}`));
      return Promise.resolve(Readable.from([body]));
    },
    upload: async (key, body) => {
      const chunks: Buffer[] = [];
      for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
      objects.set(key, Buffer.concat(chunks));
      return { etag: info(objects.get(key)!).etag };
    },
  };
  return { port, objects };
}

/** Leases in memory with the table's conditions: claim when free or lapsed, renew by holder. */
function memoryLeases(): DirectoryIndexesOptions['leases'] {
  const held = new Map<string, { holder: string; until: number }>();
  return {
    claim: (key, holder, leaseMs): Promise<IndexBuildClaim> => {
      const lease = held.get(key);
      if (lease !== undefined && lease.until >= Date.now())
        return Promise.resolve({ claimed: false, leaseUntil: lease.until });
      held.set(key, { holder, until: Date.now() + leaseMs });
      return Promise.resolve({ claimed: true });
    },
    renew: (key, holder, leaseMs) => {
      const lease = held.get(key);
      if (lease?.holder !== holder) return Promise.resolve(false);
      lease.until = Date.now() + leaseMs;
      return Promise.resolve(true);
    },
    release: (key, holder) => {
      const lease = held.get(key);
      if (lease?.holder !== holder) return Promise.resolve(false);
      held.set(key, { holder: '', until: 0 });
      return Promise.resolve(true);
    },
  };
}

const DIRECTORY = { tenantId: 't', directoryId: 'd', key: 'directories/t/d/directory.csv' };
const logger = createLogger({ level: 'silent', name: 'directory-indexes-test' });

function indexes(overrides: Partial<DirectoryIndexesOptions> & { builds?: string[] } = {}) {
  const builds = overrides.builds ?? [];
  return new DirectoryIndexes({
    objects: memoryObjects({ [DIRECTORY.key]: 'id,first_name\n1,Ann\n' }).port,
    nicknames: { loadPairs: () => Promise.resolve([{ name: 'robert', nickname: 'bob' }]) },
    leases: memoryLeases(),
    logger,
    buildIndex: async (_csv, { nicknames }) => {
      await sleep(20);
      return buildDirectoryIndex([], { nicknames });
    },
    onBuild: (key) => builds.push(key),
    ...overrides,
  });
}

describe('DirectoryIndexes', () => {
  it('builds once for two workers sharing the store and the leases', async () => {
    const store = memoryObjects({ [DIRECTORY.key]: 'id,first_name\n1,Ann\n' });
    const leases = memoryLeases();
    const builds: string[] = [];
    const [a, b] = [0, 1].map(() => indexes({ objects: store.port, leases, builds }));
    const version = { ...DIRECTORY, etag: '"v1"' };

    const [fromA, fromB] = await Promise.all(
      [a!, b!].map(async (worker) => worker.get(version, await worker.nicknames())),
    );

    expect(builds).toHaveLength(1);
    expect(fromA!.cacheKey).toBe(fromB!.cacheKey);
    expect(store.objects.has(fromA!.cacheKey)).toBe(true);
  });

  it('defers the delivery when another worker’s build outlasts the wait', async () => {
    const leaseUntil = Date.now() + 30_000;
    const busy = indexes({
      maxWaitMs: 50,
      leases: {
        claim: () => Promise.resolve({ claimed: false, leaseUntil }),
        renew: () => Promise.resolve(false),
        release: () => Promise.resolve(false),
      },
    });

    const waited = busy.get({ ...DIRECTORY, etag: '"v1"' }, await busy.nicknames());

    const error = await waited.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeferDeliveryError);
    const seconds = (error as DeferDeliveryError).retryAfterSeconds;
    expect(seconds).toBeGreaterThan(25);
    expect(seconds).toBeLessThanOrEqual(30);
  });

  it('ends a wait for another worker’s build when closed', async () => {
    const waiting = indexes({
      leases: {
        claim: () => Promise.resolve({ claimed: false, leaseUntil: Date.now() + 60_000 }),
        renew: () => Promise.resolve(false),
        release: () => Promise.resolve(false),
      },
    });
    const waited = waiting.get({ ...DIRECTORY, etag: '"v1"' }, await waiting.nicknames());

    waiting.close();

    await expect(waited).rejects.toThrow('directory indexes closed');
  });

  it('prepares an artifact once, then finds it present', async () => {
    const builds: string[] = [];
    const worker = indexes({ builds });
    const version = { ...DIRECTORY, etag: '"v1"' };

    expect(await worker.prepare(version)).toBe('built');
    expect(await worker.prepare(version)).toBe('present');
    expect(builds).toHaveLength(1);
  });
});
