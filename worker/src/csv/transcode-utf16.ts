import { InputFileError } from '@contacts/shared';

const LABELS = { 'utf-16le': 'UTF-16LE', 'utf-16be': 'UTF-16BE' } as const;

/**
 * Re-encodes a UTF-16 byte stream as UTF-8, dropping the byte-order mark, so the byte-level
 * record scanner (which needs an ASCII-compatible encoding) can read it. Invalid UTF-16 (a lone
 * surrogate, an odd number of bytes) fails the file rather than turning into U+FFFD.
 */
export async function* transcodeUtf16(
  source: AsyncIterable<Uint8Array>,
  encoding: keyof typeof LABELS,
): AsyncGenerator<Buffer> {
  const decoder = new TextDecoder(encoding, { fatal: true });
  let offset = 0;
  try {
    for await (const piece of source) {
      const text = decoder.decode(piece, { stream: true });
      offset += piece.length;
      if (text.length > 0) yield Buffer.from(text, 'utf8');
    }
    const rest = decoder.decode();
    if (rest.length > 0) yield Buffer.from(rest, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_ENCODING_INVALID_ENCODED_DATA') throw error;
    const label = LABELS[encoding];
    throw new InputFileError(
      'encoding_invalid',
      `the file looks like ${label} text but is not valid ${label} (in the ${offset} bytes read so far)`,
      { cause: error },
    );
  }
}
