import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { peekStream } from './peek-stream.ts';
import { transcodeUtf16 } from './transcode-utf16.ts';

async function collect(pieces: AsyncIterable<Buffer>): Promise<Buffer> {
  const all: Buffer[] = [];
  for await (const piece of pieces) all.push(piece);
  return Buffer.concat(all);
}

/** Cut into 3-byte pieces, so characters and surrogate pairs straddle them. */
function pieces(bytes: Buffer): Readable {
  return Readable.from(
    Array.from({ length: Math.ceil(bytes.length / 3) }, (_, i) => bytes.subarray(i * 3, i * 3 + 3)),
  );
}

describe('transcodeUtf16', () => {
  const text = 'Name,City\nZoë,Zürich 😀\n';

  it('re-encodes UTF-16LE and UTF-16BE as UTF-8 without the byte-order mark', async () => {
    const le = Buffer.from(`\uFEFF${text}`, 'utf16le');
    expect((await collect(transcodeUtf16(pieces(le), 'utf-16le'))).toString()).toBe(text);
    const be = Buffer.from(`\uFEFF${text}`, 'utf16le').swap16();
    expect((await collect(transcodeUtf16(pieces(be), 'utf-16be'))).toString()).toBe(text);
  });

  it('fails the file on invalid UTF-16', async () => {
    const odd = Buffer.concat([Buffer.from('ab', 'utf16le'), Buffer.from([0x61])]);
    await expect(collect(transcodeUtf16(pieces(odd), 'utf-16le'))).rejects.toMatchObject({
      code: 'encoding_invalid',
    });
    const loneSurrogate = Buffer.from([0x00, 0xd8, 0x61, 0x00]);
    await expect(collect(transcodeUtf16(pieces(loneSurrogate), 'utf-16le'))).rejects.toThrow(
      /not valid UTF-16LE/,
    );
  });
});

describe('peekStream', () => {
  it('shows the first bytes and still yields the whole stream', async () => {
    const bytes = Buffer.from('0123456789abcdef');
    const { head, pieces: all } = await peekStream(pieces(bytes), 5);
    expect(head.toString()).toBe('01234');
    expect((await collect(all)).toString()).toBe(bytes.toString());
  });

  it('handles streams shorter than the window, and empty ones', async () => {
    const short = await peekStream(pieces(Buffer.from('ab')), 10);
    expect(short.head.toString()).toBe('ab');
    expect((await collect(short.pieces)).toString()).toBe('ab');
    const empty = await peekStream(Readable.from([]), 10);
    expect(empty.head.length).toBe(0);
    expect((await collect(empty.pieces)).length).toBe(0);
  });
});
