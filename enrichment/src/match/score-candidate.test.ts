import { describe, expect, it } from 'vitest';
import type { Contact } from '../standardize/contact.ts';
import { createPhoneticEncoder } from './phonetic-key.ts';
import {
  compareFirst,
  DEFAULT_MATCH_MODEL,
  scoreCandidate,
  type ScoringContext,
} from './score-candidate.ts';
import { contact, testNicknames } from '../test-factories.ts';

function scoringContext(frequencies: Record<string, number> = {}, size = 10_000): ScoringContext {
  return {
    model: DEFAULT_MATCH_MODEL,
    nicknames: testNicknames(),
    phonetic: createPhoneticEncoder(),
    directorySize: size,
    frequency: (_field, key) => frequencies[key] ?? 1,
  };
}

function score(
  a: Contact,
  b: Contact,
  context = scoringContext(),
): ReturnType<typeof scoreCandidate> {
  return scoreCandidate(a, b, context);
}

describe('compareFirst', () => {
  const nicknames = testNicknames();
  it('orders the levels exact → nickname → Jaro–Winkler bands → different', () => {
    expect(compareFirst('william', 'william', nicknames)).toBe('exact');
    expect(compareFirst('bill', 'william', nicknames)).toBe('nickname');
    expect(compareFirst('jonathan', 'jonathon', nicknames)).toBe('jw92');
    expect(compareFirst('dwayne', 'duane', nicknames)).toBe('jw80');
    expect(compareFirst('william', 'robert', nicknames)).toBe('different');
    expect(compareFirst('j', 'john', nicknames)).toBe('initial');
    expect(compareFirst('', 'john', nicknames)).toBe('missing');
  });

  it('treats an ambiguous nickname as equivalent to each of its names', () => {
    expect(compareFirst('al', 'albert', nicknames)).toBe('nickname');
    expect(compareFirst('al', 'alfred', nicknames)).toBe('nickname');
    expect(compareFirst('albert', 'alfred', nicknames)).not.toBe('nickname');
  });
});

describe('scoreCandidate', () => {
  const entry = contact({
    first: 'William',
    last: 'Smith',
    email: 'will.smith@example.com',
    phone: '415-555-2671',
    company: 'Acme Inc',
    title: 'Engineer',
    city: 'Boston',
  });

  it('weighs more agreeing fields higher', () => {
    const nameOnly = score(contact({ first: 'William', last: 'Smith' }), entry);
    const withEmail = score(
      contact({ first: 'William', last: 'Smith', email: 'WILL.SMITH@example.com' }),
      entry,
    );
    expect(withEmail.weight).toBeGreaterThan(nameOnly.weight + 10);
    expect(withEmail.levels.email).toBe('exact');
  });

  it('ranks exact above nickname above a typo above a different name', () => {
    const exact = score(contact({ first: 'William', last: 'Smith' }), entry).weight;
    const nickname = score(contact({ first: 'Bill', last: 'Smith' }), entry).weight;
    const typo = score(contact({ first: 'Willaim', last: 'Smith' }), entry).weight;
    const different = score(contact({ first: 'Robert', last: 'Smith' }), entry).weight;
    expect(exact).toBeGreaterThan(nickname);
    expect(nickname).toBeGreaterThanOrEqual(typo);
    expect(typo).toBeGreaterThan(different);
  });

  it('gives rare surnames more weight than common ones (frequency-adjusted)', () => {
    const context = scoringContext({ smith: 500, zawadzki: 1 });
    const common = score(contact({ first: 'William', last: 'Smith' }), entry, context);
    const rareEntry = contact({ first: 'William', last: 'Zawadzki' });
    const rare = score(contact({ first: 'William', last: 'Zawadzki' }), rareEntry, context);
    expect(rare.weight).toBeGreaterThan(common.weight + 5);
  });

  it('counts disagreeing identifiers against the match, and missing ones not at all', () => {
    const missing = score(contact({ first: 'William', last: 'Smith' }), entry).weight;
    const stale = score(
      contact({ first: 'William', last: 'Smith', email: 'ws@other.org', phone: '212-555-0199' }),
      entry,
    );
    expect(stale.levels.email).toBe('different');
    expect(stale.weight).toBeLessThan(missing);
  });

  it('recognizes swapped given name and surname', () => {
    const swapped = score(contact({ first: 'Smith', last: 'William', city: 'Boston' }), entry);
    expect(swapped.swapped).toBe(true);
    expect(swapped.levels.first_name).toBe('exact');
    expect(swapped.levels.last_name).toBe('exact');
  });

  it('matches company names regardless of legal form and case', () => {
    const result = score(contact({ first: 'William', last: 'Smith', company: 'ACME' }), entry);
    expect(result.levels.company).toBe('exact');
  });
});

describe('address and birth-date comparison levels', () => {
  const entry = contact({
    first: 'Ana',
    last: 'Lopez',
    street: '12 Main Street',
    postcode: '02139',
    country: 'US',
    birthDate: '1984-03-07',
    nationalId: '123-45-6789',
  });
  const levelsOf = (fields: Parameters<typeof contact>[0]): Record<string, string> =>
    score(contact({ first: 'Ana', last: 'Lopez', ...fields }), entry).levels;

  it('compares streets: exact, same number with a typo, other number, different', () => {
    expect(levelsOf({ street: '12 Main St.' }).street).toBe('exact');
    expect(levelsOf({ street: '12 Mian St' }).street).toBe('jw92');
    expect(levelsOf({ street: 'Main Street' }).street).toBe('jw92');
    expect(levelsOf({ street: '14 Main St' }).street).toBe('similar');
    expect(levelsOf({ street: '12 Oak Avenue' }).street).toBe('different');
  });

  it('compares postcodes: exact (ZIP+4 too), one edit, same area, different', () => {
    expect(levelsOf({ postcode: '02139-4307', country: 'US' }).postcode).toBe('exact');
    expect(levelsOf({ postcode: '02193' }).postcode).toBe('typo');
    expect(levelsOf({ postcode: '02155' }).postcode).toBe('partial');
    expect(levelsOf({ postcode: '94105' }).postcode).toBe('different');
  });

  it('compares birth dates: exact, day/month swapped, typo, year-month, year, different', () => {
    expect(levelsOf({ birthDate: 'March 7, 1984' }).birth_date).toBe('exact');
    expect(levelsOf({ birthDate: '1984-07-03' }).birth_date).toBe('transposed');
    expect(levelsOf({ birthDate: '07/03/1984', country: 'GB' }).birth_date).toBe('exact');
    expect(levelsOf({ birthDate: '1984-03-08' }).birth_date).toBe('typo');
    expect(levelsOf({ birthDate: '1984-03-21' }).birth_date).toBe('partial');
    expect(levelsOf({ birthDate: '1984-11-21' }).birth_date).toBe('similar');
    expect(levelsOf({ birthDate: '1990-11-21' }).birth_date).toBe('different');
  });

  it('weighs a matching birth date and national id far above a shared country', () => {
    const base = score(contact({ first: 'Ana', last: 'Lopez' }), entry).weight;
    const withDob = score(contact({ first: 'Ana', last: 'Lopez', birthDate: '1984-03-07' }), entry);
    const withId = score(contact({ first: 'Ana', last: 'Lopez', nationalId: '123456789' }), entry);
    const withCountry = score(contact({ first: 'Ana', last: 'Lopez', country: 'USA' }), entry);
    expect(withDob.weight - base).toBeGreaterThan(10);
    expect(withId.weight - base).toBeGreaterThan(15);
    expect(withCountry.weight - base).toBeLessThan(2);
  });
});
