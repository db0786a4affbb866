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
      // The row's extension is kept: the same number, written with more.
      phone: { value: '+14155552671;ext=12', status: 'confirmed', previous: '' },
      company: { value: 'Acme Inc', status: 'new', previous: '' },
      // The directory has no title: nothing to verify it against.
      title: { value: 'CTO', status: 'unverified', previous: '' },
      city: { value: 'Boston', status: 'updated', previous: 'Cambridge' },
      street: { value: '', status: 'empty', previous: '' },
      postcode: { value: '', status: 'empty', previous: '' },
      state: { value: '', status: 'empty', previous: '' },
      country: { value: '', status: 'empty', previous: '' },
      birth_date: { value: '', status: 'empty', previous: '' },
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

  it('says invalid for an email or phone that fails validation, and empty for no value', () => {
    const upload = contact({ first: 'John', last: 'Doe', email: 'john.doe@acme', phone: '12' });
    const labels = byField(labelFields(upload, undefined));
    expect(labels.email).toEqual({ value: 'john.doe@acme', status: 'invalid', previous: '' });
    expect(labels.phone).toEqual({ value: '12', status: 'invalid', previous: '' });
    expect(labels.company).toEqual({ value: '', status: 'empty', previous: '' });
  });

  it('tells a reformatted value from one kept as written', () => {
    const upload = contact({
      first: 'JOHN',
      last: 'Doe',
      email: 'John@Example.com',
      phone: '+14155552671',
    });
    const labels = byField(
      labelFields(upload, undefined, {
        first_name: 'JOHN | Doe',
        last_name: 'JOHN | Doe',
        email: 'John@Example.com',
        phone: '+14155552671',
      }),
    );
    expect(labels.first_name?.status).toBe('reformatted');
    expect(labels.last_name?.status).toBe('unverified');
    expect(labels.email).toEqual({
      value: 'john@example.com',
      status: 'reformatted',
      previous: '',
    });
    expect(labels.phone?.status).toBe('unverified');
  });

  it('keeps the richer spelling when both sides agree after folding', () => {
    const plain = contact({
      first: 'Francois',
      last: 'Lefevre',
      company: 'Societe Generale',
      city: 'PARIS',
    });
    const rich = contact({
      first: 'François',
      last: 'Lefèvre',
      company: 'Société Générale S.A.',
      city: 'Paris',
    });
    const fromRow = byField(labelFields(rich, plain));
    expect(fromRow.first_name).toEqual({ value: 'François', status: 'confirmed', previous: '' });
    expect(fromRow.last_name?.value).toBe('Lefèvre');
    expect(fromRow.company).toEqual({
      value: 'Société Générale S.A.',
      status: 'confirmed',
      previous: '',
    });
    const fromSource = byField(labelFields(plain, rich));
    expect(fromSource.first_name?.value).toBe('François');
    expect(fromSource.company?.value).toBe('Société Générale S.A.');
    expect(fromSource.city?.value).toBe('Paris');
  });

  it('confirms a number written in its own national format that the row region could not read', () => {
    const dutch = contact({ first: 'Jan', last: 'Berg', phone: '+31 20 123 4567' });
    // Read in the US (the factory's region), "020 123 4567" is no number at all.
    const upload = contact({ first: 'Jan', last: 'Berg', phone: '020 123 4567' });
    expect(byField(labelFields(upload, dutch)).phone).toEqual({
      value: '+31201234567',
      status: 'confirmed',
      previous: '',
    });
  });

  it('replaces an invalid email with the source value as updated, keeping what was written', () => {
    const upload = contact({ first: 'William', last: 'Smith', email: 'will.smith@example' });
    expect(byField(labelFields(upload, entry)).email).toEqual({
      value: 'will.smith@example.com',
      status: 'updated',
      previous: 'will.smith@example',
    });
  });
});
