import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContactEnricher } from '../contact-enricher.ts';
import { createNicknameTable } from '../nicknames/nicknames.ts';
import {
  directoryRecord,
  testDirectory,
  testNicknames,
  TEST_NICKNAMES,
} from '../test-factories.ts';
import type { DirectoryIndex, DirectoryRecord } from './directory-index.ts';
import {
  INDEX_ARTIFACT_VERSION,
  IndexArtifactVersionError,
  loadDirectoryIndexArtifact,
  serializeDirectoryIndex,
  writeDirectoryIndexArtifact,
} from './index-artifact.ts';

const FIRST = ['William', 'Anna', 'John', 'Maria', 'Robert', 'Elizabeth', 'James', 'Siobhán'];
const LAST = ['Smith', 'van der Berg', 'Brown', "O'Brien", 'Nowak', 'Garcia', 'Lee'];
const CITIES = ['Boston', 'Austin', 'Denver', 'Dublin'];

// A directory with shared names, so blocks hold several people and the model is learned from them.
const records: DirectoryRecord[] = Array.from({ length: 120 }, (_, i) => {
  const first = FIRST[i % FIRST.length] ?? '';
  const last = LAST[(i * 3) % LAST.length] ?? '';
  return directoryRecord({
    id: `p${i}`,
    first_name: first,
    last_name: last,
    email: i % 4 === 0 ? '' : `${first.toLowerCase()}.${i}@example.com`,
    phone: i % 3 === 0 ? '' : `+1 415 555 ${String(1000 + i)}`,
    company: i % 2 === 0 ? 'Acme' : 'Globex',
    city: CITIES[i % CITIES.length] ?? '',
  });
});

const HEADER = ['First Name', 'Last Name', 'Email', 'Phone', 'Company', 'City'];
// Copies with typos, nicknames, missing and changed fields, and strangers.
const ROWS: string[][] = records.flatMap((r, i) => [
  [
    i % 2 === 0 ? (r.first_name ?? '') : `${r.first_name ?? ''}x`,
    r.last_name ?? '',
    i % 5 === 0 ? '' : (r.email ?? ''),
    r.phone ?? '',
    r.company ?? '',
    i % 3 === 0 ? 'Paris' : (r.city ?? ''),
  ],
  [`Zed${i}`, `Stranger${i}`, `z${i}@elsewhere.org`, '', '', 'Boston'],
]);

function outputs(directory: DirectoryIndex): string[][] {
  const enricher = createContactEnricher({ inputColumns: HEADER, directory });
  return ROWS.map((row, i) => [...enricher.enrichRow(row, i + 1).values]);
}

describe('directory index artifact', () => {
  it('round-trips: the loaded index gives the same output for every sample row', () => {
    const built = testDirectory(records);
    const bytes = serializeDirectoryIndex(built);
    const loaded = loadDirectoryIndexArtifact(bytes, { nicknames: testNicknames() });
    expect(loaded.size).toBe(built.size);
    // A loaded index holds the artifact's bytes (its arrays view them) plus decoded strings.
    expect(loaded.heapBytes).toBeGreaterThan(bytes.length);
    expect(loaded.heapBytes).toBeLessThan(bytes.length + built.heapBytes);
    expect(loaded.model).toEqual(built.model);
    const before = outputs(built);
    expect(before.some((values) => values.includes('p7'))).toBe(true);
    expect(outputs(loaded)).toEqual(before);
  });

  it('writes the same bytes to a file section by section as serializeDirectoryIndex returns', () => {
    const built = testDirectory(records);
    const dir = mkdtempSync(join(tmpdir(), 'index-artifact-'));
    try {
      const path = join(dir, 'index.bin');
      const written = writeDirectoryIndexArtifact(built, path);
      const bytes = serializeDirectoryIndex(built);
      expect(written).toBe(bytes.length);
      expect(readFileSync(path).equals(bytes)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads from bytes at an odd offset (typed arrays cannot view them in place)', () => {
    const built = testDirectory(records);
    const bytes = serializeDirectoryIndex(built);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const loaded = loadDirectoryIndexArtifact(shifted.subarray(1), { nicknames: testNicknames() });
    expect(outputs(loaded)).toEqual(outputs(built));
  });

  it('refuses a nickname table that files the directory’s names otherwise, so the caller rebuilds', () => {
    const bytes = serializeDirectoryIndex(testDirectory(records));
    const other = createNicknameTable([...TEST_NICKNAMES, { name: 'jonathan', nickname: 'john' }]);
    expect(() => loadDirectoryIndexArtifact(bytes, { nicknames: other })).toThrow(
      IndexArtifactVersionError,
    );
    // A pair that touches none of the directory's given names changes nothing it filed.
    const unrelated = createNicknameTable([
      ...TEST_NICKNAMES,
      { name: 'zebulon', nickname: 'zeb' },
    ]);
    expect(loadDirectoryIndexArtifact(bytes, { nicknames: unrelated }).size).toBe(records.length);
  });

  it('refuses another format version, so the caller rebuilds from the CSV', () => {
    const bytes = serializeDirectoryIndex(testDirectory(records.slice(0, 5)));
    bytes.writeUInt16LE(INDEX_ARTIFACT_VERSION + 1, 4);
    expect(() => loadDirectoryIndexArtifact(bytes, { nicknames: testNicknames() })).toThrow(
      IndexArtifactVersionError,
    );
  });

  it('refuses bytes that are not an artifact', () => {
    expect(() =>
      loadDirectoryIndexArtifact(Buffer.from('id,first_name\n1,Ann\n'), {
        nicknames: testNicknames(),
      }),
    ).toThrow(IndexArtifactVersionError);
  });
});
