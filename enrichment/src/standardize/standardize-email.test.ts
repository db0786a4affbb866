import { describe, expect, it } from 'vitest';
import { standardizeEmail, standardizeEmails } from './standardize-email.ts';

describe('standardizeEmail', () => {
  it('lower-cases emails written in capitals', () => {
    expect(standardizeEmail('  JOHN.SMITH@EXAMPLE.COM ')).toEqual({
      value: 'john.smith@example.com',
      key: 'john.smith@example.com',
      local: 'john.smith',
    });
  });

  it('applies Gmail rules to the key only', () => {
    const email = standardizeEmail('John.Smith+newsletter@googlemail.com');
    expect(email?.value).toBe('john.smith+newsletter@googlemail.com');
    expect(email?.key).toBe('johnsmith@gmail.com');
    expect(standardizeEmail('johnsmith@gmail.com')?.key).toBe(email?.key);
  });

  it('keeps dots and tags in the key for providers that do not ignore them', () => {
    expect(standardizeEmail('john.smith+x@example.com')?.key).toBe('john.smith+x@example.com');
    expect(standardizeEmail('john+x@outlook.com')?.key).toBe('john@outlook.com');
  });

  it('accepts display-name and mailto forms', () => {
    expect(standardizeEmail('John Smith <JS@Example.org>')?.value).toBe('js@example.org');
    expect(standardizeEmail('mailto:js@example.org')?.value).toBe('js@example.org');
  });

  it.each([
    'not an email',
    'john@',
    '@example.com',
    'john@@example.com',
    'john..smith@example.com',
    '.john@example.com',
    'john@example',
    'john@-example.com',
    'john smith@example.com',
    'john@example.c',
  ])('rejects %j', (raw) => {
    expect(standardizeEmail(raw)).toBeUndefined();
  });

  it('accepts internationalized addresses, normalized to NFC', () => {
    const email = standardizeEmail('Jose\u0301@Exa\u0301mple.es');
    expect(email?.value).toBe('jos\u00e9@ex\u00e1mple.es');
  });
});

describe('standardizeEmails', () => {
  it('splits lists and drops invalid and duplicate entries', () => {
    const emails = standardizeEmails('a@x.com; B@Y.com, nonsense, A@X.COM');
    expect(emails.map((e) => e.value)).toEqual(['a@x.com', 'b@y.com']);
  });

  it('keeps a display-name address in one piece', () => {
    expect(standardizeEmails('Jane Doe <jane@x.com>').map((e) => e.value)).toEqual(['jane@x.com']);
  });
});
