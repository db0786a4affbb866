import { describe, expect, it } from 'vitest';
import { InvalidColumnMappingError, UnrecognizedColumnsError } from '../errors.ts';
import { recognizeColumns, type ColumnMapping } from './recognize-columns.ts';

/** Resolves the mapping back to header names, which reads better in assertions than indexes. */
function named(
  headers: readonly string[],
  mapping: ColumnMapping,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [field, index] of Object.entries(mapping.single)) out[field] = headers[index] ?? '?';
  if (mapping.emails.length > 0) out.email = mapping.emails.map((i) => headers[i] ?? '?');
  if (mapping.phones.length > 0) out.phone = mapping.phones.map((i) => headers[i] ?? '?');
  return out;
}

describe('recognizeColumns', () => {
  it('reads address and birth-date columns of Outlook, HubSpot and FEBRL-style files', () => {
    const outlook = [
      'First Name',
      'Last Name',
      'Business Street',
      'Business Street 2',
      'Business City',
      'Business State',
      'Business Postal Code',
      'Business Country/Region',
      'Home Street',
      'Birthday',
      'E-mail Address',
      'E-mail 2 Address',
      'Business Phone',
      'Mobile Phone',
    ];
    expect(named(outlook, recognizeColumns(outlook))).toEqual({
      first_name: 'First Name',
      last_name: 'Last Name',
      street: 'Business Street',
      street2: 'Business Street 2',
      city: 'Business City',
      state: 'Business State',
      postcode: 'Business Postal Code',
      country: 'Business Country/Region',
      birth_date: 'Birthday',
      email: ['E-mail Address', 'E-mail 2 Address'],
      phone: ['Business Phone', 'Mobile Phone'],
    });
    const hubspot = [
      'Record ID',
      'First Name',
      'Last Name',
      'Street Address',
      'Zip',
      'State/Region',
      'Country/Region',
      'Date of birth',
    ];
    expect(named(hubspot, recognizeColumns(hubspot))).toMatchObject({
      street: 'Street Address',
      postcode: 'Zip',
      state: 'State/Region',
      country: 'Country/Region',
      birth_date: 'Date of birth',
    });
    const febrl = [
      'rec_id',
      'given_name',
      'surname',
      'street_number',
      'address_1',
      'address_2',
      'suburb',
      'postcode',
      'state',
      'date_of_birth',
      'soc_sec_id',
    ];
    expect(named(febrl, recognizeColumns(febrl))).toEqual({
      first_name: 'given_name',
      last_name: 'surname',
      street_number: 'street_number',
      street: 'address_1',
      street2: 'address_2',
      city: 'suburb',
      postcode: 'postcode',
      state: 'state',
      birth_date: 'date_of_birth',
      national_id: 'soc_sec_id',
    });
    const misc = ['Name', 'Home Address', 'Postcode', 'Province', 'Country', 'DOB'];
    expect(named(misc, recognizeColumns(misc))).toMatchObject({
      street: 'Home Address',
      postcode: 'Postcode',
      state: 'Province',
      country: 'Country',
      birth_date: 'DOB',
    });
  });

  it('reads a Google Contacts export', () => {
    const headers = [
      'First Name',
      'Middle Name',
      'Last Name',
      'Phonetic First Name',
      'Name Prefix',
      'Name Suffix',
      'Nickname',
      'Organization Name',
      'Organization Title',
      'Organization Department',
      'Birthday',
      'Labels',
      'E-mail 1 - Label',
      'E-mail 1 - Value',
      'E-mail 2 - Label',
      'E-mail 2 - Value',
      'Phone 1 - Label',
      'Phone 1 - Value',
      'Address 1 - City',
    ];
    expect(named(headers, recognizeColumns(headers))).toEqual({
      first_name: 'First Name',
      middle_name: 'Middle Name',
      last_name: 'Last Name',
      prefix: 'Name Prefix',
      suffix: 'Name Suffix',
      nickname: 'Nickname',
      company: 'Organization Name',
      title: 'Organization Title',
      city: 'Address 1 - City',
      birth_date: 'Birthday',
      email: ['E-mail 1 - Value', 'E-mail 2 - Value'],
      phone: ['Phone 1 - Value'],
    });
  });

  it('reads an old-format Google export with a Name column', () => {
    const headers = [
      'Name',
      'Given Name',
      'Family Name',
      'E-mail 1 - Type',
      'E-mail 1 - Value',
      'Organization 1 - Name',
    ];
    expect(named(headers, recognizeColumns(headers))).toEqual({
      full_name: 'Name',
      first_name: 'Given Name',
      last_name: 'Family Name',
      company: 'Organization 1 - Name',
      email: ['E-mail 1 - Value'],
    });
  });

  it('reads an Outlook export, where "Title" is the honorific', () => {
    const headers = [
      'Title',
      'First Name',
      'Middle Name',
      'Last Name',
      'Suffix',
      'Company',
      'Department',
      'Job Title',
      'Business City',
      'Business Fax',
      'Business Phone',
      'Mobile Phone',
      'E-mail Address',
      'E-mail Type',
      'E-mail Display Name',
      'E-mail 2 Address',
    ];
    expect(named(headers, recognizeColumns(headers))).toEqual({
      prefix: 'Title',
      first_name: 'First Name',
      middle_name: 'Middle Name',
      last_name: 'Last Name',
      suffix: 'Suffix',
      company: 'Company',
      title: 'Job Title',
      city: 'Business City',
      phone: ['Business Phone', 'Mobile Phone'],
      email: ['E-mail Address', 'E-mail 2 Address'],
    });
  });

  it('reads a Mailchimp audience export', () => {
    const headers = [
      'Email Address',
      'First Name',
      'Last Name',
      'Address',
      'Phone Number',
      'MEMBER_RATING',
      'OPTIN_TIME',
      'LAST_CHANGED',
    ];
    expect(named(headers, recognizeColumns(headers))).toEqual({
      email: ['Email Address'],
      first_name: 'First Name',
      last_name: 'Last Name',
      phone: ['Phone Number'],
      // Mailchimp's one-cell address: parsed as a street line.
      street: 'Address',
      updated_at: 'LAST_CHANGED',
    });
  });

  it('reads vCard-derived headers', () => {
    const headers = [
      'FN',
      'EMAIL;TYPE=INTERNET',
      'TEL;TYPE=CELL',
      'ORG',
      'City (home)',
      'Job title',
    ];
    expect(named(headers, recognizeColumns(headers))).toEqual({
      full_name: 'FN',
      email: ['EMAIL;TYPE=INTERNET'],
      phone: ['TEL;TYPE=CELL'],
      company: 'ORG',
      city: 'City (home)',
      title: 'Job title',
    });
  });

  it('reads plain, snake_case and camelCase headers alike', () => {
    for (const headers of [
      ['First Name', 'Last Name', 'Email', 'Phone', 'Company', 'Title', 'City'],
      ['first_name', 'last_name', 'email', 'phone', 'company', 'title', 'city'],
      ['firstName', 'lastName', 'email', 'phone', 'company', 'title', 'city'],
    ]) {
      const mapping = recognizeColumns(headers);
      expect(mapping.single).toEqual({
        first_name: 0,
        last_name: 1,
        company: 4,
        title: 5,
        city: 6,
      });
      expect(mapping.emails).toEqual([2]);
      expect(mapping.phones).toEqual([3]);
    }
  });

  it('accepts a single Full Name column and leaves unknown columns unmapped', () => {
    const mapping = recognizeColumns(['Full Name', 'Favourite colour', 'Notes']);
    expect(mapping).toEqual({ single: { full_name: 0 }, emails: [], phones: [] });
  });

  it('fails with the headers it saw when nothing is usable', () => {
    const headers = ['Company', 'Notes', 'Favourite colour'];
    expect(() => recognizeColumns(headers)).toThrow(UnrecognizedColumnsError);
    expect(() => recognizeColumns(headers)).toThrow(/"Company", "Notes", "Favourite colour"/);
  });

  it('lists at most 50 headers, each cut at 64 characters, so the reason fits on the job record', () => {
    const headers = Array.from({ length: 10_000 }, (_, i) => `column ${i} ${'x'.repeat(100)}`);
    const error = (() => {
      try {
        recognizeColumns(headers);
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UnrecognizedColumnsError);
    expect(error?.message).toMatch(/"column 49 x{54}…" and 9950 more$/);
    expect(error?.message.length).toBeLessThan(4000);
  });

  it('lets an explicit mapping override recognition', () => {
    const headers = ['Given', 'Surname', 'Mail A', 'Mail B', 'Email'];
    const mapping = recognizeColumns(headers, { first_name: 'given', email: ['Mail A', 'Mail B'] });
    expect(named(headers, mapping)).toEqual({
      first_name: 'Given',
      last_name: 'Surname',
      email: ['Mail A', 'Mail B'],
    });
  });

  it('rejects a mapping that names a missing header or an unknown field', () => {
    expect(() => recognizeColumns(['Name'], { email: 'Mail' })).toThrow(InvalidColumnMappingError);
    expect(() => recognizeColumns(['Name'], { shoe_size: 'Name' } as never)).toThrow(
      /unknown field/,
    );
  });
});
