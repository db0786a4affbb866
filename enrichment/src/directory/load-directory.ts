import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { parse } from 'fast-csv';
import {
  createDirectoryIndexBuilder,
  type DirectoryIndex,
  type DirectoryIndexOptions,
  type DirectoryRecord,
} from './directory-index.ts';
import { DirectoryFormatError, EnrichmentError } from '../errors.ts';
import { decodeCsvText } from './read-text.ts';
import {
  recognizeColumns,
  type ColumnMapping,
  type SingleField,
} from '../standardize/recognize-columns.ts';

// Headers (compacted: lower case, letters and digits only) of a directory's record id, best first.
const ID_HEADERS: readonly string[] = [
  'id',
  'recid',
  'recordid',
  'contactid',
  'personid',
  'directoryid',
  'customerid',
  'memberid',
  'userid',
  'employeeid',
  'externalid',
  'uid',
  'uuid',
  'key',
  'identifier',
  'resourcename',
];

/** Where the id and each contact field live in a directory header. */
interface DirectoryColumns {
  readonly id: number;
  readonly mapping: ColumnMapping;
}

/**
 * Reads a directory header with the same recognition as uploads (Google, Outlook, Mailchimp,
 * HubSpot, vCard-derived, snake_case, FEBRL-style…) plus an id column (`id`, `rec_id`,
 * `Record ID`, `contact_id`…). Throws DirectoryFormatError naming what is missing.
 */
export function recognizeDirectoryColumns(headers: readonly string[]): DirectoryColumns {
  const compact = headers.map((h) =>
    h
      .replace(/^\uFEFF/, '')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, ''),
  );
  let id = -1;
  for (const name of ID_HEADERS) {
    id = compact.indexOf(name);
    if (id >= 0) break;
  }
  const seen = headers.map((h) => JSON.stringify(h)).join(', ');
  if (id < 0) {
    throw new DirectoryFormatError(
      `directory CSV lacks an id column (id, rec_id, contact_id, Record ID…); headers seen: ${seen}`,
    );
  }
  let mapping: ColumnMapping;
  try {
    mapping = recognizeColumns(headers.map((h, i) => (i === id ? '' : h)));
  } catch (error) {
    if (error instanceof EnrichmentError) {
      throw new DirectoryFormatError(
        `directory CSV has no name, email or phone column; headers seen: ${seen}`,
        { cause: error },
      );
    }
    throw error;
  }
  return { id, mapping };
}

/** The directory record of one CSV row. */
function toRecord(row: readonly string[], columns: DirectoryColumns): DirectoryRecord {
  const { single, emails, phones } = columns.mapping;
  const cell = (field: SingleField): string | undefined => {
    const index = single[field];
    return index === undefined ? undefined : (row[index] ?? '');
  };
  return {
    id: row[columns.id] ?? '',
    first_name: cell('first_name'),
    last_name: cell('last_name'),
    full_name: cell('full_name'),
    middle_name: cell('middle_name'),
    prefix: cell('prefix'),
    suffix: cell('suffix'),
    nickname: cell('nickname'),
    emails: emails.map((i) => row[i] ?? ''),
    phones: phones.map((i) => row[i] ?? ''),
    company: cell('company'),
    title: cell('title'),
    city: cell('city'),
    street: cell('street'),
    street2: cell('street2'),
    street_number: cell('street_number'),
    postcode: cell('postcode'),
    state: cell('state'),
    country: cell('country'),
    birth_date: cell('birth_date'),
    national_id: cell('national_id'),
    updated_at: cell('updated_at'),
  };
}

/**
 * Streams directory records out of a CSV. The directory is a contact export like any upload:
 * its header is recognized the same way (see recognizeDirectoryColumns), in UTF-8, UTF-16 or
 * windows-1252, with `,`, `;`, tab or `|` delimiters; columns it does not recognize are ignored.
 * The canonical `id,first_name,last_name,email,phone,company,title,city[,updated_at]` header
 * still reads as before. Memory stays flat however large the file: records are yielded one by one.
 */
export async function* readDirectoryRecords(input: Readable): AsyncGenerator<DirectoryRecord> {
  let columns: DirectoryColumns | undefined;
  let line = 0;
  try {
    const { chunks, delimiter } = await decodeCsvText(input);
    const text = Readable.from(chunks);
    const parser = text.pipe(
      parse<string[], string[]>({ headers: false, ignoreEmpty: true, delimiter }),
    );
    // A read error on the source does not propagate through pipe(): forward it to the parser.
    text.once('error', (error) => parser.destroy(error));
    input.once('error', (error) => parser.destroy(error));
    for await (const row of parser as AsyncIterable<string[]>) {
      line++;
      if (columns === undefined) {
        columns = recognizeDirectoryColumns(row);
        continue;
      }
      yield toRecord(row, columns);
    }
  } catch (error) {
    if (error instanceof DirectoryFormatError) throw error;
    throw new DirectoryFormatError(`cannot read directory CSV (near record ${line})`, {
      cause: error,
    });
  }
  if (columns === undefined) throw new DirectoryFormatError('directory CSV is empty');
}

/** Loads and indexes a directory CSV from a stream or a file path. */
export async function loadDirectoryCsv(
  input: Readable | string,
  options: DirectoryIndexOptions,
): Promise<DirectoryIndex> {
  const stream = typeof input === 'string' ? createReadStream(input) : input;
  const builder = createDirectoryIndexBuilder(options);
  for await (const record of readDirectoryRecords(stream)) builder.add(record);
  return builder.finishSoon();
}
