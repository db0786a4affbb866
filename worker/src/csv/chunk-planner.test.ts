import { describe, expect, it } from 'vitest';
import {
  ChunkPlanner,
  minChunkBytesFor,
  type ChunkPlan,
  type ChunkPlannerOptions,
} from './chunk-planner.ts';
import { RecordScanner, type RecordBoundary } from './record-scanner.ts';

function records(input: string): RecordBoundary[] {
  const found: RecordBoundary[] = [];
  const scanner = new RecordScanner();
  scanner.push(Buffer.from(input), (r) => found.push(r));
  scanner.finish((r) => found.push(r));
  return found;
}

function plan(input: string, options: Partial<ChunkPlannerOptions> = {}): ChunkPlan[] {
  const [, ...data] = records(input);
  const planner = new ChunkPlanner({
    rowsPerChunk: 2,
    maxRowBytes: 100,
    maxChunkBytes: 1000,
    ...options,
  });
  const chunks: ChunkPlan[] = [];
  for (const record of data) planner.add(record, (c) => chunks.push(c));
  planner.finish((c) => chunks.push(c));
  return chunks;
}

describe('ChunkPlanner', () => {
  it('groups rows into chunks whose ranges and row numbers tile the data', () => {
    expect(plan('h\n1\n2\n\n3\n4\n5\n\n')).toEqual([
      { index: 0, byteStart: 2, byteEnd: 6, rowStart: 1, rowCount: 2 },
      { index: 1, byteStart: 7, byteEnd: 11, rowStart: 3, rowCount: 2 },
      { index: 2, byteStart: 11, byteEnd: 14, rowStart: 5, rowCount: 1 },
    ]);
  });

  it('gives a row over the limit a chunk of its own, flagged, between its neighbours', () => {
    const long = 'x'.repeat(20);
    expect(plan(`h\n1\n${long}\n3\n4\n`, { maxRowBytes: 10 })).toEqual([
      { index: 0, byteStart: 2, byteEnd: 4, rowStart: 1, rowCount: 1 },
      {
        index: 1,
        byteStart: 4,
        byteEnd: 25,
        rowStart: 2,
        rowCount: 1,
        oversized: { limitBytes: 10 },
      },
      { index: 2, byteStart: 25, byteEnd: 29, rowStart: 3, rowCount: 2 },
    ]);
  });

  it('closes a chunk before it outgrows its byte budget, blank lines included', () => {
    const chunks = plan('h\naaaa\nbbbb\ncccc\n' + '\n'.repeat(20) + 'dd\n', {
      rowsPerChunk: 10,
      maxRowBytes: 5,
      maxChunkBytes: 10,
    });
    expect(chunks.map((c) => [c.rowStart, c.rowCount, c.byteEnd - c.byteStart])).toEqual([
      [1, 2, 10],
      [3, 1, 10],
      [4, 1, 3],
    ]);
    for (const chunk of chunks) expect(chunk.byteEnd - chunk.byteStart).toBeLessThanOrEqual(10);
  });

  it('rejects options that cannot work', () => {
    const options = { rowsPerChunk: 1, maxRowBytes: 10, maxChunkBytes: 10 };
    expect(() => new ChunkPlanner({ ...options, rowsPerChunk: 0 })).toThrow(/positive integer/);
    expect(() => new ChunkPlanner({ ...options, maxChunkBytes: 5 })).toThrow(/at least/);
  });

  it('raises the rows per chunk of a file that would need more chunks than the cap', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => `row-${i}`.padEnd(5 + (i % 17), 'x'));
    const input = `h\n${rows.join('\n')}\n`;
    const dataBytes = input.length - 2;
    for (const maxChunks of [2, 7, 10, 99, 500]) {
      const minChunkBytes = minChunkBytesFor(input.length, maxChunks);
      const chunks = plan(input, {
        rowsPerChunk: 1,
        maxChunkBytes: 1_000_000,
        minChunkBytes,
        maxChunks,
      });
      expect(chunks.length).toBeLessThanOrEqual(maxChunks);
      // Still every row exactly once, in order, and ranges that tile the data.
      expect(chunks.reduce((sum, c) => sum + c.rowCount, 0)).toBe(1000);
      expect(chunks[0]!.byteStart).toBe(2);
      expect(chunks.at(-1)!.byteEnd).toBe(2 + dataBytes);
      for (const [i, chunk] of chunks.entries()) {
        if (i > 0) expect(chunk.byteStart).toBe(chunks[i - 1]!.byteEnd);
        if (i > 0) expect(chunk.rowStart).toBe(chunks[i - 1]!.rowStart + chunks[i - 1]!.rowCount);
        if (i < chunks.length - 1)
          expect(chunk.byteEnd - chunk.byteStart).toBeGreaterThanOrEqual(minChunkBytes);
      }
    }
  });

  it('keeps the requested rows per chunk when the file is far under the cap', () => {
    const input = `h\n${Array.from({ length: 100 }, (_, i) => `r${i}`).join('\n')}\n`;
    const minChunkBytes = minChunkBytesFor(input.length, 20_000);
    expect(minChunkBytes).toBe(1);
    expect(plan(input, { rowsPerChunk: 10, minChunkBytes, maxChunks: 20_000 })).toHaveLength(10);
  });

  it('fails a file whose oversized rows alone need more chunks than the cap', () => {
    const long = 'x'.repeat(20);
    const input = `h\n${Array.from({ length: 6 }, () => `1\n${long}`).join('\n')}\n`;
    expect(() => plan(input, { maxRowBytes: 10, maxChunks: 5 })).toThrow(
      expect.objectContaining({ code: 'too_many_chunks' }),
    );
    expect(plan(input, { maxRowBytes: 10, maxChunks: 12 })).toHaveLength(12);
  });

  it('needs a cap of at least two chunks to size them', () => {
    expect(() => minChunkBytesFor(100, 1)).toThrow(/at least 2/);
    expect(minChunkBytesFor(0, 2)).toBe(1);
    expect(minChunkBytesFor(1_000_000, 20_001)).toBe(50);
  });
});
