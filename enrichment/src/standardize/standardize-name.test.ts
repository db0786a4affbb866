import { describe, expect, it } from 'vitest';
import {
  displayCaseName,
  parseFullName,
  standardizeName,
  surnameCoreKey,
} from './standardize-name.ts';

describe('parseFullName', () => {
  it('splits titles and suffixes off "Dr. Bob Smith Jr."', () => {
    const name = parseFullName('Dr. Bob Smith Jr.');
    expect(name).toMatchObject({
      prefix: 'Dr',
      first: 'Bob',
      middle: '',
      last: 'Smith',
      suffix: 'Jr',
    });
  });

  it('reads "SMITH, JOHN A" as last, first, middle initial and fixes the case', () => {
    expect(parseFullName('SMITH, JOHN A')).toMatchObject({
      first: 'John',
      middle: 'A',
      last: 'Smith',
    });
  });

  it('keeps particles with the surname', () => {
    expect(parseFullName('Ludwig van der Berg')).toMatchObject({
      first: 'Ludwig',
      last: 'van der Berg',
    });
    expect(parseFullName('MARIA DE LA CRUZ')).toMatchObject({ first: 'Maria', last: 'de la Cruz' });
    expect(parseFullName('van der Berg, Anna')).toMatchObject({
      first: 'Anna',
      last: 'van der Berg',
    });
  });

  it('never takes the first word as a particle', () => {
    expect(parseFullName('Al Smith')).toMatchObject({ first: 'Al', last: 'Smith' });
    expect(parseFullName('Van Morrison')).toMatchObject({ first: 'Van', last: 'Morrison' });
  });

  it("keeps the apostrophe of O'Brien and capitalizes after it", () => {
    expect(parseFullName("conor o'brien")).toMatchObject({ first: 'Conor', last: "O'Brien" });
    expect(parseFullName("Conor O'Brien")).toMatchObject({ last: "O'Brien" });
  });

  it('extracts quoted and parenthesized nicknames', () => {
    expect(parseFullName('Robert "Bob" Smith')).toMatchObject({
      first: 'Robert',
      last: 'Smith',
      nickname: 'Bob',
    });
    expect(parseFullName('Elizabeth (Liz) Taylor')).toMatchObject({
      first: 'Elizabeth',
      nickname: 'Liz',
    });
    expect(parseFullName("William 'Bill' Gates")).toMatchObject({
      first: 'William',
      last: 'Gates',
      nickname: 'Bill',
    });
  });

  it('treats a comma followed only by suffixes as a suffix separator', () => {
    expect(parseFullName('Jane Doe, PhD')).toMatchObject({
      first: 'Jane',
      last: 'Doe',
      suffix: 'PhD',
    });
    expect(parseFullName('Smith Jr., John')).toMatchObject({
      first: 'John',
      last: 'Smith',
      suffix: 'Jr',
    });
  });

  it('normalizes diacritics to NFC and keeps them in the display value', () => {
    const decomposed = 'Jose\u0301 Mun\u0303oz';
    const name = parseFullName(decomposed);
    expect(name.first).toBe('Jos\u00e9');
    expect(name.first.normalize('NFC')).toBe(name.first);
    expect(name.last).toBe('Mu\u00f1oz');
  });

  it('handles initials and single names', () => {
    expect(parseFullName('J. R. R. Tolkien')).toMatchObject({
      first: 'J',
      middle: 'R R',
      last: 'Tolkien',
    });
    expect(parseFullName('Madonna')).toMatchObject({ first: 'Madonna', last: '' });
    expect(parseFullName('   ')).toMatchObject({ first: '', last: '' });
  });
});

describe('standardizeName', () => {
  it('cleans separate first and last cells', () => {
    expect(standardizeName({ first: ' Dr. JOHN A. ', last: 'SMITH JR' })).toMatchObject({
      prefix: 'Dr',
      first: 'John',
      middle: 'A',
      last: 'Smith',
      suffix: 'JR',
    });
  });

  it('parses a full name written into the first-name cell', () => {
    expect(standardizeName({ first: 'Anna van der Berg' })).toMatchObject({
      first: 'Anna',
      last: 'van der Berg',
    });
  });

  it('parses "Last, First" written into the last-name cell', () => {
    expect(standardizeName({ last: 'Smith, John' })).toMatchObject({
      first: 'John',
      last: 'Smith',
    });
  });

  it('falls back to the full-name cell when first and last are empty', () => {
    expect(standardizeName({ first: '', last: '', full: 'SMITH, JOHN A' })).toMatchObject({
      first: 'John',
      last: 'Smith',
    });
  });

  it('keeps compound first names whole', () => {
    expect(standardizeName({ first: 'Mary Ann', last: 'Jones' }).first).toBe('Mary Ann');
  });
});

describe('displayCaseName', () => {
  it('title-cases single-case names with Mc and hyphen rules', () => {
    expect(displayCaseName('MCDONALD')).toBe('McDonald');
    expect(displayCaseName('smith-jones')).toBe('Smith-Jones');
    expect(displayCaseName('ÉLODIE')).toBe('Élodie');
  });

  it('leaves deliberately mixed-case names alone', () => {
    expect(displayCaseName('DeShawn')).toBe('DeShawn');
    expect(displayCaseName('MacKenzie')).toBe('MacKenzie');
  });
});

describe('surnameCoreKey', () => {
  it('drops leading particles so "van der Berg" meets "Berg"', () => {
    expect(surnameCoreKey('van der Berg')).toBe('berg');
    expect(surnameCoreKey("O'Brien")).toBe('obrien');
    expect(surnameCoreKey('Van')).toBe('van');
  });
});
