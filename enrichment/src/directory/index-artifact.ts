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
 * JSON body. Not yet the columnar layout of docs/directories.md: the loaded index holds the same
 * per-person objects as one built from the CSV.
 */
export const INDEX_ARTIFACT_MAGIC = 'CEIX';
export const INDEX_ARTIFACT_VERSION = 1;

/** The artifact was written by another format version (or is not one): build from the CSV again. */
export class IndexArtifactVersionError extends DirectoryFormatError {}

interface ArtifactBody {
  readonly defaultRegion: string;
  readonly model: MatchModel;
  readonly ids: readonly string[];
  readonly contacts: readonly Contact[];
}

const HEADER_BYTES = 6;

export function serializeDirectoryIndex(index: DirectoryIndex): Buffer {
  const body: ArtifactBody = {
    defaultRegion: index.defaultRegion,
    model: index.model,
    ids: index.entries.map((e) => e.id),
    contacts: index.entries.map((e) => e.contact),
  };
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(INDEX_ARTIFACT_MAGIC, 0, 'latin1');
  header.writeUInt16LE(INDEX_ARTIFACT_VERSION, 4);
  return Buffer.concat([header, gzipSync(JSON.stringify(body))]);
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
  let body: ArtifactBody;
  try {
    body = JSON.parse(gunzipSync(buffer.subarray(HEADER_BYTES)).toString('utf8')) as ArtifactBody;
  } catch (error) {
    throw new IndexArtifactVersionError('unreadable directory index artifact', { cause: error });
  }
  const builder = createDirectoryIndexBuilder({
    nicknames: options.nicknames,
    defaultRegion: body.defaultRegion,
    model: body.model,
    training: false,
  });
  body.ids.forEach((id, i) => {
    const contact = body.contacts[i];
    if (contact === undefined) throw new IndexArtifactVersionError('truncated index artifact');
    builder.addStandardized(id, contact);
  });
  return builder.finish();
}
