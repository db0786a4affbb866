import { gunzipSync, gzipSync } from 'node:zlib';
import { DirectoryFormatError } from '../errors.ts';
import type { MatchModel } from '../match/score-candidate.ts';
import type { NicknameTable } from '../nicknames/nicknames.ts';
import type { Contact } from '../standardize/contact.ts';
import { createDirectoryIndexBuilder, type DirectoryIndex } from './directory-index.ts';

/**
 * A built directory index, saved so it need not be built again from the CSV: the standardized
 * people and the learned model. Loading skips CSV parsing, standardization and EM; blocks, term
 * frequencies and the vocabulary are refiled from the standardized people (cheap, and always with
 * the current nickname table). Layout: magic "CEIX", format version (u16 LE), then the gzip'd
 * newline-delimited JSON body. Not yet the columnar layout of docs/directories.md: the loaded
 * index holds the same per-person objects as one built from the CSV.
 */
export const INDEX_ARTIFACT_MAGIC = 'CEIX';
export const INDEX_ARTIFACT_VERSION = 1;

/** The artifact was written by another format version (or is not one): build from the CSV again. */
export class IndexArtifactVersionError extends DirectoryFormatError {}

interface ArtifactHead {
  readonly defaultRegion: string;
  readonly model: MatchModel;
  readonly count: number;
}

const HEADER_BYTES = 6;
const NEWLINE = 0x0a;

/**
 * The body is newline-delimited JSON (a head line, then one `[id, contact]` line per person), so
 * no single string holds the whole directory (V8 caps a string at ~512 MiB).
 */
export function serializeDirectoryIndex(index: DirectoryIndex): Buffer {
  const head: ArtifactHead = {
    defaultRegion: index.defaultRegion,
    model: index.model,
    count: index.entries.length,
  };
  const lines: Buffer[] = [Buffer.from(`${JSON.stringify(head)}\n`)];
  let batch = '';
  for (const entry of index.entries) {
    batch += `${JSON.stringify([entry.id, entry.contact])}\n`;
    if (batch.length > 1 << 20) {
      lines.push(Buffer.from(batch));
      batch = '';
    }
  }
  lines.push(Buffer.from(batch));
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(INDEX_ARTIFACT_MAGIC, 0, 'latin1');
  header.writeUInt16LE(INDEX_ARTIFACT_VERSION, 4);
  return Buffer.concat([header, gzipSync(Buffer.concat(lines))]);
}

/** Loads an artifact; throws IndexArtifactVersionError when it must be rebuilt. */
export function loadDirectoryIndexArtifact(
  bytes: Uint8Array,
  options: { readonly nicknames: NicknameTable },
): DirectoryIndex {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < HEADER_BYTES || buffer.toString('latin1', 0, 4) !== INDEX_ARTIFACT_MAGIC) {
    throw new IndexArtifactVersionError('not a directory index artifact');
  }
  const version = buffer.readUInt16LE(4);
  if (version !== INDEX_ARTIFACT_VERSION) {
    throw new IndexArtifactVersionError(
      `directory index artifact version ${version}, this engine reads ${INDEX_ARTIFACT_VERSION}`,
    );
  }
  try {
    const body = gunzipSync(buffer.subarray(HEADER_BYTES));
    let start = body.indexOf(NEWLINE);
    const head = JSON.parse(body.toString('utf8', 0, start)) as ArtifactHead;
    const builder = createDirectoryIndexBuilder({
      nicknames: options.nicknames,
      defaultRegion: head.defaultRegion,
      model: head.model,
      training: false,
    });
    for (let i = 0; i < head.count; i++) {
      const end = body.indexOf(NEWLINE, start + 1);
      if (end < 0) throw new IndexArtifactVersionError('truncated directory index artifact');
      const [id, contact] = JSON.parse(body.toString('utf8', start + 1, end)) as [string, Contact];
      builder.addStandardized(id, contact);
      start = end;
    }
    return builder.finish();
  } catch (error) {
    if (error instanceof IndexArtifactVersionError) throw error;
    throw new IndexArtifactVersionError('unreadable directory index artifact', { cause: error });
  }
}
