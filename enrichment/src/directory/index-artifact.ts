import { closeSync, openSync, writeSync } from 'node:fs';
import { DirectoryFormatError } from '../errors.ts';
import { openBlockIndex } from '../match/block-index.ts';
import type { MatchModel } from '../match/score-candidate.ts';
import type { NicknameTable } from '../nicknames/nicknames.ts';
import {
  directoryIndexParts,
  nicknameFingerprint,
  openDirectoryIndex,
  type DirectoryIndex,
} from './directory-index.ts';
import { createFrequencyTables, FREQUENCY_FIELDS } from './frequency-tables.ts';
import { openPeopleStore } from './people-store.ts';
import { createStringPool } from './string-pool.ts';

/**
 * A built directory index, saved so it need not be built again from the CSV: the columnar
 * index's own arrays, written as they are (format 2). Loading is reading them back into typed
 * arrays over the artifact's bytes plus decoding the string tables: no CSV parsing, no
 * standardizing, no refiling, no EM.
 *
 * Layout (little-endian): magic "CEIX", format version (u16), 2 zero bytes, head length (u32),
 * the head as UTF-8 JSON (region, model, count, nickname fingerprint, section lengths), then the
 * sections in SECTION order, each starting at a multiple of 8 bytes so typed arrays can view it
 * in place. See docs/directories.md §3.
 */
export const INDEX_ARTIFACT_MAGIC = 'CEIX';
export const INDEX_ARTIFACT_VERSION = 2;

/**
 * The artifact was written by another format version, is not one, or was filed with a nickname
 * table that expands the directory's given names differently: build from the CSV again.
 */
export class IndexArtifactVersionError extends DirectoryFormatError {}

const SECTIONS = [
  'poolOffsets',
  'poolBytes',
  'uniqueOffsets',
  'uniqueBytes',
  'records',
  'recordOffsets',
  'updatedAt',
  'keysHi',
  'keysLo',
  'blockOffsets',
  'positions',
  'frequencies',
] as const;
type Section = (typeof SECTIONS)[number];

interface ArtifactHead {
  readonly defaultRegion: string;
  readonly model: MatchModel;
  readonly count: number;
  readonly nicknameFingerprint: string;
  readonly poolSize: number;
  readonly uniqueCount: number;
  /** Byte length of each section, in SECTIONS order. */
  readonly sections: readonly number[];
}

const PREFIX_BYTES = 12;
const align = (n: number): number => (n + 7) & ~7;

/** The index as one artifact buffer (see the layout above). */
export function serializeDirectoryIndex(index: DirectoryIndex): Buffer {
  const artifact = planArtifact(index);
  const out = Buffer.alloc(artifact.byteLength);
  let at = 0;
  for (const chunk of artifact.chunks()) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/**
 * Writes the artifact to a file section by section, never holding it whole: a builder's peak is
 * its index plus a few MiB, not the index plus the artifact. Returns the bytes written.
 */
export function writeDirectoryIndexArtifact(index: DirectoryIndex, path: string): number {
  const artifact = planArtifact(index);
  const fd = openSync(path, 'w');
  try {
    for (const chunk of artifact.chunks()) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  return artifact.byteLength;
}

/**
 * The artifact as a sequence of chunks (prefix and head, then each section and its padding), for
 * streaming it to a file or a multipart upload. The string sections are encoded while iterating.
 */
export function directoryIndexArtifactChunks(index: DirectoryIndex): {
  readonly byteLength: number;
  chunks(): Iterable<Uint8Array>;
} {
  return planArtifact(index);
}

interface SectionSource {
  readonly byteLength: number;
  chunks(): Iterable<Uint8Array>;
}

function planArtifact(index: DirectoryIndex): {
  readonly byteLength: number;
  chunks(): Iterable<Uint8Array>;
} {
  const parts = directoryIndexParts(index);
  const { people, blocks, frequencies } = parts;
  const pool = stringSections(people.pool.strings);
  const uniques = stringSections(people.uniques);
  const sources: Record<Section, SectionSource> = {
    poolOffsets: arraySection(pool.offsets),
    poolBytes: pool.bytes,
    uniqueOffsets: arraySection(uniques.offsets),
    uniqueBytes: uniques.bytes,
    records: arraySection(people.parts.records),
    recordOffsets: arraySection(people.parts.offsets),
    updatedAt: arraySection(people.parts.updatedAt),
    keysHi: arraySection(blocks.parts.keysHi),
    keysLo: arraySection(blocks.parts.keysLo),
    blockOffsets: arraySection(blocks.parts.offsets),
    positions: arraySection(blocks.parts.positions),
    frequencies: arraySection(frequencies.parts(people.pool.size)),
  };
  const head: ArtifactHead = {
    defaultRegion: parts.defaultRegion,
    model: parts.model,
    count: people.size,
    nicknameFingerprint: parts.nicknameFingerprint,
    poolSize: people.pool.size,
    uniqueCount: people.uniques.length,
    sections: SECTIONS.map((name) => sources[name].byteLength),
  };
  const headBytes = Buffer.from(JSON.stringify(head));
  const prefix = Buffer.alloc(align(PREFIX_BYTES + headBytes.length));
  prefix.write(INDEX_ARTIFACT_MAGIC, 0, 'latin1');
  prefix.writeUInt16LE(INDEX_ARTIFACT_VERSION, 4);
  prefix.writeUInt32LE(headBytes.length, 8);
  headBytes.copy(prefix, PREFIX_BYTES);
  let byteLength = prefix.length;
  for (const name of SECTIONS) byteLength += align(sources[name].byteLength);
  const padding = new Uint8Array(8);
  return {
    byteLength,
    *chunks() {
      yield prefix;
      for (const name of SECTIONS) {
        const source = sources[name];
        yield* source.chunks();
        const pad = align(source.byteLength) - source.byteLength;
        if (pad > 0) yield padding.subarray(0, pad);
      }
    },
  };
}

function arraySection(view: ArrayBufferView): SectionSource {
  return {
    byteLength: view.byteLength,
    chunks: () => [new Uint8Array(view.buffer, view.byteOffset, view.byteLength)],
  };
}

// Strings are encoded this many bytes at a time while the artifact is written.
const STRING_CHUNK_BYTES = 4 << 20;

/** Strings as n + 1 UTF-8 byte offsets, and the bytes, encoded chunk by chunk when iterated. */
function stringSections(strings: readonly string[]): {
  offsets: Uint32Array;
  bytes: SectionSource;
} {
  const offsets = new Uint32Array(strings.length + 1);
  let total = 0;
  strings.forEach((s, i) => {
    offsets[i] = total;
    total += Buffer.byteLength(s);
  });
  offsets[strings.length] = total;
  return {
    offsets,
    bytes: {
      byteLength: total,
      *chunks() {
        let i = 0;
        while (i < strings.length) {
          const start = offsets[i] as number;
          let end = i;
          while (end < strings.length && (offsets[end + 1] as number) - start <= STRING_CHUNK_BYTES)
            end++;
          // A single string longer than a chunk still goes out whole.
          if (end === i) end = i + 1;
          const chunk = Buffer.allocUnsafe((offsets[end] as number) - start);
          for (let j = i; j < end; j++)
            chunk.write(strings[j] as string, (offsets[j] as number) - start, 'utf8');
          yield chunk;
          i = end;
        }
      },
    },
  };
}

/**
 * Loads an artifact. The index's typed arrays view `bytes` in place (the caller must not reuse
 * them). Throws IndexArtifactVersionError when it must be rebuilt: another format version, bytes
 * that are not an artifact, or a nickname table that expands the directory's names otherwise.
 */
export function loadDirectoryIndexArtifact(
  bytes: Uint8Array,
  options: { readonly nicknames: NicknameTable },
): DirectoryIndex {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < PREFIX_BYTES || buffer.toString('latin1', 0, 4) !== INDEX_ARTIFACT_MAGIC) {
    throw new IndexArtifactVersionError('not a directory index artifact');
  }
  const version = buffer.readUInt16LE(4);
  if (version !== INDEX_ARTIFACT_VERSION) {
    throw new IndexArtifactVersionError(
      `directory index artifact version ${version}, this engine reads ${INDEX_ARTIFACT_VERSION}`,
    );
  }
  let head: ArtifactHead;
  const sections = new Map<Section, { start: number; length: number }>();
  try {
    const headLength = buffer.readUInt32LE(8);
    head = JSON.parse(
      buffer.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headLength),
    ) as ArtifactHead;
    let at = align(PREFIX_BYTES + headLength);
    SECTIONS.forEach((name, i) => {
      const length = head.sections[i] ?? -1;
      if (!(length >= 0) || at + length > buffer.length) throw new RangeError(`section ${name}`);
      sections.set(name, { start: at, length });
      at += align(length);
    });
  } catch (error) {
    throw new IndexArtifactVersionError('unreadable directory index artifact', { cause: error });
  }
  const section = <T>(
    name: Section,
    Type: {
      new (buffer: ArrayBufferLike, offset: number, length: number): T;
      BYTES_PER_ELEMENT: number;
    },
  ): T => {
    const { start, length } = sections.get(name) ?? { start: 0, length: 0 };
    const offset = bytes.byteOffset + start;
    const count = length / Type.BYTES_PER_ELEMENT;
    if (offset % Type.BYTES_PER_ELEMENT === 0) return new Type(bytes.buffer, offset, count);
    // Bytes handed over at an odd offset: copy this section to aligned memory.
    const copy = new Uint8Array(bytes.subarray(start, start + length));
    return new Type(copy.buffer, 0, count);
  };
  const strings = (offsetsName: Section, bytesName: Section): string[] => {
    const offsets = section(offsetsName, Uint32Array);
    const base = sections.get(bytesName)?.start ?? 0;
    const out = new Array<string>(Math.max(0, offsets.length - 1));
    for (let i = 0; i + 1 < offsets.length; i++) {
      out[i] = buffer.toString(
        'utf8',
        base + (offsets[i] as number),
        base + (offsets[i + 1] as number),
      );
    }
    return out;
  };
  const pool = createStringPool(strings('poolOffsets', 'poolBytes'));
  const uniques = strings('uniqueOffsets', 'uniqueBytes');
  const people = openPeopleStore(pool, uniques, {
    records: section('records', Uint8Array),
    offsets: section('recordOffsets', Uint32Array),
    updatedAt: section('updatedAt', Float64Array),
  });
  const frequencies = createFrequencyTables({
    counts: section('frequencies', Uint32Array),
    width: head.poolSize,
  });
  if (
    pool.size !== head.poolSize ||
    uniques.length !== head.uniqueCount ||
    people.size !== head.count ||
    frequencies.parts(head.poolSize).length !== (FREQUENCY_FIELDS.length + 1) * head.poolSize
  ) {
    throw new IndexArtifactVersionError('inconsistent directory index artifact');
  }
  if (nicknameFingerprint(pool, frequencies, options.nicknames) !== head.nicknameFingerprint) {
    throw new IndexArtifactVersionError(
      'directory index artifact was filed with another nickname table: rebuild it',
    );
  }
  const blocks = openBlockIndex({
    keysHi: section('keysHi', Uint32Array),
    keysLo: section('keysLo', Uint32Array),
    offsets: section('blockOffsets', Uint32Array),
    positions: section('positions', Uint32Array),
  });
  return openDirectoryIndex(
    {
      defaultRegion: head.defaultRegion,
      model: head.model,
      people,
      blocks,
      frequencies,
      nicknameFingerprint: head.nicknameFingerprint,
    },
    options.nicknames,
  );
}
