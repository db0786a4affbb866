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
}

/**
 * Groups data records into chunks of `rowsPerChunk` rows within a byte budget. Blank lines count
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
        index: this.#index++,
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
    if (this.#current.rowCount >= rowsPerChunk) onChunk(this.#emit());
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
    return { index: this.#index++, ...current };
  }
}
