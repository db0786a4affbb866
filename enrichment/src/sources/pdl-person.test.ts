import { describe, expect, it } from 'vitest';
import { pdlParams, pdlPersonCells, pdlPersonId } from './pdl-person.ts';

describe('PDL person mapping', () => {
  it('sends every identifier under PDL’s parameter names, and nothing empty', () => {
    expect(
      pdlParams({
        name: { first: ' Hayden ', middle: 'J', last: 'Conrad', full: 'Hayden J Conrad' },
        emails: ['hayden@example.com', 'hayden@example.com', ''],
        phones: ['+15552341234'],
        company: 'Acme',
        title: 'CEO',
        locality: 'Boise',
        region: 'Idaho',
        country: '',
        postalCode: '83701',
      }),
    ).toEqual({
      first_name: 'Hayden',
      middle_name: 'J',
      last_name: 'Conrad',
      email: 'hayden@example.com',
      phone: '+15552341234',
      company: 'Acme',
      locality: 'Boise',
      region: 'Idaho',
      postal_code: '83701',
    });
    expect(pdlParams({ name: { full: 'Cher' }, emails: ['a@x.io', 'b@x.io'], phones: [] })).toEqual(
      { name: 'Cher', email: ['a@x.io', 'b@x.io'] },
    );
  });

  it('reads a person record as contact cells, skipping fields a plan hides as `true`', () => {
    const data = {
      id: 'qEnOZ5Oh0poWnQ1luFBfVw_0000',
      full_name: 'Sean Thorne',
      first_name: 'Sean',
      last_name: 'Thorne',
      work_email: 'Sean@PeopleDataLabs.com',
      recommended_personal_email: true,
      personal_emails: ['sthorne@gmail.com'],
      emails: [{ address: 'sean@peopledatalabs.com' }, { address: null }, 'old@example.com'],
      mobile_phone: '+14155688415',
      phone_numbers: ['+14155688415', '+14155550000', false],
      job_company_name: 'People Data Labs',
      job_title: null,
      location_locality: true,
      job_last_verified: '2025-04-01',
      location_last_updated: '2025-06-15',
      job_last_changed: 'unknown',
    };

    expect(pdlPersonId(data)).toBe('qEnOZ5Oh0poWnQ1luFBfVw_0000');
    expect(pdlPersonCells(data)).toEqual({
      name: { full: undefined, first: 'Sean', middle: undefined, last: 'Thorne' },
      emails: ['Sean@PeopleDataLabs.com', 'sthorne@gmail.com', 'old@example.com'],
      phones: ['+14155688415', '+14155550000'],
      company: 'People Data Labs',
      title: undefined,
      city: undefined,
      updatedAt: '2025-06-15',
    });
  });

  it('keeps the full name when PDL could not split it, and has no id for junk', () => {
    expect(pdlPersonCells({ full_name: 'Prince' }).name).toEqual({
      full: 'Prince',
      first: undefined,
      middle: undefined,
      last: undefined,
    });
    expect(pdlPersonId({ id: '' })).toBeUndefined();
    expect(pdlPersonId(null)).toBeUndefined();
    expect(pdlPersonCells([]).emails).toEqual([]);
  });
});
