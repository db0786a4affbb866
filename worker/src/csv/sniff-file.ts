import { isUtf8 } from 'node:buffer';
import { incompleteUtf8Tail } from './utf8-validation.ts';

/** How much of the upload is looked at before anything else is done with it. */
export const SNIFF_BYTES = 64 * 1024;

export type FileSniff =
  | { readonly kind: 'binary'; readonly looksLike: string; readonly advice: string }
  | { readonly kind: 'utf-16'; readonly encoding: 'utf-16le' | 'utf-16be' }
  | {
      readonly kind: 'text';
      readonly encoding: 'utf-8' | 'utf-8-bom' | 'windows-1252';
      /** Bytes of a UTF-8 byte-order mark to skip (0 or 3). */
      readonly bomLength: number;
    };

interface Signature {
  readonly bytes: readonly number[];
  /** Where `bytes` sit (0 unless the format starts with a length or container header). */
  readonly at?: number;
  readonly alsoAt?: { readonly at: number; readonly bytes: readonly number[] };
  readonly looksLike: string;
  readonly advice: string;
}

const ascii = (text: string): number[] => Array.from(Buffer.from(text, 'latin1'));
const UNCOMPRESS = 'upload the uncompressed CSV file';
const NOT_CSV = 'upload the contacts as a CSV file';
const SAVE_AS_CSV = 'save it as "CSV UTF-8" and upload that';

/** Magic numbers of the files people upload by mistake (archives, images, workbooks, PDFs). */
const SIGNATURES: readonly Signature[] = [
  { bytes: [0x1f, 0x8b], looksLike: 'a gzip archive', advice: UNCOMPRESS },
  {
    bytes: [0x50, 0x4b, 0x03, 0x04],
    looksLike: 'a zip archive (an Excel .xlsx workbook is one too)',
    advice: `unzip it, or ${SAVE_AS_CSV}`,
  },
  { bytes: [0x50, 0x4b, 0x05, 0x06], looksLike: 'an empty zip archive', advice: UNCOMPRESS },
  {
    bytes: [0x42, 0x5a, 0x68],
    alsoAt: { at: 4, bytes: [0x31, 0x41, 0x59, 0x26, 0x53, 0x59] },
    looksLike: 'a bzip2 archive',
    advice: UNCOMPRESS,
  },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], looksLike: 'a 7-Zip archive', advice: UNCOMPRESS },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], looksLike: 'an xz archive', advice: UNCOMPRESS },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], looksLike: 'a zstd archive', advice: UNCOMPRESS },
  { bytes: ascii('Rar!\x1a\x07'), looksLike: 'a RAR archive', advice: UNCOMPRESS },
  {
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    looksLike: 'an Excel 97-2003 (.xls) or other Office document',
    advice: SAVE_AS_CSV,
  },
  { bytes: [0x89, ...ascii('PNG\r\n\x1a\n')], looksLike: 'a PNG image', advice: NOT_CSV },
  { bytes: [0xff, 0xd8, 0xff], looksLike: 'a JPEG image', advice: NOT_CSV },
  { bytes: ascii('GIF8'), looksLike: 'a GIF image', advice: NOT_CSV },
  {
    bytes: ascii('RIFF'),
    alsoAt: { at: 8, bytes: ascii('WEBP') },
    looksLike: 'a WebP image',
    advice: NOT_CSV,
  },
  { bytes: [0x49, 0x49, 0x2a, 0x00], looksLike: 'a TIFF image', advice: NOT_CSV },
  { bytes: [0x4d, 0x4d, 0x00, 0x2a], looksLike: 'a TIFF image', advice: NOT_CSV },
  { bytes: ascii('%PDF-'), looksLike: 'a PDF document', advice: NOT_CSV },
  { bytes: ascii('SQLite format 3\0'), looksLike: 'an SQLite database', advice: NOT_CSV },
  { bytes: [0x7f, ...ascii('ELF')], looksLike: 'an executable program', advice: NOT_CSV },
  // Before the UTF-16 byte-order marks, which are prefixes of these.
  { bytes: [0xff, 0xfe, 0x00, 0x00], looksLike: 'UTF-32 text', advice: SAVE_AS_CSV },
  { bytes: [0x00, 0x00, 0xfe, 0xff], looksLike: 'UTF-32 text', advice: SAVE_AS_CSV },
];

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const UTF16LE_BOM = [0xff, 0xfe];
const UTF16BE_BOM = [0xfe, 0xff];

/** Text has next to no control characters; more than this share of them means binary data. */
const MAX_CONTROL_SHARE = 0.05;
/**
 * BOM-less UTF-16: mostly-ASCII text (delimiters, digits, Latin names) puts a NUL in every other
 * byte. At least this share of one parity must be NUL, and almost none of the other.
 */
const UTF16_NUL_SHARE = 0.4;
const UTF16_OTHER_NUL_SHARE = 0.05;

/**
 * Decides from the first bytes of an upload what it is: binary (with what it looks like),
 * UTF-16 (to be transcoded), or ASCII-compatible text and its likely encoding.
 */
export function sniffFile(head: Uint8Array): FileSniff {
  const signature = SIGNATURES.find((s) => matchesSignature(head, s));
  if (signature) {
    return { kind: 'binary', looksLike: signature.looksLike, advice: signature.advice };
  }
  if (startsWith(head, UTF16LE_BOM)) return { kind: 'utf-16', encoding: 'utf-16le' };
  if (startsWith(head, UTF16BE_BOM)) return { kind: 'utf-16', encoding: 'utf-16be' };
  const bomless = bomlessUtf16(head);
  if (bomless) return { kind: 'utf-16', encoding: bomless };
  if (controlShare(head) > MAX_CONTROL_SHARE) {
    return { kind: 'binary', looksLike: 'binary data', advice: NOT_CSV };
  }
  if (startsWith(head, UTF8_BOM)) {
    return { kind: 'text', encoding: 'utf-8-bom', bomLength: UTF8_BOM.length };
  }
  // The window may end inside a character; that is not a reason to call the file windows-1252.
  const whole = head.subarray(0, head.length - incompleteUtf8Tail(head));
  return { kind: 'text', encoding: isUtf8(whole) ? 'utf-8' : 'windows-1252', bomLength: 0 };
}

/** The sentence a user sees when their upload is not text. */
export function binaryFileMessage(sniff: { looksLike: string; advice: string }): string {
  return `the file looks like ${sniff.looksLike}, not CSV text; ${sniff.advice}`;
}

function matchesSignature(head: Uint8Array, signature: Signature): boolean {
  return (
    startsWith(head, signature.bytes, signature.at ?? 0) &&
    (signature.alsoAt === undefined ||
      startsWith(head, signature.alsoAt.bytes, signature.alsoAt.at))
  );
}

function startsWith(head: Uint8Array, bytes: readonly number[], at = 0): boolean {
  if (head.length < at + bytes.length) return false;
  return bytes.every((byte, i) => head[at + i] === byte);
}

function bomlessUtf16(head: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const pairs = Math.floor(head.length / 2);
  if (pairs < 2) return undefined;
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i + 1 < head.length; i += 2) {
    if (head[i] === 0) evenNuls++;
    if (head[i + 1] === 0) oddNuls++;
  }
  const looksLike = (nuls: number, otherNuls: number): boolean =>
    nuls >= pairs * UTF16_NUL_SHARE && otherNuls <= pairs * UTF16_OTHER_NUL_SHARE;
  if (looksLike(oddNuls, evenNuls)) return 'utf-16le';
  if (looksLike(evenNuls, oddNuls)) return 'utf-16be';
  return undefined;
}

/** Share of bytes that are control characters other than tab, line breaks and form feed. */
function controlShare(head: Uint8Array): number {
  if (head.length === 0) return 0;
  let controls = 0;
  for (const byte of head) {
    if ((byte < 0x20 && (byte < 0x09 || byte > 0x0d)) || byte === 0x7f) controls++;
  }
  return controls / head.length;
}
