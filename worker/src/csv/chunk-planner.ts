import { InputFileError } from '@contacts/shared';
import type { RecordBoundary } from './record-scanner.ts';

/** A contiguous run of data records, as sent in a chunk message. */
export interface ChunkPlan {
  readonly index: number;
  readonly byteStart: number;
  /** Exclusive. */
  readonly byteEnd: number;
  /** 1-based number of the first data row. */
  readonly rowStart: number;
  readonly rowCount: number;
  /** A chunk of one row longer than the row limit, to be rejected without reading it. */
  readonly oversized?: { readonly limitBytes: number };
}

export interface ChunkPlannerOptions {
  /** Data rows per chunk. */
  readonly rowsPerChunk: number;
  /** A longer row (terminator included) gets a chunk of its own, flagged `oversized`. */
  readonly maxRowBytes: number;
  /**
   * Byte budget of a chunk, which a worker holds in memory: wide rows make chunks of fewer rows.
   * At least `maxRowBytes`, so every row that is not oversized fits.
   */
  readonly maxChunkBytes: number;
  /**
   * A chunk closes at `rowsPerChunk` rows only once it spans this many bytes: how huge files
   * keep under `maxChunks` (see minChunkBytesFor).
   */
  readonly minChunkBytes?: number;
  /** More chunks than this fail the file (`too_many_chunks`). */
  readonly maxChunks?: number;
}

/**
 * The smallest chunk span that keeps a text of `textBytes` within `maxChunks` chunks. Chunks
 * never overlap, so at most textBytes / span of them close on their row count; the last one
 * may be short. (Chunks closed by the byte budget are larger still, unless the budget is under
 * the span: files of hundreds of GB. A chunk closed early by an oversized row is not bounded:
 * `maxChunks` stops such files.)
 */
export function minChunkBytesFor(textBytes: number, maxChunks: number): number {
  if (maxChunks < 2) throw new RangeError('maxChunks must be at least 2');
  return Math.max(1, Math.ceil(textBytes / (maxChunks - 1)));
}

/**
 * Groups data records into chunks of `rowsPerChunk` rows (more when `minChunkBytes` asks for
 * it) within a byte budget. Blank lines count
 * toward no chunk's rows; those between two rows of a chunk stay inside its byte range and are
 * skipped there, the others belong to no chunk.
 */
export class ChunkPlanner {
  readonly #options: ChunkPlannerOptions;
  #index = 0;
  #rowsSeen = 0;
  #current: { byteStart: number; byteEnd: number; rowStart: number; rowCount: number } | undefined;

  constructor(options: ChunkPlannerOptions) {
    for (const [name, value] of Object.entries(options)) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`${name} must be a positive integer, got ${value}`);
      }
    }
    if (options.maxChunkBytes < options.maxRowBytes) {
      throw new RangeError('maxChunkBytes must be at least maxRowBytes');
    }
    this.#options = options;
  }

  get rowsSeen(): number {
    return this.#rowsSeen;
  }

  /** Adds a data record; calls `onChunk` for each chunk this record completes (at most two). */
  add(record: RecordBoundary, onChunk: (chunk: ChunkPlan) => void): void {
    const { rowsPerChunk, maxRowBytes } = this.#options;
    if (record.blank) {
      this.#addBlank(record, onChunk);
      return;
    }
    this.#rowsSeen++;
    if (record.end - record.start > maxRowBytes) {
      if (this.#current) onChunk(this.#emit());
      onChunk({
        index: this.#nextIndex(),
        byteStart: record.start,
        byteEnd: record.end,
        rowStart: this.#rowsSeen,
        rowCount: 1,
        oversized: { limitBytes: maxRowBytes },
      });
      return;
    }
    if (this.#current && !this.#fits(record)) onChunk(this.#emit());
    this.#current ??= {
      byteStart: record.start,
      byteEnd: record.end,
      rowStart: this.#rowsSeen,
      rowCount: 0,
    };
    this.#current.byteEnd = record.end;
    this.#current.rowCount++;
    const span = this.#current.byteEnd - this.#current.byteStart;
    if (this.#current.rowCount >= rowsPerChunk && span >= (this.#options.minChunkBytes ?? 1))
      onChunk(this.#emit());
  }

  /** Emits the last, partial chunk, if any rows are left. */
  finish(onChunk: (chunk: ChunkPlan) => void): void {
    if (this.#current) onChunk(this.#emit());
  }

  /** Millions of blank lines must not stretch a chunk past its budget either. */
  #addBlank(record: RecordBoundary, onChunk: (chunk: ChunkPlan) => void): void {
    if (!this.#current) return;
    if (this.#fits(record)) this.#current.byteEnd = record.end;
    else onChunk(this.#emit());
  }

  /** Whether the current chunk can take `record` (only called while there is one). */
  #fits(record: RecordBoundary): boolean {
    return record.end - this.#current!.byteStart <= this.#options.maxChunkBytes;
  }

  #emit(): ChunkPlan {
    const current = this.#current!;
    this.#current = undefined;
    return { index: this.#nextIndex(), ...current };
  }

  #nextIndex(): number {
    const max = this.#options.maxChunks;
    if (max !== undefined && this.#index >= max) {
      throw new InputFileError(
        'too_many_chunks',
        `the file would need more than ${max} chunks: too many of its rows are longer than the row limit, and each takes a chunk of its own`,
      );
    }
    return this.#index++;
  }
}
