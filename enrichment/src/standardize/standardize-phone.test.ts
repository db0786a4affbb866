import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { EnrichmentOptionsError } from '../errors.ts';
import { createPhoneStandardizer } from './standardize-phone.ts';

describe('createPhoneStandardizer', () => {
  const us = createPhoneStandardizer({ defaultRegion: 'US' });
  const gb = createPhoneStandardizer({ defaultRegion: 'GB' });

  it.each([
    ['(415) 555-2671', '+14155552671'],
    ['415.555.2671', '+14155552671'],
    ['1-415-555-2671', '+14155552671'],
    ['+1 415 555 2671', '+14155552671'],
    ['+44 20 7946 0958', '+442079460958'],
    ['011 44 20 7946 0958', '+442079460958'],
  ])('US region: %s → %s', (raw, e164) => {
    expect(us(raw)?.e164).toBe(e164);
  });

  it('reads national numbers in the configured region', () => {
    expect(gb('020 7946 0958')?.e164).toBe('+442079460958');
    expect(gb('07911 123456')?.e164).toBe('+447911123456');
  });

  it('keeps extensions out of the E.164 key but in the value', () => {
    const phone = us('(415) 555-2671 ext. 42');
    expect(phone).toEqual({ e164: '+14155552671', extension: '42', value: '+14155552671;ext=42' });
    expect(us('415-555-2671 x7')?.extension).toBe('7');
  });

  it('converts vanity numbers written with letters', () => {
    expect(us('1-800-FLOWERS')?.e164).toBe('+18003569377');
  });

  it.each(['n/a', 'call me', '12', '555-0000', '+999 123', 'abc-defg'])('rejects %j', (raw) => {
    expect(us(raw)).toBeUndefined();
  });

  it('rejects an unsupported default region with a typed error', () => {
    expect(() => createPhoneStandardizer({ defaultRegion: 'XX' })).toThrow(EnrichmentOptionsError);
  });

  it('trusts known directory numbers without changing the result', () => {
    const withKnown = createPhoneStandardizer({
      defaultRegion: 'US',
      knownNumbers: new Set(['+14155552671']),
    });
    expect(withKnown('415 555 2671')?.e164).toBe('+14155552671');
  });

  // The fast path must never disagree with libphonenumber: compare on many random inputs.
  it.each(['US', 'GB', 'DE', 'FR', 'AU', 'IN'] as const)(
    'agrees with libphonenumber-js on random %s inputs',
    (region: CountryCode) => {
      const standardize = createPhoneStandardizer({ defaultRegion: region });
      let seed = 12345;
      const rand = (n: number): number => {
        seed = (seed * 48271) % 2147483647;
        return seed % n;
      };
      const separators = [' ', '-', '.', '', ' ', '(', ')'];
      let mismatches = 0;
      let valid = 0;
      for (let i = 0; i < 4000; i++) {
        const length = 6 + rand(8);
        let digits = '';
        for (let d = 0; d < length; d++) digits += String(rand(10));
        const style = rand(4);
        if (style === 1) digits = '0' + digits;
        if (style === 2) digits = '1' + digits;
        let text = '';
        for (const ch of digits)
          text += ch + (rand(4) === 0 ? (separators[rand(separators.length)] ?? '') : '');
        if (rand(3) === 0) text = '+' + text;
        const parsed = parsePhoneNumberFromString(text, region);
        const expected = parsed?.isValid() === true ? parsed.number : undefined;
        const actual = standardize(text)?.e164;
        if (expected !== undefined) valid++;
        if (actual !== expected) mismatches++;
      }
      expect(mismatches).toBe(0);
      expect(valid).toBeGreaterThan(50);
    },
  );
});
