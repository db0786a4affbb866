import { describe, expect, it } from 'vitest';
import { directoryRecord, testNicknames } from '../test-factories.ts';
import { createDirectoryIndexBuilder, type DirectoryRecord } from './directory-index.ts';

const FIRST = ['William', 'Anna', 'John', 'Maria', 'Robert', 'Elizabeth', 'James', 'Bill'];
const LAST = ['Smith', 'Brown', 'Nowak', 'Garcia', 'Lee', 'Okafor', 'Rossi'];

// Enough people for the model to be learned from many pairs (blocks by name, company, city).
const records: DirectoryRecord[] = Array.from({ length: 6_000 }, (_, i) => {
  const first = FIRST[i % FIRST.length] ?? '';
  const last = LAST[(i * 5) % LAST.length] ?? '';
  return directoryRecord({
    id: `p${i}`,
    first_name: first,
    last_name: `${last}${i % 40}`,
    email: i % 5 === 0 ? '' : `${first.toLowerCase()}.${i}@example.com`,
    company: `Co ${i % 30}`,
    city: ['Boston', 'Austin', 'Denver'][i % 3] ?? '',
  });
});

function builderWith(
  rows: readonly DirectoryRecord[],
): ReturnType<typeof createDirectoryIndexBuilder> {
  const builder = createDirectoryIndexBuilder({ nicknames: testNicknames(), defaultRegion: 'US' });
  for (const record of rows) builder.add(record);
  return builder;
}

describe('DirectoryIndexBuilder.finishSoon', () => {
  it('learns the same model as finish()', async () => {
    const soon = await builderWith(records).finishSoon();
    const now = builderWith(records).finish();

    expect(soon.size).toBe(records.length);
    expect(soon.model.training?.emPairs).toBeGreaterThan(1_000);
    expect(soon.model).toEqual(now.model);
  });

  it('gives the event loop turns while it learns the model', async () => {
    const builder = builderWith(records);
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    const started = performance.now();
    try {
      await builder.finishSoon();
    } finally {
      clearInterval(timer);
    }
    const tookMs = performance.now() - started;

    // finish() runs in one go: no timer fires until it returns. finishSoon() lets them in about
    // every 10 ms of work.
    expect(tookMs).toBeGreaterThan(20);
    expect(turns).toBeGreaterThanOrEqual(Math.floor(tookMs / 50));
    expect(turns).toBeGreaterThan(0);
  });
});
