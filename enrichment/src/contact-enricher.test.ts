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
    expect(row.reject).toBe('no usable full name, email or phone');
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
    expect(index.entries[0]?.id).toBe('a1');
    expect(index.entries[0]?.contact.updatedAt).toBe(Date.UTC(2024, 0, 2));
  });

  it('names the missing columns', async () => {
    const csv = 'id,first_name,last_name\n1,a,b\n';
    await expect(
      loadDirectoryCsv(Readable.from([csv]), { nicknames: testNicknames() }),
    ).rejects.toThrow(DirectoryFormatError);
    await expect(
      loadDirectoryCsv(Readable.from([csv]), { nicknames: testNicknames() }),
    ).rejects.toThrow(/email, phone, company, title, city/);
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
