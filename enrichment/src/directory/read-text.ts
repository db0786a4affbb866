import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';

/** How many bytes are looked at to choose the encoding and the delimiter. */
const HEAD_BYTES = 64 * 1024;

export interface DecodedText {
  /** The file's text, chunk by chunk, byte-order mark removed. */
  readonly chunks: AsyncGenerator<string>;
  /** The field delimiter of the header and first rows: `,`, `;`, tab or `|`. */
  readonly delimiter: string;
}

/**
 * Decodes a CSV the way uploads are read: UTF-8 (with or without BOM), UTF-16 LE/BE with a BOM,
 * and windows-1252 (what Excel writes on Windows) when the head is not valid UTF-8; then works
 * out the delimiter from the header and the first rows.
 */
export async function decodeCsvText(input: Readable): Promise<DecodedText> {
  const iterator = (input as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < HEAD_BYTES) {
    const next = await iterator.next();
    if (next.done === true) {
      done = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    head.push(chunk);
    size += chunk.length;
  }
  const headBytes = Buffer.concat(head);
  const encoding = detectEncoding(headBytes, done);
  const decoder = new TextDecoder(encoding, { ignoreBOM: false });
  const headText = decoder.decode(headBytes, { stream: true });
  const delimiter = detectDelimiter(headText);
  async function* chunks(): AsyncGenerator<string> {
    if (headText !== '') yield headText;
    if (!done) {
      for (;;) {
        const next = await iterator.next();
        if (next.done === true) break;
        const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
        const text = decoder.decode(chunk, { stream: true });
        if (text !== '') yield text;
      }
    }
    const tail = decoder.decode();
    if (tail !== '') yield tail;
  }
  return { chunks: chunks(), delimiter };
}

function detectEncoding(head: Buffer, complete: boolean): string {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  // The head may end inside a multi-byte character: check it without its last 3 bytes.
  const sample = complete ? head : head.subarray(0, Math.max(0, head.length - 3));
  return isUtf8(sample) ? 'utf-8' : 'windows-1252';
}

const DELIMITERS = [',', ';', '\t', '|'] as const;

/**
 * The delimiter found outside quotes in the header that splits the most of the first rows into
 * the header's number of fields; a header with none of them is one column, read with commas.
 */
export function detectDelimiter(text: string): string {
  const lines = text.split(/\r\n|\n|\r/).slice(0, 21);
  const [header = '', ...rows] = lines;
  let best: string = ',';
  let bestScore = -1;
  for (const delimiter of DELIMITERS) {
    const inHeader = countOutsideQuotes(header, delimiter);
    if (inHeader === 0) continue;
    const agreeing = rows.filter(
      (row) => row !== '' && countOutsideQuotes(row, delimiter) === inHeader,
    ).length;
    const score = agreeing * 1000 + inHeader;
    if (score > bestScore) {
      best = delimiter;
      bestScore = score;
    }
  }
  return best;
}

function countOutsideQuotes(line: string, delimiter: string): number {
  let count = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) count++;
  }
  return count;
}
