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
