import { recognizeColumns } from '@contacts/enrichment';
import { describe, expect, it } from 'vitest';
import { headerFor, memberRow, mergeTagOf } from './member-rows.ts';

const FIELDS = [
  { tag: 'FNAME', type: 'text' },
  { tag: 'LNAME', type: 'text' },
  { tag: 'ADDRESS', type: 'address' },
  { tag: 'PHONE', type: 'text' },
  { tag: 'COMPANY', type: 'text' },
] as const;

describe('headerFor', () => {
  it('names the email, each merge tag and each address part, recognized like an upload header', () => {
    const header = headerFor(FIELDS);

    const mapping = recognizeColumns(header);

    expect(header[mapping.emails[0] ?? -1]).toBe('Email Address');
    expect(header[mapping.single.first_name ?? -1]).toBe('FNAME');
    expect(header[mapping.single.last_name ?? -1]).toBe('LNAME');
    expect(header[mapping.single.company ?? -1]).toBe('COMPANY');
    expect(header[mapping.single.city ?? -1]).toBe('ADDRESS city');
    expect(mapping.phones.map((i) => header[i])).toEqual(['PHONE']);
  });
});

describe('memberRow', () => {
  it('flattens the address object and leaves missing fields empty', () => {
    const header = headerFor(FIELDS);

    const row = memberRow(
      {
        email: 'ada@example.com',
        mergeFields: {
          FNAME: 'Ada',
          ADDRESS: { addr1: '1 Main St', city: 'Springfield', zip: '12345' },
          PHONE: 5550100,
        },
      },
      header,
    );

    expect(Object.fromEntries(header.map((name, i) => [name, row[i]]))).toEqual({
      'Email Address': 'ada@example.com',
      FNAME: 'Ada',
      LNAME: '',
      'ADDRESS addr1': '1 Main St',
      'ADDRESS addr2': '',
      'ADDRESS city': 'Springfield',
      'ADDRESS state': '',
      'ADDRESS zip': '12345',
      'ADDRESS country': '',
      PHONE: '5550100',
      COMPANY: '',
    });
  });

  it('reads an empty address (Mailchimp answers "") as empty parts', () => {
    const header = headerFor(FIELDS);

    const row = memberRow({ email: 'b@example.com', mergeFields: { ADDRESS: '' } }, header);

    expect(row.slice(3, 9)).toEqual(['', '', '', '', '', '']);
  });
});

describe('mergeTagOf', () => {
  it('writes back plain tags only: not the email, not an address part', () => {
    expect(mergeTagOf('FNAME')).toBe('FNAME');
    expect(mergeTagOf('Email Address')).toBeUndefined();
    expect(mergeTagOf('ADDRESS city')).toBeUndefined();
  });
});
