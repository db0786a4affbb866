import type { PdlPerson } from './pdl-person.ts';

/**
 * The people of samples/contacts.csv as the provider knows them, some with newer facts (new
 * employer, title, city, a second email), so `npm run submit -- samples/contacts.csv --provider
 * pdl` shows updates. Tom Hanks is deliberately absent: one row shows a provider miss. The
 * simulator's tests read samples/contacts.csv to keep this list in step with it.
 */
export const SAMPLE_PEOPLE: readonly PdlPerson[] = [
  person({
    id: 'sample-robert-smith_0001',
    first: 'Robert',
    last: 'Smith',
    workEmail: 'robert.smith@globex.example',
    personalEmails: ['bob.smith@example.com'],
    phones: ['+14155550132'],
    title: 'Engineering Manager',
    company: 'Globex',
    website: 'globex.example',
    jobChanged: '2026-09-01',
    locality: 'Oakland',
    region: 'California',
    country: 'United States',
  }),
  person({
    id: 'sample-william-obrien_0001',
    first: 'William',
    last: "O'Brien",
    workEmail: 'william.obrien@example.com',
    personalEmails: [],
    phones: ['+442079460958'],
    title: 'Chief Technology Officer',
    company: 'Globex Ltd.',
    website: 'globex.example',
    jobChanged: '2024-03-01',
    locality: 'London',
    region: 'England',
    country: 'United Kingdom',
  }),
  person({
    id: 'sample-maria-garcia_0001',
    first: 'Maria Jose',
    last: 'Garcia',
    workEmail: 'mj.garcia@example.es',
    personalEmails: [],
    phones: ['+34912345678'],
    title: 'Senior Analyst',
    company: 'Initech',
    website: 'initech.example',
    jobChanged: '2026-05-15',
    locality: 'Madrid',
    region: 'Comunidad de Madrid',
    country: 'Spain',
  }),
  person({
    id: 'sample-jan-vanderberg_0001',
    first: 'Jan',
    last: 'van der Berg',
    workEmail: null,
    personalEmails: ['jan@vdberg.nl'],
    phones: ['+31201234567'],
    title: 'Lead Designer',
    company: 'Hooli',
    website: 'hooli.example',
    jobChanged: '2026-08-20',
    locality: 'Utrecht',
    region: 'Utrecht',
    country: 'Netherlands',
  }),
  person({
    id: 'sample-katherine-nguyen_0001',
    first: 'Katherine',
    last: 'Nguyen',
    workEmail: 'kate.nguyen@example.com',
    personalEmails: [],
    phones: ['+842838221234'],
    title: 'Director',
    company: 'Umbrella',
    website: 'umbrella.example',
    jobChanged: '2025-01-10',
    locality: 'Ho Chi Minh City',
    region: 'Ho Chi Minh City',
    country: 'Vietnam',
  }),
  person({
    id: 'sample-elizabeth-taylor_0001',
    first: 'Elizabeth',
    last: 'Taylor',
    workEmail: 'liz@example.com',
    personalEmails: [],
    phones: ['+12125550148'],
    title: 'COO',
    company: 'Stark Industries',
    website: 'stark.example',
    jobChanged: '2026-10-10',
    locality: 'New York',
    region: 'New York',
    country: 'United States',
  }),
  person({
    id: 'sample-christopher-lee_0001',
    first: 'Christopher',
    last: 'Lee',
    workEmail: 'chris.lee@wayne.example',
    personalEmails: [],
    phones: ['+12125550147'],
    title: 'VP Sales',
    company: 'Wayne Enterprises',
    website: 'wayne.example',
    jobChanged: '2026-06-30',
    locality: 'Jersey City',
    region: 'New Jersey',
    country: 'United States',
  }),
  person({
    id: 'sample-zoe-muller_0001',
    first: 'Zoe',
    last: 'Muller',
    workEmail: 'zoe.mueller@example.de',
    personalEmails: [],
    phones: ['+4930901820'],
    title: 'Senior Consultant',
    company: 'Wayne Enterprises',
    website: 'wayne.example',
    jobChanged: '2026-02-01',
    locality: 'Berlin',
    region: 'Berlin',
    country: 'Germany',
  }),
];

interface SampleFacts {
  readonly id: string;
  readonly first: string;
  readonly last: string;
  readonly workEmail: string | null;
  readonly personalEmails: readonly string[];
  readonly phones: readonly string[];
  readonly title: string;
  readonly company: string;
  readonly website: string;
  readonly jobChanged: string;
  readonly locality: string;
  readonly region: string;
  readonly country: string;
}

function person(facts: SampleFacts): PdlPerson {
  const username = `${facts.first}-${facts.last}`.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return {
    id: facts.id,
    full_name: `${facts.first} ${facts.last}`,
    first_name: facts.first,
    middle_name: null,
    last_name: facts.last,
    linkedin_url: `linkedin.com/in/${username}`,
    linkedin_username: username,
    work_email: facts.workEmail,
    personal_emails: facts.personalEmails,
    emails: [
      ...(facts.workEmail
        ? [{ address: facts.workEmail, type: 'current_professional' as const }]
        : []),
      ...facts.personalEmails.map((address) => ({ address, type: 'personal' as const })),
    ],
    mobile_phone: facts.phones[0] ?? null,
    phone_numbers: facts.phones,
    job_title: facts.title,
    job_company_name: facts.company,
    job_company_website: facts.website,
    job_last_changed: facts.jobChanged,
    job_last_verified: '2026-11-01',
    location_name: `${facts.locality}, ${facts.region}, ${facts.country}`,
    location_locality: facts.locality,
    location_region: facts.region,
    location_country: facts.country,
    location_last_updated: facts.jobChanged,
  };
}
