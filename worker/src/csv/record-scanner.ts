/**
 * Finds CSV record boundaries in a byte stream without parsing fields.
 *
 * Only three bytes matter: `"` toggles the quoted state (an escaped `""` toggles twice, so it
 * cancels out) and `\n` outside quotes ends a record; a `\r` before it belongs to the terminator.
 * Old Mac files end records with a lone `\r` instead (`lineEnding: 'cr'`). All three are ASCII,
 * and neither UTF-8 nor windows-1252 uses ASCII bytes for anything else, so scanning bytes is
 * safe. `Buffer.indexOf` (memchr) does the searching, which keeps this near I/O speed.
 */

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const NONE = -1;

export interface RecordBoundary {
  /** Absolute byte offset of the record's first byte. */
  readonly start: number;
  /** Absolute byte offset just past the record, including its line terminator. */
  readonly end: number;
  /**
   * True for a blank line: no content, or only `""`. Both parse to a single empty field, which
   * is what the chunk parser skips, so the splitter and the chunks count rows the same way.
   */
  readonly blank: boolean;
}

export interface RecordScannerOptions {
  /** Absolute offset of the first byte pushed (after a byte-order mark, for instance). */
  readonly startOffset?: number;
  /** `cr` ends records at a lone carriage return; `lf` and `crlf` at a line feed. */
  readonly lineEnding?: 'lf' | 'crlf' | 'cr';
}

export class RecordScanner {
  readonly #terminator: number;
  #offset: number;
  #recordStart: number;
  #inQuotes = false;
  /** The last three bytes before the current position, most recent first (for blank checks). */
  #tail = [NONE, NONE, NONE];

  constructor(options: RecordScannerOptions = {}) {
    this.#terminator = options.lineEnding === 'cr' ? CR : LF;
    this.#offset = options.startOffset ?? 0;
    this.#recordStart = this.#offset;
  }

  /** Absolute offset of the next byte expected by `push`. */
  get offset(): number {
    return this.#offset;
  }

  /** True when the input so far ends inside a quoted field (an unbalanced quote at the end). */
  get inQuotes(): boolean {
    return this.#inQuotes;
  }

  /** Scans the next piece of input and calls `onRecord` for each record it completes. */
  push(chunk: Uint8Array, onRecord: (record: RecordBoundary) => void): void {
    const buffer = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const base = this.#offset;
    let position = 0;
    let nextQuote = this.#inQuotes ? NONE : buffer.indexOf(QUOTE, 0);
    while (position < buffer.length) {
      if (this.#inQuotes) {
        const closing = buffer.indexOf(QUOTE, position);
        if (closing < 0) break;
        this.#inQuotes = false;
        position = closing + 1;
        nextQuote = buffer.indexOf(QUOTE, position);
        continue;
      }
      const newline = buffer.indexOf(this.#terminator, position);
      if (nextQuote >= 0 && (newline < 0 || nextQuote < newline)) {
        this.#inQuotes = true;
        position = nextQuote + 1;
        continue;
      }
      if (newline < 0) break;
      const end = base + newline + 1;
      onRecord({
        start: this.#recordStart,
        end,
        blank: this.#isBlank(end - 1 - this.#recordStart, buffer, newline),
      });
      this.#recordStart = end;
      position = newline + 1;
    }
    this.#rememberTail(buffer);
    this.#offset = base + buffer.length;
  }

  /** Completes a last record that has no trailing newline. */
  finish(onRecord: (record: RecordBoundary) => void): void {
    if (this.#offset <= this.#recordStart) return;
    const length = this.#offset - this.#recordStart;
    onRecord({
      start: this.#recordStart,
      end: this.#offset,
      blank: this.#isBlank(length, Buffer.alloc(0), 0),
    });
    this.#recordStart = this.#offset;
  }

  /** `length` bytes precede index `at` of `buffer` (and the tail of earlier buffers). */
  #isBlank(length: number, buffer: Buffer, at: number): boolean {
    if (length > 3) return false;
    const before = (k: number): number => (at - k >= 0 ? buffer[at - k]! : this.#tail[k - at - 1]!);
    const content = length > 0 && before(1) === CR ? length - 1 : length;
    if (content === 0) return true;
    const shift = length - content; // 1 when a CR ends the content
    return content === 2 && before(1 + shift) === QUOTE && before(2 + shift) === QUOTE;
  }

  #rememberTail(buffer: Buffer): void {
    for (let i = Math.max(0, buffer.length - 3); i < buffer.length; i++) {
      this.#tail.pop();
      this.#tail.unshift(buffer[i]!);
    }
  }
}
