import { describe, expect, it } from 'vitest';
import { decodeRecord, decodeRecords } from './decode-text.ts';
import { hasUtf8Sequence, incompleteUtf8Tail, Utf8Validator } from './utf8-validation.ts';

const WINDOWS_1252: Readonly<Record<string, number>> = {
  '€': 0x80,
  '’': 0x92,
  '“': 0x93,
  '”': 0x94,
};
/** Encodes Latin-1 text plus a few windows-1252 punctuation marks, as Excel would write it. */
const cp1252 = (text: string): Buffer =>
  Buffer.from(Array.from(text, (c) => WINDOWS_1252[c] ?? c.charCodeAt(0)));

describe('decodeRecord', () => {
  it('reads valid UTF-8 as UTF-8 and anything else as windows-1252', () => {
    expect(decodeRecord(Buffer.from('Müller,José'))).toEqual({ text: 'Müller,José', mixed: false });
    expect(decodeRecord(cp1252('Müller,“€5”,O’Brien'))).toEqual({
      text: 'Müller,“€5”,O’Brien',
      mixed: false,
    });
  });

  it('flags a record with UTF-8 characters next to bytes that are not UTF-8', () => {
    const mixed = Buffer.concat([Buffer.from('José,'), cp1252('Müller')]);
    expect(decodeRecord(mixed)).toEqual({ text: 'José,M\uFFFDller', mixed: true });
  });
});

describe('decodeRecords', () => {
  it('decodes each record on its own when the whole is not UTF-8', () => {
    const bytes = Buffer.concat([
      Buffer.from('José,1\n\n'),
      cp1252('Müller,2\n'),
      Buffer.from('"multi\nline",3\n'),
      Buffer.from('Zoë,'),
      cp1252('Ü\n'),
    ]);
    expect(decodeRecords(bytes, 'lf')).toEqual({
      text: 'José,1\n\nMüller,2\n"multi\nline",3\nZoë,\uFFFD\n',
      mixedRows: [3],
    });
  });

  it('decodes lone-CR records too', () => {
    expect(decodeRecords(cp1252('a\rMüller\r'), 'cr').text).toBe('a\rMüller\r');
  });
});

describe('Utf8Validator', () => {
  it('accepts characters split across pieces and catches a late invalid byte', () => {
    const text = Buffer.from('a,é,€,😀\n'.repeat(3));
    for (let at = 0; at <= text.length; at++) {
      const validator = new Utf8Validator();
      validator.push(text.subarray(0, at));
      validator.push(text.subarray(at));
      expect(validator.finish()).toBe(true);
    }
    const late = new Utf8Validator();
    late.push(Buffer.from('plain ascii\n'));
    late.push(cp1252('Müller\n'));
    expect(late.finish()).toBe(false);
  });

  it('calls a character cut off at the end of the stream invalid', () => {
    const validator = new Utf8Validator();
    validator.push(Buffer.from('é').subarray(0, 1));
    expect(validator.valid).toBe(true);
    expect(validator.finish()).toBe(false);
  });
});

describe('utf-8 helpers', () => {
  it('measures a cut-off character at the end', () => {
    expect(incompleteUtf8Tail(Buffer.from('ab'))).toBe(0);
    expect(incompleteUtf8Tail(Buffer.from('é'))).toBe(0);
    expect(incompleteUtf8Tail(Buffer.from('aé').subarray(0, 2))).toBe(1);
    expect(incompleteUtf8Tail(Buffer.from('😀').subarray(0, 3))).toBe(3);
  });

  it('finds well-formed multi-byte sequences only', () => {
    expect(hasUtf8Sequence(Buffer.from('plain'))).toBe(false);
    expect(hasUtf8Sequence(cp1252('Müller €'))).toBe(false);
    expect(hasUtf8Sequence(Buffer.from([0xc0, 0x80]))).toBe(false); // overlong
    expect(hasUtf8Sequence(Buffer.from([0xed, 0xa0, 0x80]))).toBe(false); // surrogate
    expect(hasUtf8Sequence(Buffer.from('x😀'))).toBe(true);
  });
});
