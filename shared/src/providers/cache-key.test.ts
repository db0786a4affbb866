import { describe, expect, it } from 'vitest';
import { cacheKeyOf } from './cache-key.ts';

describe('cacheKeyOf', () => {
  const query = { first_name: 'José', last_name: 'Núñez', email: 'Jose.Nunez@Example.com' };

  it('is the same for the same query however it is ordered, spaced, cased or composed', () => {
    const key = cacheKeyOf('pdl', query);
    expect(
      cacheKeyOf('pdl', {
        email: ' jose.nunez@example.com ',
        // Decomposed é and ñ (NFD), other case, doubled inner space, an empty and a missing field.
        last_name: 'NU\u0301N\u0303EZ',
        first_name: 'Jose\u0301',
        phone: '',
        company: undefined,
      }),
    ).toBe(key);
    expect(cacheKeyOf('pdl', { ...query, company: 'Globex  Corp' })).toBe(
      cacheKeyOf('pdl', { ...query, company: 'globex corp' }),
    );
  });

  it('differs by provider, by value, and keeps case where the provider needs it', () => {
    const key = cacheKeyOf('pdl', query);
    expect(cacheKeyOf('other', query)).not.toBe(key);
    expect(cacheKeyOf('pdl', { ...query, email: 'jose@example.com' })).not.toBe(key);
    // A value moved to another field is another query.
    expect(cacheKeyOf('pdl', { a: 'x', b: 'y' })).not.toBe(cacheKeyOf('pdl', { a: 'y', b: 'x' }));
    const sensitive = { caseSensitive: ['profile'] };
    expect(cacheKeyOf('pdl', { profile: 'AbC' }, sensitive)).not.toBe(
      cacheKeyOf('pdl', { profile: 'abc' }, sensitive),
    );
  });

  it('hides the query: a SHA-256 digest with nothing of the values in it', () => {
    const key = cacheKeyOf('pdl', query);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const part of ['jose', 'nunez', 'example', 'pdl'])
      expect(key.toLowerCase()).not.toContain(part);
  });
});
