import { describe, expect, it } from 'vitest';
import { countryCode, standardizeRegion } from './standardize-country.ts';
import { standardizeDate } from './standardize-date.ts';
import { standardizePostcode } from './standardize-postcode.ts';
import { standardizeStreet } from './standardize-street.ts';

describe('standardizeStreet', () => {
  it('gives abbreviations, directions and unit notations one form', () => {
    const a = standardizeStreet('12 North Main Street, Apt 3');
    const b = standardizeStreet('12 N. Main St #3');
    const c = standardizeStreet('Apt 3', '12 N Main Str');
    expect(a).toMatchObject({ number: '12', unit: '3', nameKey: 'n main st' });
    expect(b).toMatchObject({ number: '12', unit: '3', nameKey: 'n main st' });
    expect(c.number).toBe('12');
    expect(standardizeStreet('500 Sunset Boulevard').nameKey).toBe(
      standardizeStreet('500 sunset blvd').nameKey,
    );
    expect(standardizeStreet('3/12 Wattle Avenue')).toMatchObject({ unit: '3', number: '12' });
  });

  it('takes a separate house number column and keeps the second line apart', () => {
    const s = standardizeStreet('stanley road', 'miami', '8');
    expect(s).toMatchObject({ number: '8', nameKey: 'stanley rd', line2Key: 'miami' });
    expect(s.text).toBe('8 Stanley Road, Miami');
  });
});

describe('standardizePostcode', () => {
  it('formats by country and by shape', () => {
    expect(standardizePostcode('021394307', 'US')).toMatchObject({
      text: '02139-4307',
      key: '021394307',
    });
    expect(standardizePostcode('2139', 'US').text).toBe('02139');
    expect(standardizePostcode('sw1a1aa')).toMatchObject({ text: 'SW1A 1AA', key: 'SW1A1AA' });
    expect(standardizePostcode('k1a0b1', 'CA').text).toBe('K1A 0B1');
    expect(standardizePostcode('1012ab', 'NL')).toMatchObject({ text: '1012 AB', area: '1012' });
    expect(standardizePostcode('F-75002', 'FR').text).toBe('75002');
    expect(standardizePostcode('10115', 'DE')).toMatchObject({ text: '10115', area: '101' });
    expect(standardizePostcode('2600').key).toBe('2600');
  });
});

describe('countryCode and standardizeRegion', () => {
  it('maps names, alpha-3 codes and colloquial names to ISO alpha-2', () => {
    expect(countryCode('Deutschland')).toBe('DE');
    expect(countryCode('United States')).toBe('US');
    expect(countryCode('U.S.A.')).toBe('US');
    expect(countryCode('UK')).toBe('GB');
    expect(countryCode('France')).toBe('FR');
    expect(countryCode('nl')).toBe('NL');
    expect(countryCode('Atlantis')).toBeUndefined();
  });

  it('writes US, Canadian and Australian regions as their codes', () => {
    expect(standardizeRegion('New South Wales')).toEqual({ text: 'NSW', key: 'nsw' });
    expect(standardizeRegion('ca')).toEqual({ text: 'CA', key: 'ca' });
    expect(standardizeRegion('Massachusetts').text).toBe('MA');
    expect(standardizeRegion('Noord-Holland').text).toBe('Noord-Holland');
  });
});

describe('standardizeDate', () => {
  it('reads the common written forms', () => {
    for (const text of [
      '1984-03-07',
      '19840307',
      '1984/03/07',
      '07.03.1984',
      '7 March 1984',
      'March 7, 1984',
      '7th Mar 1984',
      '7-Mar-84',
      '1984-03-07T00:00:00Z',
    ]) {
      expect(standardizeDate(text).key, text).toBe('19840307');
    }
  });

  it('decides 03/07/1984 with the row country, or keeps both readings', () => {
    expect(standardizeDate('03/07/1984', 'US')).toMatchObject({ key: '19840307', altKey: '' });
    expect(standardizeDate('03/07/1984', 'GB')).toMatchObject({ key: '19840703', altKey: '' });
    expect(standardizeDate('03/07/1984')).toMatchObject({ key: '19840307', altKey: '19840703' });
    expect(standardizeDate('25/12/1984').key).toBe('19841225');
  });

  it('keeps what is not a date as text, with no key', () => {
    expect(standardizeDate('soon')).toEqual({ text: 'soon', key: '', altKey: '' });
    expect(standardizeDate('1984-02-30').key).toBe('');
  });
});
