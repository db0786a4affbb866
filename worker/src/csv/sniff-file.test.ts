import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { binaryFileMessage, sniffFile } from './sniff-file.ts';

const csv = 'First Name,Email\nJosé,jose@example.com\n';
const utf16 = (text: string, order: 'le' | 'be', bom: boolean): Buffer => {
  const le = Buffer.from((bom ? '\uFEFF' : '') + text, 'utf16le');
  return order === 'le' ? le : le.swap16();
};

describe('sniffFile', () => {
  it.each([
    ['gzip', gzipSync(csv), /gzip archive.*uncompressed/],
    ['zip', Buffer.from('PK\x03\x04\x14\x00\x00\x00', 'latin1'), /zip archive.*xlsx/],
    ['png', Buffer.from('\x89PNG\r\n\x1a\n\0\0\0\rIHDR', 'latin1'), /PNG image/],
    ['jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), /JPEG image/],
    ['pdf', Buffer.from('%PDF-1.7\n%\xe2\xe3\n1 0 obj', 'latin1'), /PDF document/],
    ['xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]), /\.xls/],
    ['webp', Buffer.from('RIFF\x10\0\0\0WEBPVP8 ', 'latin1'), /WebP image/],
    ['utf-32', Buffer.from([0xff, 0xfe, 0, 0, 0x61, 0, 0, 0]), /UTF-32/],
  ])('names a %s file for what it is', (_kind, bytes, message) => {
    const sniff = sniffFile(bytes);
    expect(sniff.kind).toBe('binary');
    if (sniff.kind === 'binary') expect(binaryFileMessage(sniff)).toMatch(message);
  });

  it('calls unknown data with many control bytes binary', () => {
    const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    expect(sniffFile(noise)).toMatchObject({ kind: 'binary', looksLike: 'binary data' });
  });

  it('keeps text with a few NUL bytes as text (those rows are rejected later)', () => {
    const text = Buffer.from(`${csv}Ann\0,ann@example.com\n`.repeat(5));
    expect(sniffFile(text)).toEqual({ kind: 'text', encoding: 'utf-8', bomLength: 0 });
  });

  it('finds UTF-16 by its byte-order mark or, without one, by its NUL bytes', () => {
    expect(sniffFile(utf16(csv, 'le', true))).toEqual({ kind: 'utf-16', encoding: 'utf-16le' });
    expect(sniffFile(utf16(csv, 'be', true))).toEqual({ kind: 'utf-16', encoding: 'utf-16be' });
    expect(sniffFile(utf16(csv, 'le', false))).toEqual({ kind: 'utf-16', encoding: 'utf-16le' });
    expect(sniffFile(utf16(csv, 'be', false))).toEqual({ kind: 'utf-16', encoding: 'utf-16be' });
  });

  it('tells UTF-8 (with or without BOM) from windows-1252', () => {
    expect(sniffFile(Buffer.from(csv))).toEqual({ kind: 'text', encoding: 'utf-8', bomLength: 0 });
    expect(sniffFile(Buffer.from(`\uFEFF${csv}`))).toEqual({
      kind: 'text',
      encoding: 'utf-8-bom',
      bomLength: 3,
    });
    expect(sniffFile(Buffer.from(csv, 'latin1'))).toMatchObject({ encoding: 'windows-1252' });
    expect(sniffFile(Buffer.alloc(0))).toMatchObject({ kind: 'text', encoding: 'utf-8' });
  });

  it('does not call UTF-8 cut off inside a character at the window edge windows-1252', () => {
    const cut = Buffer.from('a,b\nJosé').subarray(0, -1);
    expect(sniffFile(cut)).toMatchObject({ encoding: 'utf-8' });
  });
});
