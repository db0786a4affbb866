import { describe, expect, it } from 'vitest';
import {
  countryToRegion,
  findCountryColumn,
  isPhoneRegion,
  samePhoneNumber,
} from './phone-region.ts';

describe('phone regions', () => {
  it('accepts ISO 3166-1 alpha-2 codes the phone standardizer knows', () => {
    expect(isPhoneRegion('FR')).toBe(true);
    expect(isPhoneRegion('nl')).toBe(true);
    expect(isPhoneRegion('XX')).toBe(false);
    expect(isPhoneRegion('FRA')).toBe(false);
  });

  it('reads the country a row names: codes, names in common languages, short forms', () => {
    expect(countryToRegion('France')).toBe('FR');
    expect(countryToRegion('Deutschland')).toBe('DE');
    expect(countryToRegion('UK')).toBe('GB');
    expect(countryToRegion('United Kingdom')).toBe('GB');
    expect(countryToRegion('nl')).toBe('NL');
    expect(countryToRegion('Pays-Bas')).toBe('NL');
    expect(countryToRegion('USA')).toBe('US');
    expect(countryToRegion('Atlantis')).toBeUndefined();
    expect(countryToRegion('')).toBeUndefined();
  });

  it('finds the country column of common exports, not a phone dialling code', () => {
    expect(findCountryColumn(['Name', 'Business Country/Region'])).toBe(1);
    expect(findCountryColumn(['Name', 'country_code'])).toBe(1);
    expect(findCountryColumn(['Phone Country Code', 'Country'])).toBe(1);
    expect(findCountryColumn(['Name', 'Email'])).toBeUndefined();
  });

  it('recognizes a number written in its own national format', () => {
    expect(samePhoneNumber('06 12 34 56 78', '+33612345678')).toBe(true);
    expect(samePhoneNumber('06 12 34 56 79', '+33612345678')).toBe(false);
  });
});
