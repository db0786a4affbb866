import { describe, expect, it } from 'vitest';
import { directoryBlockingKeys, queryBlockingKeys, type BlockingContext } from './blocking-keys.ts';
import { buildNameNeighbours } from './name-neighbours.ts';
import { createPhoneticEncoder } from './phonetic-key.ts';
import { contact, testNicknames } from '../test-factories.ts';

const context: BlockingContext = { nicknames: testNicknames(), phonetic: createPhoneticEncoder() };

function shareKey(a: readonly string[], b: readonly string[]): boolean {
  return a.some((k) => b.includes(k));
}

describe('blocking keys', () => {
  it('files a directory entry under email key, E.164 phone and canonical name', () => {
    const keys = directoryBlockingKeys(
      contact({
        first: 'Bill',
        last: 'Smith',
        email: 'Bill.Smith+x@googlemail.com',
        phone: '(415) 555-2671',
      }),
      context,
    );
    expect(keys).toContain('ebillsmith@gmail.com');
    expect(keys).toContain('p+14155552671');
    expect(keys).toContain('nbill|smith');
    expect(keys).toContain('nwilliam|smith');
  });

  it('meets a nickname through the canonical name, both ways', () => {
    const entry = directoryBlockingKeys(contact({ first: 'William', last: 'Smith' }), context);
    const upload = queryBlockingKeys(
      contact({ first: 'Bill', last: 'SMITH' }),
      context,
      undefined,
      1,
    );
    expect(shareKey(entry, upload)).toBe(true);
    const entry2 = directoryBlockingKeys(contact({ first: 'Bill', last: 'Smith' }), context);
    const upload2 = queryBlockingKeys(
      contact({ first: 'William', last: 'Smith' }),
      context,
      undefined,
      1,
    );
    expect(shareKey(entry2, upload2)).toBe(true);
  });

  it('ignores diacritics, case and surname particles', () => {
    const entry = directoryBlockingKeys(contact({ first: 'José', last: 'van der Berg' }), context);
    const upload = queryBlockingKeys(contact({ full: 'JOSE BERG' }), context, undefined, 1);
    expect(shareKey(entry, upload)).toBe(true);
  });

  it("keeps O'Brien and OBrien together", () => {
    const entry = directoryBlockingKeys(contact({ first: 'Conor', last: "O'Brien" }), context);
    const upload = queryBlockingKeys(
      contact({ first: 'conor', last: 'OBRIEN' }),
      context,
      undefined,
      1,
    );
    expect(shareKey(entry, upload)).toBe(true);
  });

  it('finds a surname typo through the vocabulary of directory names', () => {
    const entry = contact({ first: 'Martha', last: 'Zawadzki' });
    const vocabulary = {
      firstNames: buildNameNeighbours(['martha']),
      lastNames: buildNameNeighbours(['zawadzki']),
      hasFirstName: (k: string) => k === 'martha',
      hasLastName: (k: string) => k === 'zawadzki',
    };
    const typo = contact({ first: 'Martha', last: 'Zawadski' });
    expect(
      shareKey(
        directoryBlockingKeys(entry, context),
        queryBlockingKeys(typo, context, undefined, 1),
      ),
    ).toBe(false);
    expect(
      shareKey(
        directoryBlockingKeys(entry, context),
        queryBlockingKeys(typo, context, vocabulary, 1),
      ),
    ).toBe(true);
  });

  it('finds swapped names and phonetic spellings only in pass 2', () => {
    const entry = directoryBlockingKeys(contact({ first: 'John', last: 'Smith' }), context);
    const swapped = contact({ first: 'Smith', last: 'John' });
    expect(shareKey(entry, queryBlockingKeys(swapped, context, undefined, 1))).toBe(false);
    expect(shareKey(entry, queryBlockingKeys(swapped, context, undefined, 2))).toBe(true);
    const phonetic = contact({ first: 'John', last: 'Smyth' });
    expect(shareKey(entry, queryBlockingKeys(phonetic, context, undefined, 2))).toBe(true);
  });

  it('looks an initial up by initial and surname', () => {
    const entry = directoryBlockingKeys(contact({ first: 'John', last: 'Smith' }), context);
    expect(
      shareKey(
        entry,
        queryBlockingKeys(contact({ first: 'J.', last: 'Smith' }), context, undefined, 1),
      ),
    ).toBe(true);
  });

  it('does not block on role mailboxes such as info@', () => {
    const keys = queryBlockingKeys(contact({ email: 'info@example.com' }), context, undefined, 2);
    expect(keys.some((k) => k.startsWith('u'))).toBe(false);
  });
});

describe('buildNameNeighbours', () => {
  const neighbours = buildNameNeighbours(['smith', 'smyth', 'schmidt', 'martha', 'marhta', 'lee']);

  it('returns names one insertion, deletion, substitution or transposition away', () => {
    expect(neighbours.near('smith')).toEqual(['smyth']);
    expect(neighbours.near('smiths')).toContain('smith');
    expect(neighbours.near('smth')).toContain('smith');
    expect(neighbours.near('martha')).toContain('marhta');
  });

  it('leaves short names alone', () => {
    expect(neighbours.near('le')).toEqual([]);
  });
});

describe('address and birth-date blocking rules', () => {
  it('files and finds entries by birth date, postcode + initial, postcode + surname, street and id', () => {
    const entry = directoryBlockingKeys(
      contact({
        first: 'Margaret',
        last: 'Okonkwo',
        street: '14 North Elm Street',
        postcode: '02139',
        birthDate: '1961-11-23',
        nationalId: '123-45-6789',
      }),
      context,
    );
    expect(entry).toEqual(
      expect.arrayContaining([
        'b19611123',
        'x123456789',
        'z02139|m',
        'z02139|-o',
        'k02139|okonkwo',
        's14|n elm st',
        'y1961|okonkwo',
        'g1961|margaret',
      ]),
    );
    // No given name, a typo in the surname: the birth date and the street still meet.
    const upload = queryBlockingKeys(
      contact({ last: 'Okonkow', street: '14 N Elm St', birthDate: '23 November 1961' }),
      context,
      undefined,
      1,
    );
    expect(upload).toEqual(expect.arrayContaining(['b19611123', 's14|n elm st']));
  });

  it('looks an ambiguous date up under both readings', () => {
    const keys = queryBlockingKeys(contact({ birthDate: '03/07/1984' }), context, undefined, 1);
    expect(keys).toEqual(expect.arrayContaining(['b19840307', 'b19840703']));
  });
});
