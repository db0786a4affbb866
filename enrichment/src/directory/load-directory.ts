import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { parse } from 'fast-csv';
import {
  createDirectoryIndexBuilder,
  type DirectoryIndex,
  type DirectoryIndexOptions,
  type DirectoryRecord,
} from './directory-index.ts';
import { DIRECTORY_COLUMNS } from '../standardize/contact.ts';
import { DirectoryFormatError } from '../errors.ts';

const REQUIRED = DIRECTORY_COLUMNS;

/**
 * Streams directory records out of a CSV (`id,first_name,last_name,email,phone,company,title,city`
 * and optionally `updated_at`, in any order, header names case-insensitive; extra columns ignored).
 * Memory stays flat however large the file: records are yielded one by one.
 */
export async function* readDirectoryRecords(input: Readable): AsyncGenerator<DirectoryRecord> {
  const parser = input.pipe(parse<string[], string[]>({ headers: false, ignoreEmpty: true }));
  // A read error on the source does not propagate through pipe(): forward it to the parser.
  input.once('error', (error) => parser.destroy(error));
  let positions: Record<(typeof REQUIRED)[number], number> | undefined;
  let updatedAt = -1;
  let line = 0;
  try {
    for await (const row of parser as AsyncIterable<string[]>) {
      line++;
      if (positions === undefined) {
        const names = row.map((h) =>
          h
            .replace(/^\uFEFF/, '')
            .trim()
            .toLowerCase(),
        );
        const missing = REQUIRED.filter((c) => !names.includes(c));
        if (missing.length > 0) {
          throw new DirectoryFormatError(
            `directory CSV lacks column(s) ${missing.join(', ')}; headers seen: ${row.map((h) => JSON.stringify(h)).join(', ')}`,
          );
        }
        positions = Object.fromEntries(REQUIRED.map((c) => [c, names.indexOf(c)])) as Record<
          (typeof REQUIRED)[number],
          number
        >;
        updatedAt = names.indexOf('updated_at');
        continue;
      }
      const p = positions;
      yield {
        id: row[p.id] ?? '',
        first_name: row[p.first_name] ?? '',
        last_name: row[p.last_name] ?? '',
        email: row[p.email] ?? '',
        phone: row[p.phone] ?? '',
        company: row[p.company] ?? '',
        title: row[p.title] ?? '',
        city: row[p.city] ?? '',
        updated_at: updatedAt >= 0 ? (row[updatedAt] ?? '') : undefined,
      };
    }
  } catch (error) {
    if (error instanceof DirectoryFormatError) throw error;
    throw new DirectoryFormatError(`cannot read directory CSV (near record ${line})`, {
      cause: error,
    });
  }
  if (positions === undefined) throw new DirectoryFormatError('directory CSV is empty');
}

/** Loads and indexes a directory CSV from a stream or a file path. */
export async function loadDirectoryCsv(
  input: Readable | string,
  options: DirectoryIndexOptions,
): Promise<DirectoryIndex> {
  const stream = typeof input === 'string' ? createReadStream(input) : input;
  const builder = createDirectoryIndexBuilder(options);
  for await (const record of readDirectoryRecords(stream)) builder.add(record);
  return builder.finish();
}
