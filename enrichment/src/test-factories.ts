import type { Contact } from './standardize/contact.ts';
import { standardizeContact } from './standardize/contact.ts';
import {
  buildDirectoryIndex,
  type DirectoryIndex,
  type DirectoryRecord,
} from './directory/directory-index.ts';
import {
  createNicknameTable,
  type NicknamePair,
  type NicknameTable,
} from './nicknames/nicknames.ts';
import { createPhoneStandardizer } from './standardize/standardize-phone.ts';

// Factories shared by the unit tests (not exported from the package).

export const TEST_NICKNAMES: readonly NicknamePair[] = [
  { name: 'william', nickname: 'bill' },
  { name: 'william', nickname: 'will' },
  { name: 'robert', nickname: 'bob' },
  { name: 'robert', nickname: 'rob' },
  { name: 'margaret', nickname: 'peggy' },
  { name: 'albert', nickname: 'al' },
  { name: 'alfred', nickname: 'al' },
];

export function testNicknames(): NicknameTable {
  return createNicknameTable(TEST_NICKNAMES);
}

export function directoryRecord(
  overrides: Partial<DirectoryRecord> & { id: string },
): DirectoryRecord {
  return {
    first_name: '',
    last_name: '',
    email: '',
    phone: '',
    company: '',
    title: '',
    city: '',
    ...overrides,
  };
}

export function testDirectory(records: readonly DirectoryRecord[]): DirectoryIndex {
  return buildDirectoryIndex(records, { nicknames: testNicknames(), defaultRegion: 'US' });
}

/** A standardized contact from plain fields, US phone region. */
export function contact(fields: {
  first?: string;
  last?: string;
  full?: string;
  email?: string;
  phone?: string;
  company?: string;
  title?: string;
  city?: string;
  updatedAt?: string;
  street?: string;
  postcode?: string;
  state?: string;
  country?: string;
  birthDate?: string;
  nationalId?: string;
}): Contact {
  return standardizeContact(
    {
      name: { first: fields.first, last: fields.last, full: fields.full },
      emails: fields.email === undefined ? [] : [fields.email],
      phones: fields.phone === undefined ? [] : [fields.phone],
      company: fields.company,
      title: fields.title,
      city: fields.city,
      street: fields.street,
      postcode: fields.postcode,
      state: fields.state,
      country: fields.country,
      birthDate: fields.birthDate,
      nationalId: fields.nationalId,
      updatedAt: fields.updatedAt,
    },
    createPhoneStandardizer({ defaultRegion: 'US' }),
  );
}
