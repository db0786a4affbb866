import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  createContactEnricher,
  ENRICHMENT_COLUMNS,
  NO_SOURCE_REASON,
  type ContactEnricherOptions,
} from './contact-enricher.ts';
import { DirectoryFormatError, UnrecognizedColumnsError } from './errors.ts';
import { loadDirectoryCsv } from './directory/load-directory.ts';
import { directoryRecord, testDirectory, testNicknames } from './test-factories.ts';
import type { ProviderAnswer, ProviderCandidate } from './sources/provider.ts';

const directory = testDirectory([
  directoryRecord({
    id: 'd1',
    first_name: 'William',
    last_name: 'Smith',
    email: 'will.smith@example.com',
    phone: '+1 415 555 2671',
    company: 'Acme',
    city: 'Boston',
  }),
  directoryRecord({
    id: 'd2',
    first_name: 'Siobhán',
    last_name: "O'Brien",
    email: 'siobhan@obrien.ie',
    city: 'Dublin',
  }),
  directoryRecord({
    id: 'd3',
    first_name: 'Anna',
    last_name: 'van der Berg',
    phone: '+1 212 555 0187',
  }),
  directoryRecord({ id: 'd4', first_name: 'John', last_name: 'Brown', city: 'Austin' }),
  directoryRecord({ id: 'd5', first_name: 'John', last_name: 'Brown', city: 'Denver' }),
]);

function enrich(header: string[], row: string[]): Record<string, string> & { reject?: string } {
  const enricher = createContactEnricher({ inputColumns: header, directory });
  const out = enricher.enrichRow(row, 1);
  const record: Record<string, string> & { reject?: string } = Object.fromEntries(
    enricher.outputColumns.map((c, i) => [c, out.values[i] ?? '']),
  );
  if (out.rejectReason !== undefined) record.reject = out.rejectReason;
  return record;
}

describe('createContactEnricher', () => {
  const header = ['Name', 'Email', 'Phone', 'Notes'];

  it('keeps every input column in order, then the enrichment columns', () => {
    const enricher = createContactEnricher({ inputColumns: header, directory });
    expect(enricher.outputColumns.slice(0, 4)).toEqual(header);
    expect(enricher.outputColumns.slice(4)).toEqual(ENRICHMENT_COLUMNS);
    const out = enricher.enrichRow([' Bill Smith ', '', '', 'keep me'], 1);
    expect(out.values).toHaveLength(enricher.outputColumns.length);
    expect(out.values.slice(0, 4)).toEqual(['Bill Smith', '', '', 'keep me']);
  });

  it('matches on email and reports how', () => {
    const row = enrich(header, ['SMITH, WILLIAM', 'Will.Smith@Example.com', '', '']);
    expect(row).toMatchObject({
      match_status: 'exact',
      match_id: 'd1',
      enriched_email_status: 'confirmed',
      enriched_phone_status: 'new',
      enriched_phone: '+14155552671',
    });
    expect(Number(row.match_score)).toBeGreaterThan(0.99);
    expect(row.match_score).toBe('1.00');
    expect(row.match_reason).toBe('same first name, last name and email');
  });

  it('says nickname when the given name matched through the nickname table', () => {
    const row = enrich(header, ['Bill Smith', '', '(415) 555-2671', '']);
    expect(row).toMatchObject({
      match_status: 'nickname',
      match_id: 'd1',
      enriched_first_name: 'William',
      enriched_first_name_status: 'updated',
      enriched_first_name_previous: 'Bill',
    });
  });

  it('matches diacritics and apostrophes loosely but outputs the directory spelling', () => {
    const row = enrich(header, ['siobhan obrien', 'siobhan@obrien.ie', '', '']);
    expect(row).toMatchObject({
      match_id: 'd2',
      enriched_first_name: 'Siobhán',
      enriched_first_name_status: 'confirmed',
      enriched_last_name: "O'Brien",
    });
  });

  it('does not pick between two equally good candidates', () => {
    const row = enrich(header, ['John Brown', '', '', '']);
    expect(row.match_status).toBe('none');
    expect(row.match_reason).toBe(
      'two directory entries fit almost equally well; neither was picked',
    );
  });

  it('rejects a row with no full name, email or phone, without echoing its data', () => {
    const row = enrich(header, ['Cher', 'not-an-email', '', 'secret note']);
    expect(row.match_status).toBe('rejected');
    expect(row.reject).toMatch(/^nothing to match on/);
    expect(row.match_reason).not.toContain('Cher');
  });

  it('rejects a row whose width differs from the header', () => {
    const row = enrich(header, ['Bill Smith', 'x@y.com']);
    expect(row.match_status).toBe('rejected');
    expect(row.reject).toContain('2 fields');
  });

  it('fails on a header with nothing to match on', () => {
    expect(() => createContactEnricher({ inputColumns: ['Notes', 'Company'], directory })).toThrow(
      UnrecognizedColumnsError,
    );
  });

  it('renames enrichment columns the upload already has', () => {
    const enricher = createContactEnricher({
      inputColumns: ['first_name', 'last_name', 'email'],
      directory,
    });
    expect(enricher.outputColumns).toContain('enriched_first_name');
    expect(enricher.outputColumns).toContain('enriched_first_name_status');
    expect(new Set(enricher.outputColumns).size).toBe(enricher.outputColumns.length);
  });

  it('gives every enrichment column one suffix when the upload already has one of them', () => {
    const enricher = createContactEnricher({
      inputColumns: ['Name', 'Enriched Email', 'match_status'],
      directory,
    });
    const added = enricher.outputColumns.slice(3);
    expect(added[0]).toBe('match_status_2');
    expect(added).toContain('enriched_email_2');
    expect(added).toContain('enriched_email_status_2');
    expect(added.every((name) => name.endsWith('_2'))).toBe(true);
  });
});

describe('loadDirectoryCsv', () => {
  it('streams a directory in any column order, with optional updated_at', async () => {
    const csv =
      'first_name,id,last_name,email,phone,company,title,city,updated_at\nAnna,a1,Berg,a@b.se,,ACME,,Malmö,2024-01-02\n';
    const index = await loadDirectoryCsv(Readable.from([csv]), { nicknames: testNicknames() });
    expect(index.size).toBe(1);
    expect(index.entry(0).id).toBe('a1');
    expect(index.entry(0).contact.updatedAt).toBe(Date.UTC(2024, 0, 2));
  });

  it('says when the id column is missing', async () => {
    const csv = 'first_name,last_name,email\na,b,a@b.se\n';
    await expect(
      loadDirectoryCsv(Readable.from([csv]), { nicknames: testNicknames() }),
    ).rejects.toThrow(DirectoryFormatError);
    await expect(
      loadDirectoryCsv(Readable.from([csv]), { nicknames: testNicknames() }),
    ).rejects.toThrow(/lacks an id column/);
  });

  it('reads a directory written as any contact export (Outlook, semicolons, UTF-16)', async () => {
    const outlook =
      'Record ID;First Name;Last Name;E-mail Address;E-mail 2 Address;Mobile Phone;Business Street;Business Postal Code;Business Country/Region;Birthday\n' +
      '7;Zoë;Lefèvre;zoe@acme.fr;zl@home.fr;+33 6 12 34 56 78;12 rue de la Paix;75002;France;7 March 1984\n';
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(outlook, 'utf16le')]);
    const index = await loadDirectoryCsv(Readable.from([utf16]), { nicknames: testNicknames() });
    const entry = index.entry(0);
    expect(entry.id).toBe('7');
    expect(entry.contact.name.first).toBe('Zoë');
    expect(entry.contact.emails.map((e) => e.value)).toEqual(['zoe@acme.fr', 'zl@home.fr']);
    expect(entry.contact.phones[0]?.e164).toBe('+33612345678');
    expect(entry.contact.postcode).toBe('75002');
    expect(entry.contact.country).toBe('FR');
    expect(entry.contact.birthDate).toBe('1984-03-07');
  });

  it('reads a tab-separated windows-1252 directory and FEBRL files with spaces after commas', async () => {
    const tsv = Buffer.from(
      'contact_id\tName\tEmail\n9\tZo\xeb Lef\xe8vre\tzoe@acme.fr\n',
      'latin1',
    );
    const index = await loadDirectoryCsv(Readable.from([tsv]), { nicknames: testNicknames() });
    expect(index.entry(0).id).toBe('9');
    expect(index.entry(0).contact.name.last).toBe('Lefèvre');
    const febrl =
      'rec_id, given_name, surname, postcode, date_of_birth\nrec-1070-org, michaela, neumann, 4223, 19151111\n';
    const spaced = await loadDirectoryCsv(Readable.from([febrl]), { nicknames: testNicknames() });
    expect(spaced.entry(0).id).toBe('rec-1070-org');
    expect(spaced.entry(0).contact.postcodeKey).toBe('4223');
    expect(spaced.entry(0).contact.birthKey).toBe('19151111');
  });

  it('reads a FEBRL-style directory (rec_id, street_number, address_1, suburb, soc_sec_id)', async () => {
    const csv =
      'rec_id,given_name,surname,street_number,address_1,address_2,suburb,postcode,state,date_of_birth,soc_sec_id\n' +
      'rec-1-org,michaela,neumann,8,stanley street,miami,winston hills,4223,nsw,19151111,5304218\n';
    const index = await loadDirectoryCsv(Readable.from([csv]), { nicknames: testNicknames() });
    const c = index.entry(0).contact;
    expect(index.entry(0).id).toBe('rec-1-org');
    expect(c.street.number).toBe('8');
    expect(c.street.nameKey).toBe('stanley st');
    expect(c.street.line2Key).toBe('miami');
    expect(c.city).toBe('Winston Hills');
    expect(c.postcodeKey).toBe('4223');
    expect(c.stateKey).toBe('nsw');
    expect(c.birthKey).toBe('19151111');
    expect(c.nationalIdKey).toBe('5304218');
  });

  it('refuses duplicate ids', async () => {
    const csv = 'id,first_name,last_name,email,phone,company,title,city\n1,a,b,,,,,\n1,c,d,,,,,\n';
    await expect(
      loadDirectoryCsv(Readable.from([csv]), { nicknames: testNicknames() }),
    ).rejects.toThrow(/appears twice/);
  });
});

describe('createContactEnricher with a provider after the directory', () => {
  const header = ['First', 'Last', 'Email', 'Phone', 'Company', 'City'];
  const enricher = createContactEnricher({ inputColumns: header, directory, provider: 'pdl' });
  const asRecord = (values: readonly string[]): Record<string, string> =>
    Object.fromEntries(enricher.outputColumns.map((c, i) => [c, values[i] ?? '']));
  const candidate = (providerId: string, record: ProviderCandidate['record']): ProviderAnswer => ({
    key: 'k',
    outcome: 'match',
    billed: true,
    candidate: { providerId, likelihood: 9, record },
  });

  it('asks the provider only about rows the directory did not match, standardized', () => {
    expect(
      enricher.providerQuery?.(['William', 'Smith', 'will.smith@example.com', '', '', '']),
    ).toBeUndefined();
    expect(enricher.providerQuery?.(['', '', '', '', 'Acme', ''])).toBeUndefined();
    expect(
      enricher.providerQuery?.([
        'Robert',
        'Jones',
        'BOB@Example.com',
        '(415) 555-0132',
        'Acme',
        'Oakland',
      ]),
    ).toEqual({
      name: { first: 'Robert', middle: undefined, last: 'Jones' },
      emails: ['bob@example.com'],
      phones: ['+14155550132'],
      company: 'Acme',
      title: undefined,
      locality: 'Oakland',
    });
  });

  it('accepts a verified candidate: its id, source pdl, and newer facts as updated', () => {
    const out = enricher.enrichRow(
      ['Bob', 'Jones', 'bob@example.com', '(415) 555-0132', 'Acme', 'Oakland'],
      1,
      candidate('pdl-1', {
        name: { first: 'Robert', last: 'Jones' },
        // The row's address is not the provider's first: confirming it keeps it.
        emails: ['robert@globex.example', 'bob@example.com'],
        phones: ['+14155550132'],
        company: 'Globex',
        city: 'Oakland',
        updatedAt: '2026-09-01',
      }),
    );
    expect(out.rejectReason).toBeUndefined();
    expect(asRecord(out.values)).toMatchObject({
      match_status: 'nickname',
      match_id: 'pdl-1',
      match_source: 'pdl',
      enriched_first_name: 'Robert',
      enriched_first_name_status: 'updated',
      enriched_email: 'bob@example.com',
      enriched_email_status: 'confirmed',
      enriched_company: 'Globex',
      enriched_company_status: 'updated',
      enriched_company_previous: 'Acme',
      enriched_city_status: 'confirmed',
    });
  });

  it('refuses a candidate the scoring does not back (same common name only)', () => {
    const out = enricher.enrichRow(
      ['John', 'Jones', 'john@example.com', '', '', ''],
      1,
      candidate('pdl-2', {
        name: { first: 'John', last: 'Jones' },
        emails: ['someone.else@example.org'],
        phones: ['+442079460000'],
      }),
    );
    const row = asRecord(out.values);
    expect(row).toMatchObject({ match_status: 'none', match_id: '', match_source: '' });
    expect(row.match_reason).toContain('pdl candidate pdl-2 rejected');
    expect(row.enriched_first_name_status).toBe('unverified');
    expect(row.match_reason).toContain('0.80 needed');
  });

  it('keeps a row whose lookup failed as error, with the reason, counted as a reject', () => {
    const out = enricher.enrichRow(['Ann', 'Lee', 'ann@example.com', '', '', ''], 7, {
      key: 'k',
      outcome: 'error',
      billed: false,
      reason: 'pdl HTTP 400 invalid_request_error: bad',
    });
    expect(asRecord(out.values)).toMatchObject({
      match_status: 'error',
      match_source: '',
      match_reason: 'pdl: pdl HTTP 400 invalid_request_error: bad',
    });
    expect(out.rejectReason).toBe('pdl: pdl HTTP 400 invalid_request_error: bad');
  });

  it('labels a directory match with source directory, and ignores a provider answer for it', () => {
    const out = enricher.enrichRow(
      ['William', 'Smith', 'will.smith@example.com', '', '', ''],
      1,
      candidate('pdl-3', { name: { first: 'William', last: 'Smith' }, emails: [], phones: [] }),
    );
    expect(asRecord(out.values)).toMatchObject({ match_id: 'd1', match_source: 'directory' });
  });
});

describe('createContactEnricher output', () => {
  const dutchDirectory = testDirectory([
    directoryRecord({
      id: 'nl1',
      first_name: 'Jan',
      last_name: 'Jansen',
      email: 'jan@jansen.nl',
      phone: '+31 20 123 4567',
    }),
    directoryRecord({
      id: 'fr1',
      first_name: 'François',
      last_name: 'Lefèvre',
      email: 'f.lefevre@example.fr',
      company: 'Societe Generale',
    }),
  ]);
  const enrichWith = (
    header: string[],
    row: string[],
    options: ContactEnricherOptions = {},
    dir = dutchDirectory,
  ): Record<string, string> => {
    const enricher = createContactEnricher({ inputColumns: header, directory: dir, options });
    const out = enricher.enrichRow(row, 1);
    return Object.fromEntries(enricher.outputColumns.map((c, i) => [c, out.values[i] ?? '']));
  };

  it('reads phones in the job region, and a row country column overrides it', () => {
    const header = ['Name', 'Email', 'Phone', 'Country'];
    const row = ['Jan Jansen', 'jan@jansen.nl', '020 123 4567', ''];
    expect(enrichWith(header, row, { defaultRegion: 'NL' })).toMatchObject({
      enriched_phone: '+31201234567',
      enriched_phone_status: 'confirmed',
    });
    const other = ['Ann Lee', '', '01 23 45 67 89', 'France'];
    expect(enrichWith(header, other, { defaultRegion: 'NL' })).toMatchObject({
      enriched_phone: '+33123456789',
      enriched_phone_status: 'reformatted',
    });
    expect(enrichWith(header, [...other.slice(0, 3), ''], { defaultRegion: 'US' })).toMatchObject({
      enriched_phone_status: 'invalid',
    });
  });

  it('keeps the row spelling with accents and its legal form', () => {
    const header = ['First Name', 'Last Name', 'Email', 'Company'];
    const row = ['Francois', 'Lefevre', 'f.lefevre@example.fr', 'Société Générale SA'];
    expect(enrichWith(header, row)).toMatchObject({
      match_id: 'fr1',
      enriched_first_name: 'François',
      enriched_first_name_status: 'confirmed',
      enriched_last_name: 'Lefèvre',
      enriched_company: 'Société Générale SA',
      enriched_company_status: 'confirmed',
    });
  });

  it('says when a job has neither a directory nor a provider', () => {
    const row = enrichWith(['Name', 'Email'], ['Ann Lee', 'ann@lee.test'], {}, testDirectory([]));
    expect(row).toMatchObject({
      match_status: 'none',
      match_score: '0.00',
      match_reason: NO_SOURCE_REASON,
      enriched_email_status: 'unverified',
    });
  });

  it('marks every field of a rejected row rejected', () => {
    const row = enrichWith(['Name', 'Email'], ['Cher', '']);
    expect(row).toMatchObject({
      match_status: 'rejected',
      enriched_email_status: 'rejected',
      enriched_first_name_status: 'rejected',
    });
  });

  it('writes compact output into the input columns, with a short changes column', () => {
    const header = ['First Name', 'Last Name', 'Email', 'Phone'];
    const enricher = createContactEnricher({
      inputColumns: header,
      directory: dutchDirectory,
      options: { output: 'compact', defaultRegion: 'NL' },
    });
    expect(enricher.outputColumns).toEqual([
      ...header,
      'match_status',
      'match_id',
      'match_source',
      'match_score',
      'match_reason',
      'enriched_company',
      'enriched_title',
      'enriched_city',
      'enriched_street',
      'enriched_postcode',
      'enriched_state',
      'enriched_country',
      'enriched_birth_date',
      'enriched_changes',
    ]);
    const out = enricher.enrichRow(['JAN', 'Jansen', '', '+31 6 1234'], 1);
    expect(out.values.slice(0, 4)).toEqual(['Jan', 'Jansen', 'jan@jansen.nl', '+31201234567']);
    const changes = out.values[out.values.length - 1];
    expect(changes).toBe(
      'first_name: confirmed (was JAN); email: new; phone: updated (was +31 6 1234)',
    );
  });

  it('rewrites a one-column name in compact output only when a source changed a part of it', () => {
    const enricher = createContactEnricher({
      inputColumns: ['Name', 'Email'],
      directory,
      options: { output: 'compact' },
    });
    const out = enricher.enrichRow(['Dr. Bill Smith', 'will.smith@example.com'], 1);
    expect(out.values.slice(0, 2)).toEqual(['Dr William Smith', 'will.smith@example.com']);
    expect(out.values[out.values.length - 1]).toContain('first_name: updated (was Bill)');
    const same = enricher.enrichRow(['SMITH, WILLIAM', 'will.smith@example.com'], 2);
    expect(same.values[0]).toBe('SMITH, WILLIAM');
  });
});

describe('createContactEnricher on address and birth-date fields', () => {
  const people = testDirectory([
    directoryRecord({
      id: 'a1',
      first_name: 'Margaret',
      last_name: 'Okonkwo',
      street: '14 North Elm Street',
      postcode: '02139',
      country: 'US',
      birth_date: '1961-11-23',
    }),
    directoryRecord({
      id: 'a2',
      first_name: 'Peter',
      last_name: 'Okonkwo',
      street: '14 North Elm Street',
      postcode: '02139',
      country: 'US',
      birth_date: '1958-02-04',
    }),
    directoryRecord({ id: 'a3', first_name: 'Lena', last_name: 'Vos', postcode: '1012 AB' }),
  ]);
  const header = ['Last Name', 'Home Street', 'Zip', 'Country', 'Birthday'];
  const enricher = createContactEnricher({ inputColumns: header, directory: people });
  const run = (row: string[]): Record<string, string> & { reject?: string } => {
    const out = enricher.enrichRow(row, 1);
    return {
      ...Object.fromEntries(enricher.outputColumns.map((c, i) => [c, out.values[i] ?? ''])),
      ...(out.rejectReason === undefined ? {} : { reject: out.rejectReason }),
    };
  };

  it('matches a row without a given name through its birth date and address', () => {
    const row = run(['OKONKWO', '14 N Elm St', '02139-4307', 'USA', 'November 23, 1961']);
    expect(row.match_id).toBe('a1');
    expect(row.enriched_first_name).toBe('Margaret');
    expect(row.enriched_first_name_status).toBe('new');
    expect(row.enriched_street_status).toBe('confirmed');
    expect(row.enriched_birth_date).toBe('1961-11-23');
    expect(row.enriched_birth_date_status).toBe('confirmed');
    expect(row.match_reason).toMatch(/birth date/);
  });

  it('does not merge a household member who shares the address', () => {
    const row = run(['Okonkwo', '14 North Elm Street', '02139', 'US', '1990-06-15']);
    expect(row.match_id).toBe('');
  });

  it('rejects a row with nothing usable left, saying so', () => {
    const row = run(['', '', '', 'US', '']);
    expect(row.match_status).toBe('rejected');
    expect(row.reject).toMatch(/^nothing to match on/);
  });
});
