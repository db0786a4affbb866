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
}

/**
 * Groups data records into chunks of `rowsPerChunk` rows. Blank lines count toward no chunk's
 * rows; those between two rows of a chunk stay inside its byte range and are skipped there.
 */
export class ChunkPlanner {
  readonly #rowsPerChunk: number;
  #index = 0;
  #rowsSeen = 0;
  #current: { byteStart: number; byteEnd: number; rowStart: number; rowCount: number } | undefined;

  constructor(rowsPerChunk: number) {
    if (!Number.isInteger(rowsPerChunk) || rowsPerChunk < 1) {
      throw new RangeError(`rowsPerChunk must be a positive integer, got ${rowsPerChunk}`);
    }
    this.#rowsPerChunk = rowsPerChunk;
  }

  get rowsSeen(): number {
    return this.#rowsSeen;
  }

  /** Adds a data record; returns a chunk when this record completes one. */
  add(record: RecordBoundary): ChunkPlan | undefined {
    if (record.blank) {
      if (this.#current) this.#current.byteEnd = record.end;
      return undefined;
    }
    this.#rowsSeen++;
    this.#current ??= {
      byteStart: record.start,
      byteEnd: record.end,
      rowStart: this.#rowsSeen,
      rowCount: 0,
    };
    this.#current.byteEnd = record.end;
    this.#current.rowCount++;
    return this.#current.rowCount >= this.#rowsPerChunk ? this.#emit() : undefined;
  }

  /** The last, partial chunk, if any rows are left. */
  finish(): ChunkPlan | undefined {
    return this.#current ? this.#emit() : undefined;
  }

  #emit(): ChunkPlan {
    const current = this.#current!;
    this.#current = undefined;
    return { index: this.#index++, ...current };
  }
}
