import { createPassthroughEnricher } from '@contacts/enrichment';
import type { Job } from '@contacts/shared';
import { describe, expect, it } from 'vitest';
import { ByteBudgetCache } from './byte-budget-cache.ts';
import { cachedEnricherProvider, JobEnricherCache } from './enricher-provider.ts';

function job(id: string, directoryId: string): Job {
  return {
    id,
    tenantId: 'tenant-a',
    status: 'processing',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    fileName: `${id}.csv`,
    sourceKey: `uploads/tenant-a/${id}/source.csv`,
    options: { chunkRows: 100, directoryId },
    columns: ['name', 'email'],
    rowsProcessed: 0,
    rowsRejected: 0,
    chunksDone: 0,
  };
}

/**
 * The wiring of directoryEnricherProvider: enrichers per job over a byte-bounded index cache,
 * with directory sizes in bytes given per directory id.
 */
function enricherCaches(directoryBytes: Record<string, number>, maxBytes = 100) {
  const indexLoads: string[] = [];
  const builds: string[] = [];
  const indexes = new ByteBudgetCache<{ directoryId: string }>({
    maxBytes,
    onDrop: (key) => {
      enrichers.release(key);
    },
  });
  const enrichers = new JobEnricherCache(
    async (j) => {
      builds.push(j.id);
      const directoryId = j.options.directoryId!;
      await indexes.get(directoryId, () => {
        indexLoads.push(directoryId);
        return Promise.resolve({ value: { directoryId }, bytes: directoryBytes[directoryId]! });
      });
      return { enricher: createPassthroughEnricher(j.columns), holds: directoryId };
    },
    { isKept: (key) => indexes.touch(key) },
  );
  return { provider: enrichers.provider, indexLoads, builds };
}

describe('JobEnricherCache over a byte-bounded index cache', () => {
  it('builds one enricher per job, shared by concurrent chunks', async () => {
    const { provider, builds, indexLoads } = enricherCaches({ a: 10 });
    const [one, two] = await Promise.all([provider(job('j1', 'a')), provider(job('j1', 'a'))]);
    expect(one).toBe(two);
    expect(await provider(job('j1', 'a'))).toBe(one);
    // Another job on the same directory builds its own enricher over the same index.
    await provider(job('j2', 'a'));
    expect(builds).toEqual(['j1', 'j2']);
    expect(indexLoads).toEqual(['a']);
  });

  it('lets go of the enrichers of an evicted index, and rebuilds them on their next chunk', async () => {
    const { provider, builds, indexLoads } = enricherCaches({ a: 60, b: 60 });
    const first = await provider(job('j1', 'a'));
    await provider(job('j2', 'b'));
    expect(indexLoads).toEqual(['a', 'b']);
    // b pushed a out: j1's enricher would keep a's index alive, so it went with it.
    const again = await provider(job('j1', 'a'));
    expect(again).not.toBe(first);
    expect(builds).toEqual(['j1', 'j2', 'j1']);
    expect(indexLoads).toEqual(['a', 'b', 'a']);
  });

  it('counts a chunk served from a job’s enricher as a use of its index', async () => {
    const { provider, indexLoads } = enricherCaches({ a: 40, b: 40, c: 40 });
    await provider(job('j1', 'a'));
    await provider(job('j2', 'b'));
    await provider(job('j1', 'a'));
    await provider(job('j3', 'c'));
    // b was least recently used, not a.
    await provider(job('j1', 'a'));
    await provider(job('j2', 'b'));
    expect(indexLoads).toEqual(['a', 'b', 'c', 'b']);
  });

  it('uses an index larger than the whole budget but keeps neither it nor its enricher', async () => {
    const { provider, builds, indexLoads } = enricherCaches({ small: 30, huge: 500 });
    await provider(job('j1', 'small'));
    const first = await provider(job('j2', 'huge'));
    expect(first.outputColumns).toContain('match_status');
    await provider(job('j2', 'huge'));
    await provider(job('j1', 'small'));
    expect(builds).toEqual(['j1', 'j2', 'j2']);
    expect(indexLoads).toEqual(['small', 'huge', 'huge']);
  });
});

describe('cachedEnricherProvider', () => {
  it('keeps at most maxJobs enrichers, least recently used out', async () => {
    const built: string[] = [];
    const provider = cachedEnricherProvider((j) => {
      built.push(j.id);
      return Promise.resolve(createPassthroughEnricher(j.columns));
    }, 2);
    await provider(job('j1', 'a'));
    await provider(job('j2', 'a'));
    await provider(job('j1', 'a'));
    await provider(job('j3', 'a'));
    await provider(job('j1', 'a'));
    await provider(job('j2', 'a'));
    expect(built).toEqual(['j1', 'j2', 'j3', 'j2']);
  });

  it('refuses a job whose header split has not recorded yet', async () => {
    const provider = cachedEnricherProvider((j) =>
      Promise.resolve(createPassthroughEnricher(j.columns)),
    );
    const { columns: _, ...headerless } = job('j1', 'a');
    await expect(provider(headerless)).rejects.toMatchObject({ code: 'header_missing' });
  });
});
