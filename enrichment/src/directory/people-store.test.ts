import { describe, expect, it } from 'vitest';
import { contact } from '../test-factories.ts';
import { createPeopleStoreBuilder } from './people-store.ts';

describe('people store', () => {
  it('gives back every field of the contacts it encoded, in any order of access', () => {
    const people = [
      contact({
        full: 'Dr. Robert "Bob" van der Berg Jr.',
        email: 'Bob.VanDerBerg+news@gmail.com; rvdb@acme.example',
        phone: '+1 (415) 555-0100 ext. 12',
        company: 'Société Générale S.A.',
        title: 'Head of Sales',
        city: 'Zürich',
        street: 'Apt 3, 12 North Main Street',
        postcode: '02139',
        state: 'Massachusetts',
        country: 'United States',
        birthDate: '03/07/1984',
        nationalId: '123-45-6789',
        updatedAt: '2024-01-02T00:00:00Z',
      }),
      contact({ first: 'Ann', last: 'Lee' }),
      contact({ first: 'Ann', last: 'Lee', email: 'ann@example.com', phone: '415 555 0199' }),
    ];
    const builder = createPeopleStoreBuilder();
    people.forEach((c, i) => builder.add(`id-${i}`, c));
    const store = builder.finish();
    expect(store.size).toBe(3);
    expect(store.contact(2)).toEqual(people[2]);
    expect(store.contact(0)).toEqual(people[0]);
    expect(store.contact(1)).toEqual(people[1]);
    expect(store.id(1)).toBe('id-1');
    expect(store.contact(0).updatedAt).toBe(Date.UTC(2024, 0, 2));
    expect(store.contact(1).updatedAt).toBeUndefined();
  });

  it('holds a repeated name once', () => {
    const builder = createPeopleStoreBuilder();
    for (let i = 0; i < 50; i++) builder.add(`p${i}`, contact({ first: 'Maria', last: 'Garcia' }));
    const store = builder.finish();
    expect(store.pool.strings.filter((s) => s === 'garcia')).toHaveLength(1);
    expect(store.contact(49).lastKey).toBe(store.contact(0).lastKey);
  });
});
