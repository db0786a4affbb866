import { describe, expect, it } from 'vitest';
import { labelFields, type FieldLabel } from './label-fields.ts';
import { contact } from '../test-factories.ts';

function byField(labels: readonly FieldLabel[]): Record<string, Omit<FieldLabel, 'field'>> {
  return Object.fromEntries(labels.map(({ field, ...rest }) => [field, rest]));
}

describe('labelFields', () => {
  const entry = contact({
    first: 'William',
    last: 'Smith',
    email: 'will.smith@example.com',
    phone: '+1 415 555 2671',
    company: 'Acme Inc',
    title: '',
    city: 'Boston',
    updatedAt: '2025-01-01',
  });

  it('labels confirmed, new, updated and unverified fields', () => {
    const upload = contact({
      first: 'Bill',
      last: 'SMITH',
      email: 'WILL.SMITH@EXAMPLE.COM',
      phone: '(415) 555-2671 x12',
      company: '',
      title: 'CTO',
      city: 'Cambridge',
    });
    expect(byField(labelFields(upload, entry))).toEqual({
      first_name: { value: 'William', status: 'updated', previous: 'Bill' },
      last_name: { value: 'Smith', status: 'confirmed', previous: '' },
      email: { value: 'will.smith@example.com', status: 'confirmed', previous: '' },
      phone: { value: '+14155552671', status: 'confirmed', previous: '' },
      company: { value: 'Acme Inc', status: 'new', previous: '' },
      // The directory has no title: nothing to verify it against.
      title: { value: 'CTO', status: 'unverified', previous: '' },
      city: { value: 'Boston', status: 'updated', previous: 'Cambridge' },
      street: { value: '', status: 'unverified', previous: '' },
      postcode: { value: '', status: 'unverified', previous: '' },
      state: { value: '', status: 'unverified', previous: '' },
      country: { value: '', status: 'unverified', previous: '' },
      birth_date: { value: '', status: 'unverified', previous: '' },
    });
  });

  it('keeps the standardized input, unverified, when there is no match', () => {
    const upload = contact({ full: 'SMITH, JOHN A', phone: '415.555.2671' });
    const labels = byField(labelFields(upload, undefined));
    expect(labels.first_name).toEqual({ value: 'John', status: 'unverified', previous: '' });
    expect(labels.last_name).toEqual({ value: 'Smith', status: 'unverified', previous: '' });
    expect(labels.phone).toEqual({ value: '+14155552671', status: 'unverified', previous: '' });
  });

  it('does not overwrite a value the row says is newer than the directory', () => {
    const upload = contact({
      first: 'William',
      last: 'Smith',
      city: 'Denver',
      updatedAt: '2025-06-01',
    });
    const labels = byField(labelFields(upload, entry));
    expect(labels.city).toEqual({ value: 'Denver', status: 'unverified', previous: '' });
    expect(labels.company?.status).toBe('new');
  });

  it('updates when the directory is newer than the row', () => {
    const upload = contact({
      first: 'William',
      last: 'Smith',
      city: 'Denver',
      updatedAt: '2024-06-01',
    });
    expect(byField(labelFields(upload, entry)).city).toEqual({
      value: 'Boston',
      status: 'updated',
      previous: 'Denver',
    });
  });

  it('keeps an invalid phone as written, replaced by the directory value', () => {
    const upload = contact({ first: 'William', last: 'Smith', phone: 'call me' });
    expect(byField(labelFields(upload, entry)).phone).toEqual({
      value: '+14155552671',
      status: 'updated',
      previous: 'call me',
    });
  });
});
