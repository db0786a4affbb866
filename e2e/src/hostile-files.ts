import { readFileSync } from 'node:fs';
import { fieldColumnName } from '@contacts/enrichment';
import { csvLine, seededRandom } from './contacts.ts';

/**
 * A catalogue of hostile input files, each with the outcome the service owes its sender: a
 * failed job with a specific error code and message, a refused upload, or a completed job with
 * the rows it rejected and why. `e2e/test/hostile-input.test.ts` runs every case through the
 * real API and workers. Large files are generated as streams; tiny binary ones are fixtures.
 */

/** Limits the harness runs with, so the catalogue stays small and fast. */
export const HOSTILE_LIMITS = {
  /** MAX_ROW_BYTES: above the 1 MB field, below the oversized row. */
  maxRowBytes: 2 * 1024 * 1024,
  /** MAX_UPLOAD_BYTES of the second API the "too large" case is sent to. */
  smallUploadBytes: 64 * 1024,
} as const;

/** The bytes, or a stream of pieces for files too big to hold. */
export type HostileBody = Uint8Array | Iterable<Uint8Array>;

/** Row number (1-based data row) → column name (first of that name) → expected cell. */
export type ExpectedCells = Readonly<Record<number, Readonly<Record<string, string>>>>;

export type HostileOutcome =
  | { readonly status: 'failed'; readonly code: string; readonly message: RegExp }
  /** Refused by the API before any job runs (sent to the API with the small upload limit). */
  | {
      readonly status: 'refused';
      readonly httpStatus: number;
      readonly type: string;
      readonly message: RegExp;
    }
  | {
      readonly status: 'completed';
      readonly rows: number;
      readonly rejected: number;
      /** The whole rejects file, header included. */
      readonly rejects?: string;
      /** The input columns at the start of the output header. */
      readonly columns?: readonly string[];
      readonly cells?: ExpectedCells;
      /** Row number → its first output cells, by position (for duplicate column names). */
      readonly leadingCells?: Readonly<Record<number, readonly string[]>>;
      /** How split recorded it read the file. */
      readonly job?: {
        readonly encoding?: string;
        readonly delimiter?: string;
        readonly lineEnding?: string;
        readonly transcoded?: boolean;
      };
    };

export interface HostileCase {
  /** Unique; also the uploaded file's name. */
  readonly name: string;
  readonly body: () => HostileBody;
  /** Rows per chunk, to spread a file over several chunks. */
  readonly chunkRows?: number;
  readonly expect: HostileOutcome;
}

const fixture = (name: string): Uint8Array =>
  readFileSync(new URL(`../fixtures/hostile/${name}`, import.meta.url));

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');

const WINDOWS_1252: Readonly<Record<string, number>> = {
  '€': 0x80,
  '’': 0x92,
  '“': 0x93,
  '”': 0x94,
};
/** Latin-1 text plus windows-1252's curly quotes and euro sign, as Excel on Windows saves it. */
const cp1252 = (text: string): Uint8Array =>
  Buffer.from(Array.from(text, (c) => WINDOWS_1252[c] ?? c.charCodeAt(0)));

function utf16(text: string, order: 'le' | 'be', bom: boolean): Uint8Array {
  const le = Buffer.from((bom ? '\uFEFF' : '') + text, 'utf16le');
  return order === 'le' ? le : le.swap16();
}

const lines = (rows: readonly (readonly string[])[], eol = '\n'): string =>
  rows.map((row) => csvLine(row, eol)).join('');

/** `count` pieces of `size` bytes of `byte`: a big file that never sits in memory whole. */
function* repeated(byte: string, size: number, count: number): Generator<Uint8Array> {
  const piece = Buffer.alloc(size, byte);
  for (let i = 0; i < count; i++) yield piece;
}

const PEOPLE = [
  ['Ann', 'Lee', 'ann@example.com'],
  ['Bob', 'Stone', 'bob@example.com'],
  ['Carl', 'Diaz', 'carl@example.com'],
];
const NAME_EMAIL = ['First Name', 'Last Name', 'Email'];
const PEOPLE_CSV = lines([NAME_EMAIL, ...PEOPLE]);
const MIB = 1024 * 1024;

/** Every case; built on demand (a few of them are megabytes). */
export function hostileCases(): readonly HostileCase[] {
  return [...emptyAndBinary(), ...encodings(), ...layouts(), ...contents(), ...sizes()];
}

function emptyAndBinary(): HostileCase[] {
  const binary = (name: string, body: () => Uint8Array, message: RegExp): HostileCase => ({
    name,
    body,
    expect: { status: 'failed', code: 'file_binary', message },
  });
  return [
    {
      name: 'empty',
      body: () => new Uint8Array(),
      expect: { status: 'failed', code: 'file_empty', message: /^the file is empty$/ },
    },
    {
      name: 'bom-only',
      body: () => utf8('\uFEFF'),
      expect: { status: 'failed', code: 'file_empty', message: /empty/ },
    },
    {
      name: 'blank-lines-only',
      body: () => utf8('\n\r\n\n'),
      expect: { status: 'failed', code: 'header_missing', message: /no header row/ },
    },
    {
      name: 'header-only',
      body: () => utf8('First Name,Email\r\n'),
      expect: { status: 'completed', rows: 0, rejected: 0, columns: ['First Name', 'Email'] },
    },
    binary('png', () => fixture('image.png'), /looks like a PNG image, not CSV text/),
    binary('jpeg', () => fixture('image.jpg'), /looks like a JPEG image/),
    binary('gzip', () => fixture('contacts.csv.gz'), /gzip archive.*upload the uncompressed CSV/),
    binary('zip', () => fixture('contacts.zip'), /zip archive \(an Excel \.xlsx workbook/),
    binary('pdf', () => utf8('%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n<< /Type /Catalog >>\n'), /PDF/),
    binary(
      'xls',
      () => Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(504)]),
      /Excel 97-2003 \(\.xls\).*save it as "CSV UTF-8"/,
    ),
    binary(
      'random-bytes',
      () => {
        const random = seededRandom(3);
        return Buffer.from(Array.from({ length: 16 * 1024 }, () => Math.floor(random() * 256)));
      },
      /looks like binary data/,
    ),
  ];
}

function encodings(): HostileCase[] {
  const text = lines([
    NAME_EMAIL,
    ['Zoë', 'Müller', 'zoe@example.com'],
    ['José', 'García', 'jose@example.com'],
  ]);
  const decoded: ExpectedCells = {
    1: { 'First Name': 'Zoë', 'Last Name': 'Müller' },
    2: { 'First Name': 'José', 'Last Name': 'García' },
  };
  const utf16Case = (name: string, order: 'le' | 'be', bom: boolean): HostileCase => ({
    name,
    body: () => utf16(text, order, bom),
    expect: {
      status: 'completed',
      rows: 2,
      rejected: 0,
      columns: NAME_EMAIL,
      cells: decoded,
      job: { encoding: `utf-16${order}`, transcoded: true },
    },
  });
  // 3,000 ASCII rows (about 100 KB) push the first accented byte past the sniffed window.
  const asciiRows = Array.from({ length: 3000 }, (_, i) => [
    `Person${i}`,
    'Smith',
    `p${i}@example.com`,
  ]);
  return [
    {
      name: 'utf8-bom',
      body: () => utf8(`\uFEFF${text}`),
      expect: {
        status: 'completed',
        rows: 2,
        rejected: 0,
        columns: NAME_EMAIL,
        cells: decoded,
        job: { encoding: 'utf-8-bom' },
      },
    },
    utf16Case('utf16le-bom', 'le', true),
    utf16Case('utf16be-bom', 'be', true),
    utf16Case('utf16le-no-bom', 'le', false),
    {
      // Longer than the sniffed window and spread over chunks: transcoded as a stream.
      name: 'utf16le-large',
      chunkRows: 500,
      body: () =>
        utf16(lines([NAME_EMAIL, ...asciiRows, ['Zoë', 'Müller', 'zoe@example.com']]), 'le', true),
      expect: {
        status: 'completed',
        rows: 3001,
        rejected: 0,
        cells: {
          1: { 'First Name': 'Person0' },
          3001: { 'First Name': 'Zoë', 'Last Name': 'Müller' },
        },
        job: { encoding: 'utf-16le', transcoded: true },
      },
    },
    {
      name: 'utf16-invalid',
      body: () =>
        Buffer.concat([utf16('Name,Email\n', 'le', true), Buffer.from([0x00, 0xd8, 0x41])]),
      expect: { status: 'failed', code: 'encoding_invalid', message: /not valid UTF-16LE/ },
    },
    {
      name: 'windows-1252',
      body: () =>
        cp1252(
          lines([
            [...NAME_EMAIL, 'Notes'],
            ['Zoë', 'Müller', 'zoe@example.com', '“VIP” €5 O’Brien'],
          ]),
        ),
      expect: {
        status: 'completed',
        rows: 1,
        rejected: 0,
        cells: { 1: { 'Last Name': 'Müller', Notes: '“VIP” €5 O’Brien' } },
        job: { encoding: 'windows-1252' },
      },
    },
    {
      name: 'windows-1252-late',
      chunkRows: 500,
      body: () => cp1252(lines([NAME_EMAIL, ...asciiRows, ['Zoë', 'Müller', 'zoe@example.com']])),
      expect: {
        status: 'completed',
        rows: 3001,
        rejected: 0,
        cells: {
          1: { 'First Name': 'Person0' },
          3001: { 'First Name': 'Zoë', 'Last Name': 'Müller' },
        },
        job: { encoding: 'windows-1252' },
      },
    },
    {
      name: 'mixed-encodings',
      body: () =>
        Buffer.concat([
          utf8(lines([NAME_EMAIL, ['José', 'García', 'jose@example.com']])),
          cp1252(lines([['Zoë', 'Müller', 'zoe@example.com']])),
          utf8('Chloé,'),
          cp1252(lines([['Dürr', 'chloe@example.com']])),
        ]),
      expect: {
        status: 'completed',
        rows: 3,
        rejected: 1,
        rejects:
          'row_number,reason\n3,row 3 mixes UTF-8 with another encoding; save the file as UTF-8\n',
        cells: {
          1: { 'Last Name': 'García' },
          2: { 'Last Name': 'Müller' },
          3: { 'First Name': 'Chloé', 'Last Name': 'D\uFFFDrr', match_status: 'rejected' },
        },
        job: { encoding: 'windows-1252' },
      },
    },
  ];
}

function layouts(): HostileCase[] {
  const people = (delimiter: string): string =>
    [NAME_EMAIL, ...PEOPLE].map((row) => row.join(delimiter)).join('\n') + '\n';
  const delimited = (name: string, delimiter: string): HostileCase => ({
    name,
    body: () => utf8(people(delimiter)),
    expect: {
      status: 'completed',
      rows: 3,
      rejected: 0,
      columns: NAME_EMAIL,
      // Recognized: the email lands in the standardized column, and no row is rejected.
      cells: {
        3: {
          'First Name': 'Carl',
          [fieldColumnName('email')]: 'carl@example.com',
          match_status: 'none',
        },
      },
      job: { delimiter },
    },
  });
  return [
    {
      name: 'crlf',
      body: () => utf8(lines([NAME_EMAIL, ...PEOPLE], '\r\n')),
      expect: {
        status: 'completed',
        rows: 3,
        rejected: 0,
        cells: { 3: { Email: 'carl@example.com' } },
        job: { lineEnding: 'crlf' },
      },
    },
    {
      name: 'lone-cr',
      body: () =>
        utf8(
          'First Name,Email\rAnn,ann@example.com\r"Bob\rJr",bob@example.com\r\rCarl,carl@example.com',
        ),
      expect: {
        status: 'completed',
        rows: 3,
        rejected: 0,
        cells: { 2: { 'First Name': 'Bob\rJr' }, 3: { 'First Name': 'Carl' } },
        job: { lineEnding: 'cr' },
      },
    },
    {
      name: 'semicolons',
      body: () =>
        utf8(
          'Vorname;Nachname;E-Mail;Firma\nJürgen;Groß;j.gross@example.de;"Acme; GmbH, Berlin"\n',
        ),
      expect: {
        status: 'completed',
        rows: 1,
        rejected: 0,
        columns: ['Vorname', 'Nachname', 'E-Mail', 'Firma'],
        cells: {
          1: {
            Firma: 'Acme; GmbH, Berlin',
            [fieldColumnName('first_name')]: 'Jürgen',
            [fieldColumnName('email')]: 'j.gross@example.de',
          },
        },
        job: { delimiter: ';' },
      },
    },
    delimited('tabs', '\t'),
    delimited('pipes', '|'),
    {
      name: 'unbalanced-quote',
      body: () => utf8(`${PEOPLE_CSV}"Dan,dan@example.com\nEve,eve@example.com\n`),
      expect: { status: 'failed', code: 'unbalanced_quote', message: /a quote is never closed/ },
    },
    {
      name: 'quoted-newlines',
      body: () =>
        utf8(
          lines([
            [...NAME_EMAIL, 'Notes'],
            ['Ann', 'Lee', 'ann@example.com', 'line one\nline two, with comma'],
            ['Bob', 'Stone', 'bob@example.com', 'said "hi"\r\nthen left'],
            ['Carl', 'Diaz', 'carl@example.com', ''],
          ]),
        ),
      expect: {
        status: 'completed',
        rows: 3,
        rejected: 0,
        cells: {
          1: { Notes: 'line one\nline two, with comma' },
          2: { Notes: 'said "hi"\r\nthen left' },
          3: { 'First Name': 'Carl' },
        },
      },
    },
    {
      name: 'ragged-rows',
      body: () =>
        utf8(
          `${lines([NAME_EMAIL, PEOPLE[0]!])}Bob,bob@example.com\nCarl,Diaz,carl@example.com,extra\n`,
        ),
      expect: {
        status: 'completed',
        rows: 3,
        rejected: 2,
        rejects:
          'row_number,reason\n2,"row has 2 fields, header has 3"\n3,"row has 4 fields, header has 3"\n',
        cells: {
          1: { match_status: 'none' },
          2: { match_status: 'rejected', 'First Name': 'Bob' },
        },
      },
    },
    {
      // Kept as they are: the output keeps every input column; recognition uses the first.
      name: 'duplicate-headers',
      body: () => utf8('Email,Name,Email\nann@example.com,Ann Lee,ann.lee@example.org\n'),
      expect: {
        status: 'completed',
        rows: 1,
        rejected: 0,
        columns: ['Email', 'Name', 'Email'],
        leadingCells: { 1: ['ann@example.com', 'Ann Lee', 'ann.lee@example.org', 'none'] },
        cells: { 1: { [fieldColumnName('email')]: 'ann@example.com' } },
      },
    },
    {
      name: 'no-recognizable-columns',
      body: () => utf8('Foo,Bar\n1,2\n'),
      expect: {
        status: 'failed',
        code: 'columns_unrecognized',
        message: /no usable name, email or phone column.*"Foo", "Bar"/,
      },
    },
  ];
}

function contents(): HostileCase[] {
  const notes = [...NAME_EMAIL, 'Notes'];
  return [
    {
      name: 'nul-bytes',
      body: () =>
        utf8(
          lines([
            notes,
            [...PEOPLE[0]!, 'fine'],
            [...PEOPLE[1]!, 'bad\0byte'],
            [...PEOPLE[2]!, 'ok'],
          ]),
        ),
      expect: {
        status: 'completed',
        rows: 3,
        rejected: 1,
        rejects:
          'row_number,reason\n2,"row 2 contains a NUL byte in column 4 (""Notes""); the file may hold binary data"\n',
        cells: { 2: { Notes: 'bad\uFFFDbyte', match_status: 'rejected' }, 3: { Notes: 'ok' } },
      },
    },
    {
      name: 'nul-in-header',
      body: () => utf8(`Na\0me,Email\n${lines(PEOPLE.map((p) => [p[0]!, p[2]!]))}`),
      expect: { status: 'failed', code: 'header_invalid', message: /NUL byte/ },
    },
    {
      name: 'emoji-rtl-combining',
      body: () =>
        utf8(
          lines([
            notes,
            ['Zoe\u0308', 'Ame\u0301lie', 'zoe@example.com', '👩🏽‍💻 🇺🇦 ok'],
            ['محمد', 'עברית', 'mohammed@example.com', '\u202Eevil\u202C'],
          ]),
        ),
      expect: {
        status: 'completed',
        rows: 2,
        rejected: 0,
        cells: {
          // NFC: the combining marks are composed.
          1: { 'First Name': 'Zoë', 'Last Name': 'Amélie', Notes: '👩🏽‍💻 🇺🇦 ok' },
          2: { 'First Name': 'محمد', 'Last Name': 'עברית', Notes: '\u202Eevil\u202C' },
        },
      },
    },
    {
      name: 'formula-injection',
      body: () =>
        utf8(
          lines([
            [...notes, 'Phone'],
            ['Ann', 'Lee', 'ann@example.com', '=HYPERLINK("http://evil")', '+1 415 555 0132'],
            ['Bob', 'Stone', 'bob@example.com', '+cmd|" /C calc"!A0', '-3.5'],
            ['Carl', 'Diaz', 'carl@example.com', '-2+3+cmd', ''],
            ['Dan', 'Ray', 'dan@example.com', '@SUM(A1:A9)', ''],
            ['Eve', 'Hart', 'eve@example.com', '\t=1+2', ''],
            ['Fay', 'Wu', 'fay@example.com', '\r=1+2', ''],
          ]),
        ),
      expect: {
        status: 'completed',
        rows: 6,
        rejected: 0,
        cells: {
          1: { Notes: `'=HYPERLINK("http://evil")`, Phone: '+1 415 555 0132' },
          2: { Notes: `'+cmd|" /C calc"!A0`, Phone: '-3.5' },
          3: { Notes: `'-2+3+cmd` },
          4: { Notes: `'@SUM(A1:A9)` },
          // Trimmed of the tab / carriage return, and still neutralized.
          5: { Notes: `'=1+2` },
          6: { Notes: `'=1+2` },
        },
      },
    },
  ];
}

function sizes(): HostileCase[] {
  const notes = [...NAME_EMAIL, 'Notes'];
  const bigField = 'lorem, "ipsum"\n'.repeat(Math.ceil(1_000_000 / 15)).slice(0, 1_000_000);
  const wide = (count: number): string[] => Array.from({ length: count }, (_, i) => `col${i + 1}`);
  // Names of at most three characters keep 20,000 columns under the header byte limit.
  const tiny = (count: number): string[] =>
    Array.from({ length: count }, (_, i) => (i + 1).toString(36));
  const oversized = 3 * MIB;
  const oversizedRow = csvLine(['Bob', 'Stone', 'bob@example.com', 'x'.repeat(oversized)]);
  return [
    {
      name: 'one-megabyte-field',
      body: () => utf8(lines([notes, [...PEOPLE[0]!, bigField], [...PEOPLE[1]!, 'small']])),
      expect: {
        status: 'completed',
        rows: 2,
        rejected: 0,
        cells: { 1: { Notes: bigField.trim() }, 2: { Notes: 'small' } },
      },
    },
    {
      name: 'ten-thousand-columns',
      body: () => {
        const header = ['Email', 'Name', ...wide(10_000).slice(2)];
        const row = [
          'ann@example.com',
          'Ann Lee',
          ...header.slice(2).map((c) => c.replace('col', 'v')),
        ];
        return utf8(lines([header, row]));
      },
      expect: {
        status: 'completed',
        rows: 1,
        rejected: 0,
        cells: {
          1: { col3: 'v3', col10000: 'v10000', [fieldColumnName('email')]: 'ann@example.com' },
        },
      },
    },
    {
      name: 'too-many-columns',
      body: () => utf8(lines([['Email', ...tiny(20_000)], ['ann@example.com']])),
      expect: {
        status: 'failed',
        code: 'header_too_wide',
        message: /20001 columns; at most 16384/,
      },
    },
    {
      name: 'header-too-long',
      body: () =>
        utf8(
          lines([
            ['Email', 'x'.repeat(200 * 1024)],
            ['ann@example.com', '1'],
          ]),
        ),
      expect: { status: 'failed', code: 'header_too_long', message: /longer than 131072 bytes/ },
    },
    {
      // Streamed: never held whole by the test, the API or the worker.
      name: 'single-100mb-line',
      body: () => repeated('x', MIB, 100),
      expect: { status: 'failed', code: 'header_too_long', message: /longer than 131072 bytes/ },
    },
    {
      name: 'oversized-row',
      body: () =>
        utf8(
          `${lines([notes, [...PEOPLE[0]!, 'ok']])}${oversizedRow}${lines([[...PEOPLE[2]!, 'ok']])}`,
        ),
      expect: {
        status: 'completed',
        rows: 3,
        rejected: 1,
        rejects: `row_number,reason\n2,row 2 is ${Buffer.byteLength(oversizedRow)} bytes; rows may be at most ${HOSTILE_LIMITS.maxRowBytes} bytes\n`,
        cells: {
          1: { 'First Name': 'Ann' },
          2: { 'First Name': '', Notes: '', match_status: 'rejected' },
          3: { 'First Name': 'Carl' },
        },
      },
    },
    {
      name: 'too-large-upload',
      body: () =>
        utf8(
          PEOPLE_CSV.repeat(Math.ceil((HOSTILE_LIMITS.smallUploadBytes + 1) / PEOPLE_CSV.length)),
        ),
      expect: {
        status: 'refused',
        httpStatus: 413,
        type: 'file_too_large',
        message: new RegExp(`limit of ${HOSTILE_LIMITS.smallUploadBytes} bytes`),
      },
    },
  ];
}
