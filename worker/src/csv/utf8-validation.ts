import { isUtf8 } from 'node:buffer';

/**
 * How many bytes at the end of `bytes` start a UTF-8 character that is cut off (0-3), so a
 * stream can be validated piece by piece without calling a split character invalid.
 */
export function incompleteUtf8Tail(bytes: Uint8Array): number {
  const length = bytes.length;
  for (let back = 1; back <= Math.min(3, length); back++) {
    const byte = bytes[length - back]!;
    if (byte < 0x80) return 0;
    if (byte >= 0xc0) return sequenceLength(byte) > back ? back : 0;
    // A continuation byte: its lead byte is further back.
  }
  return 0;
}

/** True when `bytes` holds at least one well-formed multi-byte UTF-8 character. */
export function hasUtf8Sequence(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0xc2 && isSequenceAt(bytes, i)) return true;
  }
  return false;
}

/** Checks a stream for UTF-8 validity piece by piece, with characters split across pieces. */
export class Utf8Validator {
  #carry: Buffer = Buffer.alloc(0);
  #valid = true;

  /** False once an invalid byte was seen. */
  get valid(): boolean {
    return this.#valid;
  }

  push(piece: Buffer): void {
    if (!this.#valid) return;
    const bytes = this.#carry.length === 0 ? piece : Buffer.concat([this.#carry, piece]);
    const tail = incompleteUtf8Tail(bytes);
    this.#valid = isUtf8(bytes.subarray(0, bytes.length - tail));
    // Copied: a view would keep the whole piece alive.
    this.#carry = Buffer.from(bytes.subarray(bytes.length - tail));
  }

  /** Validity of the whole stream: a character cut off at the very end is invalid. */
  finish(): boolean {
    if (this.#carry.length > 0) this.#valid = false;
    return this.#valid;
  }
}

function sequenceLength(lead: number): number {
  if (lead >= 0xf0) return 4;
  return lead >= 0xe0 ? 3 : 2;
}

/** RFC 3629 well-formedness of the sequence starting at `i` (no overlongs, no surrogates). */
function isSequenceAt(bytes: Uint8Array, i: number): boolean {
  const lead = bytes[i]!;
  if (lead > 0xf4) return false;
  const length = sequenceLength(lead);
  if (i + length > bytes.length) return false;
  const second = bytes[i + 1]!;
  const [low, high] = secondByteRange(lead);
  if (second < low || second > high) return false;
  for (let k = 2; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return false;
  return true;
}

function secondByteRange(lead: number): readonly [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf];
  if (lead === 0xed) return [0x80, 0x9f];
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f];
  return [0x80, 0xbf];
}
